"""Worker processes for ``copydesk batch``: the articles shared out, one output file.

copydesk's own work on an article (the openai client building and reading requests,
the checkers, the checks every report must pass) is CPU time, ~12 ms an article, and one
Python process runs it on one core. Against a fast endpoint that, not the model, sets the
pace. With ``--processes N`` each worker process builds the same desk (from a
:class:`~copydesk.runner.DeskRecipe`) and checks the articles this process hands it, with
its share of ``--concurrency`` and of the ``--max-in-flight`` cap (the shares add up to
the cap, so the endpoint never sees more); a 429 pauses every process, through one pause
deadline in shared memory. This process hands out articles as workers finish them (each
holds what it is checking and one more), writes the lines they send back, keeps the
progress bar and adds up the summary: one writer, so the output stays resumable.

A worker that dies takes only the articles it held: they are not in the output, so the
same command checks them again, and the summary says how many and which. The others go
on: each worker has a pipe of its own, and no lock is shared that a dying one could keep.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import signal
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from .batch import (
    Batch,
    BatchSummary,
    GateStats,
    Pause,
    SharedRequests,
    Source,
    long_run_gc,
    open_output,
    progress_bar,
    write_line,
)
from .calls import request_gate
from .errors import EXIT_MODEL, CopydeskError
from .runner import DeskRecipe


class SharedPause(Pause):
    """The 429 pause deadline in shared memory, seen and extended by every process.

    A lock-free double: a worker killed while holding a lock would leave every other one
    waiting for it. Two processes extending it at the same instant may leave the shorter
    of their two deadlines; each still waits at least as long as its own 429 asked."""

    def __init__(self, value: Any) -> None:  # a multiprocessing RawValue("d")
        self._value = value

    @property
    def until(self) -> float:
        return float(self._value.value)

    def _store(self, until: float) -> None:
        self._value.value = until


def start_method() -> str:
    """``fork`` where it is safe, else ``spawn``.

    A forked worker starts in milliseconds with copydesk already imported; a spawned one
    imports everything again (about a second). Forking is safe only while this process
    runs a single thread (a lock another thread holds would stay held in the child), and
    only on Linux (macOS's system libraries are not fork-safe)."""
    if sys.platform == "linux" and threading.active_count() == 1:
        return "fork"
    return "spawn"


def shares(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` near-equal whole shares (the first ones larger)."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def run_in_processes(
    batch: Batch,
    todo: list[Source],
    output: Path,
    summary: BatchSummary,
    processes: int,
    *,
    method: str | None = None,
) -> BatchSummary:
    """Check ``todo`` in ``processes`` worker processes, writing their lines to ``output``.

    Each worker has its own pipe, with no lock shared between processes: a worker that is
    killed can break only its own pipe, which tells this process so (end of file); and
    this process going away is the end of file of every worker, which then stops."""
    recipe = batch.recipe
    if recipe is None:
        raise CopydeskError("worker processes need the recipe of the desk to build")
    method = method or start_method()
    ctx: Any = multiprocessing.get_context(method)
    pause = ctx.RawValue("d", 0.0)
    slots = shares(batch.max_in_flight, processes)
    concurrency = shares(max(batch.concurrency, processes), processes)
    pipes = [ctx.Pipe() for _ in range(processes)]
    ours = [pipe[0] for pipe in pipes]
    workers = []
    for i in range(processes):
        # A forked worker inherits every pipe end open here: it must close all but its
        # own, or no end of file would ever reach anyone. A spawned one inherits none.
        inherited = [c for j, pipe in enumerate(pipes) for c in pipe if j != i] + [ours[i]]
        workers.append(
            ctx.Process(
                target=_worker,
                args=(i, recipe, slots[i], concurrency[i], batch.min_confidence),
                kwargs={
                    "conn": pipes[i][1],
                    "pause": pause,
                    "close": inherited if method == "fork" else [],
                },
                name=f"copydesk-batch-{i + 1}",
                daemon=True,
            )
        )
    conns: dict[Connection, int] = {ours[i]: i for i in range(processes)}
    # A worker holds what it is checking and one more, ready: no worker hoards articles.
    capacity = [c + 1 for c in concurrency]
    held: list[dict[str, Source]] = [{} for _ in range(processes)]
    ended = [False] * processes
    pending = iter(todo)
    died: dict[int, int | None] = {}

    def refill(i: int) -> None:
        while not ended[i] and len(held[i]) < capacity[i]:
            source = next(pending, None)
            if source is None:
                ended[i] = True
                _send(ours[i], None)
                return
            held[i][source.id] = source
            _send(ours[i], source)

    summary.processes = processes
    started = time.perf_counter()
    terminated = _exit_on_sigterm()
    try:
        for i, worker in enumerate(workers):
            try:
                worker.start()
            except OSError as exc:
                raise CopydeskError(
                    f"cannot start worker process {i + 1}: {exc.strerror or exc}",
                    "run with fewer --processes, or --processes 1",
                ) from exc
            pipes[i][1].close()  # the worker's alone now: its closing is our end of file
        for i in range(processes):
            refill(i)
        with open_output(output) as out, progress_bar(batch.progress, len(todo)) as advance:
            while conns:
                for conn in wait(list(conns)):
                    assert isinstance(conn, Connection)
                    i = conns[conn]
                    try:
                        message = conn.recv()
                    except (EOFError, OSError):
                        del conns[conn]
                        workers[i].join(timeout=5)
                        died[i] = workers[i].exitcode
                        continue
                    kind = message[0]
                    if kind == "line":
                        _, ident, line, tally = message
                        write_line(out, output, line)
                        held[i].pop(ident, None)
                        summary.add(tally)
                        advance(tally.status)
                        refill(i)
                    elif kind == "done":
                        del conns[conn]
                        _add_stats(summary.gate, message[2])
                    elif kind == "fatal":
                        _, _, exit_code, text, hint = message
                        error = CopydeskError(f"worker process {i + 1}: {text}", hint)
                        error.exit_code = exit_code
                        raise error
    finally:
        summary.seconds = time.perf_counter() - started
        for worker in workers:
            if worker.pid is not None and worker.is_alive():
                worker.terminate()
        for worker in workers:
            if worker.pid is not None:
                worker.join(timeout=5)
        for conn in ours:
            conn.close()
        terminated()
    # What a dead worker held, and (if every worker died) what was never handed out.
    lost = [ident for i in died for ident in held[i]] + [s.id for s in pending]
    if lost:
        summary.lost = len(lost)
        shown = ", ".join(lost[:3]) + (", ..." if len(lost) > 3 else "")
        summary.lost_reason = (
            "; ".join(
                f"worker process {i + 1} ended with exit code {code}" for i, code in died.items()
            )
            + f", leaving {shown}"
        )
    return summary


def _exit_on_sigterm() -> Callable[[], None]:
    """Until the returned function is called, SIGTERM ends this process as Ctrl-C does:
    by an exception, so that the workers are stopped and the output closed."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


def _send(conn: Connection, item: Any) -> None:
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        conn.send(item)  # a worker that died is found by its end of file, not here


def _add_stats(total: GateStats, part: GateStats) -> None:
    total.requests += part.requests
    # Each process's own peak: their sum bounds the peak of all of them together.
    total.peak_in_flight += part.peak_in_flight
    total.rate_limited += part.rate_limited
    total.held += part.held
    total.paused_seconds += part.paused_seconds


# in the worker process -------------------------------------------------------------------------


def _worker(
    index: int,
    recipe: DeskRecipe,
    slots: int,
    concurrency: int,
    min_confidence: float,
    *,
    conn: Connection,
    pause: Any,
    close: list[Connection],
) -> None:
    for other in close:  # inherited by fork: see run_in_processes
        other.close()
    # Ctrl-C reaches the whole process group; the writer decides, and ends the workers
    # with SIGTERM, which here ends the process at once (not the writer's handler, which a
    # forked worker would otherwise inherit).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        desk = recipe.build()
    except CopydeskError as exc:
        _tell(conn, ("fatal", index, exc.exit_code, exc.message, exc.hint))
        return
    except Exception as exc:
        _tell(conn, ("fatal", index, EXIT_MODEL, f"{type(exc).__name__}: {exc}", ""))
        return
    batch = Batch(
        desk,
        concurrency=concurrency,
        max_in_flight=slots,
        min_confidence=min_confidence,
        progress=False,
    )
    try:
        with long_run_gc():
            stats = asyncio.run(_check_from(batch, conn, SharedPause(pause)))
    except CopydeskError as exc:  # the endpoint could not be opened, say
        _tell(conn, ("fatal", index, exc.exit_code, exc.message, exc.hint))
        return
    except (WriterGone, BrokenPipeError, ConnectionResetError):
        return  # the writer is gone (killed, or it stopped the batch): nobody to tell
    finally:
        desk.close()
    _tell(conn, ("done", index, stats))


class WriterGone(Exception):
    """The process that hands out articles and writes the lines has gone away."""


def _tell(conn: Connection, message: tuple[Any, ...]) -> None:
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        conn.send(message)


async def _check_from(batch: Batch, conn: Connection, pause: Pause) -> GateStats:
    gate = SharedRequests(batch.max_in_flight, pause)
    token = request_gate.set(gate)
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[Source | None] = asyncio.Queue()
    gone = loop.create_future()

    def receive() -> None:  # in a thread: the pipe is read as soon as the writer sends
        while True:
            try:
                item = conn.recv()
            except (EOFError, OSError):
                # Not the end of the work (that is a None): the writer died. Stop now;
                # whatever this worker holds would have nowhere to go.
                loop.call_soon_threadsafe(_set_once, gone)
                return
            loop.call_soon_threadsafe(inbox.put_nowait, item)
            if item is None:
                return

    async def work() -> None:
        while (source := await inbox.get()) is not None:
            record = await batch.check_one(source)
            line = json.dumps(record, ensure_ascii=False)
            conn.send(("line", source.id, line, batch.tally(record)))
        inbox.put_nowait(None)  # the end, for the next coroutine

    try:
        if batch.desk.use_model:
            await asyncio.to_thread(batch.desk._open_endpoint)
        threading.Thread(target=receive, name="copydesk-inbox", daemon=True).start()
        everything = asyncio.gather(*(work() for _ in range(batch.concurrency)))
        await asyncio.wait([everything, gone], return_when=asyncio.FIRST_COMPLETED)
        if gone.done():
            everything.cancel()
            with contextlib.suppress(BaseException):
                await everything
            raise WriterGone
        await everything
    finally:
        request_gate.reset(token)
        with contextlib.suppress(Exception):
            await gate.aclose()
    return gate.stats


def _set_once(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
