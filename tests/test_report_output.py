"""What the reports say about the run: one numbering of findings in every format, times
that do not mislead, answers from the cache said to be so, a stage's error told once, and
inputs too short to be articles left out of a batch.
"""

from __future__ import annotations

import json
import re

from conftest import valid_answers

from copydesk.cache import DiskCache
from copydesk.cli import cli
from copydesk.components import Capabilities, Endpoint
from copydesk.host import load_host
from copydesk.inputs import MIN_WORDS, read_article
from copydesk.plugins.formats import MarkdownFormat, TerminalFormat, usage_line
from copydesk.plugins.html_report import HTMLFormat
from copydesk.runner import Copydesk
from copydesk.settings import Settings
from copydesk.testing import FakeModel
from copydesk.timing import busy_seconds


def sample_report(runner, sample_path) -> dict:  # type: ignore[no-untyped-def]
    result = runner.invoke(cli, ["check", str(sample_path), "--no-model", "-f", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_finding_has_the_same_number_in_the_terminal_markdown_and_html(runner, sample_path):
    report = sample_report(runner, sample_path)
    assert len({f["severity"] for f in report["findings"]}) > 1, "several severities"
    # The report's own order, numbered from 1: what the JSON's findings[i] is.
    expected = [(i + 1, f["category"]) for i, f in enumerate(report["findings"])]

    terminal = TerminalFormat().render(report)
    markdown = MarkdownFormat().render(report)
    html = HTMLFormat().render(report)
    in_terminal = [
        (int(n), c) for n, c in re.findall(r"#(\d+)\s+(?:HIGH|MEDIUM|LOW)\s+(\w+)", terminal)
    ]
    in_markdown = [(int(n), c) for n, c in re.findall(r"^- #(\d+) \*\*(\w+)\*\*", markdown, re.M)]
    cards = re.findall(r'data-category="(\w+)".*?<span class="num">(\d+)</span>', html, flags=re.S)
    in_html = [(int(n), c) for c, n in cards]
    assert in_terminal == in_markdown == in_html == expected


def test_overlapping_calls_are_not_added_into_a_wall_time():
    # The summary (0-40 s) and the claims (5-50 s) asked together, then a checker.
    assert busy_seconds([(0, 40), (5, 50), (60, 70)]) == 60
    report = {
        "calls": [
            {
                "status": "ok",
                "model": "m",
                "prompt_tokens": 10,
                "completion_tokens": 5,
                "seconds": s,
            }
            for s in (40.0, 45.0, 10.0)
        ],
        "model": {"name": "m"},
        "timing": {
            "run": {"seconds": 72.0},
            "model_busy": {"seconds": 60.0},
            "model_calls": {"seconds": 95.0},
        },
    }
    assert usage_line(report) == (
        "3 model calls to m: 30 prompt tokens (0 cached), 15 completion tokens; "
        "72.0 s in all, 60.0 s of it waiting on the model "
        "(the calls, 95.0 s added up, ran at the same time)"
    )
    # One of them answered from the response cache: said so, in the singular.
    report["calls"][2]["status"] = "cached"
    assert usage_line(report).endswith("; 1 answer from the response cache")


def test_a_report_times_the_run_and_the_model_apart(served, sample_path, runner):
    result = runner.invoke(cli, ["check", str(sample_path), "--checkers", "llm", "-f", "json"])
    timing = json.loads(result.stdout)["timing"]
    run, busy = timing["run"]["seconds"], timing["model_busy"]["seconds"]
    assert 0 < busy <= run
    assert timing["model_calls"]["seconds"] >= busy


class EmbeddedLike:
    """A provider that, like the embedded model, is known offline by its model file and
    starts its server only on a cache miss (here: a fake endpoint)."""

    name = "embedded-like"
    description = "a stand-in for the embedded model"
    sha256 = "ab" * 32

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def capabilities(self, settings: Settings) -> Capabilities:
        return Capabilities(opens_slowly=True)

    def open(self, settings: Settings, *, offline: bool = False) -> Endpoint:
        info = {"server": "llama.cpp via xllamacpp", "model_sha256": self.sha256}
        url = "http://127.0.0.1:9/v1" if offline else self.base_url
        return Endpoint(base_url=url, model="fake-model", info=info)

    def close(self) -> None:
        pass


def test_a_fully_cached_run_says_its_answers_came_from_the_cache(sample_path, tmp_path):
    fake = FakeModel()
    valid_answers(fake)
    with fake.serve() as base_url:
        for _ in range(2):
            host = load_host()
            host.components["provider"]["embedded-like"] = EmbeddedLike(base_url)
            desk = Copydesk(
                Settings(provider="embedded-like"),
                host,
                checkers=["llm"],
                cache=DiskCache(tmp_path / "cache"),
            )
            report = desk.check(read_article(str(sample_path))).to_dict()
    assert len(fake.requests) == 3, "the second run asked nothing"
    assert report["model"]["answers"] == "response cache"
    assert report["model"]["endpoint"] is None, "not the offline shape's 127.0.0.1:9"
    assert {c["endpoint"] for c in report["calls"]} == {"response cache"}
    said = f"fake-model (sha256 {EmbeddedLike.sha256})"
    assert f"all 3 answers came from the response cache, given earlier by {said}" in (
        usage_line(report)
    )
    html = HTMLFormat().render(report)
    assert f"every answer came from the response cache, given earlier by {said}" in html


def test_an_error_that_stops_several_stages_is_told_once(runner, sample_path):
    result = runner.invoke(
        cli,
        [
            *("check", str(sample_path), "--base-url", "http://127.0.0.1:9/v1"),
            *("--model", "m", "--timeout", "1", "--no-cache"),
        ],
    )
    assert result.exit_code == 3
    assert result.stderr.count("cannot reach http://127.0.0.1:9/v1") == 1
    assert "llm (summariser), llm (claim_extractor), llm (checker) and" in result.stderr
    # The terminal report's stages table gives it once too.
    assert result.stdout.count("cannot reach http://127.0.0.1:9/v1") == 1
    assert "the same error as llm (summariser)" in result.stdout


def test_a_batch_skips_an_input_too_short_to_be_an_article(runner, served, sample_path, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "story.txt").write_text(sample_path.read_text())
    (folder / "readme.md").write_text("Notes.\n")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(cli, ["batch", str(folder), "-o", str(out), "--checkers", "llm"])
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    lines = {r["id"].rsplit("/", 1)[-1]: r for r in records}
    skipped = lines["readme.md"]
    assert skipped["status"] == "skipped" and skipped["report"] is None
    assert f"has 1 word, too few for an article ({MIN_WORDS} words or more" in (
        skipped["error"].replace("copydesk checks articles of ", "")
    )
    assert lines["story.txt"]["status"] == "ok"
    assert not any("Notes." in json.dumps(r) for r in served.requests), "never sent"
    assert f"1 too short (under {MIN_WORDS} words), skipped" in result.stderr
    assert " s wall time (" in result.stderr, "the batch's time is the run's, not calls added"


def test_a_report_written_to_a_file_from_a_terminal_has_no_terminal_escapes(sample_path, tmp_path):
    # rich colours what it renders when stdout is a terminal; the file -o names is read
    # in an editor or a diff, so it gets the words alone. A real pseudo-terminal, since
    # the test runner's stdout is never one.
    import os
    import pty
    import subprocess
    import sys

    out = tmp_path / "report.txt"
    command = [sys.executable, "-m", "copydesk", "check", "--no-model", "-q", str(sample_path)]
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [*command, "-o", str(out)],
            stdin=follower,
            stdout=follower,
            stderr=follower,
            timeout=120,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 0
    text = out.read_text(encoding="utf-8")
    assert "Findings:" in text and "bitter" in text
    assert "\x1b" not in text
