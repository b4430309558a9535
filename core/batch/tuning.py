"""How hard a batch pushes: the defaults for requests in flight, articles at once and worker
processes, the CPUs this process may use, and the garbage collector tuned for a long run.

What an endpoint suits is the provider's to say (:class:`~copydesk.components.Capabilities`:
requests in flight, worker processes); these are the defaults where it says nothing.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..machine import usable_cpus

if TYPE_CHECKING:  # for annotations only
    from ..runner import Copydesk

#: The cap on requests in flight when the provider names none.
DEFAULT_MAX_IN_FLIGHT = 32
#: ``--processes`` left to copydesk: one process per this many articles, at most
#: one per CPU and at most this many.
ARTICLES_PER_PROCESS = 50
MAX_AUTO_PROCESSES = 8


def default_max_in_flight(desk: Copydesk) -> int:
    return desk.capabilities.max_in_flight or DEFAULT_MAX_IN_FLIGHT


def process_limit(desk: Copydesk) -> int | None:
    """The most worker processes the desk's provider suits (``None``: no limit of its own);
    a desk that asks no model has none."""
    return desk.capabilities.max_processes if desk.use_model else None


def default_concurrency(max_in_flight: int) -> int:
    """Articles at once: twice the request slots. An article has at most two requests in
    flight and spends part of its time between rounds, so with only as many articles as
    slots the cap is often not full; the surplus waits in the gate's queue, not at the
    endpoint."""
    return 2 * max_in_flight


def auto_processes(desk: Copydesk, articles: int, max_in_flight: int) -> int:
    """How many worker processes a batch gets when ``--processes`` is not given.

    copydesk's own work is ~12 ms of CPU an article (the openai client, checkers, report
    checks), which caps one process near 80 articles/s: below a fast endpoint's pace
    (a vLLM server, a high rate limit). A process per CPU lifts that cap; it costs a
    second or so to start, so small batches (under 2 × ARTICLES_PER_PROCESS) stay in one
    process; a provider may suit fewer (the embedded model: one server, one request at a
    time)."""
    wanted = min(usable_cpus(), MAX_AUTO_PROCESSES, max_in_flight, articles // ARTICLES_PER_PROCESS)
    limit = process_limit(desk)
    return max(1, wanted if limit is None else min(wanted, limit))


@contextlib.contextmanager
def long_run_gc() -> Iterator[None]:
    """The garbage collector tuned for a long batch, then put back.

    What is loaded before the first article (plugins, lexicons, schemas, the openai
    client's types) lives until the end: frozen, no collection scans it again. Young
    collections come every 50,000 allocations instead of 700. Measured with bench/run.py:
    full collections over those long-lived objects were pauses of the event loop that
    held responses unread, a few points of batch efficiency."""
    threshold = gc.get_threshold()
    # An application embedding copydesk that froze objects of its own keeps them frozen.
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.collect()
        gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if freeze:
            gc.unfreeze()
