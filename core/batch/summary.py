"""What a batch did: a :class:`Tally` per article (all a worker process sends back besides
the line), added up into the :class:`BatchSummary` that gives the closing line and the
exit code."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EXIT_FINDINGS, EXIT_MODEL, EXIT_OK
from ..inputs import MIN_WORDS
from ..types import severity_rank
from .gate import GateStats


@dataclass
class Tally:
    """What the summary needs of one article's line (a worker process sends only this)."""

    status: str
    model_calls: int = 0
    cached_calls: int = 0
    #: The worst severity at or above ``--min-confidence`` (-1: no finding).
    worst: int = -1


@dataclass
class BatchSummary:
    """What a batch did; ``exit_code`` is the CLI's."""

    total: int = 0
    skipped: int = 0
    counts: dict[str, int] = field(
        default_factory=lambda: {"ok": 0, "partial": 0, "failed": 0, "skipped": 0}
    )
    model_calls: int = 0
    cached_calls: int = 0
    worst: int = -1
    seconds: float = 0.0
    processes: int = 1
    #: What ``processes`` counts: worker processes, or the Ray engine's workers.
    workers: str = "processes"
    gate: GateStats = field(default_factory=GateStats)
    #: Articles a worker process took and never answered for (it died): not in the output.
    lost: int = 0
    lost_reason: str = ""
    #: Articles checked again because the worker (or the node) holding them was lost.
    retried: int = 0

    @property
    def checked(self) -> int:
        return sum(self.counts.values())

    def add(self, tally: Tally) -> None:
        self.counts[tally.status] += 1
        self.model_calls += tally.model_calls
        self.cached_calls += tally.cached_calls
        self.worst = max(self.worst, tally.worst)

    def exit_code(self, fail_on: str | None) -> int:
        if self.counts["partial"] or self.counts["failed"] or self.lost:
            return EXIT_MODEL
        if fail_on is not None and self.worst >= severity_rank(fail_on):
            return EXIT_FINDINGS
        return EXIT_OK

    def line(self, output: Path) -> str:
        if not self.checked and not self.lost:
            return (
                f"nothing to check: all {self.total} articles are already in {output} "
                "(--retry-failed runs the failed and partial ones again)"
            )
        rate = self.checked / self.seconds if self.seconds else 0.0
        parts = [f"{self.counts[s]} {s}" for s in ("ok", "partial", "failed")]
        if self.counts["skipped"]:  # too short to be an article: never sent to the model
            parts.append(f"{self.counts['skipped']} too short (under {MIN_WORDS} words), skipped")
        if self.skipped:
            parts.append(f"{self.skipped} skipped (already in {output})")
        text = (
            f"{self.checked} article{'s' if self.checked != 1 else ''} checked: "
            + ", ".join(parts)
            + f"; {self.model_calls} model calls, {self.cached_calls} answered from the cache"
            # Wall time: the articles' calls overlap, so their times are never added here.
            + f"; {self.seconds:.1f} s wall time ({rate:.1f} articles/s"
            + (
                f", {self.processes} {self.workers})"
                if self.processes > 1 or self.workers != "processes"
                else ")"
            )
        )
        if self.retried:
            text += f"; {self.retried} retried (their worker was lost)"
        if self.gate.rate_limited:
            text += (
                f"; rate limited {self.gate.rate_limited}x, paused {self.gate.paused_seconds:.1f} s"
            )
        if self.lost:
            text += f"; {self.lost} not checked ({self.lost_reason}: run the same command again)"
        return text
