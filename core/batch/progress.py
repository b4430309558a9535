"""The batch's progress bar on stderr: articles done, rate, time left, failures so far.

On the embedded model one article takes minutes, so a bar that moves only when an article
is done stays at ``0/3 –/s eta -:--:--`` for a quarter of an hour. This one also counts
the stages done within the articles being checked, each as its share of its article
(an article of 12 stages, 6 of them done, is half an article), and gives the rate and
the time left from the average so far as soon as one stage has ended.

:class:`BatchProgress` is the whole interface, for whatever runs the articles (this
process, worker processes, another engine):

- ``done(status)`` when an article's line is written (``status``: ok, partial, failed);
- ``article(key)`` for the listener of one article's stages
  (:class:`copydesk.progress.Listener`), when the stages run where the bar can hear them;
- ``finished(key)`` when that article's check is over (its share then counts whole until
  ``done``).

:func:`progress_bar` starts and stops one on stderr; inside it :func:`current` is the bar
(how :func:`copydesk.batch.article.check_one` finds it without being handed it).
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..progress import Listener, StageEvent, clock_time

_current: contextvars.ContextVar[BatchProgress | None] = contextvars.ContextVar(
    "copydesk_batch_progress", default=None
)


def current() -> BatchProgress | None:
    """The bar of the batch running in this context, if it shows one."""
    return _current.get()


@dataclass
class _Share:
    """How far one article being checked has got."""

    planned: int = 0
    done: int = 0
    finished: bool = False

    @property
    def fraction(self) -> float:
        if self.finished:
            return 1.0
        # A stage may end that was not planned (a summary combined from the parts).
        return min(self.done / self.planned, 0.99) if self.planned else 0.0


class _ArticleStages:
    """The listener of one article's stages, moving the bar."""

    def __init__(self, share: _Share) -> None:
        self.share = share

    def planned(self, stages: int, parts: int) -> None:
        self.share.planned = stages

    def stage(self, event: StageEvent) -> None:
        if not event.started:
            self.share.done += 1


class BatchProgress:
    """Articles done of ``total``, with the articles being checked counted by their stages
    done; the rate and the time left from the average since the bar started. ``clock`` is
    what it reads the time from (injected in tests)."""

    def __init__(self, total: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.total = total
        self.clock = clock
        self.started = clock()
        self.articles_done = 0
        self.stages_done = 0
        self.trouble = {"partial": 0, "failed": 0}
        self._shares: dict[Any, _Share] = {}

    # what the engine tells ----------------------------------------------------------

    def article(self, key: Any) -> Listener:
        """The listener of article ``key``'s stages."""
        share = self._shares.setdefault(key, _Share())
        return _Counting(self, share)

    def finished(self, key: Any) -> None:
        """Article ``key``'s check is over; its line is about to be written."""
        if key in self._shares:
            self._shares[key].finished = True

    def done(self, status: str, key: Any = None) -> None:
        """An article's line is written (``key``: which, if its stages were followed)."""
        share = self._shares.pop(key, None) if key is not None else None
        if share is None:  # the oldest finished one, else none was followed
            oldest = next((k for k, s in self._shares.items() if s.finished), None)
            if oldest is not None:
                del self._shares[oldest]
        self.articles_done += 1
        if status in self.trouble:
            self.trouble[status] += 1

    __call__ = done  # ``advance(status)``, as the engines have always called it

    # what the bar shows -------------------------------------------------------------

    @property
    def completed(self) -> float:
        """Articles done, in articles: whole ones plus the shares of those in progress."""
        # A list first: the bar is drawn from another thread while articles come and go.
        shares = list(self._shares.values())
        return min(self.articles_done + sum(s.fraction for s in shares), self.total)

    def rate(self) -> float | None:
        """Articles a second so far; ``None`` until something is done."""
        elapsed = self.clock() - self.started
        return self.completed / elapsed if self.completed and elapsed > 0 else None

    def eta(self) -> float | None:
        """Seconds left at the rate so far; ``None`` until there is a rate."""
        rate = self.rate()
        return (self.total - self.completed) / rate if rate else None

    def line(self) -> str:
        """Everything but the bar, in words: done, stages, rate, elapsed, time left."""
        parts = [f"{self.articles_done}/{self.total}"]
        if self.stages_done:
            parts.append(f"{self.stages_done} stages done")
        rate = self.rate()
        if rate is None:
            parts.append("–/s")
        elif rate >= 0.1:
            parts.append(f"{rate:.1f} articles/s")
        else:
            parts.append(f"{1 / rate:.0f} s an article")
        parts.append(clock_time(self.clock() - self.started))
        eta = self.eta()
        parts.append(f"eta {clock_time(eta) if eta is not None else '-:--:--'}")
        trouble = ", ".join(f"{n} {s}" for s, n in self.trouble.items() if n)
        return " · ".join(parts) + (f" · {trouble}" if trouble else "")

    def __rich__(self) -> Any:
        from rich.progress_bar import ProgressBar
        from rich.table import Table

        grid = Table.grid(padding=(0, 1))
        grid.add_row(
            "checking",
            ProgressBar(total=self.total, completed=self.completed, width=30),
            self.line(),
        )
        return grid


class _Counting(_ArticleStages):
    """An article's listener that also counts the batch's stages done."""

    def __init__(self, bar: BatchProgress, share: _Share) -> None:
        super().__init__(share)
        self.bar = bar

    def stage(self, event: StageEvent) -> None:
        super().stage(event)
        if not event.started:
            self.bar.stages_done += 1


@contextlib.contextmanager
def progress_bar(
    enabled: bool, total: int, *, console: Any = None, clock: Callable[[], float] = time.monotonic
) -> Iterator[BatchProgress]:
    """A :class:`BatchProgress` drawn on stderr while the block runs (when ``enabled`` and
    stderr is a terminal; otherwise it counts and draws nothing). Calling it,
    ``advance(status)``, is :meth:`BatchProgress.done`."""
    from rich.console import Console
    from rich.live import Live

    bar = BatchProgress(total, clock=clock)
    console = console or Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield bar
        return
    token = _current.set(bar)  # the articles' checks, started inside, follow it
    try:
        with Live(bar, console=console, refresh_per_second=4, transient=False):
            yield bar
    finally:
        _current.reset(token)
