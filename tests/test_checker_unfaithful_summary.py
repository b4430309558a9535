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


def test_an_abbreviation_of_the_articles_words_is_a_paraphrase_not_a_finding():
    article = "The chief executive, Jo Smith, spoke at the United Nations on Monday."
    summary = "Their CEO, Jo Smith, spoke at the UN; the IMF was not there."
    assert [f.quote for f in find_unsupported(article, summary)] == ["IMF"]


def test_a_demonym_or_a_form_of_a_place_is_never_high():
    article = "Ministers from Pakistan, Britain and Afghanistan met in Geneva."
    summary = "Pakistani, British and Afghan ministers met in Geneva."
    found = find_unsupported(article, summary)
    assert [(f.quote, f.severity) for f in found] == [("British", "low"), ("Afghan", "low")]


def test_a_name_the_article_has_nothing_like_is_still_high():
    found = find_unsupported(ARTICLE, "Chile will buy two ships, Boric said in Lima.")
    assert [(f.quote, f.severity) for f in found] == [("Boric", "high"), ("Lima", "high")]
