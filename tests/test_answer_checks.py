"""The checks a summary and a claims answer must pass, and the claim extractor that uses
them: parts of a long article, and the speaker of a quotation."""

from __future__ import annotations

import asyncio
from typing import Any

from copydesk.plugins.answer_checks import claims_problems, summary_problems
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


def test_a_quote_a_quotation_and_a_figure_are_each_checked():
    article = 'Lavrov visited Islamabad. "We will supply 12 helicopters," Lavrov said.'
    check = claims_problems(lambda quote: quote in article)
    good = {"claim": "Russia will supply 12 helicopters.", "quote": "We will supply 12 helicopters",
            "speaker": "Lavrov", "kind": "quotation"}  # fmt: skip
    assert check({"claims": [good]}) == []
    problems = check(
        {
            "claims": [
                {**good, "quote": "Lavrov flew to Islamabad"},
                {**good, "speaker": "the article"},
                {**good, "claim": "Russia will supply 14 helicopters."},
            ]
        }
    )
    # Claim 1's quote is not the article's: not re-asked, the host drops it when grounding.
    assert [p.split(":")[0].split(" is")[0] for p in problems] == [
        "Claim 2",
        "Claim 3 gives 14, which its quote does not",
    ]


class StandIn:
    """A stage context that answers from a list and records what it was asked."""

    def __init__(self, article: Article, answers: list[dict[str, Any]]):
        self.article, self.answers, self.asked = article, answers, []

    async def ask(self, prompt: str, **kwargs: Any) -> Any:
        self.asked.append((prompt, kwargs))
        return self.answers.pop(0)

    def locate(self, quote: str, **_: Any) -> Span | None:
        at = self.article.text.find(quote)
        return None if at < 0 else Span(at, at + len(quote))


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
    claim = {"claim": "Russia will supply helicopters.", "quote": "We will supply helicopters",
             "speaker": "the article", "kind": "quotation"}  # fmt: skip
    ctx = StandIn(article, [{"claims": []}, {"claims": [claim]}, {"claims": []}])
    claims = asyncio.run(LLMClaimExtractor().extract(article, ctx))  # type: ignore[arg-type]
    assert len(ctx.asked) == 3 and all("part" in kwargs for _, kwargs in ctx.asked)
    assert [(c.quote, c.speaker) for c in claims] == [
        ("We will supply helicopters", "Sergey Lavrov")
    ]
