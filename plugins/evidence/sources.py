"""The built-in evidence sources, and the engines behind them.

``sources`` (:class:`GivenDocuments`) searches the documents the user gave with
``--source``; ``corpus`` (:class:`CorpusFiles`) the indexes given with ``--corpus``
(built with ``copydesk corpus index``). Both are registered through the
``register_evidence_sources`` hook, exactly as a third party's web search or newsroom
archive is, and read what the user gave from ``ctx.evidence``.

Underneath, :class:`DocumentSource` is an in-memory index of given documents and
:class:`CorpusSource` an open corpus file: bm25 over the same passages either way.
Searches run in one worker thread per index: SQLite connections belong to the thread that
opened them, and the event loop must not wait on a disk read.

:func:`ground_evidence` finds an evidence quote in passages, at its offsets in the
document (``passage.start`` + where it is in the passage); the host does the same for
every piece of evidence a checker cites (:mod:`copydesk.evidence`).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from copydesk.evidence import EvidenceInputs
from copydesk.grounding import locate
from copydesk.types import Article

from .corpus import require_corpus
from .passages import Passage
from .store import Corpus

__all__ = ["CorpusFiles", "CorpusSource", "DocumentSource", "GivenDocuments", "ground_evidence"]


class _CorpusThread:
    """A corpus opened, searched and closed in one thread of its own."""

    def __init__(self, opener: Callable[[], Corpus]) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="copydesk-evidence")
        # opened now, so that a bad corpus is an input error before any model call
        self._corpus = self._pool.submit(opener).result()

    async def search(self, query: str, k: int) -> list[Passage]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._corpus.search, query, k)

    def document_text(self, document: str) -> str | None:
        return self._pool.submit(self._corpus.document_text, document).result()

    def close(self) -> None:
        self._pool.submit(self._corpus.close).result()
        self._pool.shutdown(wait=True)


class DocumentSource:
    """Documents (``(id, article)`` pairs) in an in-memory index, searched with bm25 over
    their passages exactly as a corpus is."""

    name = "sources"

    def __init__(self, documents: Sequence[tuple[str, Article]]) -> None:
        self.documents = {doc_id: article for doc_id, article in documents}
        self._thread = _CorpusThread(lambda: Corpus.in_memory(documents))

    async def search(self, query: str, ctx: Any, k: int) -> list[Passage]:
        return await self._thread.search(query, k)

    def close(self) -> None:
        self._thread.close()


class CorpusSource:
    """A local evidence corpus (``--corpus corpus.db``)."""

    name = "corpus"

    def __init__(self, db: str | os.PathLike[str]) -> None:
        require_corpus(db)
        self.path = os.fspath(db)
        self._thread = _CorpusThread(lambda: Corpus.open(db))

    async def search(self, query: str, ctx: Any, k: int) -> list[Passage]:
        return await self._thread.search(query, k)

    def document_text(self, document: str) -> str | None:
        """The document's text as indexed: where the offsets of its passages point."""
        return self._thread.document_text(document)

    def close(self) -> None:
        self._thread.close()


class GivenDocuments:
    """The built-in source ``sources``: the documents given with ``--source``
    (``ctx.evidence.documents``), indexed in memory once for each set of inputs prepared.

    The desk's inputs are indexed when it is built and kept for its life. A run with
    documents of its own (a batch article's ``source``) has inputs of its own: they are
    indexed when that run is prepared and the index closed when it is released, so that
    a corpus of articles never holds more indexes than articles in flight."""

    name = "sources"
    needs_inputs = True

    def __init__(self) -> None:
        self._indexes: dict[int, tuple[object, DocumentSource]] = {}
        self._lock = threading.Lock()

    def prepare(self, inputs: EvidenceInputs) -> None:
        if inputs.documents:
            self._index(inputs.documents)  # indexed now, not during the first check

    async def search(self, query: str, ctx: Any, k: int) -> list[Passage]:
        documents = ctx.evidence.documents
        if not documents:
            return []
        return await self._index(documents).search(query, ctx, k)

    def _index(self, documents: tuple[tuple[str, Article], ...]) -> DocumentSource:
        with self._lock:  # batch articles run at once, in threads too
            found = self._indexes.get(id(documents))
            if found is None or found[0] is not documents:
                found = (documents, DocumentSource(documents))
                self._indexes[id(documents)] = found
            return found[1]

    def release(self, inputs: EvidenceInputs) -> None:
        with self._lock:
            found = self._indexes.get(id(inputs.documents))
            if found is None or found[0] is not inputs.documents:
                return
            del self._indexes[id(inputs.documents)]
        found[1].close()

    def close(self) -> None:
        with self._lock:
            indexes, self._indexes = list(self._indexes.values()), {}
        for _, index in indexes:
            index.close()


class CorpusFiles:
    """The built-in source ``corpus``: the corpus files given with ``--corpus``
    (``ctx.evidence.corpora``), each opened once and searched from its own thread; with
    several, their passages are interleaved, each corpus's best first."""

    name = "corpus"
    needs_inputs = True

    def __init__(self) -> None:
        self._open: dict[str, CorpusSource] = {}
        self._lock = threading.Lock()

    def prepare(self, inputs: EvidenceInputs) -> None:
        for path in inputs.corpora:
            self._corpus(path)  # a file that is not a corpus is an input error now

    async def search(self, query: str, ctx: Any, k: int) -> list[Passage]:
        corpora = [self._corpus(path) for path in ctx.evidence.corpora]
        found = await asyncio.gather(*(c.search(query, ctx, k) for c in corpora))
        merged = [f[rank] for rank in range(k) for f in found if rank < len(f)]
        return merged[:k]

    def _corpus(self, path: str) -> CorpusSource:
        with self._lock:
            if path not in self._open:
                self._open[path] = CorpusSource(path)
            return self._open[path]

    def close(self) -> None:
        with self._lock:
            opened, self._open = list(self._open.values()), {}
        for corpus in opened:
            corpus.close()


def ground_evidence(quote: str, passages: Iterable[Passage]) -> Passage | None:
    """The evidence ``quote`` as it stands in the first of ``passages`` that has it (quote
    marks, dashes, white space and case as :func:`copydesk.grounding.locate` allows), at
    its offsets in that passage's document; ``None`` when no passage has it."""
    for p in passages:
        span = locate(p.text, quote)
        if span is not None:
            return Passage(
                p.document,
                p.title,
                p.location,
                p.text[span.start : span.end],
                p.start + span.start,
                p.start + span.end,
                p.score,
            )
    return None
