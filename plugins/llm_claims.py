"""The built-in claim extractor: the ``claims`` prompt, once per part of the article.

A long article is asked about in parts (paragraphs, up to :data:`PART_WORDS` words each),
so its second half gets claims too. Nothing is re-asked: each claim is anchored on the
sentence its own words come from (:class:`.claim_anchors.ClaimAnchors`), and its speaker
is read from that sentence (:func:`.claim_speakers.claim_speaker`): the speaker of the
report the claim's words come from, or the article when they are the reporter's own.
Both are fixed here, without the model, because a re-ask is a whole call on the embedded
model and, measured on the sample, returned fewer claims rather than better-anchored
ones; the prompt asks for no quote at all (the claim's words are the article's where it
can keep them), which halves what the call generates. The host grounds each claim's
quote in the article and drops those that are not there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import copydesk
from copydesk.components import ClaimExtractor
from copydesk.types import Article, Claim, Span

from .claim_anchors import ClaimAnchors
from .claim_speakers import claim_speaker

if TYPE_CHECKING:
    from copydesk.context import StageContext

#: The most words one part of an article asked about at once. A typical news article
#: (600-700 words) stays one call: on the embedded model each part is another call
#: (~500 model-computed tokens, 10-20 s on 2 cores) against the check's cost bound
#: (issue 14: about 2,400 tokens for the sample); long features are read in parts.
PART_WORDS = 800
#: The most parts: past this, parts grow instead (the cost of a check stays bounded).
MAX_PARTS = 4


class LLMClaimExtractor:
    name = "llm"

    async def extract(self, article: Article, ctx: StageContext) -> list[Claim]:
        parts = article_parts(article)
        anchors = ClaimAnchors(article)
        claims: list[Claim] = []
        seen: set[str] = set()
        for part in parts:
            extra: dict[str, Any] = {}
            if len(parts) > 1:
                extra["part"] = article.text[part.start : part.end]
            answer = await ctx.ask("claims", max_tokens=900, **extra)
            for item in answer["claims"]:
                text = item["claim"].strip()
                claim = Claim(
                    text=text,
                    quote=anchors.quote(text, ctx.locate, item.get("quote")),
                    speaker=item["speaker"].strip() or None,
                    kind=item["kind"],
                )
                if claim.quote in seen:
                    continue
                seen.add(claim.quote)
                if (at := ctx.locate(claim.quote)) and (found := anchors.sentence_at(at.start)):
                    sentence, earlier = found
                    claim.speaker = claim_speaker(
                        article.text, text, claim.speaker, sentence, earlier
                    )
                claims.append(claim)
        return claims


def article_parts(article: Article) -> list[Span]:
    """The body in runs of whole paragraphs of at most :data:`PART_WORDS` words (one part
    for a short article), at most :data:`MAX_PARTS` of them."""
    paragraphs = article.paragraphs or [article.body_span]
    total = sum(len(article.text[p.start : p.end].split()) for p in paragraphs)
    size = max(PART_WORDS, -(-total // MAX_PARTS))
    parts: list[Span] = []
    start, count, prev_end = paragraphs[0].start, 0, paragraphs[0].end
    for p in paragraphs:
        n = len(article.text[p.start : p.end].split())
        if count and count + n > size:
            parts.append(Span(start, prev_end))
            start, count = p.start, 0
        count += n
        prev_end = p.end
    parts.append(Span(start, paragraphs[-1].end))
    return parts


@copydesk.hookimpl
def register_claim_extractors(register: Callable[[ClaimExtractor], None]) -> None:
    register(LLMClaimExtractor())
