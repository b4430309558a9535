"""Progress on stderr: ``copydesk check`` shows each stage as it runs and ends on a
terminal, and nothing when stderr is not one or with ``--quiet``; ``copydesk batch``'s bar
moves within an article and gives a rate and an ETA as soon as a stage has ended.

Drawn on a fake terminal (a rich console writing to a string, told it is a terminal) at
the moments an injected clock says: no test waits on wall time.
"""

from __future__ import annotations

import io
import json

from rich.console import Console

from copydesk.batch.progress import BatchProgress
from copydesk.check_display import CheckDisplay
from copydesk.checking import run_check
from copydesk.cli import cli, get_host
from copydesk.progress import StageEvent


class Clock:
    """The time is what the test says it is."""

    def __init__(self, now: float = 500.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def fake_terminal() -> Console:
    return Console(file=io.StringIO(), force_terminal=True, width=120, record=True)


def drawn(renderable: object) -> str:
    """What a terminal shows for ``renderable``, as plain text."""
    console = Console(file=io.StringIO(), width=120, color_system=None)
    with console.capture() as capture:
        console.print(renderable)
    return capture.get()


def test_a_long_article_shows_its_stages_their_parts_the_time_and_the_tokens():
    clock = Clock()
    terminal = fake_terminal()
    display = CheckDisplay(terminal, clock=clock, auto_refresh=False)
    with display.article("long-report.txt") as progress:
        progress.planned(stages=7, parts=3)
        progress.stage(StageEvent("llm", "summariser", part=0, parts=3))
        progress.stage(StageEvent("llm", "claim_extractor", part=1, parts=3))
        clock.now += 75

        now = drawn(display.renderable())
        assert "checking long-report.txt · 0:01:15 · 0 of 7 stages done" in now
        assert "summariser llm · part 1 of 3" in now
        assert "claim_extractor llm · part 2 of 3" in now
        assert "0:01:15" in now.splitlines()[1], "how long the stage has run"

        progress.stage(
            StageEvent(
                *("llm", "summariser", 0, 3),
                status="ok",
                seconds=75.0,
                calls=1,
                completion_tokens=212,
                total_calls=1,
                total_tokens=212,
            )
        )
        clock.now += 5
        now = drawn(display.renderable())
        assert "1 of 7 stages done · 1 model call, 212 tokens generated" in now
        assert "summariser" not in now, "a stage that ended no longer shows as running"

        progress.stage(
            StageEvent(
                *("llm", "claim_extractor", 1, 3),
                status="failed",
                seconds=80.0,
                total_calls=2,
                total_tokens=1092,  # a call whose answer never validated counts too
            )
        )
    shown = terminal.export_text()
    assert "long-report.txt is long: read in 3 overlapping parts" in shown
    assert "✓ summariser llm · part 1 of 3  75.0 s · 1 model call, 212 tokens" in shown
    assert "✗ claim_extractor llm · part 2 of 3 failed  80.0 s" in shown
    assert "checked long-report.txt in 0:01:20: 2 model calls, 1,092 tokens generated" in shown


def test_a_check_on_a_terminal_draws_every_stage_of_the_run(served, sample_path):
    terminal = fake_terminal()
    display = CheckDisplay(terminal, auto_refresh=False)
    (result,) = run_check(get_host(), [str(sample_path)], display=display, checkers="llm")
    shown = terminal.export_text()
    for stage in ("summariser llm", "claim_extractor llm", "checker llm"):
        assert f"✓ {stage}" in shown
    assert "checked lavrov-pakistan-2021.txt in 0:00:0" in shown
    assert "3 model calls" in shown
    assert result["report"]["findings"], "the report is what it would be without the display"


def test_progress_is_drawn_only_on_a_terminal_and_never_with_quiet(runner, served, sample_path):
    args = ["check", str(sample_path), "--checkers", "llm", "--no-cache", "-f", "json"]
    piped = runner.invoke(cli, args)
    on_terminal = runner.invoke(cli, args, env={"FORCE_COLOR": "1"})
    quiet = runner.invoke(cli, [*args, "--quiet"], env={"FORCE_COLOR": "1"})
    assert piped.exit_code == on_terminal.exit_code == quiet.exit_code == 0
    assert "✓ summariser llm" in on_terminal.stderr
    assert piped.stderr == "" and quiet.stderr == ""
    assert json.loads(piped.stdout)["findings"] == json.loads(quiet.stdout)["findings"]


def test_the_batch_bar_moves_within_an_article_and_estimates_from_the_first_stage():
    clock = Clock()
    bar = BatchProgress(total=3, clock=clock)
    assert bar.line() == "0/3 · –/s · 0:00:00 · eta -:--:--"

    stages = bar.article("a.txt")
    stages.planned(4, 1)
    stages.stage(StageEvent("llm", "summariser"))
    clock.now += 60
    stages.stage(StageEvent("llm", "summariser", status="ok", seconds=60.0))
    assert bar.completed == 0.25, "one stage of four: a quarter of an article"
    assert bar.line() == "0/3 · 1 stages done · 240 s an article · 0:01:00 · eta 0:11:00"

    for _ in range(3):
        stages.stage(StageEvent("llm", "checker", status="ok"))
    bar.finished("a.txt")  # its check is over ...
    clock.now += 180
    bar.done("partial")  # ... and its line written, as the batch calls it
    assert bar.completed == 1.0
    assert (
        bar.line() == "1/3 · 4 stages done · 240 s an article · 0:04:00 · eta 0:08:00 · 1 partial"
    )


def test_an_engine_that_only_says_articles_are_done_still_gets_a_rate():
    clock = Clock()
    bar = BatchProgress(total=4, clock=clock)
    clock.now += 2
    for status in ("ok", "ok", "failed"):
        bar(status)  # advance(status): worker processes report only whole articles
    assert bar.line() == "3/4 · 1.5 articles/s · 0:00:02 · eta 0:00:00 · 1 failed"
    assert round(bar.eta() or 0, 3) == 0.667


def test_copydesk_batch_on_a_terminal_shows_stages_done(runner, served, sample_path, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("one", "two"):
        (folder / f"{name}.txt").write_text(sample_path.read_text().replace("Lavrov", name))
    result = runner.invoke(
        cli,
        ["batch", str(folder), "-o", str(tmp_path / "out.jsonl"), "--checkers", "llm"],
        env={"FORCE_COLOR": "1"},
    )
    assert result.exit_code == 0, result.stderr
    assert "2/2" in result.stderr and "stages done" in result.stderr
