"""The model-free fact-check: each statement's numbers, dates, weekdays and names against
its best passage of evidence (:mod:`~copydesk.plugins.evidence.figures`).

A statement is ``contradicted`` when one of its particulars disagrees with the passage
(a different figure for the same thing, another day), ``not_found`` when the passage
lacks one, ``supported`` when the passage has every one; a statement with no
particulars gets no verdict here (that needs a reader: the model checker). :class:`Rules`
says which particulars count and where one must be found; the defaults were chosen on
FRANK's dev half with ``bench/factcheck.py --tune``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from copydesk.evidence import ARTICLE_SOURCE
from copydesk.plugins.text_helpers import split_sentences
from copydesk.types import Evidence, Finding, Passage, Verdict

from .figures import Match, Mention, compare, mentions
from .statements import ToVerify, statements_to_verify
from .together import (
    DEFAULT_TOGETHER,
    Apart,
    Document,
    Passages,
    Placed,
    Sentences,
    TogetherRules,
    apart,
    place,
)
from .verdict import verdict_finding
from .wording import DEFAULT_WORD_RULES, Vocabulary, Wording, WordRules, wording

if TYPE_CHECKING:
    from copydesk.context import CheckContext

CONFIDENCE = {"contradicted": 0.7, "supported": 0.5, "not_found": 0.45}
_RANK = {"missing": 0, "disagrees": 1, "agrees": 2}


@dataclass(frozen=True)
class Rules:
    """When a statement's particulars make a verdict."""

    #: the best ``passages`` passages together are the statement's evidence
    passages: int = 1
    kinds: tuple[str, ...] = ("number", "date", "weekday", "name")
    #: where a particular must be, else the statement is not_found: in those "passages";
    #: anywhere in the "document" (the article, for a given text; for other sources, the
    #: passages retrieved); or "never" (only disagreements count)
    missing_in: str = "passages"
    #: a disagreement with the passages stands even where the rest of the document agrees
    strict: bool = True
    #: when words the evidence lacks leave a given text's statement unsupported
    words: WordRules = DEFAULT_WORD_RULES
    #: when a statement's particulars, each in its evidence, are apart there (a given
    #: text's in the article, a claim's in the passages found for it; ``None``: never;
    #: :mod:`.together`)
    together: TogetherRules | None = DEFAULT_TOGETHER

    @property
    def searched(self) -> int:
        """How many passages are found for each statement."""
        return max(self.passages, 1, self.together.passages if self.together else 1)


#: Chosen on FRANK's dev half (``bench/factcheck.py --tune``, by the lower of CNN/DM's and
#: XSum's balanced accuracy), each summary sentence a statement: 0.665 / 0.691 now (with
#: the together rule; CHANGELOG has how it got there); without the wording rule 0.618 /
#: 0.672. The grid's best rows are within 0.005 of it on CNN/DM, so it was not moved for
#: less than that. A given text's particular counts as missing only when the whole
#: article lacks it (the best passage may be the wrong one), and a disagreement with the
#: best passage only when the article has nowhere the same figure.
DEFAULT_RULES = Rules(missing_in="document", strict=False)


@dataclass
class Particular:
    """One particular of a statement, compared with each of its passages in rank order,
    and with the whole document when there is one."""

    mention: Mention
    by_passage: list[Match]
    whole: Match | None = None

    def within(self, k: int) -> tuple[int, Match]:
        """The best comparison among the first ``k`` passages (agreeing, else disagreeing,
        else missing) and its passage's index (-1: there are no passages)."""
        at, best = -1, Match(self.mention, "missing")
        for i, m in enumerate(self.by_passage[:k]):
            if _RANK[m.status] > _RANK[best.status]:
                at, best = i, m
        return at, best


@dataclass
class Assessment:
    item: ToVerify
    particulars: list[Particular] = field(default_factory=list)
    #: a given text's statement against the whole article (its one document)
    wording: Wording | None = None
    #: the statement's particulars and the evidence's sentences that have each (the
    #: article's, for a given text; the passages found, for an article's claim)
    placed: list[Placed] = field(default_factory=list)
    document: Sentences | None = None

    def apart(self, rules: TogetherRules | None) -> Apart | None:
        if rules is None or self.document is None:
            return None
        return apart(self.placed, self.document, rules)


def assess(
    item: ToVerify,
    text: str,
    casing: str,
    vocabulary: Vocabulary | None = None,
    document: Sentences | None = None,
) -> Assessment:
    """Every particular of ``item``'s statement (in ``text``, the text it is in) compared
    with its passages and its whole document, its wording with ``vocabulary`` (its
    document's) and where ``document`` (its document's, read once) has its particulars.
    ``casing`` (the article) gives a lower-cased statement its names."""
    s = item.statement
    per_passage = [compare(text, p.text, s.start, s.end, casing=casing) for p in item.passages]
    whole = compare(text, item.document, s.start, s.end, casing=casing) if item.document else None
    placed = [] if document is None else place(text, s.start, s.end, document, casing)
    return Assessment(
        item,
        [
            Particular(
                m,
                [c.matches[i] for c in per_passage],
                whole.matches[i] if whole is not None else None,
            )
            for i, m in enumerate(mentions(text, s.start, s.end, casing=casing))
        ],
        None if vocabulary is None else wording(text, s.start, s.end, vocabulary),
        placed,
        document,
    )


#: A verdict, and the comparisons behind it, each with its passage's index.
Decision = tuple["Verdict | None", list[tuple[int, Match]]]


def decide(a: Assessment, rules: Rules = DEFAULT_RULES) -> Decision:
    """What the particulars say under ``rules`` (see :class:`Rules`); a statement whose
    particulars do not contradict it is ``not_found`` when its wording is unsupported
    (:mod:`.wording`: the comparisons are then its particulars that are missing), and one
    they support when two of them are apart in the article (:mod:`.together`)."""
    verdict, matches = _by_particulars(a, rules)
    if verdict != "contradicted" and a.wording is not None and a.wording.unsupported(rules.words):
        return "not_found", matches if verdict == "not_found" else []
    if verdict == "supported" and a.apart(rules.together) is not None:
        return "not_found", []
    return verdict, matches


def _by_particulars(a: Assessment, rules: Rules) -> Decision:
    counted = [p for p in a.particulars if p.mention.kind in rules.kinds]
    if not counted:
        return None, []
    k = max(1, rules.passages)
    against, missing, agreeing = [], [], []
    for p in counted:
        at, best = p.within(k)
        if best.status == "agrees":
            agreeing.append((at, best))
        elif best.status == "disagrees":
            if rules.strict or p.whole is None or p.whole.status != "agrees":
                against.append((at, best))
        elif rules.missing_in == "passages" or (
            rules.missing_in == "document" and _anywhere(p) == "missing"
        ):
            missing.append((at, best))
        elif p.whole is None and (found := p.within(len(p.by_passage)))[1].status == "agrees":
            # an article claim's particular found only in a later passage: that one is
            # what its "supported" cites (a given text's is present in the article)
            agreeing.append(found)
    if against:
        return "contradicted", against
    if missing:
        return "not_found", missing
    return "supported", agreeing


def _anywhere(p: Particular) -> str:
    if p.whole is not None:
        return p.whole.status
    return p.within(len(p.by_passage))[1].status


# -- the checker's findings and verdicts ------------------------------------------------


def judge(ctx: CheckContext, a: Assessment, rules: Rules = DEFAULT_RULES) -> None:
    """Record the statement's verdict (if its particulars make one) in ``ctx.evidence``,
    with the evidence and the finding it raises."""
    verdict, matches = decide(a, rules)
    if verdict is None or (verdict == "not_found" and not _given(ctx, a.item)):
        return
    item = a.item
    evidence = [_evidence(item.passages[at], m) for at, m in matches if at >= 0][:3]
    if not evidence and item.passages:  # the nearest passage: what was looked in
        evidence = [_evidence(item.passages[0], None)]
    s = item.statement
    where = (
        _where(item.passages[matches[0][0]]) if matches and matches[0][0] >= 0 else "the evidence"
    )
    suggestion = None
    if verdict == "contradicted":
        _, m = matches[0]
        theirs = m.passage.text if m.passage else "something else"
        explanation = f'"{m.claim.text}" disagrees with {where}, which has "{theirs}".'
        suggestion = f"Check the {m.claim.kind} against {where}."
    elif verdict == "not_found" and matches:
        lacking = ", ".join(f'"{m.claim.text}"' for _, m in matches[:3])
        explanation = f"Nothing in the evidence gives {lacking}: the closest passage does not."
    elif verdict == "not_found" and (split := _split(a, rules)) is not None:
        explanation, suggestion, evidence = _apart(ctx, a, split, rules)
    elif verdict == "not_found":
        absent = a.wording.absent if a.wording else []
        lacking = ", ".join(f'"{w.text}"' for w in absent[:4])
        explanation = f"The {_document(item)} has no word like {lacking}: where do they come from?"
    else:
        explanation = (
            f"{where.capitalize()} gives "
            + ", ".join(f'"{m.passage.text}"' for _, m in matches[:3] if m.passage)
            + "."
        )
    finding = verdict_finding(
        verdict, s, explanation, confidence=CONFIDENCE[verdict], evidence=evidence,
        suggestion=suggestion,
    )  # fmt: skip
    ctx.evidence.judge(
        item.claim or s,
        verdict,
        explanation=explanation,
        evidence=evidence,
        confidence=CONFIDENCE[verdict],
        findings=[finding] if finding else [],
        # the particulars the evidence lacks: a fact, which no model's reading overturns
        # (absent wording is not: a paraphrase may be a reader's "supported")
        lacking=[m.claim.text for _, m in matches] if verdict == "not_found" else [],
    )


def _split(a: Assessment, rules: Rules) -> Apart | None:
    """The particulars that leave ``a`` unsupported by being apart, if that is why."""
    if a.wording is not None and a.wording.unsupported(rules.words):
        return None
    return a.apart(rules.together)


def _apart(
    ctx: CheckContext, a: Assessment, split: Apart, rules: Rules
) -> tuple[str, str, list[Evidence]]:
    """What a statement whose particulars are apart in its evidence is told, and the
    evidence's words where the most of them are together."""
    pair = f'"{split.first.text}" and "{split.second.text}"'
    if not isinstance(a.document, Passages):  # a given text's: the article
        start, end = split.best.start, split.best.end
        quote = (a.item.document or "")[start:end]
        evidence = Evidence(ARTICLE_SOURCE, ctx.evidence.article_id, quote, start)
        whose, has, says = "the article", "has", "says"
    else:
        p = a.document.passage(split)
        evidence = Evidence(
            p.source, p.document, p.text, p.start, title=p.title, location=p.location
        )
        found_in = {
            (s.source, s.document)
            for _, at in a.placed
            for s in (a.document.stretch_of(i)[1] for i in at)
        }
        one = len(found_in) == 1
        whose, has, says = (_where(p), "has", "says") if one else ("the sources", "have", "say")
    # not str.capitalize: it would lower-case the source's name
    told = f"{whose[0].upper()}{whose[1:]} {has} {pair}, but never {_near(rules)}"
    explanation = f"{told}: which goes with which?"
    return explanation, f"Check what {whose} {says} of each.", [evidence]


def _near(rules: Rules) -> str:
    window = rules.together.window if rules.together else 1
    if window <= 1:
        return "in one sentence"
    return "in one sentence or the next" if window == 2 else f"within {window} sentences"


def _document(item: ToVerify) -> str:
    return "article" if item.document is not None else "evidence"


def _given(ctx: CheckContext, item: ToVerify) -> bool:
    """Whether the statement's evidence was given (the user's, or the article for a given
    text): only then does evidence that lacks it make it unsupported."""
    return item.document is not None or ctx.evidence.available


def _evidence(p: Passage, m: Match | None) -> Evidence:
    """The sentence of ``p`` that holds ``m``'s particular (its first, without one)."""
    at = m.passage.start if m is not None and m.passage is not None else 0
    sentence = next(
        (x for x in split_sentences(p.text) if x.start <= at < max(x.end, x.start + 1)),
        None,
    )
    lo, hi = (sentence.start, sentence.end) if sentence else (0, len(p.text))
    return Evidence(
        p.source, p.document, p.text[lo:hi], p.start + lo, title=p.title, location=p.location
    )


def _where(p: Passage) -> str:
    if p.source == "article":
        return "the article"
    name = p.title or p.location.rsplit("/", 1)[-1]
    return f"the source ({name})"


async def check_figures(ctx: CheckContext, rules: Rules = DEFAULT_RULES) -> list[Finding]:
    """The checker: every statement of this stage assessed and judged (its findings are
    raised through its verdict, so none are returned here)."""
    import asyncio

    items = await statements_to_verify(ctx, k=rules.searched)
    if not items:
        return []  # no thread for nothing: a run with no evidence is most runs
    casing = ctx.evidence.whole_article.text
    given = {g.target: g.text for g in ctx.evidence.given}

    def run() -> list[Assessment]:
        # A given text's statements are worded against the article, and their particulars
        # placed in it: its vocabulary and its sentences read once.
        own = any(i.document is not None for i in items)
        vocabulary = Vocabulary(casing) if own else None
        document = Document(casing) if own else None
        return [
            assess(
                i,
                given.get(i.statement.target, ctx.article.text),
                casing,
                vocabulary if i.document is not None else None,
                # an article's claim: its particulars placed in the passages found for it
                document
                if i.document is not None
                else (Passages(i.passages) if rules.together else None),
            )
            for i in items
        ]

    for a in await asyncio.to_thread(run):
        judge(ctx, a, rules)
    return []
