"""The pipeline on a scripted in-process model: validation, re-asks, grounding, isolation.

Requests go through the real openai client and copydesk's own validation; only the
server is fake (``copydesk.testing.FakeModel``), which is what lets each test script
exactly the bad answer it is about.
"""

from __future__ import annotations

import asyncio
import threading

import pytest
from conftest import valid_answers

import copydesk
from copydesk.testing import FakeReply


def stage(report, plugin, kind):
    (found,) = [s for s in report["stages"] if s["plugin"] == plugin and s["stage"] == kind]
    return found


def test_a_clean_run_reports_summary_claims_findings_and_every_call(
    run_copydesk, fake_model, sample_path
):
    valid_answers(fake_model)
    report = run_copydesk(sample_path, fake_model=fake_model, checkers=["llm"])
    assert report["summary"]["text"].startswith("Russia will supply")
    assert report["summary"]["call_ids"] == [
        c["id"] for c in report["calls"] if c["prompt"] == "summarise"
    ]
    assert [c["quote"] for c in report["claims"]] == [
        "Russia and Pakistan have been holding annually the joint exercise – DRUZHBA – since 2016."
    ]
    assert all(s["status"] == "ok" for s in report["stages"])
    assert sorted(c["prompt"] for c in report["calls"]) == ["check", "claims", "summarise"]
    assert all(c["attempts"] == 1 and c["status"] == "ok" for c in report["calls"])


def test_an_answer_that_fails_the_schema_is_re_asked_with_the_errors(
    run_copydesk, fake_model, sample_path
):
    valid_answers(fake_model)
    fake_model.answer(
        "summarise", {"summary": 42}, {"summary": "Russia will supply Pakistan with equipment."}
    )
    report = run_copydesk(sample_path, fake_model=fake_model, checkers=["llm"])
    (call,) = [c for c in report["calls"] if c["prompt"] == "summarise"]
    assert call["attempts"] == 2 and call["status"] == "ok"
    reask = [r for r in fake_model.requests if FakeModelPrompt(r) == "summarise"][1]
    assert "summary: 42 is not of type 'string'" in reask["messages"][-1]["content"]


def test_output_that_never_validates_is_unparseable_and_keeps_the_raw_answer(
    run_copydesk, fake_model, sample_path
):
    valid_answers(fake_model)
    fake_model.answer("claims", "{not json at all")
    report = run_copydesk(sample_path, fake_model=fake_model, checkers=["llm"], reasks=2)
    claims = stage(report, "llm", "claim_extractor")
    assert claims["status"] == "unparseable"
    assert claims["raw"] == "{not json at all"
    assert "not valid JSON" in claims["reason"]
    assert report["claims"] == []
    assert report["summary"] is not None, "the summariser's success is kept"
    (call,) = [c for c in report["calls"] if c["prompt"] == "claims"]
    assert call["attempts"] == 3 and call["status"] == "unparseable"


def test_an_answer_cut_off_at_max_tokens_is_not_valid_output(run_copydesk, fake_model, sample_path):
    valid_answers(fake_model)
    cut = FakeReply(
        content='{"summary": "Russia will supply Pakistan with equipment."}', finish_reason="length"
    )
    fake_model.answer("summarise", cut)
    report = run_copydesk(sample_path, fake_model=fake_model, checkers=["llm"], reasks=1)
    assert stage(report, "llm", "summariser")["status"] == "unparseable"
    assert "finish_reason=length" in stage(report, "llm", "summariser")["reason"]
    assert report["summary"] is None


def test_a_quote_that_is_not_in_the_article_is_dropped_and_counted(
    run_copydesk, fake_model, sample_path
):
    valid_answers(fake_model)
    fake_model.answer(
        "check",
        {
            "issues": [
                {
                    "category": "loaded_language",
                    "quote": "a sinister new axis",
                    "explanation": "Invented.",
                    "suggestion": "",
                    "severity": "high",
                },
                {
                    "category": "missing_detail",
                    "quote": "unspecified 'special' military equipment",
                    "explanation": "Vague.",
                    "suggestion": "",
                    "severity": "medium",
                },
            ]
        },
    )
    report = run_copydesk(sample_path, fake_model=fake_model, checkers=["llm"])
    assert [f["quote"] for f in report["findings"]] == ['unspecified "special" military equipment']
    assert stage(report, "llm", "checker")["dropped"] == 1
    assert report["dropped"] == [
        {"plugin": "llm", "kind": "finding", "quote": "a sinister new axis"}
    ]


def test_page_furniture_is_never_a_source_of_quotes(run_copydesk, fake_model, sample_path):
    valid_answers(fake_model)
    furniture_only = "India, Sri Lanka decide to ramp up defence, energy, trade ties"
    fake_model.answer(
        "check",
        {
            "issues": [
                {
                    "category": "loaded_language",
                    "quote": furniture_only,
                    "explanation": "x" * 6,
                    "suggestion": "",
                    "severity": "low",
                }
            ]
        },
    )
    report = run_copydesk(sample_path, fake_model=fake_model, checkers=["llm"])
    assert report["findings"] == []
    assert furniture_only not in fake_model.requests[0]["messages"][0]["content"]
    (excluded,) = report["article"]["excluded"]
    assert "Other Related News" in report["article"]["text"][excluded["start"] : excluded["end"]]


@copydesk.checker(categories=("loaded_language",))
async def exploding(ctx):
    raise RuntimeError("boom")


@copydesk.checker("wrong-type", categories=("loaded_language",))
def wrong_type(ctx):
    return "not a list"


@copydesk.checker(categories=("loaded_language",))
async def hanging(ctx):
    await asyncio.sleep(3600)


@copydesk.checker(categories=("loaded_languages",))
def misspelt(ctx):
    """Declares one category, reports another: the two would never merge."""
    return [copydesk.Finding("loaded_language", "bitter Cold War rivals", "Loaded.")]


#: The thread each plain-function checker ran in, by name.
THREADS: dict[str, str] = {}


@copydesk.checker(categories=("loaded_language",))
def in_a_thread(ctx):
    THREADS["in-a-thread"] = threading.current_thread().name
    return [copydesk.Finding("loaded_language", "bitter Cold War rivals", "Loaded.")]


class OldStyle:
    """A plugin API 1 checker: check(article, summary, claims, ctx)."""

    name = "old-style"
    categories = ("loaded_language",)
    needs_model = False

    async def check(self, article, summary, claims, ctx):
        assert ctx.article is article and ctx.claims == claims
        return [copydesk.Finding("loaded_language", "bitter Cold War rivals", "Loaded.")]


class BadPlugins:
    @copydesk.hookimpl
    def register_checkers(self, register):
        for checker in (exploding, wrong_type, hanging, misspelt, in_a_thread):
            register(checker)
        with pytest.warns(DeprecationWarning, match="'old-style' of plugin 'bad-plugins'"):
            register(OldStyle())


@pytest.fixture
def bad_plugins(monkeypatch):
    from copydesk import host as host_module

    original = host_module.Host.load_builtins

    def with_bad(self):
        original(self)
        self.register_plugin(BadPlugins(), "bad-plugins", version="0", source="test")

    monkeypatch.setattr(host_module.Host, "load_builtins", with_bad)


def test_a_plugin_that_raises_or_returns_the_wrong_type_is_isolated(
    bad_plugins, run_copydesk, fake_model, sample_path
):
    valid_answers(fake_model)
    report = run_copydesk(
        sample_path, fake_model=fake_model, checkers=["llm", "exploding", "wrong-type"]
    )
    assert stage(report, "exploding", "checker")["status"] == "failed"
    assert "RuntimeError: boom" in stage(report, "exploding", "checker")["reason"]
    assert "must return a list of Finding" in stage(report, "wrong-type", "checker")["reason"]
    assert stage(report, "llm", "checker")["status"] == "ok"
    assert report["findings"], "the healthy checker's findings are kept"


def test_a_finding_of_a_category_its_checker_did_not_declare_fails_the_stage(
    bad_plugins, run_copydesk, sample_path
):
    report = run_copydesk(sample_path, use_model=False, checkers=["misspelt", "loaded-words"])
    reason = stage(report, "misspelt", "checker")["reason"]
    assert stage(report, "misspelt", "checker")["status"] == "failed"
    assert "findings of 'loaded_language', not among the categories it declares" in reason
    assert "(loaded_languages)" in reason
    assert stage(report, "loaded-words", "checker")["status"] == "ok"


def test_a_plain_function_checker_runs_in_a_worker_thread_not_on_the_event_loop(
    bad_plugins, run_copydesk, sample_path
):
    report = run_copydesk(sample_path, use_model=False, checkers=["in-a-thread"])
    assert THREADS["in-a-thread"] != threading.main_thread().name
    assert [f["detectors"] for f in report["findings"]] == [["in-a-thread"]]


def test_a_plugin_api_1_checker_still_runs_with_the_summary_and_claims_as_arguments(
    bad_plugins, run_copydesk, fake_model, sample_path
):
    valid_answers(fake_model)
    report = run_copydesk(sample_path, fake_model=fake_model, checkers=["old-style"])
    assert stage(report, "old-style", "checker")["status"] == "ok"
    assert [f["quote"] for f in report["findings"]] == ["bitter Cold War rivals"]


def test_a_plugin_that_hangs_is_stopped_and_named_and_the_run_goes_on(
    bad_plugins, run_copydesk, fake_model, sample_path
):
    valid_answers(fake_model)
    report = run_copydesk(
        sample_path, fake_model=fake_model, checkers=["llm", "hanging"], plugin_timeout=0.5
    )
    hanging = stage(report, "hanging", "checker")
    assert hanging["status"] == "failed"
    assert "hanging (bad-plugins) did not finish within 0.5 s" in hanging["reason"]
    assert stage(report, "llm", "checker")["status"] == "ok"


def test_copydesk_trace_plugins_logs_hook_calls_and_stages(
    monkeypatch, capsys, run_copydesk, fake_model, sample_path
):
    monkeypatch.setenv("COPYDESK_TRACE_PLUGINS", "1")
    valid_answers(fake_model)
    run_copydesk(sample_path, fake_model=fake_model, checkers=["llm"])
    err = capsys.readouterr().err
    assert "copydesk trace: register_checkers" in err
    assert "copydesk trace: checker 'llm' (copydesk.llm_checker) started" in err
    assert "copydesk trace: summariser 'llm' ended: ok" in err


def test_summary_and_claims_run_at_the_same_time_and_then_the_checkers(
    run_copydesk, fake_model, sample_path
):
    valid_answers(fake_model)
    fake_model.answer(
        "summarise",
        FakeReply(content={"summary": "Russia will supply Pakistan with equipment."}, delay=0.2),
    )
    fake_model.answer("claims", FakeReply(content={"claims": []}, delay=0.2))
    run_copydesk(sample_path, fake_model=fake_model, checkers=["llm"])
    assert fake_model.max_in_flight == 2
    assert fake_model.prompts_asked()[-1] == "check", "checkers wait for the summary and claims"


def test_a_rate_limit_is_retried_honouring_retry_after(run_copydesk, fake_model, sample_path):
    valid_answers(fake_model)
    limited = FakeReply(
        status=429, content={"error": {"message": "slow down"}}, headers={"retry-after": "0"}
    )
    fake_model.answer(
        "summarise", limited, {"summary": "Russia will supply Pakistan with equipment."}
    )
    report = run_copydesk(sample_path, fake_model=fake_model, checkers=["llm"], max_retries=2)
    (call,) = [c for c in report["calls"] if c["prompt"] == "summarise"]
    assert call["status"] == "ok" and call["retries"] == 1


def test_a_refused_key_fails_the_stages_with_a_message_that_says_what_to_check(
    run_copydesk, fake_model, sample_path
):
    denied = FakeReply(status=401, content={"error": {"message": "invalid api key"}})
    for prompt in ("summarise", "claims", "check"):
        fake_model.answer(prompt, denied)
    report = run_copydesk(sample_path, fake_model=fake_model, checkers=["llm"])
    reasons = {s["reason"] for s in report["stages"]}
    assert all(s["status"] == "failed" for s in report["stages"])
    assert any("refused the API key (HTTP 401)" in r and "OPENAI_API_KEY" in r for r in reasons)


def test_checkers_still_run_when_the_summariser_failed(run_copydesk, fake_model, sample_path):
    valid_answers(fake_model)
    fake_model.answer(
        "summarise", FakeReply(status=400, content={"error": {"message": "bad request"}})
    )
    report = run_copydesk(sample_path, fake_model=fake_model, checkers=["llm"])
    assert report["summary"] is None
    assert stage(report, "llm", "checker")["status"] == "ok"
    check_request = next(r for r in fake_model.requests if FakeModelPrompt(r) == "check")
    assert "The summary to check" not in check_request["messages"][1]["content"]


def FakeModelPrompt(request):
    return request["response_format"]["json_schema"]["name"]


def test_the_schema_sent_to_the_server_leaves_out_what_slows_grammar_sampling():
    from copydesk.model import response_schema

    schema = {
        "type": "object",
        "properties": {
            "format": {"type": "string", "maxLength": 5, "pattern": "^a"},
            "items": {"type": "array", "maxItems": 3, "items": {"type": "string", "minLength": 1}},
        },
        "required": ["format", "items"],
    }
    assert response_schema(schema) == {
        "type": "object",
        "properties": {
            "format": {"type": "string"},
            "items": {"type": "array", "maxItems": 3, "items": {"type": "string"}},
        },
        "required": ["format", "items"],
    }


REPEATED = (
    'The minister called the plan "a reckless gamble" when she opened the harbour.\n'
    "The council pressed ahead with the reckless gamble of closing the port, costing dock jobs.\n"
)


def test_the_model_checker_judges_a_repeated_quote_where_the_host_grounds_it(
    run_copydesk, fake_model
):
    """One grounding rule: ``ctx.locate(finding)`` is where the host puts the finding, so the
    model checker's "is it inside a quotation?" is asked of the words the report shows,
    not of the quote's first occurrence."""
    fake_model.answer("summarise", {"summary": "The council closed the port."})
    fake_model.answer("claims", {"claims": []})
    loaded = {
        "category": "loaded_language",
        "quote": "reckless gamble",
        "explanation": "The reporter calls closing the port, and costing dock jobs, a gamble.",
        "suggestion": "Say what closing the port costs.",
        "severity": "medium",
    }
    fake_model.answer("check", {"issues": [loaded]})
    report = run_copydesk(REPEATED, fake_model=fake_model, checkers=["llm"])
    (finding,) = report["findings"]
    assert finding["start"] == REPEATED.index("reckless gamble of closing"), (
        "the occurrence the explanation is about, not the first"
    )
    assert finding["confidence"] == 0.4, "the reporter's own words: not discounted as quoted"
