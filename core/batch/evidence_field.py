"""The ``source`` field of a batch article (a JSONL line's, a Parquet row's): the article's
own evidence documents, checked against as ``--source`` documents are, beside any
``--source`` given on the command line.

Its shapes::

    "source": "The transcript's text..."                       one document
    "source": ["One document...", "Another..."]                several
    "source": {"id": "transcript", "title": "Council, 3 May", "text": "..."}
    "source": [{"id": "transcript", "text": "..."}, "A release..."]   mixed

``null``, ``[]`` or no field at all: no documents of its own. An object needs ``text``;
``id`` (the document's name in the report's evidence) and ``title`` are optional; no other
key is taken (a mistyped one would quietly be evidence without its text). A document
without an id is named ``<article id>/source-<n>``, counting from 1. Any other shape is
that article's failure line, saying what is wrong, as a malformed line is.

What :func:`parse` returns is plain data (a list of ``{"id", "title", "text"}`` dicts), so
that a :class:`~copydesk.batch.sources.Source` carrying it can be pickled to a worker
process or a Ray worker; :func:`read` turns it into documents with the reader ``--source``
uses (:func:`copydesk.inputs.article_from_bytes`), where the article is checked.
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from ..inputs import article_from_bytes
from ..types import Article

#: The keys a document object may have.
KEYS = ("id", "title", "text")
SHAPE = 'a string, an object {"id", "title", "text"} or a list of them'


class ShapeError(ValueError):
    """A ``source`` field of a shape no document has (its message says which part)."""


def parse(value: Any, article_id: str) -> list[dict[str, str | None]]:
    """The documents of a ``source`` field, each ``{"id", "title", "text"}``; raises
    :class:`ShapeError` for a shape that is none of those the module lists."""
    if value is None:
        return []
    if isinstance(value, list):
        docs = [
            _document(item, article_id, n, f'"source" item {n}') for n, item in enumerate(value, 1)
        ]
    else:
        docs = [_document(value, article_id, 1, '"source"')]
    seen: set[str] = set()
    for doc in docs:
        name = str(doc["id"])
        if name in seen:
            raise ShapeError(f"two of its source documents have the id {name!r}")
        seen.add(name)
    return docs


def _document(item: Any, article_id: str, n: int, where: str) -> dict[str, str | None]:
    if isinstance(item, str):
        return {"id": f"{article_id}/source-{n}", "title": None, "text": item}
    if not isinstance(item, dict):
        raise ShapeError(f'"source" must be {SHAPE}; {where} is {_kind(item)}')
    # A Parquet struct column has every field in every row, the missing ones None.
    given = {k: v for k, v in item.items() if v is not None}
    unknown = sorted(set(given) - set(KEYS))
    if unknown:
        names = ", ".join(map(repr, unknown))
        raise ShapeError(f"{where} has {names}: a source document has only {', '.join(KEYS)}")
    if not isinstance(given.get("text"), str):
        raise ShapeError(f'{where} has no "text" string')
    for key in ("id", "title"):
        if key in given and not isinstance(given[key], str):
            raise ShapeError(f'{where}\'s "{key}" is {_kind(given[key])}, not a string')
    ident = given.get("id", "").strip() or f"{article_id}/source-{n}"
    return {"id": ident, "title": given.get("title"), "text": given["text"]}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def read(docs: list[dict[str, str | None]], where: str) -> list[tuple[str, Article]]:
    """The documents as ``--source`` reads them: ``(id, document)``, each read as an
    article is (an empty or binary one is an :class:`InputError` naming it)."""
    out: list[tuple[str, Article]] = []
    for doc in docs:
        ident, text = str(doc["id"]), str(doc["text"])
        try:
            article = article_from_bytes(text.encode("utf-8"), ident, source=ident)
        except InputError as exc:
            # The reader's hint is about article files; this is a line's own text.
            hint = (
                'a source document is text, read as an article is (see "source" in docs/scale.md)'
            )
            raise InputError(f"{where}: its source {exc.message}", hint) from exc
        title = doc.get("title")
        if isinstance(title, str) and title.strip():
            article.title = title.strip()
        out.append((ident, article))
    return out
