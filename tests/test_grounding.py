"""Quotes are anchored in the article itself: exactly, or after the small changes models make."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from copydesk.grounding import _QUOTES as QUOTE_MARKS
from copydesk.grounding import locate
from copydesk.types import Span

TEXT = 'Russia will provide unspecified "special" military equipment to Pakistan.\nThe joint exercise – DRUZHBA – since 2016.'


def test_an_exact_quote_is_found_where_it_is():
    span = locate(TEXT, "unspecified")
    assert span is not None and TEXT[span.start : span.end] == "unspecified"


def test_a_model_that_swaps_double_for_single_quotes_is_re_anchored():
    span = locate(TEXT, "unspecified 'special' military equipment")
    assert span is not None
    assert TEXT[span.start : span.end] == 'unspecified "special" military equipment'


def test_scare_quotes_the_model_left_out_are_forgiven():
    span = locate(TEXT, "unspecified special military equipment")
    assert TEXT[span.start : span.end] == 'unspecified "special" military equipment'


def test_dashes_and_white_space_are_normalised():
    span = locate(TEXT, "exercise - DRUZHBA -   since 2016")
    assert TEXT[span.start : span.end] == "exercise – DRUZHBA – since 2016"


def test_curly_quotes_and_case_are_forgiven_last():
    span = locate(TEXT, "UNSPECIFIED “SPECIAL”")
    assert TEXT[span.start : span.end] == 'unspecified "special"'


def test_wrapping_quote_marks_added_by_the_model_are_stripped():
    span = locate(TEXT, '"military equipment to Pakistan"')
    assert TEXT[span.start : span.end] == "military equipment to Pakistan"


def test_a_quote_that_is_not_there_is_not_found():
    assert locate(TEXT, "nuclear submarines") is None
    assert locate(TEXT, "ab") is None  # too short to mean anything


def test_a_repeated_quote_anchors_to_the_occurrence_nearest_the_hint():
    text = "Lavrov said so. Later, Lavrov said so again."
    second = text.rindex("Lavrov said")
    assert locate(text, "Lavrov said").start == 0
    assert locate(text, "Lavrov said", near=second).start == second


def test_without_a_hint_a_repeated_quote_anchors_where_its_context_fits():
    text = (
        "At the first meeting the mayor said taxes would rise. The budget passed on Monday.\n"
        "Fishing quotas were cut, and the mayor said taxes would rise for harbour businesses."
    )
    span = locate(
        text,
        "the mayor said taxes would rise",
        context="harbour businesses will pay more tax after the quota cut",
    )
    assert span.start == text.rindex("the mayor said taxes would rise")
    assert locate(text, "the mayor said taxes would rise").start == text.index("the mayor")


def test_search_can_be_limited_to_the_article_body():
    text = "Body text here.\nRelated: body text here."
    assert locate(text, "body text here", within=Span(0, 16)).start == 0
    assert locate(text, "Related", within=Span(0, 16)) is None


@given(st.text(min_size=3, max_size=200), st.data())
def test_any_exact_substring_is_found_and_reads_back(text, data):
    start = data.draw(st.integers(0, len(text) - 3))
    end = data.draw(st.integers(start + 3, len(text)))
    quote = text[start:end].strip()
    assume(len(quote) >= 3 and quote[0] not in QUOTE_MARKS and quote[-1] not in QUOTE_MARKS)
    span = locate(text, quote)
    assert span is not None
    assert text[span.start : span.end] == quote
    assert span.start == text.index(quote)  # the first occurrence, with no hint


@given(
    st.lists(
        st.sampled_from(["alpha", "beta", '"gamma"', "delta–epsilon", "zeta"]),
        min_size=3,
        max_size=12,
    ),
    st.data(),
)
def test_quote_variants_models_produce_are_anchored_to_the_original_words(words, data):
    text = " ".join(words)
    i = data.draw(st.integers(0, len(words) - 2))
    j = data.draw(st.integers(i + 1, len(words)))
    original = " ".join(words[i:j])
    variant = original.replace('"', "'").replace("–", "-").replace(" ", "  ")
    span = locate(text, variant)
    assert span is not None
    assert text[span.start : span.end].strip("\"'") == original.strip("\"'")
