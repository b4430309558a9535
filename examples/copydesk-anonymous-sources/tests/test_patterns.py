"""The deterministic pass: which attributions are anonymous or vague, and which are not.

It needs no model, so these tests call it directly on an :class:`copydesk.Article`.
"""

from __future__ import annotations

import pytest
from conftest import ARTICLE
from copydesk import Article, Span

from copydesk_anonymous_sources.patterns import CATEGORY, find_anonymous_sources, sentences


def flagged(text: str) -> list[str]:
    return [f.quote for f in find_anonymous_sources(Article(text))]


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("The plant will close, sources said.", "sources said"),
        ("Sources close to the board said the deal was off.", "Sources close to the board said"),
        (
            "The deal is off, said two people familiar with the talks.",
            "said two people familiar with the talks",
        ),
        (
            "The minister will resign, according to a person with knowledge of the matter.",
            "according to a person with knowledge of the matter",
        ),
        ("Insiders have warned that the merger will fail.", "Insiders have warned"),
    ],
)
def test_an_unnamed_source_is_an_anonymous_source(text, quote):
    assert flagged(text) == [quote]


def test_a_grant_of_anonymity_and_the_source_it_covers_are_one_finding():
    text = '"It is over," said a senior official who asked not to be named.'
    (finding,) = find_anonymous_sources(Article(text))
    assert finding.quote == "said a senior official who asked not to be named"
    assert (finding.severity, finding.confidence) == ("medium", 0.6)

    aside = "A senior official, who spoke on condition of anonymity, said the cost would rise."
    assert flagged(aside) == ["A senior official, who spoke on condition of anonymity, said"]


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("Officials said the plan was sound.", "Officials said"),
        ("Western diplomats told the agency the talks had stalled.", "Western diplomats told"),
        ("On Monday officials said the plan was sound.", "officials said"),
        ("After officials said the bridge was safe, it reopened.", "officials said"),
        ("According to officials, the fire started in the kitchen.", "According to officials"),
    ],
)
def test_unnamed_officials_are_flagged_as_a_low_severity_query(text, quote):
    (finding,) = find_anonymous_sources(Article(text))
    assert finding.quote == quote
    assert (finding.severity, finding.confidence) == ("low", 0.5)


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("Experts say the detour will double commuting times.", "Experts say"),
        ("Analysts believe the bank will cut rates.", "Analysts believe"),
        ("Some say the plan will fail.", "Some say"),
        ("The senator misled voters, critics said.", "critics said"),
    ],
)
def test_an_appeal_to_an_unnamed_group_is_vague_authority(text, quote):
    (finding,) = find_anonymous_sources(Article(text))
    assert finding.quote == quote
    assert (finding.severity, finding.confidence) == ("low", 0.4)


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("According to reports, the club will be sold.", "According to reports"),
        ("Media reports suggest the minister will resign.", "Media reports suggest"),
        ("The company reportedly offered 2 million dollars.", "reportedly offered"),
        ("It was rumoured that the club would be sold.", "It was rumoured"),
    ],
)
def test_unidentified_reports_are_hearsay(text, quote):
    (finding,) = find_anonymous_sources(Article(text))
    assert finding.quote == quote
    assert finding.severity == "medium"


@pytest.mark.parametrize(
    "text",
    [
        "Council leader Maria Lopez said the budget was balanced.",
        "The budget rose, according to a statement from the council.",
        "Tom Hale, a transport researcher at Northgate University, said the plan would work.",
        "The plan will work, said analyst Jane Doe.",
        "Experts such as Helen Park say the plan is sound.",
        "Researchers at Northgate University said the water was safe.",
        "Costs rose, according to a report by the National Audit Office.",
        "According to Jane Doe, an expert at the institute, the plan is sound.",
        "Police said the driver was arrested.",
    ],
)
def test_a_named_source_is_not_flagged(text):
    assert flagged(text) == []


@pytest.mark.parametrize(
    "text",
    [
        # Definite: someone the article has already introduced.
        "The officials said they would review it.",
        # "officials" is who will review, not who says so.
        "The mayor said officials would review the plan.",
        # Not a person at all.
        "Renewable sources are expected to supply half the power.",
    ],
)
def test_a_vague_noun_that_is_not_the_speaker_is_not_flagged(text):
    assert flagged(text) == []


def test_sentences_do_not_end_at_abbreviations_or_initials():
    text = "The plan, Gen. Smith said, will work. J. Doe agreed. Sources said otherwise."
    spans = sentences(Article(text))
    assert [text[s.start : s.end] for s in spans] == [
        "The plan, Gen. Smith said, will work.",
        "J. Doe agreed.",
        "Sources said otherwise.",
    ]


def test_each_finding_quotes_the_article_exactly_where_it_found_it():
    text = "Sources said the plant will close. The union disagreed. Sources said it would not."
    found = find_anonymous_sources(Article(text))
    assert [(f.quote, f.start) for f in found] == [("Sources said", 0), ("Sources said", 56)]
    assert all(f.category == CATEGORY for f in found)


def test_only_the_analysed_body_is_searched():
    text = "Sources said the plant will close.\nRelated: Officials said nothing."
    body_only = Article(text, body=Span(0, text.index("\n")))
    assert flagged(text) == ["Sources said", "Officials said"]
    assert [f.quote for f in find_anonymous_sources(body_only)] == ["Sources said"]


def test_the_example_article_gets_one_finding_per_vague_attribution():
    found = find_anonymous_sources(Article(ARTICLE.read_text(encoding="utf-8")))
    assert [f.quote for f in found] == [
        "officials said",
        "according to people familiar with the authority's budget",
        "A senior official, who spoke on condition of anonymity because the figure has not "
        "been made public, said",
        "Sources close to the authority's board said",
        "Experts say",
        "According to reports",
    ]
