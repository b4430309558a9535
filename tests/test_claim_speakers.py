"""Whose word a claim is: the sentence that makes it decides, not the model's guess.

The embedded model names the article's most-quoted person as the speaker of nearly every
claim; these are the cases an editor reads the speaker for."""

from __future__ import annotations

import asyncio

from conftest import StandIn

from copydesk.plugins.attribution import attributions
from copydesk.plugins.llm_claims import LLMClaimExtractor
from copydesk.types import Article, Span


def speakers(text: str, *claims: tuple[str, str]) -> list[str | None]:
    """The speaker each claim gets when the model names ``(claim, speaker)``."""
    article = Article(text)
    answer = {"claims": [{"claim": c, "speaker": s, "kind": "fact"} for c, s in claims]}
    found = asyncio.run(LLMClaimExtractor().extract(article, StandIn(article, [answer])))  # type: ignore[arg-type]
    return [c.speaker for c in found]


LEDE = (
    'Russia will provide "special" military equipment to Pakistan, Foreign Minister '
    "Sergey Lavrov said on Wednesday as the two countries agreed to hold joint drills."
)


def test_the_reported_part_of_a_sentence_is_the_speakers_and_the_rest_the_reporters():
    assert speakers(
        LEDE,
        ('Russia will provide "special" military equipment to Pakistan', "Sergey Lavrov"),
        ("Russia and Pakistan agreed to hold joint drills", "Sergey Lavrov"),
    ) == ["Sergey Lavrov", "the article"]


def test_the_speaker_is_read_from_the_article_when_the_model_names_someone_else():
    text = "Russia in the past said India should not be worried about its ties with Pakistan."
    claim = "Russia said India should not be worried about its ties with Pakistan"
    assert speakers(text, (claim, "Sergey Lavrov")) == ["Russia"]


def test_a_pronoun_speaker_is_the_one_the_claim_names():
    text = (
        "Russia said India should not worry. "
        "It had said the drills were part of the counter-terror framework."
    )
    claim = "Russia had said the drills were part of the counter-terror framework"
    assert speakers(text, (claim, "Sergey Lavrov")) == ["Russia"]


def test_else_the_last_speaker_named_before_it():
    text = "The foreign ministry said India should not worry. It said the drills were routine."
    assert speakers(text, ("The drills were routine", "Sergey Lavrov")) == ["The foreign ministry"]


def test_a_view_nobody_is_named_for_is_the_articles():
    text = "The SCO is an eight-nation bloc, and is being increasingly seen as a counterweight to NATO."
    assert speakers(text, ("The SCO is seen as a counterweight to NATO", "Sergey Lavrov")) == [
        "the article"
    ]
    # "is increasingly seen as" is a passive, as "is seen as" is: it reports no one's words
    assert attributions(text, Span(0, len(text))) == []


def test_a_quotation_no_one_is_reported_saying_keeps_the_models_speaker():
    text = 'Ms Ruiz spoke for an hour. "We will build it by 2030."'
    assert speakers(text, ("We will build it by 2030", "Ana Ruiz")) == ["Ana Ruiz"]


def test_a_claim_the_reporter_states_is_the_articles_whoever_the_model_names():
    # The small model gives every claim the article's most-quoted name.
    article = Article(
        "Russia will supply 12 helicopters, Sergey Lavrov said on Wednesday. "
        "The SCO is an eight-nation bloc founded in 2001."
    )
    answer = {"claims": [
        {"claim": "Russia will supply 12 helicopters", "speaker": "Sergey Lavrov", "kind": "fact"},
        {"claim": "The SCO is an eight-nation bloc founded in 2001.", "speaker": "Sergey Lavrov",
         "kind": "fact"},
    ]}  # fmt: skip
    claims = asyncio.run(LLMClaimExtractor().extract(article, StandIn(article, [answer])))  # type: ignore[arg-type]
    assert [(c.quote, c.speaker) for c in claims] == [
        ("Russia will supply 12 helicopters", "Sergey Lavrov"),
        ("The SCO is an eight-nation bloc founded in 2001.", "the article"),
    ]
