"""One article through the copy desk: summary and claims at once, then every checker at once.

Each plugin runs as a *stage* whose outcome is recorded whatever happens: a plugin that
raises, returns the wrong type, or whose model answers never validate is reported in
``stages`` and the others go on. Everything a plugin returns is grounded before it
reaches the report: quotes are found in the text and given offsets from it, and what is
not there is dropped and counted.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from . import __version__
from .components import ClaimExtractor, Summariser
from .context import CheckContext, StageContext
from .errors import CopydeskError, ModelError, StageSkipped, UnparseableOutput
from .evidence import RunEvidence
from .grounding import ground
from .merge import merge_findings
from .model.service import Session
from .parts import split_body
from .progress import Listener, StageEvent, ended, with_totals
from .prompt_library import PromptLibrary
from .registration import RegisteredChecker
from .trace import trace
from .types import (
    SEVERITIES,
    Article,
    Claim,
    Dropped,
    Finding,
    GivenText,
    ModelCall,
    StageStatus,
    Summary,
    severity_rank,
)

#: Bumped when the report's shape changes (1.1: claims' verifications, findings' evidence,
#: the given texts; a 1.0 report still validates against the schema it was written to).
SCHEMA_VERSION = "1.1"


@dataclass
class RunResult:
    article: Article
    summary: Summary | None
    claims: list[Claim]
    findings: list[Finding]
    stages: list[StageStatus]
    calls: list[ModelCall]
    dropped: list[Dropped] = field(default_factory=list)
    model: dict[str, Any] = field(default_factory=dict)
    #: texts given to check against the article (--summary, --headline), as checked
    given: list[GivenText] = field(default_factory=list)
    #: how long the run took (copydesk.timing): set by the desk that ran it
    timing: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return any(s.status in ("failed", "unparseable") for s in self.stages)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "copydesk_version": __version__,
            "article": self.article.to_dict(),
            "summary": self.summary.to_dict() if self.summary else None,
            "claims": [c.to_dict() for c in self.claims],
            "findings": [f.to_dict() for f in self.findings],
            "stages": [s.to_dict() for s in self.stages],
            "calls": [c.to_dict() for c in self.calls],
            "dropped": [d.to_dict() for d in self.dropped],
            "model": self.model,
            "given": [g.to_dict() for g in self.given],
            **({"timing": self.timing} if self.timing else {}),
        }


@dataclass
class Pipeline:
    summariser: Summariser | None
    extractor: ClaimExtractor | None
    checkers: list[RegisteredChecker]
    prompts: PromptLibrary
    session: Session
    plugin_of: Callable[[str, str], str]
    #: Seconds one plugin's stage may take, model calls included, before it is stopped.
    stage_timeout: float | None = None
    #: Articles longer than this many characters are read in overlapping parts.
    chunk_chars: int | None = None
    #: The run's evidence: sources, what the user gave, the checkers' verdicts.
    evidence: RunEvidence | None = None
    #: Told of every stage as it starts and ends (``copydesk check``'s display, a batch's
    #: bar); ``None``: nobody is watching.
    progress: Listener | None = None
    _parts: int = field(default=1, init=False, repr=False)

    async def run(self, article: Article) -> RunResult:
        if self.evidence is None:
            self.evidence = RunEvidence(article=article)
        stages: list[StageStatus] = []
        dropped: list[Dropped] = []
        parts = split_body(article, self.chunk_chars) if self.chunk_chars else [article.body_span]
        # A long article is read in overlapping parts, each a view of the same text, so
        # every offset still points into the whole article.
        views = [article] if len(parts) == 1 else [article.view(span) for span in parts]
        numbers: list[int | None] = [None] if len(views) == 1 else list(range(len(views)))
        self._parts = len(views)
        if self.progress is not None:
            readers = (self.summariser is not None) + (self.extractor is not None)
            combine = int(len(views) > 1 and self.summariser is not None)
            planned = (readers + len(self.checkers)) * len(views) + combine
            self.progress.planned(planned, len(views))

        first_round = await asyncio.gather(
            *(
                self._stage("summariser", self.summariser, v, stages, self._summarise, chunk=n)
                for v, n in zip(views, numbers, strict=True)
            ),
            *(
                self._stage("claim_extractor", self.extractor, v, stages, self._extract, chunk=n)
                for v, n in zip(views, numbers, strict=True)
            ),
        )
        partial_summaries: list[Summary | None] = list(first_round[: len(views)])
        summary = partial_summaries[0]
        if len(views) > 1:
            summary = await self._combine(article, partial_summaries, stages)
        claims: list[Claim] = []
        seen: set[tuple[int, int]] = set()
        for view, found in zip(views, first_round[len(views) :], strict=True):
            claims += self._ground_claims(view, found or [], stages, dropped, seen)
        claims.sort(key=lambda c: c.start)

        checks = [
            (checker, v, n)
            for checker in self.checkers
            for v, n in zip(views, numbers, strict=True)
        ]
        results = await asyncio.gather(
            *(
                self._stage(
                    "checker",
                    checker,
                    view,
                    stages,
                    self._check,
                    chunk=n,
                    # Copies: one checker must not be able to change what another sees.
                    ran=(summary, [dataclasses.replace(c) for c in claims]),
                )
                for checker, view, n in checks
            )
        )
        findings: list[Finding] = []
        for (checker, view, _), found in zip(checks, results, strict=True):
            findings.extend(
                self._ground_findings(view, summary, found or [], checker.name, stages, dropped)
            )
        # The verdicts that stand raise their findings; every finding's evidence is found
        # in its document, or dropped (see copydesk.evidence).
        for plugin, finding in self.evidence.settle(claims, dropped):
            findings += self._ground_findings(article, summary, [finding], plugin, stages, dropped)
        stages += self.evidence.stages()
        findings = merge_findings(findings)
        findings.sort(key=lambda f: (-severity_rank(f.severity), f.target, f.start, f.category))
        endpoint = self.session.endpoint
        return RunResult(
            article=article,
            summary=summary,
            claims=claims,
            findings=findings,
            stages=stages,
            calls=list(self.session.log.calls),
            dropped=dropped,
            model={"name": endpoint.model, "endpoint": endpoint.label, **endpoint.info}
            if endpoint
            else {},
            given=self.evidence.given,
        )

    # stages ------------------------------------------------------------------

    async def _stage(
        self,
        stage: str,
        component: Any,
        article: Article,
        stages: list[StageStatus],
        body: Callable[[Any, Any], Awaitable[Any]],
        chunk: int | None = None,
        ran: tuple[Summary | None, list[Claim]] | None = None,
    ) -> Any:
        """Run ``body(component, ctx)`` as one stage. ``ran``: what the earlier stages
        made (the summary and the claims), for a checker's :class:`CheckContext`."""
        if component is None:
            return None
        status = StageStatus(plugin=component.name, stage=stage, chunk=chunk)
        stages.append(status)
        ctx: StageContext
        if ran is None:
            ctx = StageContext(
                plugin=component.name, article=article, prompts=self.prompts, session=self.session
            )
        else:
            assert self.evidence is not None
            ctx = CheckContext(
                summary=ran[0],
                claims=ran[1],
                evidence=self.evidence.view(
                    component.name,
                    status,
                    article,
                    component.categories,
                    by_model=component.needs_model,
                ),
                plugin=component.name,
                article=article,
                prompts=self.prompts,
                session=self.session,
            )
        started = time.perf_counter()
        owner = self.plugin_of(stage, component.name)  # stage names are component kinds
        trace(f"{stage} {component.name!r} ({owner}) started")
        self._tell(StageEvent(component.name, stage, chunk, self._parts))
        try:
            return await asyncio.wait_for(body(component, ctx), timeout=self.stage_timeout)
        except asyncio.TimeoutError:
            status.status = "failed"
            status.reason = (
                f"{component.name} ({owner}) did not finish within {self.stage_timeout:g} s; "
                "it was stopped and the run went on without it"
            )
        except asyncio.CancelledError:  # Ctrl-C: the run is being abandoned
            status.status, status.reason = "failed", "interrupted"
            raise
        except StageSkipped as exc:
            status.status, status.reason = "skipped", str(exc)
        except UnparseableOutput as exc:
            status.status, status.reason, status.raw = "unparseable", exc.message, exc.raw
        except ModelError as exc:
            status.status, status.reason = "failed", str(exc)
        except CopydeskError as exc:
            status.status, status.reason = "failed", str(exc)
        except Exception as exc:  # a plugin's bug must not take the run down
            status.status = "failed"
            status.reason = f"{component.name} raised {type(exc).__name__}: {exc}"
        finally:
            status.seconds = round(time.perf_counter() - started, 3)
            trace(f"{stage} {component.name!r} ended: {status.status} in {status.seconds} s")
            self._tell(ended(status, ctx.call_ids, self.session.log, chunk, self._parts))
        return None

    def _tell(self, event: StageEvent) -> None:
        if self.progress is not None:
            self.progress.stage(with_totals(event, self.session.log))

    async def _combine(
        self, article: Article, partials: list[Summary | None], stages: list[StageStatus]
    ) -> Summary | None:
        """One summary from the parts' summaries: the summariser, run on them."""
        done = [p for p in partials if p is not None]
        if not done:
            return None
        joined = Article(text="\n\n".join(p.text for p in done), title=article.title)
        summary = await self._stage("summariser", self.summariser, joined, stages, self._summarise)
        if summary is not None:
            summary.call_ids = [c for p in done for c in p.call_ids] + summary.call_ids
            stages[-1].reason = f"combined the summaries of {len(done)} of {len(partials)} parts"
        return summary

    @staticmethod
    async def _summarise(component: Summariser, ctx: StageContext) -> Summary:
        summary = await component.summarise(ctx.article, ctx)
        if not isinstance(summary, Summary) or not summary.text.strip():
            raise TypeError(f"summarise() must return a non-empty Summary, not {summary!r:.80}")
        summary.plugin = summary.plugin or component.name
        summary.call_ids = summary.call_ids or list(ctx.call_ids)
        return summary

    @staticmethod
    async def _extract(component: ClaimExtractor, ctx: StageContext) -> list[Claim]:
        claims = await component.extract(ctx.article, ctx)
        if not isinstance(claims, list) or not all(isinstance(c, Claim) for c in claims):
            raise TypeError("extract() must return a list of Claim")
        for claim in claims:
            claim.plugin = claim.plugin or component.name
        return claims

    @staticmethod
    async def _check(checker: RegisteredChecker, ctx: CheckContext) -> list[Finding]:
        found = await checker.check(ctx)
        if not isinstance(found, list) or not all(isinstance(f, Finding) for f in found):
            raise TypeError("check() must return a list of Finding")
        undeclared = sorted({f.category for f in found} - set(checker.categories))
        if undeclared:
            # A category the checker did not declare is most often a misspelt one, whose
            # findings would never merge with the same words flagged by other detectors.
            raise TypeError(
                f"check() returned findings of {', '.join(map(repr, undeclared))}, not among "
                f"the categories it declares ({', '.join(checker.categories)})"
            )
        for finding in found:
            finding.plugin = finding.plugin or checker.name
        return found

    # grounding -----------------------------------------------------------------

    def _ground_claims(
        self,
        article: Article,
        claims: list[Claim],
        stages: list[StageStatus],
        dropped: list[Dropped],
        seen: set[tuple[int, int]],
    ) -> list[Claim]:
        kept: list[Claim] = []
        for claim in claims:
            span = ground(claim, article)
            if span is None:
                dropped.append(Dropped(claim.plugin, "claim", claim.quote))
                _count_drop(stages, claim.plugin, "claim_extractor")
                continue
            if (span.start, span.end) in seen:
                continue
            seen.add((span.start, span.end))
            claim.start, claim.end = span.start, span.end
            claim.quote = article.text[span.start : span.end]
            kept.append(claim)
        return kept

    def _ground_findings(
        self,
        article: Article,
        summary: Summary | None,
        findings: list[Finding],
        plugin: str,
        stages: list[StageStatus],
        dropped: list[Dropped],
    ) -> list[Finding]:
        kept: list[Finding] = []
        given: dict[str, str] = (
            {g.target: g.text for g in self.evidence.given} if self.evidence else {}
        )
        for finding in findings:
            if finding.target != "summary" and finding.target not in given:
                finding.target = "article"
            span = ground(finding, article, summary, given)
            if span is None:
                dropped.append(Dropped(finding.plugin, "finding", finding.quote))
                _count_drop(stages, plugin, "checker")
                continue
            if finding.evidence and not self._ground_evidence(finding, plugin, stages, dropped):
                continue
            text = summary.text if summary and finding.target == "summary" else article.text
            text = given.get(finding.target, text)
            finding.start, finding.end = span.start, span.end
            finding.quote = text[span.start : span.end]
            finding.confidence = min(1.0, max(0.0, float(finding.confidence)))
            if finding.severity not in SEVERITIES:  # a plugin's typo, or a model's
                finding.severity = "medium"
            if not finding.detectors:
                finding.detectors = [finding.plugin]
            kept.append(finding)
        return kept

    def _ground_evidence(
        self, finding: Finding, plugin: str, stages: list[StageStatus], dropped: list[Dropped]
    ) -> bool:
        """Whether ``finding`` keeps any of its evidence once each piece is found in its
        document; a finding that gave evidence and has none left rests on nothing."""
        assert self.evidence is not None
        status = next(
            (s for s in stages if s.plugin == plugin and s.stage == "checker"),
            StageStatus(plugin, "checker"),
        )
        finding.evidence = self.evidence.ground_all(finding.evidence, plugin, status, dropped)
        if not finding.evidence:
            dropped.append(Dropped(finding.plugin, "finding", finding.quote))
            status.dropped += 1
        return bool(finding.evidence)


def _count_drop(stages: list[StageStatus], plugin: str, stage: str) -> None:
    for status in stages:
        if status.plugin == plugin and status.stage == stage:
            status.dropped += 1
            return
