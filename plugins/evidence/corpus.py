"""A local evidence corpus: source documents in SQLite, searched with FTS5 and bm25.

SQLite is in the standard library and its FTS5 full-text index ranks with bm25, the
baseline every retrieval study beats by little on news text: no server, no model, no
download. One file holds everything a check needs later:

- ``documents``: each document's path, title, size, mtime, sha256 and *its text*, so an
  evidence quote can be found again at its offsets even after the file changed or moved;
- ``passages``: each passage's document and ``[start, end)`` in that text;
- ``passage_text``: the FTS5 index of the passages (rowid = ``passages.id``).

Indexing is incremental (:func:`index`): a file whose size and mtime are unchanged is not
read again; one whose bytes hash the same is not re-split; a changed one is re-indexed; a
file gone from disk, or from a folder being indexed, is dropped. Each document is committed
on its own, so an interrupted run keeps what it finished and the next run goes on from there.

The same code serves documents given on the command line (:meth:`Corpus.in_memory`), so
``--source`` and ``--corpus`` rank passages the same way.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from copydesk.errors import InputError
from copydesk.inputs import ARTICLE_SUFFIXES, article_from_bytes
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

#: ``progress(done, total, path, status)``; status is one of "added", "updated",
#: "unchanged", "removed", "failed".
Progress = Callable[[int, int, str, str], None]


@dataclass
class IndexResult:
    """What one :func:`index` run did, path by path."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: Files that could not be read as articles, with the reason (empty, binary, ...).
    failed: list[tuple[str, str]] = field(default_factory=list)


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
            corpus._store(doc_id, article, len(data), 0, hashlib.sha256(data).hexdigest())
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

    def _store(self, path: str, article: Article, size: int, mtime_ns: int, sha: str) -> None:
        self._drop(path)
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

    def _drop(self, path: str) -> None:
        row = self.db.execute("SELECT id FROM documents WHERE path = ?", (path,)).fetchone()
        if row is None:
            return
        self.db.execute(
            "DELETE FROM passage_text WHERE rowid IN (SELECT id FROM passages WHERE document_id = ?)",
            row,
        )
        self.db.execute("DELETE FROM passages WHERE document_id = ?", row)
        self.db.execute("DELETE FROM documents WHERE id = ?", row)


def document_files(paths: Iterable[str]) -> Iterator[str]:
    """The files an index of ``paths`` covers: files as given, folders recursively as the
    article files inside them (hidden files and folders skipped), each once, sorted."""
    seen: set[str] = set()
    for path in paths:
        p = Path(path)
        if not p.exists():
            raise InputError(f"{path} does not exist")
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file()
                and f.suffix.lower() in ARTICLE_SUFFIXES
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
        else:
            found = [p]
        for f in found:
            key = str(f.resolve())
            if key not in seen:
                seen.add(key)
                yield key


def index(
    paths: Iterable[str], db: str | os.PathLike[str], progress: Progress | None = None
) -> IndexResult:
    """Bring the corpus at ``db`` up to date with the documents under ``paths``.

    Documents are keyed by absolute path. A document indexed before is skipped when its
    size and mtime are unchanged (no read), or when its sha256 is (a touched file: only
    the mtime is updated); it is re-indexed when its bytes changed. A document that no
    longer exists, or lies under one of ``paths`` (a folder) but was not found there now,
    is dropped. Files that are not readable articles are listed in ``failed`` and, when
    they were indexed before, dropped: the corpus never serves text a file no longer has.
    """
    paths = list(paths)
    files = list(document_files(paths))
    roots = [str(Path(p).resolve()) for p in paths if Path(p).is_dir()]
    result = IndexResult()
    with Corpus.open(db) as corpus:
        known = {
            path: (size, mtime_ns, sha)
            for path, size, mtime_ns, sha in corpus.db.execute(
                "SELECT path, size, mtime_ns, sha256 FROM documents"
            )
        }
        wanted = set(files)
        gone = [
            p
            for p in known
            if p not in wanted
            and (not os.path.exists(p) or any(p.startswith(r + os.sep) for r in roots))
        ]
        total = len(files) + len(gone)
        done = 0

        def report(path: str, status: str) -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(done, total, path, status)

        for path in gone:
            corpus._drop(path)
            corpus.db.commit()
            result.removed.append(path)
            report(path, "removed")
        for path in files:
            status = _index_one(corpus, path, known.get(path), result)
            corpus.db.commit()
            report(path, status)
    return result


def _index_one(
    corpus: Corpus, path: str, before: tuple[int, int, str] | None, result: IndexResult
) -> str:
    stat = os.stat(path)
    if before is not None and before[:2] == (stat.st_size, stat.st_mtime_ns):
        result.unchanged.append(path)
        return "unchanged"
    try:
        data = Path(path).read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        if before is not None and before[2] == sha:
            corpus.db.execute(
                "UPDATE documents SET size = ?, mtime_ns = ? WHERE path = ?",
                (stat.st_size, stat.st_mtime_ns, path),
            )
            result.unchanged.append(path)
            return "unchanged"
        article = article_from_bytes(data, path, source=path)
    except (InputError, OSError) as exc:
        corpus._drop(path)
        result.failed.append((path, getattr(exc, "message", None) or str(exc)))
        return "failed"
    corpus._store(path, article, stat.st_size, stat.st_mtime_ns, sha)
    (result.updated if before is not None else result.added).append(path)
    return "updated" if before is not None else "added"


def info(db: str | os.PathLike[str]) -> CorpusInfo:
    """How many documents, passages and characters the corpus at ``db`` holds."""
    require_corpus(db)
    with Corpus.open(db) as corpus:
        return corpus.info()


def search(db: str | os.PathLike[str], query: str, k: int = 5) -> list[Passage]:
    """The ``k`` passages of the corpus at ``db`` that best match ``query``, best first."""
    require_corpus(db)
    with Corpus.open(db) as corpus:
        return corpus.search(query, k)


def require_corpus(db: str | os.PathLike[str]) -> None:
    """An :class:`InputError` unless ``db`` is a file: ``sqlite3.connect`` would quietly
    create an empty corpus where the user mistyped a name."""
    if not Path(db).is_file():
        raise InputError(f"{os.fspath(db)} does not exist", "build it with `copydesk corpus index`")
