"""The evidence of one run: what checkers search, what they conclude, and the host's check
that every piece of evidence is where it says.

A fact-check stage reaches the evidence through ``ctx.evidence`` (a :class:`StageEvidence`):

- ``await ctx.evidence.search(query, k)`` asks every registered evidence source (see
  ``register_evidence_sources``) at once and returns their passages, each stamped with its
  source's name. A source that raises is reported in the run's stages (stage
  ``evidence_source``) and the others' passages are still returned. The same query asked
  twice in a run is searched once.
- ``ctx.evidence.documents`` are the documents the user gave (``--source``, and a batch
  article's own ``source`` documents, in that article's run), read as articles are;
  ``ctx.evidence.corpora`` the corpus files (``--corpus``); ``ctx.evidence.given`` the
  texts given to check against the article (``--summary``, ``--headline``).
- ``ctx.evidence.judge(statement, verdict, ...)`` records what the evidence says about a
  claim or a given sentence, with the finding that verdict raises, if any.

After the checkers, the host settles the run (:meth:`RunEvidence.settle`): every piece of
evidence is found again in its document, exactly as a finding's quote is found in the
article — in the article (source ``"article"``), in a document the user gave, or in a
passage its source returned in this run — and given the offsets where it is; evidence
that is in none of them is dropped and counted. Offsets a model writes are never
trusted. Then each statement's verdicts (one a checker) are merged: ``contradicted`` if
any checker's evidence contradicts it, else ``supported`` if any supports it, else
``not_found``; the findings of the verdict that stands are reported, the others'
withdrawn, so that a report never flags a claim as unsupported that it shows supported.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import InputError
from .grounding import locate
from .types import (
    Article,
    Claim,
    Dropped,
    Evidence,
    Excerpt,
    Finding,
    GivenText,
    Passage,
    StageStatus,
    Statement,
    Verdict,
    Verification,
)
from .verdicts import Judgement, settle

if TYPE_CHECKING:
    from .components import EvidenceSource

#: The source name of evidence taken from the article itself (a given summary's evidence).
ARTICLE_SOURCE = "article"
#: Characters of context either side of evidence found outside any returned passage.
EXCERPT_CHARS = 240


@dataclass(frozen=True)
class EvidenceInputs:
    """What the user gave as evidence for a run: documents (``--source``, each as its id,
    the path or URL as given, and the document read as an article) and corpus files
    (``--corpus``). Evidence sources read these in ``prepare`` and ``search``."""

    documents: tuple[tuple[str, Article], ...] = ()
    corpora: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.documents or self.corpora)

    def adding(self, documents: Sequence[tuple[str, Article]]) -> EvidenceInputs:
        """These inputs and one article's own ``documents`` (a batch line's ``source``):
        the inputs of that article's run. A document id already taken is an
        :class:`InputError`: evidence names its document by id alone."""
        taken = {doc_id for doc_id, _ in self.documents}
        for doc_id, _ in documents:
            if doc_id in taken:
                raise InputError(
                    f"the article's source document {doc_id!r} has the id of another "
                    "document of its run",
                    "give each source document its own id",
                )
            taken.add(doc_id)
        return EvidenceInputs((*self.documents, *documents), self.corpora)


class RunEvidence:
    """The evidence of one article's run, shared by its checkers (see the module)."""

    def __init__(
        self,
        sources: Sequence[EvidenceSource] = (),
        inputs: EvidenceInputs | None = None,
        article: Article | None = None,
        given: Sequence[GivenText] = (),
    ) -> None:
        self.inputs = inputs or EvidenceInputs()
        # A source of what the user gave has nothing to search when nothing was given.
        self.sources = [s for s in sources if self.inputs or not getattr(s, "needs_inputs", False)]
        self.article = article
        self.given = [dataclasses.replace(g, statements=[]) for g in given]
        #: every passage each source returned, by (source, document): evidence is found there
        self.retrieved: dict[tuple[str, str], list[Passage]] = {}
        self.judgements: list[Judgement] = []
        self.searches: dict[str, int] = {s.name: 0 for s in self.sources}
        self.failures: dict[str, str] = {}
        self._cache: dict[tuple[str, int], asyncio.Future[list[Passage]]] = {}
        self._texts = {doc_id: a.text for doc_id, a in self.inputs.documents}

    def view(
        self,
        plugin: str,
        status: StageStatus,
        article: Article,
        categories: Sequence[str],
        by_model: bool = False,
    ) -> StageEvidence:
        """What the checker ``plugin`` (whose stage's outcome is ``status``, reading
        ``article``, declaring ``categories``, reading the model if ``by_model``: its
        ``needs_model``) is handed as ``ctx.evidence``."""
        return StageEvidence(self, plugin, status, article, tuple(categories), by_model)

    # searching ------------------------------------------------------------------------

    async def search(self, query: str, ctx: Any, k: int) -> list[Passage]:
        key = (" ".join(query.split()), k)
        if key not in self._cache:
            future: asyncio.Future[list[Passage]] = asyncio.get_running_loop().create_future()
            self._cache[key] = future
            try:
                future.set_result(await self._search(key[0], ctx, k))
            except BaseException as exc:  # cancelled: the next asker searches again
                del self._cache[key]
                future.set_exception(exc)
                future.exception()  # retrieved: nobody else may be waiting for it
                raise
        return list(await asyncio.shield(self._cache[key]))

    async def _search(self, query: str, ctx: Any, k: int) -> list[Passage]:
        found = await asyncio.gather(*(self._one(s, query, ctx, k) for s in self.sources))
        # Interleaved by rank: each source's best first. Scores of different sources are
        # not on one scale, so neither source's list outranks the other's.
        merged: list[Passage] = []
        for rank in range(max((len(f) for f in found), default=0)):
            merged += [f[rank] for f in found if rank < len(f)]
        return merged

    async def _one(self, source: EvidenceSource, query: str, ctx: Any, k: int) -> list[Passage]:
        if source.name in self.failures:
            return []
        self.searches[source.name] += 1
        try:
            passages = await source.search(query, ctx, k)
            if not isinstance(passages, list) or not all(isinstance(p, Passage) for p in passages):
                raise TypeError(f"search() must return a list of Passage, not {passages!r:.80}")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a source's failure is reported; the other sources go on
            self.failures[source.name] = f"{source.name} raised {type(exc).__name__}: {exc}"
            return []
        out = [dataclasses.replace(p, source=source.name) for p in passages[:k]]
        for p in out:
            self.retrieved.setdefault((p.source, p.document), []).append(p)
        return out

    def stages(self) -> list[StageStatus]:
        """A stage per evidence source that failed, or returned passages in this run."""
        out = []
        for name, count in self.searches.items():
            found = sum(len(v) for (s, _), v in self.retrieved.items() if s == name)
            if name in self.failures:
                out.append(StageStatus(name, "evidence_source", "failed", self.failures[name]))
            elif found:
                reason = f"{count} searches, {found} passages"
                out.append(StageStatus(name, "evidence_source", "ok", reason))
        return out

    # grounding ------------------------------------------------------------------------

    def ground(self, item: Evidence) -> Evidence | None:
        """``item`` at the offsets where its quote is in its document, with the passage
        around it; ``None`` when the document known to this run does not have it."""
        hint = item.start if item.start >= 0 else None
        text = self._document_text(item.source, item.document)
        if text is not None:
            span = locate(text, item.quote, near=hint)
            if span is None:
                return None
            around = self._covering(item.source, item.document, span.start, span.end)
            if around is None:
                lo = max(0, span.start - EXCERPT_CHARS)
                hi = min(len(text), span.end + EXCERPT_CHARS)
                around = Excerpt(text[lo:hi], lo, hi)
            return self._placed(item, text[span.start : span.end], span.start, around)
        for p in self.retrieved.get((item.source, item.document), []):
            found = locate(p.text, item.quote, near=None if hint is None else hint - p.start)
            if found is not None:
                quote = p.text[found.start : found.end]
                return self._placed(item, quote, p.start + found.start, _excerpt(p))
        return None

    def _document_text(self, source: str, document: str) -> str | None:
        if source == ARTICLE_SOURCE and self.article is not None:
            return self.article.text if document == self.article_id else None
        text = self._texts.get(document)
        if text is None:
            return None
        # The same id from another source (a corpus indexed from the same file) counts
        # only while the passages it returned are this text's.
        returned = self.retrieved.get((source, document), [])
        return text if all(text[p.start : p.end] == p.text for p in returned) else None

    def _covering(self, source: str, document: str, start: int, end: int) -> Excerpt | None:
        for p in self.retrieved.get((source, document), []):
            if p.start <= start and end <= p.end:
                return _excerpt(p)
        return None

    def _placed(self, item: Evidence, quote: str, start: int, around: Excerpt) -> Evidence:
        title, location = item.title, item.location
        known = self.retrieved.get((item.source, item.document))
        if known:
            title, location = title or known[0].title, location or known[0].location
        elif item.source == ARTICLE_SOURCE and self.article is not None:
            title, location = title or self.article.title, location or self.article.source
        return dataclasses.replace(
            item,
            quote=quote,
            start=start,
            end=start + len(quote),
            title=title,
            location=location or item.document,
            passage=around,
        )

    @property
    def article_id(self) -> str:
        """The document id of the article as evidence (for a given summary's checks)."""
        return (self.article.source if self.article else None) or ARTICLE_SOURCE

    def ground_all(
        self, items: list[Evidence], plugin: str, stage: StageStatus, dropped: list[Dropped]
    ) -> list[Evidence]:
        """The grounded ones of ``items``; the others listed in ``dropped`` and counted in
        ``stage``."""
        kept: list[Evidence] = []
        for item in items:
            found = self.ground(item)
            if found is None:
                dropped.append(Dropped(plugin, "evidence", item.quote))
                stage.dropped += 1
            elif all((e.source, e.document, e.start) != (found.source, found.document, found.start)
                     for e in kept):  # fmt: skip
                kept.append(found)
        return kept

    # settling -------------------------------------------------------------------------

    def settle(self, claims: list[Claim], dropped: list[Dropped]) -> list[tuple[str, Finding]]:
        """Ground every judgement's evidence, merge the verdicts of each statement onto
        its claim or given sentence, and return the findings of the verdicts that stand,
        each with the plugin that raised it (:func:`copydesk.verdicts.settle`)."""
        return settle(self, claims, dropped)


def _excerpt(p: Passage) -> Excerpt:
    return Excerpt(p.text, p.start, p.end)


@dataclass
class StageEvidence:
    """``ctx.evidence``: one checker's way to the run's evidence (see the module)."""

    run: RunEvidence
    plugin: str
    status: StageStatus
    #: the part of the article this stage reads (the whole article, unless it is long)
    article: Article
    #: the categories the checker declares: a judgement's findings must be of them
    categories: tuple[str, ...] = ()
    #: whether the checker reads the model (its ``needs_model``): its verdicts are readings
    by_model: bool = False
    #: the checker's context, handed on to the sources' ``search`` (set by the host)
    ctx: Any = None
    judged: list[Judgement] = field(default_factory=list)

    @property
    def documents(self) -> tuple[tuple[str, Article], ...]:
        return self.run.inputs.documents

    @property
    def corpora(self) -> tuple[str, ...]:
        return self.run.inputs.corpora

    @property
    def given(self) -> list[GivenText]:
        """The texts to check against the article. A long article is read in parts, by
        one stage each; the given texts go to the stage reading its first part."""
        whole = self.run.article
        first = whole is None or self.article.body_span.start == whole.body_span.start
        return self.run.given if first else []

    @property
    def article_id(self) -> str:
        return self.run.article_id

    @property
    def whole_article(self) -> Article:
        """The whole article (``ctx.article`` may be one part of a long one)."""
        return self.run.article or self.article

    @property
    def available(self) -> bool:
        """Whether the user gave evidence (documents or a corpus): then a claim that no
        passage supports is unsupported. (Sources are searched either way: a third
        party's needs nothing given.)"""
        return bool(self.run.inputs)

    @property
    def searchable(self) -> bool:
        """Whether any evidence source is registered to search."""
        return bool(self.run.sources)

    async def search(self, query: str, k: int = 5) -> list[Passage]:
        """At most ``k`` passages from each evidence source for ``query``, best first."""
        return await self.run.search(query, self.ctx, k)

    def judge(
        self,
        statement: Claim | Statement,
        verdict: Verdict,
        *,
        explanation: str = "",
        evidence: Sequence[Evidence] = (),
        confidence: float = 0.5,
        findings: Sequence[Finding] = (),
        lacking: Sequence[str] = (),
    ) -> None:
        """Record this checker's verdict on ``statement`` (a claim of ``ctx.claims``, or a
        :class:`~copydesk.types.Statement` of a given text), with its evidence and the
        findings it raises if it stands (see the module: they are reported instead of
        returned from ``check``). A ``not_found`` may name in ``lacking`` the words of the
        statement the evidence lacks (a name, a figure that is nowhere in it): from a
        checker that reads no model, such a verdict is not overturned by a model's
        ``supported`` (:mod:`copydesk.verdicts`)."""
        if isinstance(statement, Claim):
            statement = Statement("article", statement.quote, statement.start, statement.end)
        undeclared = sorted({f.category for f in findings} - set(self.categories))
        if undeclared:  # as check() returning them would: the stage fails, saying why
            raise TypeError(
                f"judge() was given findings of {', '.join(map(repr, undeclared))}, not among "
                f"the categories the checker declares ({', '.join(self.categories)})"
            )
        for finding in findings:
            finding.plugin = finding.plugin or self.plugin
        v = Verification(
            verdict,
            explanation,
            list(evidence),
            min(1.0, max(0.0, float(confidence))),
            [self.plugin],
        )
        judgement = Judgement(
            statement, v, list(findings), self.plugin, self.status, self.by_model, list(lacking)
        )
        self.judged.append(judgement)
        self.run.judgements.append(judgement)
