"""``copydesk batch``, the command: its options (and those it shares with ``check``), the
closing summary line and the exit code. The engine is :mod:`copydesk.batch.run`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

import click

from ..checking import RunOptions
from ..cli_common import errors_handled
from ..host import Host
from .tuning import ARTICLES_PER_PROCESS, DEFAULT_MAX_IN_FLIGHT

#: The options ``batch`` takes from ``check``, so the two always agree.
SHARED_OPTIONS = ("fail_on", "min_confidence", *(f.name for f in fields(RunOptions)))


def batch_command(check: click.Command, get_host: Callable[[], Host]) -> click.Command:
    """``copydesk batch``, with the model and checker options of ``check``, checking with
    the plugins ``get_host`` gives (the CLI's, loaded once: given, not imported, since the
    CLI imports this module)."""

    @click.command("batch")
    @click.argument("inputs", nargs=-1, required=True)
    @click.option(
        "-o",
        "--output",
        required=True,
        type=click.Path(path_type=Path, dir_okay=False),
        help="Results, one per article: JSON Lines (appended to), or Parquet for a .parquet "
        "name (pip install 'copydesk[parquet]'); resumed from.",
    )
    @click.option(
        "-j",
        "--concurrency",
        type=click.IntRange(1),
        help="Articles checked at once (default: twice --max-in-flight).",
    )
    @click.option(
        "--max-in-flight",
        type=click.IntRange(1),
        help=f"Cap on model requests in flight across all articles "
        f"(default: what the provider suits, else {DEFAULT_MAX_IN_FLIGHT}; 2 for the embedded "
        "model).",
    )
    @click.option(
        "-p",
        "--processes",
        type=click.IntRange(1),
        help="Worker processes sharing the articles and the --max-in-flight cap (default: "
        f"one per {ARTICLES_PER_PROCESS} articles, at most one per CPU and what the provider "
        "suits; 1 for the embedded model).",
    )
    @click.option(
        "--retry-failed",
        is_flag=True,
        help="Run again the articles the output has as failed or partial.",
    )
    @click.option(
        "--engine",
        type=click.Choice(["single", "ray"]),
        default="single",
        show_default=True,
        help="single: this machine's processes; ray: a Ray cluster's workers, one rate limit "
        "for all (pip install 'copydesk[ray]'; see docs/scale.md).",
    )
    @click.option(
        "--ray-address",
        metavar="auto|HOST:PORT",
        help="The Ray cluster to join (auto: the one `ray start` runs here); default: a Ray "
        "started on this machine for this batch.",
    )
    @click.option(
        "--requests-per-second",
        type=click.FloatRange(min=0, min_open=True),
        help="With --engine ray: at most this many model requests a second, across the "
        "cluster (beside --max-in-flight).",
    )
    @click.option("--no-progress", is_flag=True, help="No progress bar on stderr.")
    def batch(
        inputs: tuple[str, ...],
        output: Path,
        fail_on: str | None,
        no_progress: bool,
        **options: Any,
    ) -> None:
        """Check many articles into a JSON Lines or Parquet file, resumably.

        INPUT... are article files, URLs, folders (their .txt, .md, .html and .htm files),
        .jsonl files of articles, one {"id": ..., "text": ..., "title": ...} object a line,
        or .parquet files with id and text (and title) columns. A line or row may have
        "source": that article's own evidence, a document's text, a list of them, or
        objects {"id", "title", "text"}, checked against beside any --source (a wrong
        shape is that article's failure; docs/scale.md). Each line of the output is
        {"id", "source", "status", "report"}; status is ok, partial (a stage failed; see
        "error") or failed (no report; see "error"). A .parquet output has one row per
        article: those fields (the report as JSON) and its figures as columns (findings by
        severity, claims, model calls, tokens). Articles already in the output are skipped,
        so the same command resumes an interrupted batch.

        --engine ray spreads the articles over a Ray cluster (docs/scale.md): one cap on
        requests in flight and one 429 pause for every worker on every node; with no
        endpoint, each node runs its own embedded model.
        """
        from .run import run_batch  # the engine only when the command runs, not for --help

        with errors_handled():
            summary = run_batch(
                get_host(), list(inputs), output, progress=not no_progress, **options
            )
        click.echo(f"copydesk: {summary.line(output)}", err=True)
        if summary.counts["partial"] or summary.counts["failed"]:
            click.echo(
                'copydesk: some articles failed or had a failed stage (see their "error"; '
                "--retry-failed runs them again)",
                err=True,
            )
        raise SystemExit(summary.exit_code(fail_on))

    by_name = {p.name: p for p in check.params}
    missing = [name for name in SHARED_OPTIONS if name not in by_name]
    if missing:
        raise RuntimeError(f"copydesk batch: check has no option(s) {', '.join(missing)}")
    batch.params.extend(by_name[name] for name in SHARED_OPTIONS)
    return batch
