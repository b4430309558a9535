"""Internal inconsistency with no model: counts, ages, titles, names and dates that disagree."""

from __future__ import annotations


def inconsistent(run_copydesk, text: str) -> list[tuple[str, str]]:
    report = run_copydesk(text, use_model=False, checkers=["consistency"])
    return [
        (f["quote"], f["explanation"])
        for f in report["findings"]
        if f["category"] == "internal_inconsistency"
    ]


def test_a_count_given_two_ways_flags_the_later_one_and_names_the_earlier(run_copydesk):
    text = "The minister began a two-day visit on Monday.\nShe ended her three-day visit in Rome."
    ((quote, why),) = inconsistent(run_copydesk, text)
    assert quote == "three-day visit" and '"two-day visit"' in why


def test_the_same_count_in_other_words_is_consistent(run_copydesk):
    text = (
        "The minister began a two-day official visit.\nShe left on the last day of her 2-day visit."
    )
    assert inconsistent(run_copydesk, text) == []


def test_two_ages_for_one_person(run_copydesk):
    text = "Maria Lopez, 52, runs the clinic.\nLopez, 54, said it would stay open."
    assert [q for q, _ in inconsistent(run_copydesk, text)] == ["Lopez, 54"]


def test_two_titles_for_one_person_but_not_a_shorter_form_of_the_same_title(run_copydesk):
    text = (
        "Foreign Minister Ana Ruiz arrived on Monday.\n"
        "Minister Ruiz met the press.\n"
        "Prime Minister Ruiz left on Tuesday."
    )
    assert [q for q, _ in inconsistent(run_copydesk, text)] == ["Prime Minister Ruiz"]


def test_a_name_spelled_two_ways(run_copydesk):
    text = "Sergey Lavrov arrived on Monday.\nSergei Lavrov left on Tuesday."
    assert [q for q, _ in inconsistent(run_copydesk, text)] == ["Sergei Lavrov"]


def test_different_people_who_share_a_surname_are_not_a_spelling_error(run_copydesk):
    text = "Hillary Clinton spoke first.\nBill Clinton spoke next."
    assert inconsistent(run_copydesk, text) == []


def test_two_start_years_for_the_same_thing(run_copydesk):
    text = (
        "The festival has been held every summer since 2004.\n"
        "It drew 10,000 people this year.\n"
        "The festival was first held in 2006, organisers said."
    )
    assert [q for q, _ in inconsistent(run_copydesk, text)] == ["2006"]


def test_a_weekday_that_is_not_the_dates(run_copydesk):
    ((quote, why),) = inconsistent(run_copydesk, "The vote was held on Tuesday, April 8, 2021.")
    assert quote == "Tuesday, April 8, 2021" and "was a Thursday" in why
    assert inconsistent(run_copydesk, "The vote was held on Thursday, April 8, 2021.") == []
