"""The number ledger of internal_inconsistency: a figure given two ways, and the arithmetic
an article implies (a percentage change, parts and a total, a net saving), with no model."""

from __future__ import annotations

import pytest

from copydesk.plugins.internal_inconsistency import find_inconsistencies
from copydesk.plugins.quantities import quantities
from copydesk.types import Article


def flagged(text: str) -> list[str]:
    return [f.quote for f in find_inconsistencies(Article(text))]


def explained(text: str) -> list[tuple[str, str]]:
    return [(f.quote, f.explanation) for f in find_inconsistencies(Article(text))]


# reading figures ---------------------------------------------------------------------------


def test_a_figure_is_read_with_its_unit_the_noun_it_counts_and_its_qualifier():
    text = "Nearly 300 full-time jobs, $1.2M, an £800k bill, 80p, 15% and two dozen protesters."
    read = [
        (text[q.span.start : q.span.end], q.value, q.unit, q.qualifier) for q in quantities(text)
    ]
    assert read == [
        ("Nearly 300 full-time jobs", 300.0, "", "nearly"),
        ("$1.2M", 1_200_000.0, "$", ""),
        ("£800k bill", 800_000.0, "£", ""),
        ("80p", 0.8, "£", ""),
        ("15%", 15.0, "%", ""),
        ("two dozen protesters", 24.0, "", ""),
    ]


def test_years_times_and_dates_are_not_figures():
    text = "In 2019, at 10:30 on April 8 and at 3pm on 9 May, the 5th round began."
    assert quantities(text) == []


def test_the_range_a_qualified_figure_allows():
    def bounds(phrase: str) -> tuple[float, float]:
        (q,) = quantities(phrase)
        return q.bounds()

    assert bounds("nearly 300 jobs") == (255.0, 300.0)
    assert bounds("about 200 jobs") == pytest.approx((170.0, 230.0))
    assert bounds("more than 200 jobs")[0] == 200.0
    assert bounds("fewer than 50 jobs") == (0.0, 50.0)
    assert bounds("£4.80") == pytest.approx((4.795, 4.805))


# one figure given two ways ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, quote",
    [
        (
            "The plant will close with the loss of 240 jobs, the company said.\n"
            "Unions said nearly 300 jobs would go.",
            "nearly 300 jobs",
        ),
        (
            "Some 1,400 homes were flooded overnight.\nBy noon 2,100 homes were still under water.",
            "2,100 homes",
        ),
        (
            "Police arrested 14 people after the match.\n"
            "Of the 14 people held, most were released.\n"
            "A spokesman said the 16 people would appear in court.",
            "16 people",
        ),
        (
            "The trust employs 85 nurses.\nLater the trust said more than 120 nurses had signed.",
            "more than 120 nurses",
        ),
    ],
)
def test_a_count_given_two_ways_is_flagged_at_the_mention_that_disagrees(text, quote):
    assert flagged(text) == [quote]


def test_the_explanation_gives_both_mentions_and_the_values_each_allows():
    ((quote, why),) = explained("It cost 240 jobs.\nIn all nearly 300 jobs went.")
    assert quote == "nearly 300 jobs"
    assert why == (
        '"nearly 300 jobs" does not fit "240 jobs" earlier in the article: no one figure is '
        "both (255 to 300 here, 240 there)."
    )


@pytest.mark.parametrize(
    "text",
    [
        "The closure will cost 240 jobs.\nNearly 250 jobs will go, the union said.",
        "About 300 jobs will go.\nThe firm confirmed 280 jobs would be cut.",
        "More than 200 people came.\nOrganisers counted 240 people at the gate.",
        "Police arrested 14 people.\nA number of people were later released.",
        "Police arrested 14 people.\nDozens of people gathered outside.",
    ],
)
def test_rounding_and_a_figure_made_vague_are_not_contradictions(text):
    assert flagged(text) == []


def test_different_things_counted_alike_are_not_one_figure():
    assert flagged("The bill needs 60 votes.\nRepublicans hold 51 votes, far short.") == [
        "51 votes"
    ]  # within a factor of two: compared
    assert flagged("The army has 1.3 million troops.\nIt sent 2,000 troops to the border.") == []
    assert flagged("He served eight years.\nShe served 15 years.") == []  # durations
    assert flagged("Exports rose from 40 tonnes to 55 tonnes in a year.") == []  # one sentence


# a percentage change against its amounts --------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Bus fares will rise 15% next month. A single ticket goes from £4.00 to £4.80.",
        "A single ticket will go from £4.00 to £4.80, a 15% increase, the operator said.",
        "The fare is now £4.80, up from £4.00. That is a rise of 15 per cent.",
        "Council tax will be cut by 10%, from $2,000 to $1,700 a year.",
    ],
)
def test_a_percentage_change_that_its_two_amounts_do_not_give(text):
    (finding,) = find_inconsistencies(Article(text))
    assert finding.quote.startswith(("15%", "15 per cent", "10%"))
    assert "change of" in finding.explanation


def test_the_change_is_worked_out_in_the_explanation():
    ((quote, why),) = explained("Fares rise 15%, from £4.00 to £4.80.")
    assert quote == "15%"
    assert why == (
        '"15%" does not fit the amounts the article gives: £4.00 to £4.80 is a change of 20.0%.'
    )


@pytest.mark.parametrize(
    "text",
    [
        "Fares rise 20%, from £4.00 to £4.80.",
        "Fares rise about 19%, from £4 to £4.75.",
        "Turnout fell from 60% to 55%, a drop of five points.",
        "The rate rose from 4% to 5%, up 25%.",
    ],
)
def test_a_change_the_amounts_bear_out_is_not_flagged(text):
    assert flagged(text) == []


def test_a_rise_the_amounts_show_to_be_a_fall():
    ((quote, why),) = explained("Prices rose 5%, from $100 to $95.")
    assert quote == "5%" and "is a fall" in why


# parts and their total --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, quote",
    [
        ("The 240 jobs are split between 140 in Leeds and 120 in York.", "240 jobs"),
        (
            "A total of 35 people were hurt: 20 in the first blast and 12 in the second.",
            "35 people",
        ),
        ("The firm cut 90 jobs in all, 40 in sales, 30 in finance and 10 in IT.", "90 jobs"),
        ("The 50 victims included 30 women and 25 children.", "50 victims"),
    ],
)
def test_parts_that_do_not_make_their_total(text, quote):
    assert flagged(text) == [quote]


@pytest.mark.parametrize(
    "text",
    [
        "The 240 jobs are split between 140 in Leeds and 100 in York.",
        "The 50 victims included 20 women and 25 children.",  # a sample: at most the total
        "A total of 35 people were hurt on Monday, and 20 on Tuesday.",  # no list of parts
    ],
)
def test_parts_that_fit_their_total(text):
    assert flagged(text) == []


# a net figure ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The new depot saves the council $1.2M a year. It costs $800k a year to run. "
        "Officials gave $1.2M a year as the net saving.",
        "The scheme will save $1.2 million a year, against an $800,000 annual running cost, "
        "leaving the city $1.2 million a year better off.",
        "Savings of £3m a year are expected. Running costs are £1m a year. "
        "After costs, the trust will save £3m a year, it said.",
    ],
)
def test_a_net_saving_that_ignores_the_cost_it_nets(text):
    (finding,) = find_inconsistencies(Article(text))
    assert "net of the cost" in finding.explanation


def test_a_net_saving_that_is_the_saving_less_the_cost():
    text = (
        "The depot saves $1.2M a year and costs $800k a year to run, a net saving of $400k a year."
    )
    assert flagged(text) == []


def test_a_saving_and_a_cost_with_no_net_figure_are_not_compared():
    assert flagged("The depot saves $1.2M a year. It costs $800k a year to run.") == []


def test_the_ledger_runs_without_a_model(run_copydesk):
    report = run_copydesk(
        "The plant will cut 240 jobs.\nUnions said nearly 300 jobs would go.",
        use_model=False,
        checkers=["consistency"],
    )
    ((finding),) = report["findings"]
    assert finding["quote"] == "nearly 300 jobs" and finding["category"] == "internal_inconsistency"


def test_two_small_counts_one_apart_disagree():
    # "two" allows 1.5 to 2.5 and "three" 2.5 to 3.5: ranges that touch share no count
    text = (
        "She denied two felony charges on Friday.\nThe judge read the three felony charges aloud."
    )
    assert flagged(text) == ["three felony charges"]


def test_a_count_of_other_or_new_things_is_another_set():
    text = "Four Americans were held.\nThree other Americans were freed later in the week."
    assert flagged(text) == []
