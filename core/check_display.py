"""``copydesk check``'s progress on a terminal: what is running, for how long, and what the
model has generated so far — on stderr, and only when stderr is a terminal.

A check on the embedded model takes minutes on a small CPU; without this the terminal
stays silent all that time. Each stage shows while it runs (with the part of a long
article it reads and how long it has taken) and leaves one line when it ends (how long,
the model calls it made and the tokens they generated, as the model reports them when
an answer is complete); the top line has the article, the time so far and the totals::

    checking lavrov-pakistan-2021.txt · 0:00:35 · 9 of 12 stages done · 2 model calls, 483 tokens generated
      ⠙ claim_extractor llm · part 2 of 3   0:00:21
      ✓ summariser llm  13.2 s · 1 model call, 212 tokens

The clock is injected (``clock``), so a test draws any moment it likes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from .progress import StageEvent, clock_time

MARKS = {"ok": ("✓", "green"), "skipped": ("–", "dim"), "failed": ("✗", "red")}


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


@dataclass
class _Running:
    event: StageEvent
    since: float


class CheckDisplay:
    """Draws one article's check at a time on ``console`` (a :class:`Listener`)."""

    def __init__(
        self,
        console: Console,
        *,
        clock: Callable[[], float] = time.monotonic,
        refresh_per_second: float = 4,
        auto_refresh: bool = True,
    ) -> None:
        self.console = console
        self.clock = clock
        self.refresh_per_second = refresh_per_second
        self.auto_refresh = auto_refresh
        self.name = ""
        self.started = 0.0
        #: The article's model calls answered so far and the tokens they generated.
        self.calls = self.tokens = 0
        self.planned_stages = 0
        self.done = 0
        self.running: dict[tuple[str, str, int | None], _Running] = {}
        self._live: Live | None = None

    # what the pipeline tells (copydesk.progress.Listener) -----------------------------

    def planned(self, stages: int, parts: int) -> None:
        self.planned_stages = stages
        if parts > 1:
            self.console.print(
                Text(f"  {self.name} is long: read in {parts} overlapping parts", "dim")
            )

    def stage(self, event: StageEvent) -> None:
        key = (event.plugin, event.stage, event.part)
        self.calls, self.tokens = event.total_calls, event.total_tokens
        if event.started:
            self.running[key] = _Running(event, self.clock())
        else:
            self.running.pop(key, None)
            self.done += 1
            self.console.print(self.ended_line(event))
        self.refresh()

    # drawing ------------------------------------------------------------------------

    @contextmanager
    def article(self, name: str) -> Iterator[CheckDisplay]:
        """Show the check of article ``name`` while the block runs."""
        self.name, self.started = name, self.clock()
        self.planned_stages = self.done = self.calls = self.tokens = 0
        self.running.clear()
        live = Live(
            self,
            console=self.console,
            refresh_per_second=self.refresh_per_second,
            auto_refresh=self.auto_refresh,
            transient=True,  # the running stages go; each one's closing line stays
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._live = live
        with live:
            yield self
        self._live = None
        self.console.print(self.closing_line())

    def refresh(self) -> None:
        if self._live is not None:
            self._live.refresh()

    def __rich__(self) -> RenderableType:
        return self.renderable()

    def renderable(self) -> RenderableType:
        """What the terminal shows now: the top line and every stage still running."""
        now = self.clock()
        rows = Table.grid(padding=(0, 2))
        rows.add_column()
        rows.add_column(justify="right")
        # A list first: this is drawn from rich's refresh thread while stages come and go.
        for running in sorted(list(self.running.values()), key=lambda r: r.since):
            label = Text(f"{running.event.stage} {running.event.plugin}")
            if running.event.where:
                label.append(f" · {running.event.where}", "cyan")
            spinner = Spinner("dots", label, style="yellow")
            rows.add_row(spinner, Text(clock_time(now - running.since), "dim"))
        return Group(self.top_line(now), rows)

    def top_line(self, now: float) -> Text:
        line = Text("checking ", "bold")
        line.append(self.name, "bold")
        line.append(f" · {clock_time(now - self.started)}")
        if self.planned_stages:
            line.append(f" · {self.done} of {self.planned_stages} stages done")
        if self.calls:
            line.append(f" · {_plural(self.calls, 'model call')}, {self.tokens:,} tokens generated")
        return line

    @staticmethod
    def ended_line(event: StageEvent) -> Text:
        mark, style = MARKS.get(str(event.status), MARKS["failed"])
        line = Text(f"  {mark} ", style)
        line.append(f"{event.stage} {event.plugin}")
        if event.where:
            line.append(f" · {event.where}", "cyan")
        if event.status not in ("ok", "skipped"):
            # The error itself is told once, with the report (not here as well).
            line.append(f" {event.status}", style)
        line.append(f"  {event.seconds:.1f} s", "dim")
        if event.calls:
            line.append(
                f" · {_plural(event.calls, 'model call')}, {event.completion_tokens:,} tokens",
                "dim",
            )
        return line

    def closing_line(self) -> Text:
        line = Text(f"checked {self.name} in {clock_time(self.clock() - self.started)}", "dim")
        if self.calls:
            line.append(
                f": {_plural(self.calls, 'model call')}, {self.tokens:,} tokens generated", "dim"
            )
        return line


def terminal_display(quiet: bool = False, **options: Any) -> CheckDisplay | None:
    """A display on stderr when it is a terminal and not ``quiet``; else ``None``: a
    check piped or redirected, or told to be quiet, prints nothing extra."""
    if quiet:
        return None
    console = Console(stderr=True, highlight=False)
    return CheckDisplay(console, **options) if console.is_terminal else None
