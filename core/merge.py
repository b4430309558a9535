"""Merging findings from several detectors into one list an editor can read.

Detectors overlap by design: a lexicon, a pattern and the model may all flag the same
words. Findings of the same category on overlapping spans of the same text become one
finding; every detector that found it is listed in ``detectors``, and independent
agreement raises ``confidence`` (as independent evidence does: 1 - Π(1 - cᵢ)). The
merged finding keeps the widest of the overlapping spans' severity and the explanation
of its most confident detector, with the others' appended.
"""

from __future__ import annotations

from .types import Evidence, Finding, severity_rank


def _overlaps(a: Finding, b: Finding) -> bool:
    return a.target == b.target and a.start < b.end and b.start < a.end


def combine(confidences: list[float]) -> float:
    """Independent evidence: the chance that not every detector is wrong."""
    miss = 1.0
    for c in confidences:
        miss *= 1.0 - min(max(c, 0.0), 1.0)
    return round(1.0 - miss, 3)


def merge_findings(findings: list[Finding]) -> list[Finding]:
    """One finding per (category, overlapping span), detectors and confidence combined."""
    groups: list[list[Finding]] = []
    for finding in sorted(findings, key=lambda f: (f.target, f.category, f.start, -f.end)):
        for group in groups:
            if group[0].category == finding.category and any(_overlaps(g, finding) for g in group):
                group.append(finding)
                break
        else:
            groups.append([finding])
    return [_merge(group) for group in groups]


def _merge(group: list[Finding]) -> Finding:
    if len(group) == 1:
        return group[0]
    best = max(group, key=lambda f: (f.confidence, f.end - f.start))
    # One vote per detector: a detector that flags the same span twice is not agreement.
    by_detector: dict[str, float] = {}
    for f in group:
        for d in f.detectors or [f.plugin]:
            by_detector[d] = max(by_detector.get(d, 0.0), f.confidence)
    others = [
        f.explanation
        for f in group
        if f is not best and f.explanation and f.explanation != best.explanation
    ]
    return Finding(
        category=best.category,
        quote=best.quote,
        start=best.start,
        end=best.end,
        target=best.target,
        severity=max((f.severity for f in group), key=severity_rank),
        explanation=" ".join([best.explanation, *dict.fromkeys(others)]).strip(),
        suggestion=best.suggestion or next((f.suggestion for f in group if f.suggestion), ""),
        confidence=combine(list(by_detector.values())),
        plugin=best.plugin,
        detectors=sorted(by_detector),
        evidence=_evidence([best, *(f for f in group if f is not best)]),
    )


def _evidence(group: list[Finding]) -> list[Evidence]:
    """Every finding's evidence, the best finding's first, each piece once."""
    out: list[Evidence] = []
    seen: set[tuple[str, str, int, int]] = set()
    for f in group:
        for e in f.evidence:
            key = (e.source, e.document, e.start, e.end)
            if key not in seen:
                seen.add(key)
                out.append(e)
    return out
