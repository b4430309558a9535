"""Missing detail with no model: things described by what is withheld, details not given,
vague sources."""

from __future__ import annotations


def missing(run_copydesk, text: str) -> list[str]:
    report = run_copydesk(text, use_model=False, checkers=["vagueness"])
    return [f["quote"] for f in report["findings"] if f["category"] == "missing_detail"]


def test_a_thing_described_by_what_was_withheld_is_quoted_with_its_noun_phrase(run_copydesk):
    text = "The company paid an undisclosed sum to settle the case."
    assert missing(run_copydesk, text) == ["undisclosed sum"]


def test_the_phrase_keeps_a_quoted_word_inside_it_and_stops_at_the_preposition(run_copydesk):
    text = "The ministry will buy unnamed 'advanced' radar systems from abroad."
    assert missing(run_copydesk, text) == ["unnamed 'advanced' radar systems"]


def test_an_unnamed_source_stops_before_the_report_verb(run_copydesk):
    assert missing(run_copydesk, "Unidentified officials said the deal was off.") == [
        "Unidentified officials"
    ]


def test_details_said_to_be_withheld_are_flagged(run_copydesk):
    text = (
        "The minister announced new funding without providing any details of the scheme.\n"
        "The company declined to say how much it paid.\n"
        "Police did not say why the road was closed."
    )
    assert missing(run_copydesk, text) == [
        "without providing any details of the scheme",
        "declined to say how much it paid",
        "did not say why the road was closed",
    ]


def test_a_vague_quantity_of_sources_is_flagged(run_copydesk):
    assert missing(run_copydesk, "Many experts say the bridge is unsafe.") == ["Many experts"]


def test_specific_reporting_is_left_alone(run_copydesk):
    text = (
        "The company paid $4.2 million to settle the case, its chief financial officer, "
        "Ana Ruiz, said on Tuesday. Many of the 40 claimants were former employees."
    )
    assert missing(run_copydesk, text) == []


def test_a_withheld_detail_inside_a_quotation_is_the_speakers_words(run_copydesk):
    assert missing(run_copydesk, '"Unnamed people keep calling me," she said.') == []


def test_a_vague_amount_in_the_reporters_voice_asks_how_many(run_copydesk):
    for text, quote in [
        ("A number of people were hurt in the blast.", "A number of people"),
        ("Police arrested several protesters.", "several protesters"),
        ("Dozens of homes were flooded.", "Dozens of homes"),
    ]:
        assert missing(run_copydesk, text) == [quote], text


def test_everyday_quantifiers_durations_and_quoted_amounts_are_left_alone(run_copydesk):
    for text in [
        "Some people came to the fair.",
        "So many people came to the fair.",
        "In many ways the fair was a success.",
        "Like many rich countries, it has a deficit.",
        "Many others came to the fair.",
        "Thousands of people came to the fair.",
        "Talks lasted several months.",
        '"A number of people were hurt," the mayor said.',
    ]:
        assert missing(run_copydesk, text) == [], text


def test_many_or_various_where_a_count_belongs(run_copydesk):
    for text, quote in [
        ("Many lawmakers were reluctant to vote.", "Many lawmakers"),
        ("Police seized various weapons at the house.", "various weapons"),
    ]:
        assert missing(run_copydesk, text) == [quote], text
