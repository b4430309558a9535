"""The model pass, on copydesk's scripted fake model: how the plugin handles answers.

``fake_model.answer(prompt, reply)`` scripts what the "model" says to a prompt; requests
still go through the openai client, the plugin's prompt and schema, and copydesk's
validation and grounding. A hand-written answer belongs here, never in a cassette.
"""

from __future__ import annotations

from conftest import ARTICLE, CHECKERS, answer_builtin_prompts, findings, stage
from copydesk.merge import combine

from copydesk_anonymous_sources.plugin import LLM_CONFIDENCE, PROMPT


def source(quote: str, *, named: bool = False, severity: str = "medium") -> dict[str, object]:
    """One item of an ``anonymous_sources`` answer."""
    return {
        "source": "unnamed sources",
        "named": named,
        "quote": quote,
        "explanation": "The closure's history rests on sources the article does not name.",
        "severity": severity,
    }


def request_for(fake_model, prompt: str) -> dict[str, object]:
    """The request the fake model got for ``prompt``."""
    (request,) = [
        r
        for p, r in zip(fake_model.prompts_asked(), fake_model.requests, strict=True)
        if p == prompt
    ]
    return request


def test_the_models_sources_become_grounded_findings_on_their_whole_sentence(
    run_copydesk, fake_model
):
    answer_builtin_prompts(fake_model)
    fake_model.answer(
        PROMPT, {"sources": [source("was delayed to avoid disrupting", severity="high")]}
    )
    report = run_copydesk(ARTICLE, fake_model=fake_model, checkers=["anonymous-sources-llm"])

    (finding,) = findings(report)
    # The model quoted part of the claim; the finding covers the sentence it stands in,
    # attribution included, so it can meet the patterns' finding on the same words.
    assert "was delayed to avoid disrupting" in finding["quote"]
    assert finding["quote"].startswith("Sources close to the authority's board said")
    text = report["article"]["text"]
    assert text[finding["start"] : finding["end"]] == finding["quote"]
    assert finding["detectors"] == ["anonymous-sources-llm"]
    assert (finding["confidence"], finding["severity"]) == (LLM_CONFIDENCE, "high")
    assert stage(report, "anonymous-sources-llm")["status"] == "ok"


def test_a_source_the_model_says_is_named_is_left_out(run_copydesk, fake_model):
    answer_builtin_prompts(fake_model)
    fake_model.answer(
        PROMPT,
        {"sources": [source("Priya Nair told reporters", named=True), source("Experts say")]},
    )
    report = run_copydesk(ARTICLE, fake_model=fake_model, checkers=["anonymous-sources-llm"])
    assert [f["quote"].split(" the detour")[0] for f in findings(report)] == ["Experts say"]


def test_a_quote_that_is_not_in_the_article_is_dropped_and_counted(run_copydesk, fake_model):
    answer_builtin_prompts(fake_model)
    fake_model.answer(PROMPT, {"sources": [source("insiders at the ministry whispered")]})
    report = run_copydesk(ARTICLE, fake_model=fake_model, checkers=["anonymous-sources-llm"])
    assert findings(report) == []
    assert stage(report, "anonymous-sources-llm")["dropped"] == 1


def test_when_both_passes_flag_the_same_words_the_host_merges_them_more_confidently(
    run_copydesk, fake_model
):
    answer_builtin_prompts(fake_model)
    sentence = "Sources close to the authority's board said the closure had been discussed"
    fake_model.answer(PROMPT, {"sources": [source(sentence)]})
    report = run_copydesk(ARTICLE, fake_model=fake_model, checkers=CHECKERS)

    merged = [f for f in findings(report) if len(f["detectors"]) == 2]
    assert len(merged) == 1, "one finding, not two, for the one attribution"
    (finding,) = merged
    assert finding["detectors"] == sorted(CHECKERS)
    assert finding["quote"] == "Sources close to the authority's board said", (
        "the more confident detector's (shorter) quote is kept"
    )
    assert finding["confidence"] == combine([0.6, LLM_CONFIDENCE]) == 0.76
    # The rest are the patterns' alone, at their own confidence.
    assert all(
        f["detectors"] == ["anonymous-sources"] for f in findings(report) if f is not finding
    )


def test_the_prompt_puts_the_article_first_exactly_as_the_built_in_prompts_do(
    run_copydesk, fake_model
):
    answer_builtin_prompts(fake_model)
    fake_model.answer(PROMPT, {"sources": []})
    run_copydesk(ARTICLE, fake_model=fake_model, checkers=["anonymous-sources-llm"])

    ours = request_for(fake_model, PROMPT)["messages"]
    summarise = request_for(fake_model, "summarise")["messages"]
    assert ours[0] == summarise[0], "one system message for all: the prefix cache serves it once"
    assert "Harbour Authority chief executive Priya Nair" in ours[0]["content"]
    assert "sources its claims" in ours[1]["content"]


def test_an_answer_that_never_validates_is_reported_and_the_patterns_still_run(
    run_copydesk, fake_model
):
    answer_builtin_prompts(fake_model)
    fake_model.answer(PROMPT, {"sources": [{"quote": "Experts say"}]})  # fields missing
    report = run_copydesk(ARTICLE, fake_model=fake_model, checkers=CHECKERS, reasks=1)

    llm = stage(report, "anonymous-sources-llm")
    assert llm["status"] == "unparseable"
    assert "'named' is a required property" in llm["reason"]
    assert stage(report, "anonymous-sources")["status"] == "ok"
    assert findings(report), "the deterministic pass's findings are kept"


def test_a_prompts_dir_override_replaces_the_plugins_prompt(run_copydesk, fake_model, tmp_path):
    # A user's override: same name, in a --prompts-dir folder. It keeps the plugin's
    # schema (none beside it) and the shared article-first system message (_base.j2).
    (tmp_path / f"{PROMPT}.j2").write_text(
        '{% extends "_base.j2" %}\n'
        "{% block user %}List only sources granted anonymity outright. "
        'Answer with JSON: {"sources": [...]}{% endblock %}\n'
    )
    answer_builtin_prompts(fake_model)
    fake_model.answer(PROMPT, {"sources": []})
    run_copydesk(
        ARTICLE, fake_model=fake_model, checkers=["anonymous-sources-llm"], prompts_dirs=[tmp_path]
    )
    request = request_for(fake_model, PROMPT)
    assert request["messages"][1]["content"].startswith("List only sources granted anonymity")
