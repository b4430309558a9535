"""Merging the checkers' verdicts on each statement into the one the report shows.

Each fact-check checker records its own verdict on a claim or a given sentence
(``ctx.evidence.judge``), with the findings it raises if it stands. :func:`settle` keeps
the verdicts whose evidence is still there once the host has looked for it, and merges
each statement's: ``contradicted`` if any checker's evidence contradicts it, else
``supported`` if any supports it, else ``not_found``. One exception: a checker that reads
the model (``needs_model``) does not overturn, by its ``supported``, the ``not_found`` of a
checker that reads none when that ``not_found`` names words of the statement the
evidence lacks (its ``lacking``: a name, a figure that is nowhere). Whether a particular
is in the evidence is a fact a rule can check; a model's ``supported`` is a reading, and
a reading cannot put the particular there. Which checkers read the model is what they
declare (``needs_model``), never their names. The verdict's checkers are its
``detectors``, their confidences combined as independent evidence; the findings of the
verdict that stands are reported, the others withdrawn, so that a report never flags a
claim as unsupported that it shows supported.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .grounding import locate
from .merge import combine
from .types import Claim, Dropped, Evidence, Finding, StageStatus, Statement, Verdict, Verification

if TYPE_CHECKING:
    from .evidence import RunEvidence

#: The order in which verdicts win over one another when checkers disagree.
STRENGTH: dict[str, int] = {"contradicted": 2, "supported": 1, "not_found": 0}


@dataclass
class Judgement:
    """One checker's verdict on one statement, and the findings it raises if it stands."""

    statement: Statement
    verification: Verification
    findings: list[Finding]
    plugin: str
    stage: StageStatus
    #: whether the checker reads the model (its ``needs_model``): its verdict is a reading
    by_model: bool = False
    #: words of the statement its evidence lacks (for ``not_found``): what the verdict
    #: rests on; the host keeps only those that are the statement's words
    lacking: list[str] = dataclasses.field(default_factory=list)

    @property
    def certain(self) -> bool:
        """A ``not_found`` that no model's ``supported`` overturns (see the module)."""
        return self.verification.verdict == "not_found" and not self.by_model and bool(self.lacking)


def settle(
    run: RunEvidence, claims: list[Claim], dropped: list[Dropped]
) -> list[tuple[str, Finding]]:
    """Ground every judgement's evidence, merge the verdicts of each statement onto its
    claim or given sentence, and return the findings of the verdicts that stand, each with
    the plugin that raised it (they are grounded like any finding next)."""
    by_statement: dict[tuple[str, int, int], list[Judgement]] = {}
    for j in run.judgements:
        if j.stage.status != "ok":
            continue  # a failed stage's results are not used
        v = j.verification
        v.evidence = run.ground_all(v.evidence, j.plugin, j.stage, dropped)
        # what a not_found rests on must be the statement's own words, checked here
        j.lacking = [w for w in j.lacking if w.strip() and locate(j.statement.quote, w)]
        if v.verdict != "not_found" and not v.evidence:
            dropped.append(Dropped(j.plugin, "verdict", j.statement.quote))
            j.stage.dropped += 1
            continue  # a verdict with no evidence left rests on nothing
        key = (j.statement.target, j.statement.start, j.statement.end)
        by_statement.setdefault(key, []).append(j)
    raised: list[tuple[str, Finding]] = []
    claim_at = {(c.start, c.end): c for c in claims}
    for (target, start, end), group in by_statement.items():
        verification, winners = _merged(group)
        for j in winners:
            raised += [(j.plugin, f) for f in j.findings]
        if target == "article":
            claim = claim_at.get((start, end))
            if claim is not None:
                claim.verification = verification
            continue
        given = next((g for g in run.given if g.target == target), None)
        if given is not None:
            statement = dataclasses.replace(group[0].statement, verification=verification)
            given.statements.append(statement)
    for g in run.given:
        g.statements.sort(key=lambda s: s.start)
    return raised


def _merged(group: list[Judgement]) -> tuple[Verification, list[Judgement]]:
    """One verdict from several checkers' (see the module), and the judgements behind it."""
    if any(j.certain for j in group):
        group = [j for j in group if not (j.by_model and j.verification.verdict == "supported")]
    verdict: Verdict = max((j.verification.verdict for j in group), key=STRENGTH.__getitem__)
    winners = [j for j in group if j.verification.verdict == verdict]
    by_plugin: dict[str, Judgement] = {}
    for j in winners:  # one vote a checker (a long article's parts may judge a claim twice)
        if j.plugin not in by_plugin or j.verification.confidence > (
            by_plugin[j.plugin].verification.confidence
        ):
            by_plugin[j.plugin] = j
    best = max(by_plugin.values(), key=lambda j: j.verification.confidence)
    evidence: list[Evidence] = []
    for j in [best, *(j for j in by_plugin.values() if j is not best)]:
        evidence += [
            e
            for e in j.verification.evidence
            if all((x.source, x.document, x.start, x.end) != (e.source, e.document, e.start, e.end)
                   for x in evidence)
        ]  # fmt: skip
    merged = Verification(
        verdict=verdict,
        explanation=best.verification.explanation,
        evidence=evidence,
        confidence=combine([j.verification.confidence for j in by_plugin.values()]),
        detectors=sorted(by_plugin),
    )
    return merged, winners
