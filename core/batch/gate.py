"""The gate every request of a batch goes through: one connection pool per endpoint, a cap
on requests in flight, and on an HTTP 429 one pause for every article (and every worker
process) until the ``Retry-After`` the server gave.

A desk's model service sends an article's requests through the gate it is given
(``desk.check_async(article, gate=gate)``), asking it for the httpx client of the endpoint:
:meth:`SharedRequests.http_client`.

The pause reads a clock and sleeps through callables given to it, so that tests (and
anyone simulating a batch) can run it on a fake clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import openai

from ..components import Endpoint
from ..errors import ConfigError
from .tuning import DEFAULT_MAX_IN_FLIGHT

#: The longest shared pause a 429 can ask for, and the pause when it names none.
MAX_PAUSE = 60.0
DEFAULT_PAUSE = 1.0

#: Seconds on a clock that only goes forward (``time.monotonic``: one clock for every
#: process of the machine, so worker processes can share a deadline on it).
Clock = Callable[[], float]
#: Waits that many seconds (``asyncio.sleep``).
Sleep = Callable[[float], Awaitable[None]]


@dataclass
class GateStats:
    requests: int = 0
    peak_in_flight: int = 0
    #: 429 answers seen, requests held back by the shared pause, and that pause's seconds.
    rate_limited: int = 0
    held: int = 0
    paused_seconds: float = 0.0

    def add(self, part: GateStats) -> None:
        """Another process's figures, into these."""
        self.requests += part.requests
        # Each process's own peak: their sum bounds the peak of all of them together.
        self.peak_in_flight += part.peak_in_flight
        self.rate_limited += part.rate_limited
        self.held += part.held
        self.paused_seconds += part.paused_seconds


class Pause:
    """Until when every request waits after a 429, on ``clock``. This one lives in one
    process; worker processes share a :class:`SharedPause` instead."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self._until = 0.0

    @property
    def until(self) -> float:
        return self._until

    def _store(self, until: float) -> None:
        self._until = until

    def extend(self, until: float) -> float:
        """Pause until ``until`` unless already paused longer; the seconds it added."""
        current = self.until
        if until > current:
            self._store(until)
        return max(0.0, until - max(self.clock(), current))


class SharedPause(Pause):
    """The 429 pause deadline in shared memory, seen and extended by every process.

    A lock-free double: a worker killed while holding a lock would leave every other one
    waiting for it. Two processes extending it at the same instant may leave the shorter
    of their two deadlines; each still waits at least as long as its own 429 asked."""

    def __init__(self, value: Any, clock: Clock = time.monotonic) -> None:
        super().__init__(clock)
        self._value = value  # a multiprocessing RawValue("d")

    @property
    def until(self) -> float:
        return float(self._value.value)

    def _store(self, until: float) -> None:
        self._value.value = until


class SharedRequests:
    """A :class:`~copydesk.model.RequestGate`: one connection pool per endpoint for the whole
    batch, at most ``max_in_flight`` requests in flight (each attempt counts, a re-ask or a
    retry included), and one pause for every worker when the endpoint rate-limits.

    The openai client still retries the rate-limited request itself, honouring
    ``Retry-After``; the shared pause keeps all the others from hammering the endpoint
    meanwhile. Cached answers never reach the gate. The pause's clock is the gate's;
    ``sleep`` is how a held request waits."""

    def __init__(
        self,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
        pause: Pause | None = None,
        *,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if max_in_flight < 1:
            raise ConfigError("--max-in-flight must be 1 or more")
        self.max_in_flight = max_in_flight
        self.stats = GateStats()
        self.pause = pause or Pause()
        self._sleep = sleep
        self._slots = asyncio.Semaphore(max_in_flight)
        self._in_flight = 0
        self._clients: dict[tuple[str, int], Any] = {}

    def http_client(self, endpoint: Endpoint) -> Any:
        key = (endpoint.base_url, id(endpoint.transport))
        if key not in self._clients:
            self._clients[key] = _GatedHttpxClient(self, transport=endpoint.transport)
        return self._clients[key]

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the ``max_in_flight`` places, once any shared pause is over."""
        async with self._slots:
            await self._wait_out_pause()
            self._in_flight += 1
            self.stats.requests += 1
            self.stats.peak_in_flight = max(self.stats.peak_in_flight, self._in_flight)
            try:
                yield
            finally:
                self._in_flight -= 1

    async def _wait_out_pause(self) -> None:
        held = False
        while (delay := self.pause.until - self.pause.clock()) > 0:
            if not held:
                self.stats.held += 1
                held = True
            await self._sleep(delay)

    def rate_limited(self, headers: Mapping[str, str]) -> None:
        """An HTTP 429: pause every worker for as long as the server asked (``Retry-After``)."""
        self.stats.rate_limited += 1
        pause = retry_after(headers)
        seconds = DEFAULT_PAUSE if pause is None else min(pause, MAX_PAUSE)
        self.stats.paused_seconds += self.pause.extend(self.pause.clock() + seconds)

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()


def retry_after(headers: Mapping[str, str], now: Clock = time.time) -> float | None:
    """Seconds from ``retry-after-ms`` or ``retry-after`` (seconds, or an HTTP date, which
    is read against ``now``: the wall clock, as the server's date is)."""
    lower = {k.lower(): v for k, v in headers.items()}
    with contextlib.suppress(ValueError, TypeError):
        if "retry-after-ms" in lower:
            return max(0.0, float(lower["retry-after-ms"]) / 1000)
    value = lower.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())


class _GatedHttpxClient(openai.DefaultAsyncHttpxClient):
    """openai's default httpx client (its limits, time-outs and proxies), every send gated."""

    def __init__(self, gate: SharedRequests, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._gate = gate

    async def send(self, request: Any, **kwargs: Any) -> Any:
        async with self._gate.slot():
            response = await super().send(request, **kwargs)
            if response.status_code == 429:
                self._gate.rate_limited(response.headers)
        return response


@contextlib.asynccontextmanager
async def shared_gate(gate: SharedRequests) -> AsyncIterator[SharedRequests]:
    """``gate`` for the articles checked inside, its connections closed at the end."""
    try:
        yield gate
    finally:
        # Every line is written by now: a connection that does not close cleanly is
        # nobody's failure.
        with contextlib.suppress(Exception):
            await gate.aclose()
