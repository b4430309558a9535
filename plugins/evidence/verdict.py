"""The finding a fact-check verdict raises: one builder for every checker that judges a
statement (the model-free figures and the model's verdicts), so that a
``contradicted_claim`` or ``unsupported_claim`` reads the same whoever raised it."""

from __future__ import annotations

from collections.abc import Sequence

from copydesk.types import Evidence, Finding, Statement, Verdict

#: What each verdict raises: category, severity and what the editor should do.
RAISES: dict[str, tuple[str, str, str]] = {
    "contradicted": ("contradicted_claim", "high", "Check it against the evidence quoted."),
    "not_found": ("unsupported_claim", "medium", "Find a source for it, or take it out."),
}


def verdict_finding(
    verdict: Verdict,
    statement: Statement,
    explanation: str,
    *,
    confidence: float,
    evidence: Sequence[Evidence] = (),
    suggestion: str | None = None,
) -> Finding | None:
    """The finding ``verdict`` on ``statement`` raises (``None`` for ``supported``): it
    quotes the statement where it is (the article, or the given text) and carries the
    evidence. ``suggestion`` replaces the verdict's own (a figure to check, say)."""
    if verdict not in RAISES:
        return None
    category, severity, default = RAISES[verdict]
    return Finding(
        category,
        statement.quote,
        explanation,
        severity=severity,
        suggestion=suggestion or default,
        confidence=confidence,
        target=statement.target,
        start=statement.start,
        evidence=list(evidence),
    )
