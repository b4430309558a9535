"""What a run tells whoever shows its progress: the stages of an article as they start
and end, and how many there will be.

The pipeline sends these events; ``copydesk check`` draws them on a terminal
(:mod:`copydesk.check_display`) and ``copydesk batch`` moves its bar with them
(:mod:`copydesk.batch.progress`). Nothing here draws anything: a listener decides.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .model.question import CallLog
    from .types import StageStatus


@dataclass(frozen=True)
class StageEvent:
    """One stage starting (``status`` is ``None``) or ending (``status`` is how)."""

    plugin: str
    #: ``summariser``, ``claim_extractor`` or ``checker``
    stage: str
    #: The part of a long article this stage reads (0-based), ``None`` for the whole text.
    part: int | None = None
    #: How many parts the article is read in (1: the whole text at once).
    parts: int = 1
    status: str | None = None
    seconds: float = 0.0
    #: The model calls whose answers the stage used and the tokens they generated, as the
    #: model reports them once an answer is complete.
    calls: int = 0
    completion_tokens: int = 0
    reason: str = ""
    #: The article's model calls so far (answered, not from the cache) and the tokens they
    #: generated, re-asks and answers that never validated included.
    total_calls: int = 0
    total_tokens: int = 0

    @property
    def started(self) -> bool:
        return self.status is None

    @property
    def where(self) -> str:
        """Which part of the article, in words ("" for the whole article)."""
        return f"part {self.part + 1} of {self.parts}" if self.part is not None else ""


class Listener(Protocol):
    """What a run's progress is told, in order: ``planned`` once the article's parts are
    known, then ``stage`` for every start and end."""

    def planned(self, stages: int, parts: int) -> None:
        """The article will run ``stages`` stages, reading it in ``parts`` parts."""
        ...

    def stage(self, event: StageEvent) -> None:
        """A stage started or ended."""
        ...


def ended(
    status: StageStatus, call_ids: Iterable[str], log: CallLog, part: int | None, parts: int
) -> StageEvent:
    """The end of the stage ``status`` tells, with the calls whose answers it used
    (``call_ids``, in ``log``) and the tokens they generated."""
    ids = set(call_ids)
    calls = [c for c in log.calls if c.id in ids and c.status != "cached"]
    return StageEvent(
        status.plugin,
        status.stage,
        part,
        parts,
        status=status.status,
        seconds=status.seconds or 0.0,
        calls=len(calls),
        completion_tokens=sum(c.completion_tokens for c in calls),
        reason=status.reason,
    )


def with_totals(event: StageEvent, log: CallLog) -> StageEvent:
    """``event`` with the article's calls so far (``log``) and the tokens they generated."""
    answered = [c for c in log.calls if c.status != "cached"]
    tokens = sum(c.completion_tokens for c in answered)
    return dataclasses.replace(event, total_calls=len(answered), total_tokens=tokens)


def clock_time(seconds: float) -> str:
    """``0:01:05``: elapsed time as a clock shows it."""
    whole = int(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
