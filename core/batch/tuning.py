"""How hard a batch pushes: the defaults for requests in flight, articles at once and worker
processes, the CPUs this process may use, and the garbage collector tuned for a long run.

The one place the batch asks whether the desk runs the embedded model (one server on this
machine, answering one request at a time): :func:`runs_one_local_server`, and its
``LOCAL_MAX_IN_FLIGHT``. When providers declare their own limits, only this module changes.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..machine import usable_cpus

if TYPE_CHECKING:  # for annotations only
    from ..runner import Copydesk
    from ..settings import Settings

#: The cap on requests in flight to a remote endpoint.
DEFAULT_MAX_IN_FLIGHT = 32
#: The embedded model's server answers one request at a time: one more keeps it busy.
LOCAL_MAX_IN_FLIGHT = 2
#: ``--processes`` left to copydesk: one process per this many articles, at most
#: one per CPU and at most this many.
ARTICLES_PER_PROCESS = 50
MAX_AUTO_PROCESSES = 8


def runs_one_local_server(desk: Copydesk) -> bool:
    """Whether the desk's model is the embedded one: one server, one request at a time,
    which worker processes could only queue up for."""
    return desk.use_model and is_embedded(desk.settings)


def is_embedded(settings: Settings) -> bool:
    return settings.provider_name == "local"


def default_max_in_flight(settings: Settings) -> int:
    return LOCAL_MAX_IN_FLIGHT if is_embedded(settings) else DEFAULT_MAX_IN_FLIGHT


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
    process, as does the embedded model (one server, one request at a time)."""
    if runs_one_local_server(desk):
        return 1
    return max(
        1, min(usable_cpus(), MAX_AUTO_PROCESSES, max_in_flight, articles // ARTICLES_PER_PROCESS)
    )


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
