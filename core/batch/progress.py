"""The progress bar on stderr: articles done, rate, time left, failures so far."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def progress_bar(enabled: bool, total: int) -> Iterator[Callable[[str], None]]:
    """A progress bar on stderr (articles, rate, ETA, failures); ``advance(status)``."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:.1f}/s" if speed else "–/s", style="progress.data.speed")

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("checking"),
        BarColumn(),
        MofNCompleteColumn(),
        Rate(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[trouble]}", style="yellow"),
        console=console,
        disable=not enabled or not console.is_terminal,
    )
    task = bar.add_task("checking", total=total, trouble="")
    trouble = {"partial": 0, "failed": 0}

    def advance(status: str) -> None:
        if status in trouble:
            trouble[status] += 1
        shown = ", ".join(f"{n} {s}" for s, n in trouble.items() if n)
        bar.update(task, advance=1, trouble=shown)

    with bar:
        yield advance
