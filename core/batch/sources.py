"""What a batch checks: its inputs read into :class:`Source` items, one per article.

Inputs are article files, URLs, folders (their article files in name order, as ``check``
reads them), ``.jsonl`` files of articles, one ``{"id", "text", "title", "source"}`` object
a line, and ``.parquet`` files with ``id``, ``text`` (and ``title``, ``source``) columns.
``source`` is the article's own evidence documents (:mod:`.evidence_field`). Both files
are read lazily (a line, a record batch at a time): :func:`iter_sources` never holds more
than one article's text and its documents. A missing input or two articles with one id
stop the batch before anything runs; a malformed JSONL line (or a ``source`` of no
document's shape) is that one article's failure, reported in the output like any other.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..inputs import ARTICLE_SUFFIXES, article_from_bytes, expand_inputs, is_url, read_article
from ..types import Article
from . import evidence_field


@dataclass
class Source:
    """One article to check: its id (the resume key), where it came from, and how to read it
    — plain data, so that it can be handed to a worker process."""

    id: str
    source: str
    #: A file or URL to read (in a thread: it touches the disk or the network).
    path: str | None = None
    #: A JSONL line's object (or a Parquet row), with a string ``text``, the ``title``
    #: and ``source``: its evidence documents as :func:`.evidence_field.parse` gives them.
    record: dict[str, Any] | None = None
    #: Why this input cannot be checked (a malformed JSONL line): the article's failure.
    refusal: str | None = None
    #: The file's bytes, read where the batch runs, for a worker on another machine.
    data: bytes | None = None

    @property
    def from_disk(self) -> bool:
        return self.path is not None

    def load(self) -> Article:
        if self.refusal is not None:
            raise InputError(self.refusal)
        if self.data is not None and self.path is not None:
            return article_from_bytes(self.data, str(Path(self.path)), source=self.path)
        if self.path is not None:
            return read_article(self.path)
        assert self.record is not None
        article = article_from_bytes(
            self.record["text"].encode("utf-8"), self.source, source=self.source
        )
        title = self.record.get("title")
        if isinstance(title, str) and title.strip():
            article.title = title.strip()
        return article

    def documents(self) -> list[tuple[str, Article]]:
        """The article's own evidence documents (a JSONL line's or a Parquet row's
        ``source``), read as ``--source`` documents are."""
        if self.record is None or not self.record.get("source"):
            return []
        return evidence_field.read(self.record["source"], self.source)


def _record(ident: str, where: str, text: str, title: Any, source: Any) -> Source:
    """A JSONL line's or a Parquet row's article, or its refusal for a ``source`` of no
    document's shape."""
    try:
        documents = evidence_field.parse(source, ident)
    except evidence_field.ShapeError as exc:
        return Source(ident, where, refusal=f"{where}: {exc}")
    return Source(ident, where, record={"text": text, "title": title, "source": documents})


def _file_source(path: str) -> Source:
    """A file (its id the normalised path) or a URL (its id the URL)."""
    name = path if is_url(path) else os.path.normpath(path)
    return Source(name, name, path=name)


def _jsonl_sources(path: Path) -> Iterator[Source]:
    name = os.path.normpath(str(path))
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    yield _jsonl_source(line, f"{name}:{number}")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc


def _parquet_sources(path: Path) -> Iterator[Source]:
    from .parquet import article_rows

    name = os.path.normpath(str(path))
    for number, row in article_rows(path):
        where = f"{name}:{number}"
        ident = str(row["id"]) if row["id"] not in (None, "") else where
        if not isinstance(row["text"], str):
            yield Source(ident, where, refusal=f"{where} has no text")
        else:
            yield _record(ident, where, row["text"], row["title"], row["source"])


def _jsonl_source(line: str, where: str) -> Source:
    """One JSONL line's article, or its refusal (``where`` is the file and line)."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return Source(where, where, refusal=f"{where} is not a JSON object: {exc.msg}")
    if not isinstance(record, dict):
        return Source(where, where, refusal=f"{where} is not a JSON object")
    ident = str(record["id"]) if record.get("id") not in (None, "") else where
    if not isinstance(record.get("text"), str):
        return Source(ident, where, refusal=f'{where} has no "text" string')
    return _record(ident, where, record["text"], record.get("title"), record.get("source"))


def collect(inputs: Iterable[str]) -> list[Source]:
    """Every article the inputs name, in order; a missing input or a repeated id is an error
    before anything runs, an unreadable article is that article's failure."""
    # Every input read before ids are compared: a missing input is reported first.
    unique = _by_id(list(iter_sources(inputs)))
    if not unique:
        raise InputError(
            "no articles found in " + ", ".join(inputs),
            f"give article files ({', '.join(ARTICLE_SUFFIXES)}), folders of them, URLs, "
            ".jsonl or .parquet files of articles",
        )
    return list(unique.values())


def iter_sources(inputs: Iterable[str]) -> Iterator[Source]:
    """Every article the inputs name, in order, one at a time (ids not compared)."""
    for given in inputs:
        yield from _sources_of(given)


def _sources_of(given: str) -> Iterator[Source]:
    if given == "-":
        raise InputError("batch reads files, not standard input", "save the articles first")
    if is_url(given):
        yield _file_source(given)
        return
    if not Path(given).exists():
        raise InputError(f"{given} does not exist")
    if Path(given).suffix.lower() == ".jsonl":
        yield from _jsonl_sources(Path(given))
    elif Path(given).suffix.lower() == ".parquet":
        yield from _parquet_sources(Path(given))
    else:  # a file, or a folder's article files (as check reads them)
        yield from (_file_source(path) for path in expand_inputs([given]))


def _by_id(sources: Iterable[Source]) -> dict[str, Source]:
    """The sources by id, in order; the same input named twice counts once, two inputs
    with one id are an error."""
    unique: dict[str, Source] = {}
    for src in sources:
        seen = unique.setdefault(src.id, src)
        if seen.source != src.source:
            raise InputError(
                f"two articles have the id {src.id!r} ({seen.source} and {src.source})",
                "give every article of a batch its own id",
            )
    return unique
