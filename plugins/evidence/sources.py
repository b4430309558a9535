"""Evidence sources: what the fact-check stage asks for passages, and how evidence a model
quotes is found again in them.

A source has a ``name`` and ``async def search(query, ctx, k) -> list[Passage]``; the two
built in are :class:`DocumentSource` (the documents given with ``--source``) and
:class:`CorpusSource` (an index built with ``copydesk corpus index``). A third party adds
web search, a newsroom archive or an OpenSearch cluster the same way, through the
``register_evidence_sources`` hook.

Searches run in one worker thread per source: SQLite connections belong to the thread
that opened them, and the event loop must not wait on a disk read.

:func:`ground_evidence` is how the host keeps offsets honest: a model's evidence quote is
looked for in the passages the source returned, and reported at the offsets where it is
in the document (``passage.start`` + where it is in the passage); a quote in none of them
is not evidence and is dropped.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from copydesk.errors import InputError
from copydesk.grounding import locate
from copydesk.inputs import is_url, read_article
from copydesk.types import Article

from .corpus import document_files, require_corpus
from .passages import Passage
from .store import Corpus


@runtime_checkable
class EvidenceSource(Protocol):
    """Where evidence comes from. ``search`` returns at most ``k`` passages, best first,
    each with its document's id and its offsets in that document; ``ctx`` is the stage
    context (a source that calls a service may read its settings there)."""

    name: str

    async def search(self, query: str, ctx: Any, k: int) -> list[Passage]: ...


def read_documents(paths: Iterable[str]) -> list[tuple[str, Article]]:
    """The documents given as sources, read as copydesk reads articles: files, folders
    (recursively, the article files in them) and URLs, each as ``(id, article)``, the id
    being the path or URL. Any that cannot be read is an :class:`InputError` naming it."""
    out: list[tuple[str, Article]] = []
    for path in paths:
        if is_url(path):
            out.append((path, read_article(path)))
            continue
        if not os.path.exists(path):
            raise InputError(f"the source {path} does not exist")
        if os.path.isfile(path):
            out.append((path, read_article(path)))
            continue
        root = Path(path).resolve()
        names = list(document_files([path]))
        if not names:
            raise InputError(f"the source folder {path} has no documents in it")
        for name in names:  # named under the folder as the user gave it
            out.append((os.path.join(path, os.path.relpath(name, root)), read_article(name)))
    return out


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
    """The documents given on the command line (``--source``), searched with bm25 over
    their passages exactly as a corpus is."""

    name = "sources"

    def __init__(self, documents: Sequence[tuple[str, Article]]) -> None:
        self.documents = {doc_id: article for doc_id, article in documents}
        self._thread = _CorpusThread(lambda: Corpus.in_memory(documents))

    @classmethod
    def from_paths(cls, paths: Iterable[str]) -> DocumentSource:
        return cls(read_documents(paths))

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
