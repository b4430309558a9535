"""A clock for the batch's 429 pause that moves only when something waits on it."""

from __future__ import annotations

import asyncio


class FakeClock:
    """``clock()`` is the time now; ``await clock.sleep(s)`` records the wait and moves the
    clock on by it at once. Give it as the pause's ``clock`` and the gate's ``sleep``:
    a test then knows to the last digit when each request went out and how long each
    wait was, and takes no time. (Picklable: a spawned process can be given one.)"""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)  # still a point where other tasks run, as a real wait is
