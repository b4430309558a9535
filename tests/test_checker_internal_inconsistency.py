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


def test_a_surname_respelt_where_it_stands_alone(run_copydesk):
    text = (
        "Sergey Lavrov arrived in Islamabad on Tuesday.\n"
        "Lavrov met the army chief.\n"
        "Lavorv later left for Moscow."
    )
    ((quote, why),) = inconsistent(run_copydesk, text)
    assert quote == "Lavorv" and '"Sergey Lavrov" earlier' in why


def test_a_surname_with_a_letter_dropped_or_two_swapped_is_respelt(run_copydesk):
    for wrong in ("Qureshi", "Querehsi"):
        text = f"Shah Mahmood Quereshi spoke.\nAsked again, {wrong} declined."
        assert [q for q, _ in inconsistent(run_copydesk, text)] == [wrong]


def test_a_possessive_or_plural_is_not_a_respelling(run_copydesk):
    text = "Hillary Clinton spoke.\nClinton's aides left.\nThe Clintons flew home."
    assert inconsistent(run_copydesk, text) == []


def test_two_offices_no_one_holds_at_once(run_copydesk):
    text = "Senator Jane Holt spoke first.\nLater Governor Holt left the hall."
    ((quote, why),) = inconsistent(run_copydesk, text)
    assert quote == "Governor Holt" and '"Senator Jane Holt"' in why


def test_a_former_office_beside_a_present_one_is_consistent(run_copydesk):
    text = "Senator Jane Holt spoke first.\nFormer Governor Holt left the hall."
    assert inconsistent(run_copydesk, text) == []


def test_ages_written_three_ways(run_copydesk):
    text = "Maria Lopez, aged 52, runs the clinic.\nThe 54-year-old Lopez said it would stay open."
    assert [q for q, _ in inconsistent(run_copydesk, text)] == ["54-year-old Lopez"]


def test_a_respelling_near_the_end_or_a_doubled_letter_dropped(run_copydesk):
    for right, wrong in (("Wright", "Wrigth"), ("Flynn", "Flyn"), ("Nesbitt", "Nesbiitt")):
        text = f"Anna {right} chairs the board.\n{right} said the vote was close.\n{wrong} left."
        assert [q for q, _ in inconsistent(run_copydesk, text)] == [wrong], wrong


def test_an_ending_or_another_initial_is_not_a_respelling(run_copydesk):
    text = "Natalia Ortiz spoke.\nNatalie Ortiz replied.\nHarry Kane scored.\nLane closed."
    assert inconsistent(run_copydesk, text) == []


def test_a_surname_respelt_inside_a_full_name(run_copydesk):
    text = "Jesse Jackson spoke.\nJackson said no.\nJackson left.\nA Michael Jacckson hat was sold."
    assert [q for q, _ in inconsistent(run_copydesk, text)] == ["Jacckson"]


def test_of_two_spellings_the_rarer_is_flagged_wherever_it_falls(run_copydesk):
    text = "Leader McConnel spoke.\nLeader McConnell replied.\nLeader McConnell left."
    assert [q for q, _ in inconsistent(run_copydesk, text)] == ["Leader McConnel"]


def test_titles_of_two_callings_disagree(run_copydesk):
    text = "Prince Harry Lowe opened the hall.\nPresident Lowe spoke after lunch."
    assert [q for q, _ in inconsistent(run_copydesk, text)] == ["President Lowe"]
    text = "Dr Ann Lowe opened the hall.\nProfessor Lowe spoke after lunch."
    assert inconsistent(run_copydesk, text) == []
