"""The built-in summariser: one model call with the ``summarise`` prompt."""

from __future__ import annotations

import copydesk
from copydesk.context import StageContext
from copydesk.types import Article, Summary


class LLMSummariser:
    name = "llm"

    async def summarise(self, article: Article, ctx: StageContext) -> Summary:
        answer = await ctx.ask("summarise", max_tokens=400)
        return Summary(text=" ".join(answer["summary"].split()))


@copydesk.hookimpl
def register_summarisers(register):  # type: ignore[no-untyped-def]
    register(LLMSummariser())
