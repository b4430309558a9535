"""The built-in model-backed consistency checker: one call with the ``check`` prompt.

It asks for loaded language, missing details, unattributed claims, internal
inconsistencies and summary statements the article does not support. A small model
over-flags, so its findings start at modest confidence; agreement with the
deterministic detectors is what raises it.
"""

from __future__ import annotations

import copydesk
from copydesk.context import StageContext
from copydesk.types import Article, Claim, Finding, Summary

#: What a lone model finding is worth before anything else supports it.
LLM_CONFIDENCE = 0.4


class LLMChecker:
    name = "llm"
    categories = (
        "loaded_language",
        "missing_detail",
        "unattributed_claim",
        "internal_inconsistency",
        "unfaithful_summary",
    )
    needs_model = True

    async def check(
        self, article: Article, summary: Summary | None, claims: list[Claim], ctx: StageContext
    ) -> list[Finding]:
        answer = await ctx.ask("check", summary=summary.text if summary else None, max_tokens=900)
        return [
            Finding(
                category=issue["category"],
                quote=issue["quote"],
                explanation=issue["explanation"].strip(),
                suggestion=issue["suggestion"].strip(),
                severity=issue["severity"],
                confidence=LLM_CONFIDENCE,
                target="summary" if issue["category"] == "unfaithful_summary" else "article",
            )
            for issue in answer["issues"]
        ]


@copydesk.hookimpl
def register_checkers(register):  # type: ignore[no-untyped-def]
    register(LLMChecker())
