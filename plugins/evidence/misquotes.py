"""The quotation check as a checker: direct speech compared word for word with its source.

Quotations in the article are compared with the evidence: each document given with
``--source`` whole, and the passages every other source returns for the quotation's
words. Quotations in a given summary or headline are compared with the article. See
:mod:`~copydesk.plugins.evidence.quotes` for what counts as the same words.

- ``altered`` is a ``misquote`` (high): the finding quotes the article's quotation, names
  each changed word (a negation, a number, a name first) and carries the source's
  original words as its evidence;
- ``not_found``: in a given text, a ``misquote`` too (a summary that quotes words the
  article does not have puts words in someone's mouth); in the article, an
  ``unsupported_claim`` (medium), since the speaker's words may be in no source given;
- a claim whose words hold the quotation gets the verdict: ``contradicted`` by an
  altered quotation, ``supported`` by a verbatim one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from copydesk.evidence import ARTICLE_SOURCE
from copydesk.types import Claim, Evidence, Finding, Passage, Target

from .quotes import Change, QuoteCheck, check_quotation, find_quotations

if TYPE_CHECKING:
    from copydesk.context import CheckContext

#: The name of the built-in source of ``--source`` documents (this plugin's own).
GIVEN_SOURCE = "sources"
CONFIDENCE_ALTERED = 0.8
CONFIDENCE_NOT_FOUND = 0.4
#: Passages asked of each other source for a quotation.
PASSAGES = 3
_KIND_WORDS = {"negation": "a negation", "number": "a number", "name": "a name", "other": "a word"}


def describe(change: Change) -> str:
    """One change as an editor reads it: what the source has, and what the article has."""
    kind = _KIND_WORDS[change.kind]
    if not change.article_words:
        return f'{kind} dropped: the source has "{change.source_words}"'
    if not change.source_words:
        return f'{kind} added: "{change.article_words}" is not in the source'
    return f'{kind} changed: the source has "{change.source_words}" where the article has "{change.article_words}"'


async def check_quotes(ctx: CheckContext) -> list[Finding]:
    """The checker (see the module)."""
    found: list[Finding] = []
    body = ctx.article.body_span
    text = ctx.article.text
    if ctx.evidence.searchable:
        quotations = find_quotations(text, body.start, body.end)
        passages = await asyncio.gather(
            *(ctx.evidence.search(q.text, PASSAGES) for q in quotations)
        )
        given = [(f"{GIVEN_SOURCE}\0{doc}", a.text) for doc, a in ctx.evidence.documents]
        for q, hits in zip(quotations, passages, strict=True):
            others = [p for p in hits if p.source != GIVEN_SOURCE]
            if not given and not others:
                continue  # no evidence to compare it with
            check = await asyncio.to_thread(
                check_quotation, text, q, [*given, *_as_documents(others)]
            )
            found += _findings(ctx, check, "article", _located(check, others))
    whole = ctx.evidence.whole_article
    for g in ctx.evidence.given:
        article_doc = [(f"{ARTICLE_SOURCE}\0{ctx.evidence.article_id}", whole.text)]
        for q in find_quotations(g.text):
            check = await asyncio.to_thread(check_quotation, g.text, q, article_doc)
            found += _findings(ctx, check, g.target, _located(check, []))
    return found


def _as_documents(passages: Sequence[Passage]) -> list[tuple[str, str]]:
    """Passages as the quotation check's documents, each named so it can be found again."""
    return [(f"passage\0{i}", p.text) for i, p in enumerate(passages)]


def _located(check: QuoteCheck, passages: Sequence[Passage]) -> Evidence | None:
    """The source words ``check`` matched, as evidence in their document."""
    if check.document is None or check.source_start is None or check.source_text is None:
        return None
    kind, _, name = check.document.partition("\0")
    if kind == "passage":
        p = passages[int(name)]
        return Evidence(
            p.source,
            p.document,
            check.source_text,
            p.start + check.source_start,
            title=p.title,
            location=p.location,
        )
    return Evidence(kind, name, check.source_text, check.source_start)


def _findings(
    ctx: CheckContext, check: QuoteCheck, target: Target, evidence: Evidence | None
) -> list[Finding]:
    q = check.quotation
    who = f" ({q.speaker})" if q.speaker else ""
    if check.status == "verbatim":
        if evidence is not None:
            for claim in _claims_holding(ctx, q.start, q.end, target):
                ctx.evidence.judge(
                    claim,
                    "supported",
                    evidence=[evidence],
                    confidence=0.8,
                    explanation="The quotation is word for word in the source.",
                )
        return []
    if check.status == "altered":
        assert evidence is not None
        changes = "; ".join(describe(c) for c in check.changes[:4])
        finding = Finding(
            "misquote",
            q.text,
            f"The quotation{who} is not what the source says: {changes}.",
            severity="high",
            suggestion=f'Quote the source\'s words: "{check.source_text}".',
            confidence=CONFIDENCE_ALTERED,
            target=target,
            start=q.start,
            evidence=[evidence],
        )
        claims = _claims_holding(ctx, q.start, q.end, target)
        for claim in claims:
            ctx.evidence.judge(
                claim,
                "contradicted",
                evidence=[evidence],
                findings=[finding],
                confidence=CONFIDENCE_ALTERED,
                explanation=finding.explanation,
            )
        return [] if claims else [finding]
    if target == "article":
        if not ctx.evidence.available:
            return []  # a third party's search found something else: no verdict on it
        return [
            Finding(
                "unsupported_claim",
                q.text,
                f"The quotation{who} is in none of the sources given.",
                severity="medium",
                suggestion="Check the quotation against the recording or the speaker's text.",
                confidence=CONFIDENCE_NOT_FOUND,
                start=q.start,
            )
        ]
    return [
        Finding(
            "misquote",
            q.text,
            f"The quotation{who} is not in the article: the words are the summary's own.",
            severity="high",
            suggestion="Quote the article's words, or do not quote.",
            confidence=CONFIDENCE_ALTERED,
            target=target,
            start=q.start,
        )
    ]


def _claims_holding(ctx: CheckContext, start: int, end: int, target: Target) -> list[Claim]:
    """The claims of this part whose words hold the quotation (article quotations only)."""
    if target != "article":
        return []
    return [c for c in ctx.claims if c.start <= start and end <= c.end]
