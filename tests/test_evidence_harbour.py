"""The fact-check on a test article and the council minutes it was written from
(tests/data/factcheck, both written for these tests): with no model, and replayed from the
cassette recorded from the embedded model (cassettes/factcheck/harbour-council.yaml;
re-record it with ``python tests/record_cassettes.py factcheck/harbour-council``)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import CASSETTES, ROOT

from copydesk.cli import cli
from copydesk.report import grounding_errors, report_problems, schema_errors

DATA = ROOT / "tests" / "data" / "factcheck"
ARTICLE, MINUTES, SUMMARY = (
    DATA / "harbour-article.txt",
    DATA / "harbour-minutes.txt",
    DATA / "harbour-summary.txt",
)
CASSETTE = CASSETTES / "factcheck" / "harbour-council.yaml"
HEADLINE = "Council approves 24m ferry terminal"


def no_model_report(*extra: str) -> dict:
    result = CliRunner().invoke(
        cli, ["check", str(ARTICLE), "--source", str(MINUTES), "--no-model", "-f", "json", *extra]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report_problems(report) == []
    return report


def test_a_misquote_with_a_negation_added_and_a_word_changed_is_flagged_with_the_original():
    report = no_model_report()
    [misquote] = [f for f in report["findings"] if f["category"] == "misquote"]
    assert misquote["severity"] == "high"
    assert misquote["quote"] == "We will not raise fares for residents this summer,"
    text = ARTICLE.read_text()
    assert text[misquote["start"] : misquote["end"]] == misquote["quote"]
    assert 'a negation added: "not" is not in the source' in misquote["explanation"]
    assert 'the source has "visitors" where the article has "residents"' in misquote["explanation"]
    [original] = misquote["evidence"]
    assert original["quote"] == "We will raise fares for visitors this summer"
    minutes = MINUTES.read_text()
    assert minutes[original["start"] : original["end"]] == original["quote"]
    assert misquote["suggestion"] == (
        'Quote the source\'s words: "We will raise fares for visitors this summer".'
    )


def test_a_changed_weekday_is_contradicted_by_the_minutes_with_no_model():
    report = no_model_report()
    [contradicted] = [f for f in report["findings"] if f["category"] == "contradicted_claim"]
    assert "Tuesday" in contradicted["quote"]
    assert (
        '"Tuesday" disagrees with the source (harbour-minutes.txt), which has "Monday"'
        in (contradicted["explanation"])
    )


@pytest.mark.skipif(not CASSETTE.exists(), reason="record it: tests/record_cassettes.py")
def test_the_recorded_fact_check_replays_with_no_model_and_every_evidence_quote_at_its_offsets(
    tmp_path,
):
    out = tmp_path / "r.json"
    env = {"PATH": "", "HOME": str(tmp_path), "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
           "COPYDESK_MODELS_DIR": str(tmp_path / "no-models"), "COPYDESK_CONFIG": str(tmp_path / "none.toml"),
           "COPYDESK_LOAD_PLUGINS": ""}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "copydesk", "check", str(ARTICLE.relative_to(ROOT)),
         "--source", str(MINUTES.relative_to(ROOT)), "--summary", str(SUMMARY.relative_to(ROOT)),
         "--headline", HEADLINE, "--replay", str(CASSETTE), "--format", "json", "--output", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert schema_errors(report) == [] and grounding_errors(report) == []
    assert report["model"]["name"] == "qwen2.5-coder-1.5b-instruct"
    assert "verify_claims" in {c["prompt"] for c in report["calls"]}
    # every piece of evidence is its document's words at its offsets
    documents = {"tests/data/factcheck/harbour-minutes.txt": MINUTES.read_text(),
                 "tests/data/factcheck/harbour-article.txt": ARTICLE.read_text()}  # fmt: skip
    items = [*report["findings"], *[c["verification"] or {} for c in report["claims"]]]
    items += [s["verification"] for g in report["given"] for s in g["statements"]]
    evidence = [e for item in items for e in item.get("evidence") or []]
    assert evidence
    for e in evidence:
        assert documents[e["document"]][e["start"] : e["end"]] == e["quote"], e
    # the misquote needs no model, and is there in the recorded run too
    assert "misquote" in {f["category"] for f in report["findings"]}
    assert {g["target"] for g in report["given"]} == {"given_summary", "headline"}
