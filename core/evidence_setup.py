"""Evidence sources set up for a run: their optional ``prepare(inputs)`` and
``release(inputs)`` (see :class:`~copydesk.components.EvidenceSource`).

A desk prepares its sources once, with the desk's inputs (``--source``, ``--corpus``), when
it is built. A run given documents of its own (a batch article's ``source``) has inputs of
its own, the desk's and its documents (:meth:`EvidenceInputs.adding`): :func:`run_inputs`
prepares every source with them before the run and releases every one after it, so that a
source that opens something per set of inputs (an index of the documents) can close it
again, and a corpus of articles does not leave one index per article behind.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from .errors import ConfigError, CopydeskError
from .evidence import EvidenceInputs
from .types import Article

HINT = "fix or uninstall its plugin, or leave it out with COPYDESK_LOAD_PLUGINS"


def prepare(source: Any, inputs: EvidenceInputs) -> None:
    """An evidence source's optional ``prepare``: its copydesk errors (a corpus that is not
    one) are the user's to hear; anything else is the plugin's bug, named."""
    method = getattr(source, "prepare", None)
    if method is None:
        return
    try:
        method(inputs)
    except CopydeskError:
        raise
    except Exception as exc:
        raise ConfigError(
            f"evidence source {source.name!r} failed to prepare: {type(exc).__name__}: {exc}",
            HINT,
        ) from exc


@contextlib.asynccontextmanager
async def run_inputs(
    sources: Sequence[Any], base: EvidenceInputs, documents: Sequence[tuple[str, Article]]
) -> AsyncIterator[EvidenceInputs]:
    """The inputs of a run given its own ``documents``, every source prepared with them (in
    a worker thread: other runs go on meanwhile) and released when the run ends. Without
    documents, ``base`` itself, prepared when the desk was built."""
    if not documents:
        yield base
        return
    inputs = base.adding(documents)
    asked: list[Any] = []
    preparing = asyncio.ensure_future(asyncio.to_thread(_prepare_all, sources, inputs, asked))
    try:
        # Shielded: a run cancelled meanwhile must not release before its thread has
        # finished preparing (what it prepared then would never be released).
        await asyncio.shield(preparing)
        yield inputs
    finally:
        if preparing.done():
            release(asked, inputs)
        else:
            preparing.add_done_callback(lambda done: _release_late(done, asked, inputs))


def _prepare_all(sources: Sequence[Any], inputs: EvidenceInputs, asked: list[Any]) -> None:
    """Each source prepared; each one asked is put in ``asked`` first, to be released even
    if its ``prepare`` fails."""
    for source in sources:
        asked.append(source)
        prepare(source, inputs)


def release(sources: Sequence[Any], inputs: EvidenceInputs) -> None:
    """Each source's optional ``release(inputs)``. Every one is released; one that raised
    is the plugin's bug, named (the run's failure, as a failure to prepare is)."""
    failed: list[tuple[Any, Exception]] = []
    for source in sources:
        method = getattr(source, "release", None)
        try:
            if method is not None:
                method(inputs)
        except Exception as exc:
            failed.append((source, exc))
    if failed:
        who, error = failed[0]
        raise ConfigError(
            f"evidence source {who.name!r} failed to release a run's documents: "
            f"{type(error).__name__}: {error}",
            HINT,
        ) from error


def _release_late(
    preparing: asyncio.Future[None], asked: list[Any], inputs: EvidenceInputs
) -> None:
    """A cancelled run's sources released once its preparing thread is done; nobody waits
    for either any more, so a failure of either is dropped here."""
    if not preparing.cancelled():
        preparing.exception()  # retrieved: the run that wanted it is gone
    with contextlib.suppress(ConfigError):
        release(asked, inputs)
