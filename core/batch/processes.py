"""Worker processes for ``copydesk batch``: the articles shared out, one output file.

copydesk's own work on an article (the openai client building and reading requests,
the checkers, the checks every report must pass) is CPU time, ~12 ms an article, and one
Python process runs it on one core. Against a fast endpoint that, not the model, sets the
pace. With ``--processes N`` each worker process (:mod:`.worker`) builds the same desk
(from a :class:`~copydesk.runner.DeskRecipe`) and checks the articles this process hands
it, with its share of ``--concurrency`` and of the ``--max-in-flight`` cap (the shares add
up to the cap, so the endpoint never sees more); a 429 pauses every process, through one
pause deadline in shared memory. This process hands out articles as workers finish them
(each holds what it is checking and one more), writes the lines they send back, keeps the
progress bar and adds up the summary: one writer, so the output stays resumable.

A worker that dies takes only the articles it held: they are not in the output, so the
same command checks them again, and the summary says how many and which. The others go
on: each worker has a pipe of its own, and no lock is shared that a dying one could keep.

Why not a pool library. ``pebble`` (and ``concurrent.futures``) run one function call per
task in a worker, one task at a time: our worker runs an event loop with many articles in
flight on one connection pool, and sends each line back as it finishes, which a task's
single result cannot do (a task per article gives one article at a time per process; a
task per chunk writes nothing until the chunk ends, and a dead worker loses the chunk).
pebble's workers also share one pair of pipes guarded by cross-process locks
(``pebble/pool/channel.py``: ``ChannelMutex``, held while a worker takes a task), so a
worker killed at the wrong moment stalls every other one until the lock times out, and
its pool starts workers from threads of its own, which rules out forking them safely
(:func:`start_method`). So the pool stays here, in small parts: :class:`WorkerPool`.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import IO, Any

from ..errors import CopydeskError
from ..runner import DeskRecipe
from .output import results_file, write_line
from .progress import progress_bar
from .sources import Source
from .summary import BatchSummary
from .worker import WorkerPlan, worker_main


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
    todo: list[Source],
    output: Path,
    summary: BatchSummary,
    *,
    recipe: DeskRecipe,
    processes: int,
    max_in_flight: int,
    concurrency: int,
    min_confidence: float = 0.0,
    progress: bool = False,
    method: str | None = None,
) -> BatchSummary:
    """Check ``todo`` in ``processes`` worker processes, writing their lines to ``output``;
    what the workers' deaths left unchecked is ``summary.lost``."""
    slots = shares(max_in_flight, processes)
    at_once = shares(max(concurrency, processes), processes)
    plans = [WorkerPlan(i, recipe, slots[i], at_once[i], min_confidence) for i in range(processes)]
    pool = WorkerPool(plans, todo, method or start_method())
    summary.processes = processes
    started = time.perf_counter()
    restore_sigterm = _exit_on_sigterm()
    try:
        pool.start()
        with results_file(output) as out, progress_bar(progress, len(todo)) as advance:
            pool.serve(_Writer(out, output, summary, advance))
    finally:
        summary.seconds = time.perf_counter() - started
        pool.stop()
        restore_sigterm()
    pool.report_lost(summary)
    return summary


@dataclass
class _Writer:
    """Where the workers' lines go: the output file, the summary, the progress bar."""

    out: IO[str]
    output: Path
    summary: BatchSummary
    advance: Callable[[str], None]


@dataclass
class _Worker:
    """One worker process as this process sees it: its pipe, and the articles it holds."""

    plan: WorkerPlan
    process: Any  # a multiprocessing Process of the chosen start method
    conn: Connection  # this process's end of the worker's own pipe
    their_end: Connection
    #: What it checks at once and one more, ready: no worker hoards articles.
    capacity: int
    held: dict[str, Source] = field(default_factory=dict)
    sent_the_end: bool = False
    #: Its exit code, once its pipe closed before it said it was done.
    died: int | None = None
    dead: bool = False


class WorkerPool:
    """The worker processes of one batch: started, fed, listened to, stopped."""

    def __init__(self, plans: list[WorkerPlan], todo: list[Source], method: str) -> None:
        self.method = method
        self.pending: Iterator[Source] = iter(todo)
        ctx: Any = multiprocessing.get_context(method)
        pause = ctx.RawValue("d", 0.0)  # the shared 429 deadline
        pipes = [ctx.Pipe() for _ in plans]
        self.workers = []
        for plan, (ours, theirs) in zip(plans, pipes, strict=True):
            # A forked worker inherits every pipe end open here: it must close all but its
            # own, or no end of file would ever reach anyone. A spawned one inherits none.
            inherited = [c for pipe in pipes for c in pipe if c is not theirs]
            process = ctx.Process(
                target=worker_main,
                args=(plan, theirs, pause, inherited if method == "fork" else []),
                name=f"copydesk-batch-{plan.index + 1}",
                daemon=True,
            )
            self.workers.append(_Worker(plan, process, ours, theirs, plan.concurrency + 1))

    def start(self) -> None:
        for worker in self.workers:
            try:
                worker.process.start()
            except OSError as exc:
                raise CopydeskError(
                    f"cannot start worker process {worker.plan.index + 1}: {exc.strerror or exc}",
                    "run with fewer --processes, or --processes 1",
                ) from exc
            worker.their_end.close()  # the worker's alone now: its closing is our end of file
        for worker in self.workers:
            self.hand_out(worker)

    def hand_out(self, worker: _Worker) -> None:
        """Fill the worker up to its capacity; past the last article, tell it the end."""
        while not worker.sent_the_end and len(worker.held) < worker.capacity:
            source = next(self.pending, None)
            if source is None:
                worker.sent_the_end = True
                _send(worker.conn, None)
                return
            worker.held[source.id] = source
            _send(worker.conn, source)

    def serve(self, writer: _Writer) -> None:
        """Write what the workers send until every one is done or dead."""
        listening = {worker.conn: worker for worker in self.workers}
        while listening:
            for conn in wait(list(listening)):
                assert isinstance(conn, Connection)
                worker = listening[conn]
                if not self._take_message(worker, writer):
                    del listening[conn]

    def _take_message(self, worker: _Worker, writer: _Writer) -> bool:
        """One message from ``worker``; whether to go on listening to it."""
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):  # it died: what it holds stays unchecked
            worker.process.join(timeout=5)
            worker.dead, worker.died = True, worker.process.exitcode
            return False
        kind = message[0]
        if kind == "line":
            _, ident, line, tally = message
            write_line(writer.out, writer.output, line)
            worker.held.pop(ident, None)
            writer.summary.add(tally)
            writer.advance(tally.status)
            self.hand_out(worker)
            return True
        if kind == "done":
            writer.summary.gate.add(message[2])
            return False
        _, _, exit_code, text, hint = message  # "fatal": its desk or endpoint failed
        error = CopydeskError(f"worker process {worker.plan.index + 1}: {text}", hint)
        error.exit_code = exit_code
        raise error

    def stop(self) -> None:
        """Every worker ended (SIGTERM for any still running) and every pipe closed."""
        started = [w for w in self.workers if w.process.pid is not None]
        for worker in started:
            if worker.process.is_alive():
                worker.process.terminate()
        for worker in started:
            worker.process.join(timeout=5)
        for worker in self.workers:
            worker.conn.close()

    def report_lost(self, summary: BatchSummary) -> None:
        """What a dead worker held, and (if every worker died) what was never handed out."""
        dead = [w for w in self.workers if w.dead]
        lost = [ident for w in dead for ident in w.held] + [s.id for s in self.pending]
        if not lost:
            return
        summary.lost = len(lost)
        shown = ", ".join(lost[:3]) + (", ..." if len(lost) > 3 else "")
        summary.lost_reason = (
            "; ".join(
                f"worker process {w.plan.index + 1} ended with exit code {w.died}" for w in dead
            )
            + f", leaving {shown}"
        )


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
