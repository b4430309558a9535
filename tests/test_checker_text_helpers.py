"""The prose helpers the deterministic checkers share: sentences, quotations, attribution,
word forms."""

from __future__ import annotations

from copydesk.plugins.attribution import attributed_spans, reporter_voice
from copydesk.plugins.text_helpers import (
    lemma_candidates,
    quoted_spans,
    split_sentences,
    verb_forms,
    word_family,
)
from copydesk.types import Span


def texts(text: str, spans: list[Span]) -> list[str]:
    return [text[s.start : s.end] for s in spans]


def test_sentences_end_at_stops_but_not_at_abbreviations_or_initials():
    text = "Gen. Smith met J. Doe at 5 p.m. on Monday. U.S. troops left! Did they? Yes."
    assert texts(text, split_sentences(text)) == [
        "Gen. Smith met J. Doe at 5 p.m. on Monday.",
        "U.S. troops left!",
        "Did they?",
        "Yes.",
    ]


def test_a_sentence_ending_in_a_number_still_ends():
    text = "The drills began in 2016. In October they resumed."
    assert texts(text, split_sentences(text)) == [
        "The drills began in 2016.",
        "In October they resumed.",
    ]


def test_a_word_ending_in_an_accented_letter_is_not_taken_for_an_initial():
    text = "He descended into clichés. “The truth will set us free,” he said."
    assert texts(text, split_sentences(text)) == [
        "He descended into clichés.",
        "“The truth will set us free,” he said.",
    ]


def test_a_sentence_does_not_end_in_the_spaces_before_a_line_break():
    text = "It is a shame. It was lawful.  \n\nNext paragraph.\t"
    assert texts(text, split_sentences(text)) == [
        "It is a shame.",
        "It was lawful.",
        "Next paragraph.",
    ]


def test_quotations_straight_curly_and_single_but_not_apostrophes():
    text = "He called it \"a sham\" and “a farce”, not 'reform', in Pakistan's view of the players' union."
    assert texts(text, quoted_spans(text)) == ['"a sham"', "“a farce”", "'reform'"]


def test_a_quotation_left_open_runs_to_the_end_of_the_paragraph():
    text = '"We will not back down. We will fight on'
    assert texts(text, quoted_spans(text)) == [text]


def test_reported_speech_is_attributed_before_a_trailing_said_and_after_a_leading_one():
    trailing = "The plan is a disaster, the mayor said on Monday as the vote neared."
    (sentence,) = split_sentences(trailing)
    assert texts(trailing, attributed_spans(trailing, sentence)) == ["The plan is a disaster"]
    assert texts(trailing, reporter_voice(trailing, sentence)) == [
        ", the mayor said on Monday as the vote neared."
    ]
    leading = "Critics argue that the plan is a disaster."
    (sentence,) = split_sentences(leading)
    assert texts(leading, attributed_spans(leading, sentence)) == ["that the plan is a disaster."]


def test_according_to_attributes_the_whole_sentence_and_agreed_to_attributes_nothing():
    sourced = "The plan is a disaster, according to the auditors."
    (sentence,) = split_sentences(sourced)
    assert reporter_voice(sourced, sentence) == []
    plain = "The rivals agreed to hold talks."
    (sentence,) = split_sentences(plain)
    assert attributed_spans(plain, sentence) == []


def test_verb_forms_cover_regular_irregular_and_british_spellings():
    assert {"says", "said"} <= verb_forms("say")
    assert {"claims", "claimed"} <= verb_forms("claim")
    assert {"emphasised", "emphasized"} <= verb_forms("emphasize")


def test_lemma_candidates_undo_common_inflections():
    assert "slam" in lemma_candidates("slammed")
    assert "worry" in lemma_candidates("worries")
    assert "happy" in lemma_candidates("happily")


def test_a_word_family_joins_inflections_and_reads_the_last_part_of_a_compound():
    assert word_family("killed") == word_family("kills") == word_family("Killing") == "kill"
    assert word_family("banning") == word_family("ban")
    assert word_family("counter-terrorism") == word_family("terrorism")
    assert word_family("war") != word_family("ward")


def test_word_families_from_many_threads_at_once():
    # the stemmer is one object with state: threads must not share it at the same time
    import sys
    from concurrent.futures import ThreadPoolExecutor

    from copydesk.plugins.inflection import _stem

    words = [
        f"{w}{suffix}"
        for w in ("kill", "count", "report", "nation", "relation", "vote", "generous")
        for suffix in ("ing", "ed", "s", "ers", "ingly", "alizations", "ness")
    ]
    expected = {w: _stem.__wrapped__(w) for w in words}
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as can be, to meet the race
    try:
        with ThreadPoolExecutor(8) as pool:
            for _ in range(10):
                _stem.cache_clear()
                assert list(pool.map(_stem.__wrapped__, words * 10)) == [
                    expected[w] for w in words * 10
                ]
    finally:
        sys.setswitchinterval(interval)
