"""What the fact-check verifies, and against what.

Two kinds of statement, each with its own evidence:

- the article's claims (``ctx.claims``; with no claim extractor, as under ``--no-model``,
  the sentences that state a number or a date), checked against the evidence sources
  (``ctx.evidence.search``) when the user gave evidence or a source found some;
- each sentence of a text given to check against the article (``--summary``,
  ``--headline``), whose evidence is the article itself: its passages, searched here
  with the same bm25 index a corpus has, under the source name ``"article"``.

A long article is read in parts, a checker stage each; a stage verifies the claims that
start in its part, and the first part's stage the given texts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from copydesk.evidence import ARTICLE_SOURCE
from copydesk.plugins.text_helpers import article_sentences, split_sentences
from copydesk.types import Article, Claim, Passage, Span, Statement

from .mentions import mentions
from .store import Corpus

if TYPE_CHECKING:
    from copydesk.context import CheckContext

#: Passages retrieved for each statement: the best one decides the model-free check, the
#: best few are what the model reads.
PASSAGES = 3


@dataclass
class ToVerify:
    """A statement, the query its evidence is searched with, and the passages found."""

    statement: Statement
    #: the claim the statement is (for an article claim), so its verdict lands on it
    claim: Claim | None
    query: str
    passages: list[Passage]
    #: the whole text of the evidence, where there is one document (the article)
    document: str | None = None


def article_statements(ctx: CheckContext) -> list[tuple[Statement, Claim | None, str]]:
    """The article's claims in this stage's part, each with its search query (its own
    words first: the article's quote, then the claim as the extractor put it). With no
    claims, the part's sentences that state a number or a date."""
    body = ctx.article.body_span
    out: list[tuple[Statement, Claim | None, str]] = []
    for claim in ctx.claims:
        if body.start <= claim.start < body.end:
            statement = Statement("article", claim.quote, claim.start, claim.end)
            query = claim.quote if claim.text == claim.quote else f"{claim.quote} {claim.text}"
            out.append((statement, claim, query))
    if ctx.claims:
        return out
    text = ctx.article.text
    for s in article_sentences(ctx.article):
        if any(m.kind in ("number", "date") for m in mentions(text, s.start, s.end)):
            quote = text[s.start : s.end]
            out.append((Statement("article", quote, s.start, s.end), None, quote))
    return out


def given_statements(ctx: CheckContext) -> list[Statement]:
    """Each sentence of each given text, at its offsets there; a headline is one."""
    out: list[Statement] = []
    for given in ctx.evidence.given:
        text = given.text
        spans = [] if given.target == "headline" else split_sentences(text)
        if not spans:
            start = len(text) - len(text.lstrip())
            spans = [Span(start, len(text.rstrip()))]
        out += [Statement(given.target, text[s.start : s.end], s.start, s.end) for s in spans]
    return [s for s in out if s.quote.strip()]


async def statements_to_verify(ctx: CheckContext, k: int = PASSAGES) -> list[ToVerify]:
    """Every statement this stage verifies, with its ``k`` best passages."""
    out: list[ToVerify] = []
    claims = article_statements(ctx) if ctx.evidence.searchable else []
    found = await asyncio.gather(*(ctx.evidence.search(q, k) for _, _, q in claims))
    out += [
        ToVerify(statement, claim, query, passages)
        for (statement, claim, query), passages in zip(claims, found, strict=True)
        # with nothing given and nothing found, there is nothing to say about it
        if passages or ctx.evidence.available
    ]
    given = given_statements(ctx)
    if given:
        whole = ctx.evidence.whole_article
        queries = [s.quote for s in given]
        found = await asyncio.to_thread(
            article_passages, whole, ctx.evidence.article_id, queries, k
        )
        out += [
            ToVerify(s, None, s.quote, passages, whole.text)
            for s, passages in zip(given, found, strict=True)
        ]
    return out


def article_passages(
    article: Article, document: str, queries: Sequence[str], k: int
) -> list[list[Passage]]:
    """The ``k`` passages of ``article`` that best match each query, as the source
    ``"article"`` (run in a worker thread: the index lives and dies in it)."""
    body = Article(text=article.text, title=article.title, body=article.body_span)
    with Corpus.in_memory([(document, body)]) as index:
        return [
            [
                Passage(
                    p.document, p.title, p.location, p.text, p.start, p.end, p.score, ARTICLE_SOURCE
                )
                for p in index.search(query, k)
            ]
            for query in queries
        ]
