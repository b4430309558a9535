"""A local evidence corpus: ``copydesk corpus index|info|search``.

:func:`index` brings a corpus file up to date with folders of source documents, read the
way copydesk reads articles (the article suffixes of :mod:`copydesk.inputs`, folders
recursively, HTML through the same extractor). It is incremental: a file whose size and
mtime are unchanged is not read again; one whose bytes hash the same is not re-split; a
changed one is re-indexed; a file gone from disk, or from a folder being indexed, is
dropped. Each document is committed on its own, so an interrupted run keeps what it
finished and the next run goes on from there. The store itself is
:class:`~copydesk.plugins.evidence.store.Corpus`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from copydesk.errors import InputError
from copydesk.inputs import ARTICLE_SUFFIXES, article_from_bytes

from .passages import Passage
from .store import Corpus, CorpusInfo, fts_query

__all__ = ["Corpus", "CorpusInfo", "IndexResult", "Progress", "document_files", "fts_query",
           "index", "info", "require_corpus", "search"]  # fmt: skip

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
            corpus.drop(path)
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
        corpus.drop(path)
        result.failed.append((path, getattr(exc, "message", None) or str(exc)))
        return "failed"
    corpus.store(path, article, stat.st_size, stat.st_mtime_ns, sha)
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
