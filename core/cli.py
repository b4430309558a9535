"""The ``copydesk`` command line.

Exit codes: 0 done; 1 findings at or above ``--fail-on``; 2 usage or input error;
3 model or endpoint failure (the report with what did succeed is still written);
130 stopped by Ctrl-C (see copydesk.interrupt).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .batch.command import batch_command
from .cache import cache_group
from .cli_common import errors_handled, fail
from .errors import EXIT_FINDINGS, EXIT_MODEL, EXIT_OK, EXIT_USAGE, CopydeskError
from .host import Host, load_host
from .interrupt import stop_on_interrupt
from .types import SEVERITIES, severity_rank

_host: Host | None = None


def get_host() -> Host:
    """The process's plugins, loaded once (the CLI is built from them)."""
    global _host
    if _host is None:
        _host = load_host()
    return _host


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="copydesk")
def cli() -> None:
    """A copy desk for one news article: a faithful summary, the checkable claims, and
    the flags a careful editor would raise.

    Exit codes: 0 done, 1 findings at or above --fail-on, 2 usage or input error,
    3 model or endpoint failure, 130 stopped by Ctrl-C.
    """


#: What the display formats and --fail-on hide below by default: a finding whose confidence
#: says it is more likely wrong than right. Confidences are calibrated on labelled dev data
#: (bench/quality.py's reliability tables: on BABE dev the built-in detectors' 0.6 and 0.7
#: findings are right 0.59 and 0.71 of the time, their 0.4 ones 0.33), so 0.5 is where
#: right becomes likelier than wrong.
DEFAULT_MIN_CONFIDENCE = 0.5


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "-f",
    "--format",
    "fmt",
    default="terminal",
    show_default=True,
    help="Report format (see `copydesk plugins`).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write the report here (atomically) instead of stdout; a folder when checking several articles.",
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    help="Exit 1 when a shown finding is this severe or worse.",
)
@click.option(
    "--min-confidence",
    type=click.FloatRange(0, 1),
    default=DEFAULT_MIN_CONFIDENCE,
    show_default=True,
    help="Hide findings below this confidence in display formats and for --fail-on "
    "(the JSON report keeps them all; 0 shows everything).",
)
@click.option(
    "--provider",
    help="Model provider (copydesk plugins lists them; default: the one for an endpoint if "
    "--base-url or a key is set, else the embedded model).",
)
@click.option("-m", "--model", help="Model name at the endpoint [env COPYDESK_MODEL].")
@click.option(
    "--base-url",
    help="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 [env OPENAI_BASE_URL].",
)
@click.option(
    "--prompts-dir",
    "prompts_dirs",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of prompt overrides, searched before the built-ins (repeatable).",
)
@click.option(
    "--summariser", default="llm", show_default=True, help="Which summariser plugin to use."
)
@click.option(
    "--extractor", default="llm", show_default=True, help="Which claim extractor plugin to use."
)
@click.option("--checkers", help="Only these checkers (comma list).")
@click.option("--skip-checkers", help="Leave these checkers out (comma list).")
@click.option("--no-model", is_flag=True, help="Run only the checkers that need no model.")
@click.option(
    "--keep-furniture", is_flag=True, help="Analyse the whole input, page furniture included."
)
@click.option(
    "--reasks",
    type=click.IntRange(0, 10),
    help="Re-asks when an answer does not validate (default 2).",
)
@click.option(
    "--timeout", type=click.FloatRange(1), help="Seconds per model request (default 120)."
)
@click.option(
    "--max-calls",
    type=click.IntRange(1),
    help="Budget: at most this many model requests per article (re-asks included).",
)
@click.option(
    "--max-tokens",
    type=click.IntRange(1),
    help="Budget: stop asking once an article's requests have used this many tokens.",
)
@click.option(
    "--record",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Record every model call of the run into this cassette.",
)
@click.option(
    "--replay",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Answer every model call from this cassette: no network, no key, no model.",
)
@click.option(
    "--no-cache", is_flag=True, help="Ask the model even when the response cache has the answer."
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="FILE|FOLDER|URL",
    help="Evidence: a document the article was written from, read as articles are (repeatable).",
)
@click.option(
    "--corpus",
    multiple=True,
    metavar="FILE",
    help="Evidence: a corpus built with `copydesk corpus index` (repeatable).",
)
@click.option(
    "--summary",
    metavar="FILE",
    help="A summary (standfirst, blurb) to check against the article, which is its evidence.",
)
@click.option("--headline", metavar="TEXT", help="A headline to check against the article.")
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="No progress on stderr (it is shown only when stderr is a terminal).",
)
def check(
    paths: tuple[str, ...],
    fmt: str,
    output: Path | None,
    fail_on: str | None,
    min_confidence: float,
    quiet: bool,
    **options: Any,
) -> None:
    """Check articles: PATH... are files (text, HTML, Markdown), folders (every article
    file in them) or URLs, or - for standard input.

    With several articles (several PATHs, or a folder) --output is a folder, one report
    per article in it. Inputs of fewer than 20 words are not articles: each is reported
    and skipped. An article may have up to 400,000 characters.

    On a terminal, stderr shows each stage as it runs (--quiet: not)."""
    from .check_display import terminal_display
    from .checking import run_check, stage_errors

    with errors_handled():
        host = get_host()
        formatter = host.get("format", fmt)
        several = len(paths) > 1 or any(p != "-" and Path(p).is_dir() for p in paths)
        if output is not None and several and output.suffix and not output.is_dir():
            raise CopydeskError(
                f"--output {output} looks like a file, but several articles give one report each",
                "name a folder for them (it is made if need be), or check one article",
            )
        reports = run_check(host, list(paths), display=terminal_display(quiet), **options)
        if output is not None and several:
            output.mkdir(parents=True, exist_ok=True)
        # A failed stage's error is told once: by the report's stages table when that is
        # on the screen, else here (the same error stopping several stages, once).
        on_screen = output is None and formatter.name == "terminal" and sys.stdout.isatty()
        if not on_screen:
            for error in stage_errors(reports):
                click.echo(f"copydesk: {error}", err=True)
        _emit(formatter, reports, output, min_confidence, several=several)
        failed = any(r["failed"] for r in reports)
        worst = max(
            (
                severity_rank(f["severity"])
                for r in reports
                for f in r["report"]["findings"]
                if f["confidence"] >= min_confidence
            ),
            default=-1,
        )
    if failed:
        click.echo("copydesk: one or more stages failed (see the report's stages)", err=True)
        sys.exit(EXIT_MODEL)
    if fail_on is not None and worst >= severity_rank(fail_on):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


def _emit(
    formatter: Any,
    reports: list[dict[str, Any]],
    output: Path | None,
    min_confidence: float,
    *,
    several: bool,
) -> None:
    """Print the reports, or write them to ``output`` (a folder when ``several``)."""
    from .report import write_atomic

    for item in reports:
        text = formatter.render(item["report"], min_confidence=min_confidence)
        if output is None:
            if formatter.name == "json" and len(reports) > 1:
                text = json.dumps(item["report"], ensure_ascii=False) + "\n"  # JSON Lines
            click.echo(text, nl=False)
        elif several:
            write_atomic(output / f"{item['name']}.{formatter.extension}", plain(text))
        else:
            write_atomic(output, plain(text))


#: A terminal's control sequences: CSI (colours, bold) and OSC (hyperlinks).
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


def plain(text: str) -> str:
    """``text`` without terminal escapes: a format that colours for a terminal (rich does,
    when stdout is one) still writes a file a reader or a diff can use."""
    return _ESCAPES.sub("", text)


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def plugins(fmt: str) -> None:
    """List every plugin: name, version, where it came from, what it registered."""
    with errors_handled():
        infos = [p.to_dict() for p in get_host().plugins.values()]
    if fmt == "json":
        click.echo(json.dumps(infos, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("plugin", "version", "source", "registered")
    table.columns[0].no_wrap = True
    for p in infos:
        registered = "; ".join(
            f"{kind}: {', '.join(names)}" for kind, names in p["registered"].items()
        )
        if p["prompt_dirs"]:
            registered += ("; " if registered else "") + f"prompts: {', '.join(p['prompt_dirs'])}"
        table.add_row(p["name"], p["version"] or "", p["source"], registered)
    # Piped, there is no terminal width to fit: never cut a name to 80 columns.
    Console(width=None if sys.stdout.isatty() else 400).print(table)


@cli.group()
def schema() -> None:
    """Print JSON Schemas: of the report, or of a prompt's answer."""


@schema.command("report")
def schema_report() -> None:
    """The JSON Schema every `check --format json` report validates against."""
    from .report import report_schema

    click.echo(json.dumps(report_schema(), indent=2))


@schema.command("prompt")
@click.argument("name")
@click.option(
    "--prompts-dir", "prompts_dirs", multiple=True, type=click.Path(path_type=Path, file_okay=False)
)
def schema_prompt(name: str, prompts_dirs: tuple[Path, ...]) -> None:
    """The JSON Schema the answer to prompt NAME must match."""
    from .prompt_library import PromptLibrary

    with errors_handled():
        library = PromptLibrary(list(prompts_dirs), get_host().prompt_dirs)
        click.echo(json.dumps(library.schema(name), indent=2))


@cli.group()
def prompts() -> None:
    """The prompt templates and where each one comes from."""


@prompts.command("list")
@click.option(
    "--prompts-dir", "prompts_dirs", multiple=True, type=click.Path(path_type=Path, file_okay=False)
)
def prompts_list(prompts_dirs: tuple[Path, ...]) -> None:
    """Every prompt name, with the template and schema it resolves to."""
    from .prompt_library import PromptLibrary

    with errors_handled():
        library = PromptLibrary(list(prompts_dirs), get_host().prompt_dirs)
        for name in library.names():
            template, schema_path = library.locate(name)
            click.echo(f"{name}\t{template}\t{schema_path}")


@prompts.command("show")
@click.argument("name")
@click.option(
    "--prompts-dir", "prompts_dirs", multiple=True, type=click.Path(path_type=Path, file_okay=False)
)
def prompts_show(name: str, prompts_dirs: tuple[Path, ...]) -> None:
    """Print the template NAME resolves to (copy it into a --prompts-dir to override it)."""
    from .prompt_library import PromptLibrary

    with errors_handled():
        template, _ = PromptLibrary(list(prompts_dirs), get_host().prompt_dirs).locate(name)
        click.echo(template.read_text(encoding="utf-8"), nl=False)


@cli.group()
def config() -> None:
    """Where the config file lives."""


@config.command("path")
def config_path_cmd() -> None:
    """Print the config file's path (it need not exist)."""
    from .settings import config_path

    click.echo(str(config_path()))


# copydesk batch (with check's model options) and copydesk cache info|clear.
cli.add_command(batch_command(check, get_host))
cli.add_command(cache_group)


def main(argv: list[str] | None = None) -> None:
    """The console script: Ctrl-C ends it within a moment, with 130 (copydesk.interrupt)."""
    with stop_on_interrupt():
        try:
            host = get_host()
        except CopydeskError as exc:
            fail(exc)
        else:
            host.pm.hook.register_commands(cli=cli)
        try:
            cli.main(args=argv, prog_name="copydesk", standalone_mode=True)
        except CopydeskError as exc:  # from a plugin's command
            fail(exc)


if __name__ == "__main__":  # pragma: no cover
    main()

__all__ = ["EXIT_USAGE", "cli", "errors_handled", "fail", "get_host", "main"]
