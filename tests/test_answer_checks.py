"""The checks a summary must pass, and the claim extractor: parts of a long article, each
claim anchored on the sentence that makes it, and the speaker of a quotation."""

from __future__ import annotations

import asyncio

from conftest import StandIn

from copydesk.plugins.answer_checks import summary_problems
from copydesk.plugins.claim_anchors import ClaimAnchors
from copydesk.plugins.llm_claims import LLMClaimExtractor, article_parts
from copydesk.plugins.llm_summariser import LLMSummariser
from copydesk.types import Article, Span


def test_a_complete_summary_has_no_problem():
    summary = "Russia will supply Pakistan with military equipment. Lavrov said so on Wednesday."
    assert summary_problems({"summary": summary}) == []


def test_a_summary_cut_mid_sentence():
    (problem,) = summary_problems({"summary": "Russia will supply Pakistan with military"})
    assert problem.startswith("The summary stops mid-sentence")


def test_a_summary_that_repeats_a_sentence():
    summary = "Lavrov visited Pakistan. Talks covered arms. Lavrov visited Pakistan on Tuesday."
    (problem,) = summary_problems({"summary": summary})
    assert problem.startswith("The summary says the same thing twice")


def test_a_summary_carrying_stray_json():
    for summary in ["Lavrov visited Pakistan.}", '{"summary": "Lavrov visited Pakistan."}']:
        problems = summary_problems({"summary": summary})
        assert any("JSON" in p for p in problems), summary


HELICOPTERS = (
    "Lavrov visited Islamabad on Tuesday. Russia will supply 12 helicopters to "
    "Pakistan, he said. The two countries hold joint drills every year."
)


def test_a_claim_is_anchored_on_the_sentence_its_own_words_come_from():
    article = Article(HELICOPTERS)
    locate = StandIn(article, []).locate
    anchored_quote = ClaimAnchors(article).quote
    # A claim in the article's own words quotes exactly those words...
    assert anchored_quote("Russia will supply 12 helicopters", locate) == (
        "Russia will supply 12 helicopters"
    )
    # ... one reworded quotes the sentence that makes it, whole...
    assert anchored_quote("Russia will supply Pakistan with 12 helicopters.", locate) == (
        "Russia will supply 12 helicopters to Pakistan, he said."
    )
    # ... and a paraphrase no sentence carries keeps its own words: grounding drops it.
    loose = "Moscow and Islamabad are drawing closer."
    assert anchored_quote(loose, locate) == loose


def test_a_quote_a_prompt_override_asks_for_is_kept_only_on_the_right_sentence():
    # The small model's commonest slip: a good claim, the neighbouring sentence's words.
    article = Article(HELICOPTERS)
    locate = StandIn(article, []).locate
    anchored_quote = ClaimAnchors(article).quote
    claim = "Russia will supply Pakistan with 12 helicopters."
    assert (
        anchored_quote(claim, locate, "Lavrov visited Islamabad on Tuesday")
        == "Russia will supply 12 helicopters to Pakistan, he said."
    )
    # The model's own words stand when their sentence is the one making the claim...
    assert anchored_quote(claim, locate, "supply 12 helicopters") == "supply 12 helicopters"
    # ... and when no sentence makes it (a paraphrase): grounding then decides.
    loose = "Moscow and Islamabad are drawing closer."
    assert anchored_quote(loose, locate, "Lavrov visited Islamabad") == "Lavrov visited Islamabad"
    assert anchored_quote(loose, locate, "not in the article") == "not in the article"


def test_claims_are_asked_once_per_part_and_never_re_asked():
    article = Article("Lavrov visited Islamabad. Russia will supply 12 helicopters, he said.")
    answer = {"claims": [{"claim": "Russia will supply 12 helicopters.", "speaker": "Lavrov",
                          "kind": "fact"}]}  # fmt: skip
    ctx = StandIn(article, [answer])
    claims = asyncio.run(LLMClaimExtractor().extract(article, ctx))  # type: ignore[arg-type]
    assert [kwargs.get("check") for _, kwargs in ctx.asked] == [None]
    assert [c.quote for c in claims] == ["Russia will supply 12 helicopters, he said."]


def test_the_summariser_asks_with_the_summary_check():
    ctx = StandIn(Article("Lavrov visited Pakistan."), [{"summary": "Lavrov visited  Pakistan."}])
    summary = asyncio.run(LLMSummariser().summarise(ctx.article, ctx))  # type: ignore[arg-type]
    assert summary.text == "Lavrov visited Pakistan."
    assert ctx.asked[0][1]["check"] is summary_problems


def test_a_long_article_is_asked_about_in_parts_of_whole_paragraphs():
    paragraph = " ".join(["word"] * 300)
    article = Article("\n\n".join([paragraph] * 7))
    parts = article_parts(article)
    assert [len(article.text[p.start : p.end].split()) for p in parts] == [600, 600, 600, 300]
    assert article_parts(Article("A short article.")) == [Span(0, 16)]


def test_each_part_is_asked_and_a_quotation_gets_its_speaker():
    first = " ".join(["Lavrov visited Islamabad."] * 300)
    second = '"We will supply helicopters," Sergey Lavrov said on Wednesday.'
    article = Article(f"{first}\n\n{second}\n\n{first}")
    claim = {"claim": "We will supply helicopters", "speaker": "the article",
             "kind": "quotation"}  # fmt: skip
    ctx = StandIn(article, [{"claims": []}, {"claims": [claim]}, {"claims": []}])
    claims = asyncio.run(LLMClaimExtractor().extract(article, ctx))  # type: ignore[arg-type]
    assert len(ctx.asked) == 3 and all("part" in kwargs for _, kwargs in ctx.asked)
    assert [(c.quote, c.speaker) for c in claims] == [
        ("We will supply helicopters", "Sergey Lavrov")
    ]
