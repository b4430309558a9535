"""The built-in summariser: one model call with the ``summarise`` prompt."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import copydesk
from copydesk.components import Summariser
from copydesk.types import Article, Summary

if TYPE_CHECKING:
    from copydesk.context import StageContext


class LLMSummariser:
    name = "llm"

    async def summarise(self, article: Article, ctx: StageContext) -> Summary:
        answer = await ctx.ask("summarise", max_tokens=400)
        return Summary(text=" ".join(answer["summary"].split()))


@copydesk.hookimpl
def register_summarisers(register: Callable[[Summariser], None]) -> None:
    register(LLMSummariser())
