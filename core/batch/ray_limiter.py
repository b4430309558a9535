"""One rate limit for a whole Ray cluster: the in-flight cap, a requests-per-second limit
and the 429 pause, held in one place (a named Ray actor), so that every worker on every
node asks the same limiter before each request.

Why not Ray Data's HTTP processor: its limit is counted per worker, and it would send
requests past copydesk's prompts, schemas and grounding. Here each request is still sent
by the worker's own desk, through :class:`ClusterRequests` — the single-machine engine's
gate (:class:`~copydesk.batch.gate.SharedRequests`) whose slot comes from the limiter.

:class:`ClusterLimiter` is plain asyncio (no Ray in it): the engine runs it as an async
actor; tests run it here on a :class:`fake clock <copydesk.batch.gate.Clock>`. Its clock
is its own process's: one deadline on one clock, whatever machines the workers are on.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from typing import Any

from ..errors import ConfigError
from .gate import DEFAULT_PAUSE, MAX_PAUSE, Clock, GateStats, SharedRequests, Sleep, retry_after


class ClusterLimiter:
    """At most ``max_in_flight`` requests granted and not yet released, across every
    worker; at most ``requests_per_second`` started (``None``: no such limit); after a
    429, nothing granted until the pause the server asked for is over.

    Workers are known by a number: a worker that is lost is :meth:`forget`-ed, and the
    slots it held go back to the others."""

    def __init__(
        self,
        max_in_flight: int,
        requests_per_second: float | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if max_in_flight < 1:
            raise ConfigError("--max-in-flight must be 1 or more")
        if requests_per_second is not None and requests_per_second <= 0:
            raise ConfigError("--requests-per-second must be more than 0")
        self.max_in_flight = max_in_flight
        self.interval = 1.0 / requests_per_second if requests_per_second else 0.0
        self.clock = clock
        self.sleep = sleep
        self.until = 0.0  # the shared 429 pause's deadline
        self.next_start = 0.0  # the earliest start the per-second limit allows next
        self.stats = GateStats()
        #: Requests each worker had held back by the 429 pause.
        self.held_by: Counter[int] = Counter()
        self._slots: asyncio.Semaphore | None = None
        self._granted: Counter[int] = Counter()
        self._forgotten: set[int] = set()

    @property
    def in_flight(self) -> int:
        return sum(self._granted.values())

    async def acquire(self, worker: int) -> bool:
        """A slot for one request of ``worker``, once any pause is over and the per-second
        limit allows; whether the pause held it back."""
        if self._slots is None:  # made in the loop that runs it (the actor's)
            self._slots = asyncio.Semaphore(self.max_in_flight)
        await self._slots.acquire()
        if worker in self._forgotten:  # asked before it was lost: nobody will release it
            self._slots.release()
            return False
        self._granted[worker] += 1
        held = await self._wait_out_pause(worker)
        if self.interval:
            start = max(self.clock(), self.next_start)
            self.next_start = start + self.interval
            if (wait := start - self.clock()) > 0:
                await self.sleep(wait)
        self.stats.requests += 1
        self.stats.peak_in_flight = max(self.stats.peak_in_flight, self.in_flight)
        return held

    async def _wait_out_pause(self, worker: int) -> bool:
        held = False
        while (delay := self.until - self.clock()) > 0:
            if not held:
                self.stats.held += 1
                self.held_by[worker] += 1
                held = True
            await self.sleep(delay)
        return held

    def release(self, worker: int) -> None:
        if self._granted[worker] > 0 and self._slots is not None:
            self._granted[worker] -= 1
            self._slots.release()

    def rate_limited(self, seconds: float) -> float:
        """A 429 a worker saw: every worker waits ``seconds`` from now; the seconds added."""
        self.stats.rate_limited += 1
        now = self.clock()
        added = max(0.0, now + seconds - max(now, self.until))
        self.until = max(self.until, now + seconds)
        self.stats.paused_seconds += added
        return added

    def forget(self, worker: int) -> None:
        """``worker`` is lost: its slots back, and any it was still waiting for."""
        self._forgotten.add(worker)
        while self._granted[worker] > 0:
            self.release(worker)

    def figures(self) -> tuple[GateStats, dict[int, int]]:
        return self.stats, dict(self.held_by)


class ClusterRequests(SharedRequests):
    """A worker's gate: its connection pool, each request's slot from the cluster's
    ``limiter`` (a :class:`ClusterLimiter` actor's handle), each 429 told to it."""

    def __init__(self, limiter: Any, worker: int, slots: int) -> None:
        super().__init__(slots)
        self.limiter = limiter
        self.worker = worker

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._slots:  # the worker's own share, so it never queues all at the limiter
            if await self.limiter.acquire.remote(self.worker):
                self.stats.held += 1
            self._in_flight += 1
            self.stats.requests += 1
            self.stats.peak_in_flight = max(self.stats.peak_in_flight, self._in_flight)
            try:
                yield
            finally:
                self._in_flight -= 1
                self.limiter.release.remote(self.worker)  # no answer waited for

    def rate_limited(self, headers: Mapping[str, str]) -> None:
        self.stats.rate_limited += 1
        pause = retry_after(headers)
        seconds = DEFAULT_PAUSE if pause is None else min(pause, MAX_PAUSE)
        self.limiter.rate_limited.remote(seconds)
