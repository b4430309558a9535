"""``copydesk check``: read the inputs, run each article, and produce validated reports.

Kept apart from the click layer so it can be called (and tested) without a terminal.
"""

from __future__ import annotations

import contextlib
import shlex
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, InputError
from .inputs import MIN_WORDS, expand_inputs, read_article, too_short
from .settings import Settings

if TYPE_CHECKING:  # imported when a run starts: `copydesk --help` loads no model client
    from .check_display import CheckDisplay
    from .host import Host
    from .runner import Copydesk


def _article_name(path: str, index: int, used: set[str]) -> str:
    stem = "stdin" if path == "-" else Path(path).stem
    name = stem if stem not in used else f"{stem}-{index}"
    used.add(name)
    return name


@dataclass
class RunOptions:
    """What ``check`` and ``batch`` share, as the command line gives it: the model, the
    plugins, the prompts, the per-article budgets and the cassette."""

    provider: str | None = None
    model: str | None = None
    base_url: str | None = None
    prompts_dirs: tuple[Path, ...] = ()
    summariser: str = "llm"
    extractor: str = "llm"
    checkers: str | None = None
    skip_checkers: str | None = None
    no_model: bool = False
    keep_furniture: bool = False
    reasks: int | None = None
    timeout: float | None = None
    max_calls: int | None = None
    max_tokens: int | None = None
    record: Path | None = None
    replay: Path | None = None
    no_cache: bool = False
    #: evidence: documents (files, folders, URLs) and corpus files
    sources: tuple[str, ...] = ()
    corpus: tuple[str, ...] = ()
    #: a summary (a file) and a headline to check against the article
    summary: str | None = None
    headline: str | None = None

    def settings(self) -> Settings:
        """The run's settings from these options, the config and the environment; when
        replaying, the cassette's provenance names the provider and model it came from."""
        settings = Settings.resolve(
            provider=self.provider,
            model=self.model,
            base_url=self.base_url,
            prompts_dirs=list(self.prompts_dirs),
            timeout=self.timeout,
            reasks=self.reasks,
            max_calls=self.max_calls,
            max_tokens=self.max_tokens,
        )
        return for_cassette(
            settings,
            record=self.record,
            replay=self.replay,
            provider=self.provider,
            model=self.model,
        )

    def desk_options(self) -> dict[str, Any]:
        """The keyword arguments of :meth:`Copydesk.from_options`."""
        return {
            "summariser": self.summariser,
            "extractor": self.extractor,
            "checkers": self.checkers,
            "skip_checkers": self.skip_checkers,
            "no_model": self.no_model,
            "keep_furniture": self.keep_furniture,
            "no_cache": self.no_cache,
            "sources": tuple(self.sources),
            "corpus": tuple(self.corpus),
            "summary": self.summary,
            "headline": self.headline,
        }

    def cassette(self, desk: Copydesk, command: str) -> contextlib.AbstractContextManager[Any]:
        """The cassette the run records into or replays from (``command`` is how to
        re-record it, for the provenance and for a request the cassette lacks); else a
        no-op."""
        return cassette_for(
            desk, record=self.record, replay=self.replay, command=command + self.prompt_options()
        )

    def prompt_options(self) -> str:
        """The ``--prompts-dir`` options as given, for a command that re-records the
        cassette: a prompt of one of these folders, changed, is what makes it stale, and
        a re-record without them would record the built-in prompt instead."""
        return "".join(f" --prompts-dir {shlex.quote(str(d))}" for d in self.prompts_dirs)


def for_cassette(
    settings: Settings,
    *,
    record: Path | None = None,
    replay: Path | None = None,
    provider: str | None = None,
    model: str | None = None,
) -> Settings:
    """``settings`` for recording into or replaying from a cassette. Replaying, the
    cassette's provenance names the provider and model unless ``provider`` or ``model``
    (as given on the command line) say otherwise, and nothing is contacted."""
    if record and replay:
        raise ConfigError("--record and --replay cannot be used together")
    if replay is None:
        return replace(settings, recording=record is not None)
    from .recording import read_provenance

    if not replay.is_file():
        raise ConfigError(f"cassette {replay} does not exist", "record it first with --record")
    recorded = read_provenance(replay)
    return replace(
        settings,
        offline=True,
        provider=provider or recorded.get("provider") or settings.provider,
        model=model or recorded.get("model") or settings.model,
    )


def cassette_for(
    desk: Copydesk,
    *,
    record: Path | None,
    replay: Path | None,
    command: str,
    rerecord: str | None = None,
) -> contextlib.AbstractContextManager[Any]:
    """Recording into ``record`` or replaying ``replay`` for ``desk`` (built with
    :func:`for_cassette`'s settings); else a no-op. ``rerecord`` says how to record the
    cassette again (by default ``command --record CASSETTE``)."""
    if replay is not None:
        from .recording import Replay, replaying

        how = rerecord or f"{command} --record {replay}"
        desk.model.explain_misses(Replay(replay, desk.prompts, how).miss)
        return replaying(replay)
    if record is not None:
        from .recording import provenance, recording

        def provenance_of() -> dict[str, Any]:
            endpoint = desk.endpoint or desk.model.endpoint.current
            return provenance(
                endpoint.info if endpoint else {},
                endpoint.model if endpoint else (desk.settings.model or ""),
                desk.provider.name,
                desk.prompts,
                rerecord or f"{command} --record {record}",
            )

        return recording(record, provenance_of)
    return contextlib.nullcontext()


def run_check(
    host: Host, paths: list[str], display: CheckDisplay | None = None, **options: Any
) -> list[dict[str, Any]]:
    """Check every article in ``paths`` (``options``: :class:`RunOptions`'s fields); a
    list of ``{"name", "report", "failed"}``. ``display`` shows each article's stages as
    they run (``copydesk check`` on a terminal)."""
    from .report import ensure_valid
    from .runner import Copydesk

    run = RunOptions(**options)
    if paths.count("-") > 1:
        raise ConfigError("standard input (-) can be read only once")
    settings = run.settings()

    # Read every input first: a bad file is a usage error before any model time is spent.
    paths = expand_inputs(paths)  # a folder stands for the article files in it
    articles = [read_article(p) for p in paths]
    if (run.summary is not None or run.headline is not None) and len(articles) > 1:
        raise ConfigError(
            f"--summary and --headline are checked against one article, and {len(articles)} "
            "were given",
            "check each article with its own summary or headline",
        )
    kept = []
    for path, article in zip(paths, articles, strict=True):
        why = too_short(article, "standard input" if path == "-" else path)
        if why is None:
            kept.append((path, article))
        else:
            print(f"copydesk: {why}", file=sys.stderr)
    if not kept:
        raise InputError(
            "no input is long enough to be an article",
            f"copydesk checks texts of {MIN_WORDS} words or more",
        )
    paths, articles = [p for p, _ in kept], [a for _, a in kept]

    desk = Copydesk.from_options(settings, host, **run.desk_options())
    command = "copydesk check " + " ".join(shlex.quote(p) for p in paths)
    cassette = run.cassette(desk, command)

    results = []
    used: set[str] = set()
    try:
        with cassette:
            for index, (path, article) in enumerate(zip(paths, articles, strict=True)):
                name = _article_name(path, index, used)
                if display is None:
                    result = desk.check(article)
                else:
                    shown = "standard input" if path == "-" else Path(path).name
                    with display.article(shown) as progress:
                        result = desk.check(article, progress=progress)
                report = ensure_valid(result.to_dict())
                results.append({"name": name, "report": report, "failed": result.failed})
    finally:
        desk.close()
    return results


def stage_errors(results: list[dict[str, Any]]) -> list[str]:
    """Each distinct error of a failed stage, told once with every stage it stopped (an
    endpoint that cannot be reached fails the summary, the claims and each model checker
    with the same words)."""
    several = len(results) > 1
    stopped: dict[str, list[str]] = {}
    for item in results:
        for s in item["report"]["stages"]:
            if s["status"] in ("failed", "unparseable"):
                why = f"{item['name']}: " * several + f"{s['status']}: {s['reason']}"
                stopped.setdefault(why, []).append(f"{s['plugin']} ({s['stage']})")
    lines = []
    for why, stages in stopped.items():
        who = stages[0] if len(stages) == 1 else ", ".join(stages[:-1]) + " and " + stages[-1]
        lines.append(f"{who} {why}")
    return lines
