"""What the real model said: the recorded run of the example article, replayed offline.

tests/cassettes/harbour-bridge.yaml holds the embedded model's real answers, recorded by
``python tests/record.py``. Replaying it needs no model, no key and no network.
"""

from __future__ import annotations

import re

import pytest
from conftest import ARTICLE, CASSETTE, CHECKERS, findings, stage
from copydesk import Article
from copydesk.prompt_library import PromptLibrary
from copydesk.recording import read_provenance

from copydesk_anonymous_sources.patterns import find_anonymous_sources
from copydesk_anonymous_sources.plugin import LLM_CONFIDENCE, PROMPT, PROMPTS

pytestmark = pytest.mark.skipif(
    not CASSETTE.is_file(),
    reason=f"{CASSETTE.name} is not recorded yet: run `python tests/record.py` "
    "(it needs copydesk's embedded model)",
)

RERECORD = "re-record it with: python tests/record.py"


def test_the_cassette_holds_real_answers_of_the_embedded_model():
    provenance = read_provenance(CASSETTE)
    assert provenance["model"] == "qwen2.5-coder-1.5b-instruct"
    assert provenance["server"].startswith("llama.cpp")
    assert re.fullmatch(r"[0-9a-f]{64}", provenance["model_sha256"])


def test_the_cassette_was_recorded_from_the_current_prompt():
    recorded = read_provenance(CASSETTE)["prompts"].get(PROMPT)
    current = PromptLibrary(plugin_dirs=[PROMPTS]).digest(PROMPT)
    assert recorded == current, (
        f"{CASSETTE.name} is stale: {PROMPT}.j2 or its schema changed since it was recorded; "
        + RERECORD
    )


@pytest.fixture(scope="module")
def replayed() -> dict:
    from copydesk.testing import run

    return run(ARTICLE, cassette=CASSETTE, checkers=CHECKERS)


def test_the_model_pass_replays_offline_and_validates(replayed):
    llm = stage(replayed, "anonymous-sources-llm")
    assert llm["status"] == "ok", f"{llm['reason']} ({RERECORD})"
    (call,) = [c for c in replayed["calls"] if c["prompt"] == PROMPT]
    assert call["status"] == "ok"
    assert call["model"] == "qwen2.5-coder-1.5b-instruct"


def test_every_attribution_the_patterns_find_is_reported(replayed):
    by_patterns = find_anonymous_sources(Article(ARTICLE.read_text(encoding="utf-8")))
    reported = [f for f in findings(replayed) if "anonymous-sources" in f["detectors"]]
    for expected in by_patterns:
        end = expected.start + len(expected.quote)
        assert any(f["start"] <= expected.start and end <= f["end"] for f in reported), (
            expected.quote
        )


def test_where_the_model_agrees_with_the_patterns_the_finding_is_more_confident(replayed):
    both = [f for f in findings(replayed) if f["detectors"] == sorted(CHECKERS)]
    assert both, "the model flagged none of the attributions the patterns found"
    for finding in both:
        assert finding["confidence"] > max(0.6, LLM_CONFIDENCE)
