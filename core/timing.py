"""How long a run took, told so that no figure misleads.

Model calls run at the same time (the summary and the claims are asked together, then
every checker), so the calls' own times added up can exceed the run itself: 131.9 s "of
model time" for a run that took less. A report therefore gives three figures:

- ``run``: the article's check, from start to end (wall time);
- ``model_busy``: the part of it during which at least one model request was in flight
  (wall time: calls that overlap count once);
- ``model_calls``: the calls' own times added up (what a per-call price is paid on).

Each is ``{"seconds": ...}``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .model.question import CallLog
from .types import ModelCall


@dataclass
class TimedCallLog(CallLog):
    """A :class:`CallLog` that also keeps when each call was in flight (cache hits are
    not: they wait on no model). A call is added as it ends, its ``seconds`` measured on
    the same clock."""

    clock: Callable[[], float] = time.perf_counter
    spans: list[tuple[float, float]] = field(default_factory=list)

    def add(self, call: ModelCall) -> None:
        super().add(call)
        if call.status != "cached":
            end = self.clock()
            self.spans.append((end - call.seconds, end))


def busy_seconds(spans: Iterable[tuple[float, float]]) -> float:
    """The time covered by at least one of ``spans``: overlapping spans count once."""
    total, reach = 0.0, float("-inf")
    for start, end in sorted(spans):
        if end <= reach:
            continue
        total += end - max(start, reach)
        reach = end
    return total


def run_timing(run_seconds: float, log: TimedCallLog) -> dict[str, Any]:
    """The report's ``timing``: the run, the model busy, and the calls added up."""
    return {
        "run": {"seconds": round(run_seconds, 3)},
        "model_busy": {"seconds": round(busy_seconds(log.spans), 3)},
        "model_calls": {
            "seconds": round(sum(c.seconds for c in log.calls if c.status != "cached"), 3)
        },
    }
