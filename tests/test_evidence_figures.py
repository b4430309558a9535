"""Numbers, dates and names of a claim compared with a passage."""

from __future__ import annotations

from copydesk.plugins.evidence.figures import compare, mentions

PASSAGE = (
    "On Monday, 3 March 2024, the council approved a budget of $1,200,000 for the bridge. "
    "Some 238 residents attended, and 15 per cent of them spoke. The mayor, Ana Ruiz, "
    "said work would take four years."
)


def statuses(claim: str, passage: str = PASSAGE) -> list[tuple[str, str]]:
    return [(m.claim.text, m.status) for m in compare(claim, passage).matches]


def test_the_same_figure_written_another_way_agrees():
    assert statuses("Mayor Ruiz's council approved $1.2 million on 3 March.") == [
        ("Mayor Ruiz's", "agrees"),
        ("$1.2 million", "agrees"),
        ("3 March", "agrees"),
    ]
    assert statuses("The budget was 1.2m dollars; 15% of residents spoke.") == [
        ("1.2m", "agrees"),
        ("15%", "agrees"),
    ]
    assert statuses("Work will take 4 years.") == [("4", "agrees")]


def test_rounding_and_hedges_agree_within_their_tolerance():
    match = compare("About 240 residents attended.", PASSAGE).matches[0]
    assert match.status == "agrees" and match.note == "the claim hedges: about"
    assert PASSAGE[match.passage.start : match.passage.end] == "Some 238"
    assert statuses("Nearly 240 residents attended.") == [("Nearly 240", "agrees")]
    assert statuses("More than 300 residents attended.") == [("More than 300", "disagrees")]
    # the passage's own "some" widens its figure too; a plain number is exact
    assert statuses("Exactly 240 residents attended.") == [("240", "agrees")]
    assert statuses("Exactly 240 came.", "Exactly 238 came.") == [("240", "disagrees")]


def test_a_changed_figure_day_or_weekday_disagrees_and_says_with_what():
    assert statuses("The council approved $2.1 million on Tuesday, 4 March.") == [
        ("$2.1 million", "disagrees"),
        ("Tuesday", "disagrees"),
        ("4 March", "disagrees"),
    ]
    budget = compare("a $2.1 million budget", PASSAGE).matches[0]
    assert budget.passage.text == "$1,200,000"
    assert PASSAGE[budget.passage.start : budget.passage.end] == "$1,200,000"


def test_what_the_passage_does_not_mention_is_missing():
    assert statuses("Governor Li Wei approved 20 new buses in 2019.") == [
        ("Governor Li Wei", "missing"),
        ("20", "missing"),  # the passage counts no buses
        ("2019", "disagrees"),  # the passage's year is 2024
    ]


def test_units_and_currencies_are_compared_only_with_their_own_kind():
    assert statuses("£1.2 million was approved.") == [("£1.2 million", "missing")]
    assert statuses("15 residents spoke.", "15% of residents spoke.") == [("15", "missing")]


def test_offsets_on_both_sides_point_at_the_words():
    claim = "In short: the council approved $1.2 million."
    match = compare(claim, PASSAGE, claim_start=10).matches[0]
    assert claim[match.claim.start : match.claim.end] == "$1.2 million"
    assert PASSAGE[match.passage.start : match.passage.end] == "$1,200,000"


def test_a_lower_cased_summary_takes_its_names_from_the_document():
    claim = "ana ruiz said the work would take four years ."
    found = [(m.kind, m.text) for m in mentions(claim, casing=PASSAGE)]
    assert found == [("name", "ana ruiz"), ("number", "four")]
    assert statuses("mayor li wei spoke .", PASSAGE) == []  # no casing for unknown words


def test_scale_words_hedges_and_number_words_are_read_by_general_rules():
    values = {m.text: (m.value, m.key) for m in mentions(
        "twenty-five men, a dozen eggs, 3bn euros, 100m sprint, 2,000 people and 7.5 percent"
    )}  # fmt: skip
    assert values == {
        "twenty-five": (25, "men"),
        "dozen": (12, "egg"),
        "3bn": (3e9, "euro"),
        "100m": (100, "m"),  # metres: no currency, no decimals
        "2,000": (2000, "people"),
        "7.5 percent": (7.5, "percent"),
    }


def test_a_number_a_name_gives_is_that_names_whatever_follows_it():
    # "Pier 9 costing...": the number is the pier's, not a count of "costing"
    text = "The terminal at Pier 9 costing 42 million euros was approved."
    assert statuses(text, "A terminal at Pier 9, at a cost of 42 million euros.") == [
        ("Pier", "agrees"),
        ("9", "agrees"),
        ("42 million", "agrees"),
    ]
    # the word that opens a sentence is no name: "Exactly 240" counts what follows
    assert [m.key for m in mentions("Exactly 240 came.", 0, 17) if m.kind == "number"] == ["came"]


def test_an_age_is_one_particular_however_news_style_writes_it():
    mayor = "The 34-year-old mayor spoke first."
    assert statuses("The mayor, aged 34, spoke.", mayor) == [("34", "agrees")]
    assert statuses("The mayor, 34, spoke.", mayor) == [("34", "agrees")]
    assert statuses("The mayor (34) spoke.", "The mayor is 34 years old.") == [("34", "agrees")]
    assert statuses("The mayor, 35, spoke.", mayor) == [("35", "disagrees")]
    # a number set off after a word is an age only when it counts nothing
    assert [m.key for m in mentions("Of the voters, 34 stayed home.")] == ["stayed"]


def test_a_year_before_a_name_is_a_year_however_the_other_text_reads_it():
    games = "She rode at Rio 2016, the only sprinter to travel."
    assert statuses("She won gold at the 2016 Rio Games.", games)[0] == ("2016", "agrees")
    # a lower-cased summary's "2014 world cup" takes its capitals from the article
    cup = "memories of their disastrous 2014 World Cup, but the coach stays."
    assert statuses("memories of the 2014 world cup .", cup) == [
        ("2014", "agrees"),
        ("world cup", "agrees"),
    ]
    # a caption run into the next one: "1998 Iconic" is still the year 1998
    assert statuses("He left in 1998.", "from 1991 until 1998 Iconic striker Henry") == [
        ("1998", "agrees")
    ]


def test_an_ordinal_suffix_is_not_what_the_figure_counts():
    built = "The museum, built in the 18th-century style, reopens."
    assert statuses("an 18th century museum", built) == [("18", "agrees")]
    assert statuses("an 18th century museum", "It is 18 years old.") == [("18", "missing")]
