"""Unattributed claims with no model: assessments stated as fact with no source."""

from __future__ import annotations


def unattributed(run_copydesk, text: str) -> list[str]:
    report = run_copydesk(text, use_model=False, checkers=["attribution"])
    return [f["quote"] for f in report["findings"] if f["category"] == "unattributed_claim"]


def test_an_agentless_passive_of_opinion_is_flagged_to_the_end_of_its_clause(run_copydesk):
    text = "The new mayor is widely regarded as the most effective in decades, and she knows it."
    assert unattributed(run_copydesk, text) == [
        "is widely regarded as the most effective in decades"
    ]


def test_a_passive_report_verb_names_no_source(run_copydesk):
    assert unattributed(run_copydesk, "The company is said to be close to collapse.") == [
        "is said to be close to collapse"
    ]


def test_a_passive_that_names_who_holds_the_view_is_attributed(run_copydesk):
    text = "The new mayor is widely regarded by economists as effective."
    assert unattributed(run_copydesk, text) == []


def test_an_impersonal_assessment_is_flagged(run_copydesk):
    assert unattributed(run_copydesk, "It is clear that the plan has failed.") == [
        "It is clear that the plan has failed"
    ]


def test_an_epistemic_adverb_in_the_reporters_voice_is_flagged(run_copydesk):
    assert unattributed(run_copydesk, "The senator clearly misled voters.") == ["clearly"]


def test_the_same_adverb_in_a_sentence_that_reports_a_source_is_the_sources(run_copydesk):
    # the adverb is the critics' (only their anonymity is flagged), and the report's
    assert unattributed(run_copydesk, "The senator clearly misled voters, critics said.") == [
        "critics"
    ]
    assert unattributed(run_copydesk, "The senator probably lied, according to the report.") == []


def test_an_unnamed_source_is_flagged_however_the_speech_is_reported(run_copydesk):
    for text, who in [
        ("Critics said the plan was reckless.", "Critics"),
        ("The plan was reckless, officials said.", "officials"),
        (
            "A source close to the board said the deal was a disaster.",
            "A source close to the board",
        ),
        ("The deal will collapse, according to senior officials.", "senior officials"),
        ("The plan has been described by critics as reckless.", "critics"),
        ("Pakistani officials warned of a shortfall.", "Pakistani officials"),
        ("The board approved what one analyst called a reckless plan.", "one analyst"),
        ("Officials on Monday said the plan was reckless.", "Officials"),
        ("The deal will collapse, senior officials said in March.", "senior officials"),
    ]:
        assert unattributed(run_copydesk, text) == [who], text


def test_a_named_speaker_a_pronoun_or_a_body_is_not_an_anonymous_source(run_copydesk):
    for text in [
        "Lavrov said the plan was reckless.",
        "He said the plan was reckless.",
        "The minister said the plan was reckless.",
        "White House officials said the plan was reckless.",
        "A spokesman for the Foreign Ministry said talks would resume.",
        "Police said the man had been arrested.",
        "The plan will fail, according to a new report.",
    ]:
        assert unattributed(run_copydesk, text) == [], text


def test_a_passive_that_is_not_an_assessment_is_left_alone(run_copydesk):
    assert unattributed(run_copydesk, "The bridge was seen from the shore at dawn.") == []
