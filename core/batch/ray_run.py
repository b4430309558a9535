"""``copydesk batch --engine ray``: the articles of a corpus over a Ray cluster's workers,
one output file, one rate limit, nothing lost.

This process (the Ray driver) reads the inputs lazily (:class:`~.corpus.Corpus`), sends
each worker actor (:mod:`.ray_worker`) as many articles as it checks at once and a few
more, and writes every line that comes back: the only writer, through the same
:func:`~.output.results_file` (JSON Lines or Parquet) and the same progress bar as the
single-machine engine, so the output resumes the same way, whichever engine wrote it.

A worker or node lost mid-article: Ray fails the calls it held; their articles are sent to
the others (and to a worker started in its place), and since only an answered call is
written, each article is written once. Ctrl-C (or SIGTERM) ends the workers and leaves the
output valid: a Parquet output gets what was done folded in.
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import ConfigError, CopydeskError
from ..runner import Copydesk, DeskRecipe
from . import ray_cluster as cluster
from .corpus import Corpus
from .gate import GateStats
from .output import results_file, write_line
from .processes import _exit_on_sigterm, shares
from .progress import BatchProgress, progress_bar
from .ray_cluster import WorkerHandle
from .ray_worker import WorkerPlan
from .sources import Source
from .summary import BatchSummary
from .tuning import ARTICLES_PER_PROCESS, process_limit

#: Seconds a worker may take to start (build its desk, open its endpoint or server).
START_TIMEOUT = 600.0
#: Articles a worker is sent beyond what it checks at once, so it never waits for the next.
READY_AHEAD = 4


@dataclass
class _Progress:
    """Where the lines go: the output, the summary, the bar."""

    out: IO[str]
    output: Path
    summary: BatchSummary
    bar: BatchProgress


class RayBatch:
    """The Ray engine: :meth:`run` checks ``inputs`` into ``output``. ``workers`` as
    ``--processes`` (``None``: one per CPU of the cluster, or the provider's number per
    node); ``requests_per_second`` the cluster's limit beside ``max_in_flight``."""

    def __init__(
        self,
        desk: Copydesk,
        recipe: DeskRecipe,
        *,
        concurrency: int,
        max_in_flight: int,
        min_confidence: float = 0.0,
        progress: bool = True,
        workers: int | None = None,
        address: str | None = None,
        requests_per_second: float | None = None,
    ) -> None:
        if recipe.host is not None and not recipe.host.reloadable:
            raise ConfigError(
                "--engine ray: plugins registered in code do not reach Ray's workers",
                "install the plugins (entry points), or use the default engine",
            )
        limit = process_limit(desk)
        #: A server per machine (the embedded model's): this many workers on each node.
        self.per_node = limit if desk.use_model and limit is not None else None
        self.desk, self.recipe = desk, recipe
        self.concurrency, self.max_in_flight = concurrency, max_in_flight
        self.min_confidence, self.progress = min_confidence, progress
        self.wanted, self.address = workers, address
        self.requests_per_second = requests_per_second
        self.workers: list[WorkerHandle] = []
        #: Requests each worker had held back by the shared 429 pause (by worker number).
        self.held_by: dict[int, int] = {}
        self._ray: Any = None
        self._limiter: Any = None

    def run(self, inputs: list[str], output: Path, *, retry_failed: bool = False) -> BatchSummary:
        corpus = Corpus.plan(inputs, output, retry_failed=retry_failed)
        summary = BatchSummary(total=corpus.total, skipped=corpus.total - corpus.todo)
        summary.workers = "Ray workers"
        if not corpus.todo:
            return summary
        with cluster.connected(self.address) as ray:
            self._ray = ray
            return self._run(corpus, output, summary)

    def _run(self, corpus: Corpus, output: Path, summary: BatchSummary) -> BatchSummary:
        ray = self._ray
        wanted = self.wanted
        if wanted is None and self.per_node is None:
            wanted = min(cluster.cluster_cpus(ray), -(-corpus.todo // ARTICLES_PER_PROCESS))
        nodes = cluster.place(
            ray,
            per_node=self.per_node,
            wanted=wanted,
            limit=min(self.max_in_flight, self.concurrency, corpus.todo),
        )
        if self.per_node is None:
            self._limiter = cluster.start_limiter(ray, self.max_in_flight, self.requests_per_second)
        at_once = shares(max(self.concurrency, len(nodes)), len(nodes))
        self._cpus = min(1.0, cluster.cluster_cpus(ray) / len(nodes))
        self._budget = 2 * len(nodes) + 2  # workers started in place of lost ones, at most
        started = time.perf_counter()
        restore_sigterm = _exit_on_sigterm()
        graceful = False
        try:
            for index, node in enumerate(nodes):
                self.workers.append(self._start(index, node, at_once[index]))
            self._wait_started(self.workers)
            with results_file(output) as out, progress_bar(self.progress, corpus.todo) as bar:
                self._serve(corpus.sources(), _Progress(out, output, summary, bar))
            graceful = True
        finally:
            summary.seconds = time.perf_counter() - started
            summary.processes = len([w for w in self.workers if not w.lost])
            self._stop(summary, graceful)
            restore_sigterm()
        return summary

    # workers -----------------------------------------------------------------------------

    def _start(self, index: int, node: str | None, at_once: int) -> WorkerHandle:
        # All of the cap: the limiter (or the node's own server's cap) shares it out.
        slots = self.max_in_flight
        plan = WorkerPlan(
            index, self.recipe, cluster.worker_env(), slots, self.min_confidence, self._limiter
        )
        return cluster.start_worker(self._ray, plan, at_once + READY_AHEAD, node, self._cpus)

    def _wait_started(self, workers: list[WorkerHandle]) -> None:
        """Every worker's desk built and endpoint opened; a desk that cannot be, the
        batch's error; a worker lost on the way, lost."""
        ray = self._ray
        calls = {w.actor.start.remote(): w for w in workers}
        ready, waiting = ray.wait(list(calls), num_returns=len(calls), timeout=START_TIMEOUT)
        if waiting:
            raise CopydeskError(
                f"{len(waiting)} Ray worker(s) did not start within {START_TIMEOUT:.0f} s",
                "check the cluster has free CPUs (`ray status`), or ask for fewer --processes",
            )
        for call in ready:
            worker = calls[call]
            try:
                where = ray.get(call)
            except ray.exceptions.RayTaskError as exc:
                raise _fatal(worker, exc) from None
            except ray.exceptions.RayActorError:
                worker.lost = True
                continue
            worker.pid, worker.host = where["pid"], where["host"]

    def _replace(self, lost: WorkerHandle) -> WorkerHandle | None:
        """A worker in place of a lost one, started; ``None`` when none can be."""
        while self._budget > 0:
            self._budget -= 1
            node = None
            if lost.node is not None:  # a server per node: the lost node's may be gone
                live = cluster.alive_nodes(self._ray)
                node = lost.node if lost.node in live else (live[0] if live else None)
            worker = self._start(len(self.workers), node, lost.capacity - READY_AHEAD)
            self.workers.append(worker)
            self._wait_started([worker])
            if not worker.lost:
                return worker
        return None

    def _stop(self, summary: BatchSummary, graceful: bool) -> None:
        """The workers' figures (when the batch ended well) and every actor ended."""
        ray = self._ray
        live = [w for w in self.workers if not w.lost]
        stats = GateStats()
        if graceful:
            calls = [w.actor.stop.remote() for w in live]
            done, _ = ray.wait(calls, num_returns=len(calls), timeout=30)
            for call in done:
                # One lost at the very end: its lines are all written.
                with contextlib.suppress(ray.exceptions.RayError):
                    stats.add(ray.get(call))
            if self._limiter is not None:
                shared, self.held_by = ray.get(self._limiter.figures.remote(), timeout=30)
                stats.requests, stats.peak_in_flight = shared.requests, shared.peak_in_flight
                stats.held, stats.paused_seconds = shared.held, shared.paused_seconds
        summary.gate = stats
        for worker in self.workers:
            ray.kill(worker.actor)
        if self._limiter is not None:
            ray.kill(self._limiter)

    # the articles ------------------------------------------------------------------------

    def _serve(self, pending: Iterator[Source], sink: _Progress) -> None:
        """Hand out articles, write what comes back, until all are written (or every
        worker is lost: what is left is ``summary.lost``)."""
        ray = self._ray
        again: deque[Source] = deque()
        calls: dict[Any, tuple[WorkerHandle, Source]] = {}
        held: dict[int, int] = {}
        while True:
            for worker in self.workers:
                while not worker.lost and held.get(worker.plan.index, 0) < worker.capacity:
                    source = again.popleft() if again else next(pending, None)
                    if source is None:
                        break
                    calls[worker.actor.check.remote(source)] = (worker, source)
                    held[worker.plan.index] = held.get(worker.plan.index, 0) + 1
            if not calls:
                break
            ready, _ = ray.wait(list(calls), num_returns=1, timeout=1.0)
            if ready:  # and every other answer already back
                ready, _ = ray.wait(list(calls), num_returns=len(calls), timeout=0)
            for call in ready:
                if call not in calls:
                    continue  # its worker was lost, and this article sent again already
                worker, source = calls.pop(call)
                held[worker.plan.index] -= 1
                try:
                    line, tally = ray.get(call)
                except ray.exceptions.RayTaskError as exc:
                    raise _fatal(worker, exc) from None
                except (ray.exceptions.RayActorError, ray.exceptions.RayError):
                    lost = [s for c, (w, s) in list(calls.items()) if w is worker]
                    for c in [c for c, (w, _) in calls.items() if w is worker]:
                        del calls[c]
                    held[worker.plan.index] = 0
                    again.extend([source, *lost])
                    sink.summary.retried += 1 + len(lost)
                    self._lose(worker)
                    if not any(not w.lost for w in self.workers):
                        self._give_up(again, pending, sink.summary)
                        return
                    continue
                write_line(sink.out, sink.output, line)
                sink.summary.add(tally)
                sink.bar.done(tally.status)

    def _lose(self, worker: WorkerHandle) -> None:
        worker.lost = True
        if self._limiter is not None:
            self._limiter.forget.remote(worker.plan.index)
        self._ray.kill(worker.actor)  # a worker Ray only lost touch with must not go on
        self._replace(worker)

    def _give_up(
        self, again: deque[Source], pending: Iterator[Source], summary: BatchSummary
    ) -> None:
        left = [s.id for s in again] + [s.id for s in pending]
        summary.lost = len(left)
        shown = ", ".join(left[:3]) + (", ..." if len(left) > 3 else "")
        summary.lost_reason = f"every Ray worker was lost, leaving {shown}"


def _fatal(worker: WorkerHandle, exc: Any) -> CopydeskError:
    """A worker's own failure (its desk, its endpoint) as the batch's error."""
    cause = getattr(exc, "cause", None)
    if isinstance(cause, CopydeskError):
        error = CopydeskError(f"Ray worker {worker.plan.index + 1}: {cause.message}", cause.hint)
        error.exit_code = cause.exit_code
        return error
    return CopydeskError(f"Ray worker {worker.plan.index + 1}: {cause or exc}")
