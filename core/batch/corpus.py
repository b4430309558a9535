"""A corpus-size batch's articles, planned without holding them: which are still to check
(the output's ids are skipped, as the single-machine engine skips them), counted in one
pass over the inputs and handed out in a second, one article at a time.

Only ids are kept in memory (an id and where it came from, to refuse two articles with
one id as :func:`~copydesk.batch.sources.collect` does); the texts are read again, lazily,
in the second pass.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..inputs import ARTICLE_SUFFIXES, is_url
from .output import read_done
from .sources import Source, iter_sources


@dataclass
class Corpus:
    """The articles ``inputs`` name: ``total`` of them, ``todo`` still to check."""

    inputs: list[str]
    total: int = 0
    todo: int = 0
    _wanted: set[str] = field(default_factory=set, repr=False)

    @classmethod
    def plan(cls, inputs: list[str], output: Path, *, retry_failed: bool = False) -> Corpus:
        if output.is_dir():
            raise InputError(f"--output {output} is a folder", "name a .jsonl or .parquet file")
        done = read_done(output)
        redo = {"failed", "partial"} if retry_failed else set()
        corpus = cls(list(inputs))
        seen: dict[str, str] = {}
        for source in iter_sources(inputs):
            first = seen.get(source.id)
            if first is not None:
                if first != source.source:
                    raise InputError(
                        f"two articles have the id {source.id!r} ({first} and {source.source})",
                        "give every article of a batch its own id",
                    )
                continue  # the same input named twice counts once
            seen[source.id] = source.source
            corpus.total += 1
            if source.id not in done or done[source.id] in redo:
                corpus._wanted.add(source.id)
        corpus.todo = len(corpus._wanted)
        if not corpus.total:
            raise InputError(
                "no articles found in " + ", ".join(inputs),
                f"give article files ({', '.join(ARTICLE_SUFFIXES)}), folders of them, URLs, "
                ".jsonl or .parquet files of articles",
            )
        return corpus

    def sources(self) -> Iterator[Source]:
        """The articles still to check, in order, each once; a local file's bytes read
        here, so that a worker on another machine needs no copy of it."""
        wanted = set(self._wanted)
        for source in iter_sources(self.inputs):
            if source.id not in wanted:
                continue
            wanted.discard(source.id)
            if source.path is not None and not is_url(source.path):
                # One that cannot be read here: the worker reads it, and says why not.
                with contextlib.suppress(OSError):
                    source.data = Path(source.path).read_bytes()
            yield source
