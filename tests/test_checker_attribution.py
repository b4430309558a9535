"""Who says what: reported speech with its speaker, and which speakers are anonymous."""

from __future__ import annotations

import pytest

from copydesk.plugins.attribution import anonymous, attributions
from copydesk.plugins.inflection import verb_forms
from copydesk.types import Span


def reported(text: str) -> list[tuple[str, str | None]]:
    sentence = Span(0, len(text))
    return [
        (text[a.content.start : a.content.end], a.speaker and text[a.speaker.start : a.speaker.end])
        for a in attributions(text, sentence)
    ]


@pytest.mark.parametrize(
    "text, content, speaker",
    [
        ("Critics said the plan was reckless.", "the plan was reckless.", "Critics"),
        ("The plan was reckless, officials said.", "The plan was reckless", "officials"),
        ("The plan was reckless, said Ana Ruiz.", "The plan was reckless", "Ana Ruiz"),
        ("Critics called the plan reckless.", "the plan reckless.", "Critics"),
        ("Critics have slammed the plan as reckless.", "the plan as reckless.", "Critics"),
        ("It was described by critics as reckless.", "as reckless.", "critics"),
        (
            "Officials warned of a catastrophic shortfall.",
            "of a catastrophic shortfall.",
            "Officials",
        ),
        (
            "The board approved what critics described as a reckless plan.",
            "as a reckless plan.",
            "critics",
        ),
    ],
)
def test_reported_speech_and_its_speaker(text, content, speaker):
    assert reported(text) == [(content, speaker)]


def test_according_to_makes_the_whole_sentence_the_speakers():
    text = "The plan is reckless, according to critics."
    assert reported(text) == [(text, "critics")]


def test_a_passive_report_names_no_speaker_and_reports_nothing():
    assert reported("The company is said to be close to collapse.") == []


@pytest.mark.parametrize(
    "text, speaker, unnamed",
    [
        ("Critics said so.", "Critics", True),
        ("A source close to the board said so.", "A source close to the board", True),
        ("Pakistani officials said so.", "Pakistani officials", True),
        ("One analyst said so.", "One analyst", True),
        ("Lavrov said so.", "Lavrov", False),
        ("He said so.", "He", False),
        ("The minister said so.", "The minister", False),
        ("White House officials said so.", "White House officials", False),
        ("A new report said so.", "A new report", False),
        # a weekday, a month or a time after the speaker says when, and names no one
        ("Officials on Monday said so.", "Officials on Monday", True),
        ("Critics last March said so.", "Critics last March", True),
        ("Officials Monday said so.", "Officials Monday", True),
        ("Lavrov on Monday said so.", "Lavrov on Monday", False),
        # a place is taken for the body the speakers stand for, as "for the ministry" is
        ("Officials in Kabul said so.", "Officials in Kabul", False),
    ],
)
def test_which_speakers_are_anonymous(text, speaker, unnamed):
    start = text.index(speaker)
    assert anonymous(text, Span(start, start + len(speaker)), 0) is unnamed


@pytest.mark.parametrize(
    "text, speaker",
    [
        ("Officials on Monday said the plan was reckless.", "Officials"),
        ("The plan was reckless, said officials on Tuesday night.", "officials"),
        (
            "A source close to the board on 3 May said the deal would fail.",
            "A source close to the board",
        ),
        ("Critics this week said the plan was reckless.", "Critics"),
        ("Theresa May said the plan was reckless.", "Theresa May"),
    ],
)
def test_when_they_spoke_is_no_part_of_the_speaker(text, speaker):
    assert [who for _, who in reported(text)] == [speaker]


def test_a_short_verb_doubles_its_last_letter_before_an_ending():
    assert verb_forms("slam") == {"slam", "slams", "slammed", "slamming"}
    assert verb_forms("warn") == {"warn", "warns", "warned", "warning"}
