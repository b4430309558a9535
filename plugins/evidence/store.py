"""The evidence store: source documents and their passages in SQLite, searched with FTS5.

SQLite is in the standard library, and its FTS5 full-text index ranks with bm25, the
standard lexical ranking function: no server, no model, no download. One database holds
everything a check needs later:

- ``documents``: each document's path, title, size, mtime, sha256 and *its text*, so an
  evidence quote can be found again at its offsets even after the file changed or moved;
- ``passages``: each passage's document and ``[start, end)`` in that text;
- ``passage_text``: the FTS5 index of the passages (rowid = ``passages.id``).

The same class serves a corpus file (:mod:`~copydesk.plugins.evidence.corpus` builds it)
and documents given on the command line (:meth:`Corpus.in_memory`), so ``--source`` and
``--corpus`` rank passages the same way.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from copydesk.errors import InputError
from copydesk.plugins.text_helpers import FUNCTION_WORDS
from copydesk.types import Article

from .passages import Passage, split_passages

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, title TEXT, size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL, text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL REFERENCES documents(id),
    start INTEGER NOT NULL, "end" INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS passages_by_document ON passages(document_id);
-- porter: "resigned" finds "resignation"; remove_diacritics: "Macron" finds "Macrón"
CREATE VIRTUAL TABLE IF NOT EXISTS passage_text USING fts5(
    text, tokenize = 'porter unicode61 remove_diacritics 2');
"""


@dataclass(frozen=True)
class CorpusInfo:
    path: str
    documents: int
    passages: int
    characters: int
    schema_version: int
    sqlite_version: str


def fts_query(text: str, max_terms: int = 32) -> str:
    """Free text as an FTS5 query that cannot be a syntax error: its words, each quoted,
    joined by OR; "" when no word is left.

    Quoting makes FTS5 read every term as a string, so operators (AND, NOT, NEAR), column
    filters ("title:"), prefixes ("*") and parentheses in a claim are just words or are
    dropped with the punctuation. Function words go: they would only add noise to bm25.
    OR, not AND: a claim is rarely worded as its evidence is, and bm25 rewards the passage
    that shares the most (and the rarest) of its words.
    """
    terms: list[str] = []
    for word in re.findall(r"[^\W_]+(?:['’][^\W_]+)*", text):
        term = word.lower().replace("’", "'")
        if term in FUNCTION_WORDS or term in terms:
            continue
        terms.append(term)
        if len(terms) == max_terms:
            break
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


class Corpus:
    """An open evidence corpus (a file, or in memory for documents given on the command
    line). Not thread-safe: open one per thread (an async source runs its searches in one
    worker thread)."""

    def __init__(self, connection: sqlite3.Connection, path: str) -> None:
        self.db = connection
        self.path = path
        self.db.executescript(_SCHEMA)
        self.db.execute(
            "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )
        version = int(
            self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
        )
        if version != SCHEMA_VERSION:
            raise InputError(
                f"{path} is an evidence corpus of schema version {version}; this copydesk reads {SCHEMA_VERSION}",
                "index the folders again into a new file",
            )
        self.db.commit()

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Corpus:
        try:
            return cls(sqlite3.connect(os.fspath(path)), os.fspath(path))
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{os.fspath(path)} is not an evidence corpus: {exc}") from exc

    @classmethod
    def in_memory(cls, documents: Iterable[tuple[str, Article]]) -> Corpus:
        """A corpus of ``(document id, article)`` pairs that lives as long as the object."""
        corpus = cls(sqlite3.connect(":memory:"), ":memory:")
        for doc_id, article in documents:
            data = article.text.encode()
            corpus.store(doc_id, article, len(data), 0, hashlib.sha256(data).hexdigest())
        corpus.db.commit()
        return corpus

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ------------------------------------------------------------------------

    def search(self, query: str, k: int = 5) -> list[Passage]:
        """The ``k`` passages that best match ``query`` (any text), best first; ``score`` is
        bm25 with the sign turned so that higher is better."""
        match = fts_query(query)
        if not match or k < 1:
            return []
        rows = self.db.execute(
            """SELECT d.path, d.title, d.text, p.start, p."end", bm25(passage_text)
               FROM passage_text JOIN passages p ON p.id = passage_text.rowid
               JOIN documents d ON d.id = p.document_id
               WHERE passage_text MATCH ? ORDER BY bm25(passage_text), p.id LIMIT ?""",
            (match, k),
        )
        return [
            Passage(path, title, path, text[start:end], start, end, score=-rank)
            for path, title, text, start, end, rank in rows
        ]

    def document_text(self, document: str) -> str | None:
        """The text a document had when it was indexed: where evidence offsets point."""
        row = self.db.execute("SELECT text FROM documents WHERE path = ?", (document,)).fetchone()
        return None if row is None else str(row[0])

    def documents(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT path FROM documents ORDER BY path")]

    def info(self) -> CorpusInfo:
        docs, chars = self.db.execute(
            "SELECT count(*), coalesce(sum(length(text)), 0) FROM documents"
        ).fetchone()
        (passages,) = self.db.execute("SELECT count(*) FROM passages").fetchone()
        return CorpusInfo(self.path, docs, passages, chars, SCHEMA_VERSION, sqlite3.sqlite_version)

    # -- writing ------------------------------------------------------------------------

    def store(self, path: str, article: Article, size: int, mtime_ns: int, sha: str) -> None:
        self.drop(path)
        cur = self.db.execute(
            "INSERT INTO documents (path, title, size, mtime_ns, sha256, text) VALUES (?,?,?,?,?,?)",
            (path, article.title, size, mtime_ns, sha, article.text),
        )
        doc_id = cur.lastrowid
        for p in split_passages(article, path):
            row = self.db.execute(
                'INSERT INTO passages (document_id, start, "end") VALUES (?,?,?)',
                (doc_id, p.start, p.end),
            )
            self.db.execute(
                "INSERT INTO passage_text (rowid, text) VALUES (?, ?)", (row.lastrowid, p.text)
            )

    def drop(self, path: str) -> None:
        row = self.db.execute("SELECT id FROM documents WHERE path = ?", (path,)).fetchone()
        if row is None:
            return
        self.db.execute(
            "DELETE FROM passage_text WHERE rowid IN (SELECT id FROM passages WHERE document_id = ?)",
            row,
        )
        self.db.execute("DELETE FROM passages WHERE document_id = ?", row)
        self.db.execute("DELETE FROM documents WHERE id = ?", row)
