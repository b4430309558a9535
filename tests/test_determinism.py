"""`copydesk check --no-model` gives the same findings whatever the process.

The model-free detectors walk word lists that are sets; if any result depends on the
order a set or dict of strings is walked, it changes with Python's string hash seed
(``PYTHONHASHSEED``), and a CI job gating on ``--fail-on`` passes and fails on the same
commit. These tests run the detectors on varied articles under several hash seeds, each
in its own process, and in two orders in one process, and require identical reports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from copydesk.inputs import read_article
from copydesk.runner import Copydesk
from copydesk.settings import Settings

DATA = Path(__file__).parent / "data"
ARTICLES = [
    Path(__file__).resolve().parent.parent / "samples" / "lavrov-pakistan-2021.txt",
    DATA / "short-article.txt",
    *sorted((DATA / "varied").glob("*.txt")),
]
#: Seeds 2 and 4 once made "told" its own lemma, so speech after "X told Y:" was read as
#: the reporter's voice; 0 and 1 did not. Five seeds cover both kinds of process.
SEEDS = (0, 1, 2, 3, 4)
NO_MODEL_JSON = ("--no-model", "--format", "json", "-o")


def _stable(report: dict[str, Any]) -> dict[str, Any]:
    """The report less what is timed: how long each stage took differs run to run."""
    report = dict(report)
    report["stages"] = [{k: v for k, v in s.items() if k != "seconds"} for s in report["stages"]]
    report.pop("timing", None)
    return report


def _check_in_process(seed: int, out: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    subprocess.run(
        [sys.executable, "-m", "copydesk", "check", *map(str, ARTICLES), *NO_MODEL_JSON, str(out)],
        check=True,
        env=env,
        capture_output=True,
        timeout=120,
    )
    return {p.name: _stable(json.loads(p.read_text())) for p in sorted(out.iterdir())}


def test_the_same_findings_under_every_string_hash_seed(tmp_path: Path) -> None:
    reports = {seed: _check_in_process(seed, tmp_path / f"seed-{seed}") for seed in SEEDS}
    first = reports[SEEDS[0]]
    assert len(first) == len(ARTICLES)
    assert any(r["findings"] for r in first.values())  # there is something to compare
    for seed in SEEDS[1:]:
        for name, report in first.items():
            assert reports[seed][name]["findings"] == report["findings"], (name, seed)
            assert reports[seed][name] == report, (name, seed)


def _findings_by_article(order: list[Path]) -> dict[str, list[dict[str, Any]]]:
    desk = Copydesk(Settings.resolve(), use_model=False)
    try:
        return {
            p.name: [f.to_dict() for f in desk.check(read_article(str(p))).findings] for p in order
        }
    finally:
        desk.close()


def test_an_article_gets_the_same_findings_whatever_was_checked_before_it() -> None:
    forward = _findings_by_article(ARTICLES)
    backward = _findings_by_article(ARTICLES[::-1])
    assert forward == backward


@pytest.mark.parametrize("seed", [2, 4])
def test_speech_after_told_is_not_the_reporters_voice(seed: int) -> None:
    """The case that showed the bug: "badly" is inside the couple's words, which follow
    "The couple told a local radio station:"."""
    code = (
        "import json, sys\n"
        "from copydesk.inputs import read_article\n"
        "from copydesk.plugins.loaded_language import find_loaded_words\n"
        "from copydesk.plugins.text_helpers import report_verb\n"
        "article = read_article(sys.argv[1])\n"
        "quoted = [article.text[h.phrase.start:h.phrase.end] for h in find_loaded_words(article)]\n"
        "print(json.dumps([report_verb('told'), quoted]))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    out = subprocess.run(
        [sys.executable, "-c", code, str(DATA / "varied" / "trail-markers.txt")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    lemma, loaded = json.loads(out.stdout)
    assert lemma == "tell"
    assert not any("badly" in q for q in loaded), loaded
    assert any("surprisingly" in q for q in loaded), loaded  # the reporter's own word
