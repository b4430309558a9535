"""The built-in claim extractor: one model call with the ``claims`` prompt.

The host grounds each claim's quote in the article and drops those that are not there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import copydesk
from copydesk.components import ClaimExtractor
from copydesk.types import Article, Claim

if TYPE_CHECKING:
    from copydesk.context import StageContext


class LLMClaimExtractor:
    name = "llm"

    async def extract(self, article: Article, ctx: StageContext) -> list[Claim]:
        answer = await ctx.ask("claims", max_tokens=900)
        return [
            Claim(
                text=item["claim"].strip(),
                quote=item["quote"],
                speaker=item["speaker"].strip() or None,
                kind=item["kind"],
            )
            for item in answer["claims"]
        ]


@copydesk.hookimpl
def register_claim_extractors(register: Callable[[ClaimExtractor], None]) -> None:
    register(LLMClaimExtractor())
