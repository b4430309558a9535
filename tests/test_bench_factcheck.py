"""bench/factcheck.py on a tiny FRANK-shaped file: the figures it prints and writes."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "factcheck.py"
spec = importlib.util.spec_from_file_location("factcheck_bench", BENCH)
assert spec and spec.loader
factcheck = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = factcheck  # its dataclasses look their module up there
spec.loader.exec_module(factcheck)

ARTICLE = (
    "The city council approved a budget of $1.2 million for the bridge on Monday. "
    "Mayor Ana Ruiz said work would start in March. About 240 residents attended."
)


def record(summary: str, label: int, dataset: str = "cnndm", era: str = "OLD") -> dict:
    return {
        "article": ARTICLE,
        "summary": summary,
        "summary_sentences": [summary],
        "label": label,
        "dataset": dataset,
        "era": era,
        "model_name": "test",
    }


RECORDS = [
    record("The council approved $1.2 million for the bridge on Monday.", 1),
    record("The council approved $2.5 million for the bridge on Monday.", 0),
    record("Mayor Ana Ruiz said work would start in March.", 1, "bbc"),
    record("Governor Li Wei said work would start in March.", 0, "bbc"),
]


def test_a_changed_figure_or_an_invented_name_flags_the_summary():
    flags = [factcheck.flagged(factcheck.signals(r)) for r in RECORDS]
    assert flags == [False, True, False, True]


def test_the_script_writes_balanced_accuracy_per_data_set_and_the_baseline(tmp_path, capsys):
    data = tmp_path / "frank.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    out = tmp_path / "out.json"
    assert factcheck.main(["--frank", str(data), "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["no_model"]["cnndm"]["balanced_accuracy"] == 1.0
    assert report["no_model"]["bbc"]["balanced_accuracy"] == 1.0
    assert report["model_calls"] == 0
    assert set(report["baseline_absent_content_words"]) == {"bbc", "bbc/OLD", "cnndm", "cnndm/OLD"}
    assert "cnndm/OLD" in capsys.readouterr().out


def test_balanced_accuracy_weighs_both_classes_alike():
    # 3 unfaithful (label 0), 1 faithful: flagging everything scores 0.5, not 0.75
    assert factcheck.balanced_accuracy([0, 0, 0, 1], [True] * 4) == 0.5
    assert factcheck.balanced_accuracy([0, 0, 0], [True] * 3) is None
