"""Unfaithful summary with no model: numbers and names in the summary the article lacks."""

from __future__ import annotations

from conftest import valid_answers

from copydesk.plugins.unfaithful_summary import find_unsupported, numbers

ARTICLE = (
    "Foreign Minister Ana Ruiz of Chile said on Monday that the country would buy two "
    "patrol ships from Spain for $40 million, the first such purchase since 2015."
)


def test_numbers_are_read_in_digits_words_and_counts():
    assert numbers("two ships, a three-day visit, $4,200 and 15%") == {2.0, 3.0, 4200.0, 15.0}


def test_a_faithful_summary_has_no_finding():
    summary = "Chilean minister Ruiz said Chile will buy two patrol ships for $40 million."
    assert find_unsupported(ARTICLE, summary) == []


def test_a_number_and_a_name_the_article_lacks_are_flagged_in_the_summary():
    summary = "Chile will buy three patrol ships from Spain, President Gabriel Boric said."
    found = find_unsupported(ARTICLE, summary)
    assert [(f.quote, f.target) for f in found] == [
        ("three patrol", "summary"),
        ("President Gabriel Boric", "summary"),
    ]
    assert all(summary[f.start : f.start + len(f.quote)] == f.quote for f in found)


def test_the_pipeline_grounds_the_finding_in_the_summary(run_copydesk, fake_model, sample_path):
    valid_answers(
        fake_model, summary="Russia will supply Pakistan with 12 helicopters, Putin said."
    )
    fake_model.answer("check", {"issues": []})
    report = run_copydesk(sample_path, fake_model=fake_model, checkers=["summary-facts"])
    found = [(f["quote"], f["target"]) for f in report["findings"]]
    assert found == [("12 helicopters", "summary"), ("Putin", "summary")]
