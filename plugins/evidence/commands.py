"""``copydesk corpus index|info|search``: build and look into a local evidence corpus.

``index`` is incremental (see :func:`~copydesk.plugins.evidence.corpus.index`) and shows a
progress bar on a terminal (rich, on stderr); elsewhere (a pipe, CI) it prints nothing but
its closing line, and the files it could not read.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from copydesk.cli_common import errors_handled

from . import corpus as corpus_store
from .corpus import Progress
from .passages import preview


@click.group("corpus")
def corpus_group() -> None:
    """A local evidence corpus for `copydesk check --corpus FILE`: SQLite FTS5, ranked by bm25."""


@contextmanager
def _progress(show: bool) -> Iterator[Progress | None]:
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(
        TextColumn("indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}", style="dim"),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("", total=None)

    def advance(done: int, total: int, path: str, status: str) -> None:
        bar.update(task, completed=done, total=total, description=f"{status} {Path(path).name}")

    with bar:
        yield advance


@corpus_group.command("index")
@click.argument("folders", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The corpus file: created, or brought up to date.",
)
@click.option("--no-progress", is_flag=True, help="No progress bar on stderr.")
def corpus_index(folders: tuple[str, ...], output: Path, no_progress: bool) -> None:
    """Index FOLDER... (their .txt, .md, .html and .htm files, recursively; files too)."""
    with errors_handled():
        show = not no_progress and sys.stderr.isatty()
        with _progress(show) as progress:
            result = corpus_store.index(list(folders), output, progress)
    for path, reason in result.failed:
        click.echo(f"copydesk: not indexed: {path}: {reason}", err=True)
    click.echo(
        f"copydesk: {output}: {len(result.added)} added, {len(result.updated)} updated, "
        f"{len(result.unchanged)} unchanged, {len(result.removed)} removed, "
        f"{len(result.failed)} not readable",
        err=True,
    )


@corpus_group.command("info")
@click.argument("corpus", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
def corpus_info(corpus: Path, as_json: bool) -> None:
    """How many documents, passages and characters CORPUS holds."""
    with errors_handled():
        info = corpus_store.info(corpus)
    if as_json:
        click.echo(json.dumps(info.__dict__, indent=2))
        return
    click.echo(
        f"{info.path}: {info.documents:,} documents, {info.passages:,} passages, "
        f"{info.characters:,} characters (corpus schema {info.schema_version}, "
        f"SQLite {info.sqlite_version})"
    )


@corpus_group.command("search")
@click.argument("corpus", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("query")
@click.option("-k", type=click.IntRange(1, 100), default=5, show_default=True, help="Passages.")
@click.option("--json", "as_json", is_flag=True, help="As JSON, with the passages' text.")
def corpus_search(corpus: Path, query: str, k: int, as_json: bool) -> None:
    """The K passages of CORPUS that best match QUERY, with where each is."""
    with errors_handled():
        found = corpus_store.search(corpus, query, k)
    if as_json:
        click.echo(json.dumps([p.to_dict() for p in found], indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo("no passage matches", err=True)
    for p in found:
        click.echo(f"{p.score:6.2f}  {p.location} [{p.start}:{p.end}]\n        {preview(p)}")
