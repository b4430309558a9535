"""bench/factcheck.py on a tiny FRANK-shaped file: the figures it prints and writes."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from copydesk.host import load_host
from copydesk.settings import Settings
from copydesk.testing import FakeModel, FakeProvider

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
    desk = factcheck.make_desk("no_model")
    try:
        flags = [factcheck.check(desk, r).flagged for r in RECORDS]
    finally:
        desk.close()
    assert flags == [False, True, False, True]


def test_the_script_writes_balanced_accuracy_per_data_set_and_the_baseline(tmp_path, capsys):
    data = tmp_path / "frank.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    out = tmp_path / "out.json"
    assert factcheck.main(["--frank", str(data), "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["no_model"]["cnndm"]["balanced_accuracy"] == 1.0
    assert report["no_model"]["bbc"]["balanced_accuracy"] == 1.0
    assert report["no_model_cost"]["model_calls_per_summary"] == 0
    assert set(report["baseline_absent_content_words"]) == {"bbc", "bbc/OLD", "cnndm", "cnndm/OLD"}
    assert "cnndm/OLD" in capsys.readouterr().out


def test_the_model_alone_and_merged_are_scored_on_the_models_sample_with_their_costs():
    """The model says every summary is not in the article: alone it flags all four; merged,
    the figures that support the faithful two outweigh it (the host's merge)."""
    fake = FakeModel().answer(
        "verify_claims",
        {"verdicts": [{"statement": 1, "evidence": "", "verdict": "not_found",
                       "explanation": "The article does not say it."}]},
    )  # fmt: skip
    host = load_host()
    host.components["provider"]["fake"] = FakeProvider(fake)

    def desk_for(mode):
        return factcheck.make_desk(mode, host, Settings(provider="fake"))

    report = factcheck.evaluate(RECORDS, model_records=RECORDS, desk_for=desk_for)
    for mode in ("no_model", "model_only", "merged"):
        assert set(report[mode]) >= {"cnndm", "bbc"}
    assert report["model_only"]["cnndm"]["flagged"] == 2
    assert report["model_only"]["cnndm"]["balanced_accuracy"] == 0.5
    assert report["merged"]["cnndm"]["balanced_accuracy"] == 1.0
    assert report["merged"]["bbc"]["balanced_accuracy"] == 1.0
    # one call a one-sentence summary; merged asks nothing new (the response cache)
    assert report["model_only_cost"]["model_calls_per_summary"] == 1
    assert report["merged_cost"]["model_calls_per_summary"] == 0
    assert fake.prompts_asked() == ["verify_claims"] * 4


def test_a_sample_is_evenly_spaced_within_each_data_set():
    records = [record(f"s{i}", i % 2, "cnndm" if i < 10 else "bbc") for i in range(14)]
    picked = factcheck.sample(records, 2)
    assert [r["summary"] for r in picked] == ["s0", "s5", "s10", "s12"]


def test_balanced_accuracy_weighs_both_classes_alike():
    # 3 unfaithful (label 0), 1 faithful: flagging everything scores 0.5, not 0.75
    assert factcheck.balanced_accuracy([0, 0, 0, 1], [True] * 4) == 0.5
    assert factcheck.balanced_accuracy([0, 0, 0], [True] * 3) is None
