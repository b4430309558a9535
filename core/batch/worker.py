"""Inside a worker process of ``copydesk batch --processes N``: build the desk once, check
the articles the batch process sends down the pipe, send each line back.

Messages up the pipe: ``("line", id, line, tally)`` per article; ``("done", index, stats)``
at the end; ``("fatal", index, exit_code, message, hint)`` when the desk cannot be built
or its endpoint opened. Down the pipe come :class:`~copydesk.batch.sources.Source` items,
then ``None``: the end. The pipe closing without that ``None`` means the batch process is
gone; the worker then stops at once (what it holds would have nowhere to go).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from ..errors import EXIT_MODEL, CopydeskError
from ..runner import Copydesk, DeskRecipe
from .article import check_one, tally
from .gate import GateStats, SharedPause, SharedRequests, shared_gate
from .sources import Source
from .tuning import long_run_gc


@dataclass(frozen=True)
class WorkerPlan:
    """What one worker is given (pickled for a spawned one): its number, the desk to build,
    its share of the request slots and of the articles at once."""

    index: int
    recipe: DeskRecipe
    slots: int
    concurrency: int
    min_confidence: float


class WriterGone(Exception):
    """The process that hands out articles and writes the lines has gone away."""


def worker_main(plan: WorkerPlan, conn: Connection, pause: Any, close: list[Connection]) -> None:
    """A worker process's entry point; ``pause`` is the shared 429 deadline (a RawValue),
    ``close`` the pipe ends a forked worker inherited and must close."""
    for other in close:  # or no end of file would ever reach anyone: see processes.py
        other.close()
    # Ctrl-C reaches the whole process group; the writer decides, and ends the workers
    # with SIGTERM, which here ends the process at once (not the writer's handler, which a
    # forked worker would otherwise inherit).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        desk = plan.recipe.build()
    except Exception as exc:
        _tell(conn, _fatal(plan.index, exc))
        return
    try:
        with long_run_gc():
            stats = asyncio.run(_check_from(desk, plan, conn, SharedPause(pause)))
    except CopydeskError as exc:  # the endpoint could not be opened, say
        _tell(conn, _fatal(plan.index, exc))
        return
    except (WriterGone, BrokenPipeError, ConnectionResetError):
        return  # the writer is gone (killed, or it stopped the batch): nobody to tell
    finally:
        desk.close()
    _tell(conn, ("done", plan.index, stats))


def _fatal(index: int, exc: Exception) -> tuple[Any, ...]:
    if isinstance(exc, CopydeskError):
        return ("fatal", index, exc.exit_code, exc.message, exc.hint)
    return ("fatal", index, EXIT_MODEL, f"{type(exc).__name__}: {exc}", "")


def _tell(conn: Connection, message: tuple[Any, ...]) -> None:
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        conn.send(message)


async def _check_from(
    desk: Copydesk, plan: WorkerPlan, conn: Connection, pause: SharedPause
) -> GateStats:
    """Check what comes down the pipe, ``plan.concurrency`` articles at once, until the end."""
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[Source | None] = asyncio.Queue()
    gone = loop.create_future()

    async def work() -> None:
        while (source := await inbox.get()) is not None:
            record = await check_one(desk, source, gate)
            line = json.dumps(record, ensure_ascii=False)
            conn.send(("line", source.id, line, tally(record, plan.min_confidence)))
        inbox.put_nowait(None)  # the end, for the next coroutine

    gate = SharedRequests(plan.slots, pause)
    async with shared_gate(gate):
        await desk.prepare_endpoint()
        threading.Thread(
            target=_receive, args=(conn, loop, inbox, gone), name="copydesk-inbox", daemon=True
        ).start()
        everything = asyncio.gather(*(work() for _ in range(plan.concurrency)))
        await asyncio.wait([everything, gone], return_when=asyncio.FIRST_COMPLETED)
        if gone.done():
            everything.cancel()
            with contextlib.suppress(BaseException):
                await everything
            raise WriterGone
        await everything
    return gate.stats


def _receive(
    conn: Connection,
    loop: asyncio.AbstractEventLoop,
    inbox: asyncio.Queue[Source | None],
    gone: asyncio.Future[None],
) -> None:
    """In a thread, so that the pipe is read as soon as the writer sends: each item into
    ``inbox``; the pipe's end of file (the writer died, not the end of the work, which is
    a ``None``) sets ``gone``."""
    while True:
        try:
            item = conn.recv()
        except (EOFError, OSError):
            loop.call_soon_threadsafe(_set_once, gone)
            return
        loop.call_soon_threadsafe(inbox.put_nowait, item)
        if item is None:
            return


def _set_once(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
