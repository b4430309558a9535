"""The built-in model-backed consistency checker: one call with the ``check`` prompt.

It asks for loaded language, missing details, unattributed claims, internal
inconsistencies and summary statements the article does not support. A small model
over-flags, so its findings start at modest confidence; agreement with the
deterministic detectors (merged by the host) is what raises it. A "loaded" quote that
lies wholly inside quotation marks is the speaker's wording, which the prompt tells the
model not to flag: such a finding is kept, at lower confidence still.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import copydesk
from copydesk.components import Checker
from copydesk.types import Finding

from .text_helpers import quoted_spans

if TYPE_CHECKING:
    from copydesk.context import CheckContext

#: What a lone model finding is worth before anything else supports it.
LLM_CONFIDENCE = 0.4
#: A loaded-language finding on words inside a quotation: the model ignored its brief.
LLM_CONFIDENCE_QUOTED = 0.2


CATEGORIES = (
    "loaded_language",
    "missing_detail",
    "unattributed_claim",
    "internal_inconsistency",
    "unfaithful_summary",
)


@copydesk.checker("llm", categories=CATEGORIES, needs_model=True)
async def llm(ctx: CheckContext) -> list[Finding]:
    """One ``check`` call; the answer's categories are the schema's, the ones declared."""
    summary = ctx.summary.text if ctx.summary else None
    answer = await ctx.ask("check", summary=summary, max_tokens=900)
    found = [
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
    for finding in found:
        if finding.category == "loaded_language" and _in_quotation(finding, ctx):
            finding.confidence = LLM_CONFIDENCE_QUOTED
    return found


def _in_quotation(finding: Finding, ctx: CheckContext) -> bool:
    """Whether the words the host will ground ``finding`` on lie inside a quotation."""
    span = ctx.locate(finding)  # where the host will put it, by the host's own rule
    if span is None:
        return False
    article = ctx.article
    para = next((p for p in article.paragraphs if p.start <= span.start < p.end), None)
    if para is None:
        return False
    quoted = quoted_spans(article.text, para.start, para.end)
    return any(q.start <= span.start and span.end <= q.end for q in quoted)


@copydesk.hookimpl
def register_checkers(register: Callable[[Checker], None]) -> None:
    register(llm)
