"""The sample article through the whole pipeline: its two flags, found with no model, grounded,
and nothing taken from its page furniture; and how a model finding merges with them."""

from __future__ import annotations

from conftest import valid_answers


def by_category(report, category):
    return [f for f in report["findings"] if f["category"] == category]


def test_with_no_model_the_sample_gets_both_flags_grounded(run_copydesk, sample_path):
    report = run_copydesk(sample_path, use_model=False)
    text = report["article"]["text"]

    loaded = by_category(report, "loaded_language")
    assert "bitter Cold War rivals" in [f["quote"] for f in loaded]
    rivals = next(f for f in loaded if f["quote"] == "bitter Cold War rivals")
    assert text[rivals["start"] : rivals["end"]] == "bitter Cold War rivals"
    assert text[: rivals["start"]].endswith("as the two ")  # the lede, not a later repeat
    assert rivals["detectors"] == ["loaded-words"]

    missing = by_category(report, "missing_detail")
    assert 'unspecified "special" military equipment' in [f["quote"] for f in missing]
    equipment = next(f for f in missing if f["quote"].startswith("unspecified"))
    assert text[equipment["start"] : equipment["end"]] == equipment["quote"]
    assert equipment["start"] < 100, "the lede's mention, not the repeated headline's"


def test_no_finding_comes_from_the_page_furniture(run_copydesk, sample_path):
    report = run_copydesk(sample_path, use_model=False)
    body = report["article"]["body"]
    assert report["article"]["excluded"], "the sample's related-links list is excluded"
    for f in report["findings"]:
        assert body["start"] <= f["start"] and f["end"] <= body["end"], f["quote"]


def test_the_quoted_and_attributed_words_of_the_sample_are_not_loaded_language(
    run_copydesk, sample_path
):
    report = run_copydesk(sample_path, use_model=False, checkers=["loaded-words"])
    quotes = " ".join(f["quote"] for f in report["findings"])
    # Gen Bajwa's quoted "hostile designs", and the lede's reported "special"
    assert "hostile" not in quotes and "special" not in quotes


def test_a_model_finding_that_a_detector_supports_is_merged_and_more_confident(
    run_copydesk, fake_model, sample_path
):
    valid_answers(fake_model)
    fake_model.answer(
        "check",
        {
            "issues": [
                {
                    "category": "loaded_language",
                    "quote": "the two bitter Cold War rivals",
                    "explanation": "Judgemental framing of the two countries.",
                    "suggestion": "Say 'former Cold War adversaries'.",
                    "severity": "low",
                },
                {
                    "category": "loaded_language",
                    "quote": "joint naval and land exercises",
                    "explanation": "A small model over-flagging.",
                    "suggestion": "",
                    "severity": "low",
                },
                {
                    "category": "loaded_language",
                    "quote": "no hostile designs",
                    "explanation": "Gen Bajwa's own words, quoted.",
                    "suggestion": "",
                    "severity": "low",
                },
            ]
        },
    )
    report = run_copydesk(sample_path, fake_model=fake_model, checkers=["llm", "loaded-words"])
    loaded = {f["quote"]: f for f in by_category(report, "loaded_language")}
    rivals = loaded["bitter Cold War rivals"]
    assert rivals["detectors"] == ["llm", "loaded-words"]
    assert rivals["confidence"] == round(1 - (1 - 0.4) * (1 - 0.7), 3)
    alone = loaded["joint naval and land exercises"]
    assert alone["detectors"] == ["llm"] and alone["confidence"] == 0.4
    quoted = loaded["no hostile designs"]
    assert quoted["detectors"] == ["llm"] and quoted["confidence"] == 0.2


def test_the_check_prompt_tells_the_model_whose_words_are_loaded(
    run_copydesk, fake_model, sample_path
):
    valid_answers(fake_model)
    run_copydesk(sample_path, fake_model=fake_model, checkers=["llm"])
    (request,) = [
        r for r in fake_model.requests if r["response_format"]["json_schema"]["name"] == "check"
    ]
    task = request["messages"][1]["content"]
    assert "reporter chose in their own voice" in task
    assert "Words inside quotation marks" in task
    assert "bitter" not in task and "unspecified" not in task, "nothing written for the sample"
