"""The built-in summariser: one model call with the ``summarise`` prompt.

The answer is checked (:func:`.answer_checks.summary_problems`): a summary cut off
mid-sentence, repeating a sentence or carrying stray JSON is asked again with its problems
named, and the stage is ``unparseable`` if the re-asks do not fix it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import copydesk
from copydesk.components import Summariser
from copydesk.types import Article, Summary

from .answer_checks import summary_problems

if TYPE_CHECKING:
    from copydesk.context import StageContext


class LLMSummariser:
    name = "llm"

    async def summarise(self, article: Article, ctx: StageContext) -> Summary:
        answer = await ctx.ask("summarise", max_tokens=400, check=summary_problems)
        return Summary(text=" ".join(answer["summary"].split()))


@copydesk.hookimpl
def register_summarisers(register: Callable[[Summariser], None]) -> None:
    register(LLMSummariser())
