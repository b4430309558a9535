"""The model's fact-check: statements and their passages in one validated call per batch.

Statements that share passages are asked about together (:func:`batches`): at most
:data:`STATEMENTS` statements and :data:`PASSAGES` passages a call, so the calls grow
with the statements, never with statements × passages (an article's 8 claims are 2 or 3
calls; a one-sentence summary is one). A given text's statements are asked against the
article itself, which every prompt already holds, so they need no passages at all.

The ``verify_claims`` prompt asks for each statement a verdict (``supported``,
``contradicted``, ``not_found``), the evidence quoted word for word and a one-sentence
explanation. The quote is looked for in the batch's passages (or the article), and the
host finds it again in its document; evidence that is in neither is dropped, and a
verdict left with no evidence stands on nothing and is dropped with it. An answer that
names no statement, or one twice, or contradicts a statement with words that are
nowhere, is asked again with its problems (``ctx.ask(..., check=...)``); when the re-asks
run out, each statement takes the first usable verdict of any attempt (a small model
asked again about the statements it left out often answers only those).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from copydesk.errors import UnparseableOutput
from copydesk.evidence import ARTICLE_SOURCE
from copydesk.grounding import locate
from copydesk.types import Evidence, Finding, Passage

from .statements import ToVerify, statements_to_verify
from .verdict import verdict_finding

if TYPE_CHECKING:
    from copydesk.context import CheckContext

PROMPT = "verify_claims"
#: Statements and passages in one call: what a small model keeps apart reliably, and what
#: fits its context with the article.
STATEMENTS = 4
PASSAGES = 6
#: A model's verdict on its own: a small model is often wrong; agreement raises it.
CONFIDENCE = {"contradicted": 0.5, "not_found": 0.4, "supported": 0.5}


def _key(p: Passage) -> tuple[str, str, int]:
    return (p.source, p.document, p.start)


def batches(items: Sequence[ToVerify]) -> list[list[ToVerify]]:
    """``items`` in calls: each statement joins the open batch it shares most passages
    with that still has room for it and its passages; a given text's statements (whose
    evidence is the article) go in batches of their own."""
    out: list[tuple[bool, set[tuple[str, str, int]], list[ToVerify]]] = []
    for item in items:
        own = item.document is not None
        keys = set() if own else {_key(p) for p in item.passages}
        fits = [
            (len(keys & held), n)
            for n, (kind, held, group) in enumerate(out)
            if kind == own and len(group) < STATEMENTS and len(keys | held) <= PASSAGES
        ]
        if fits:
            _, n = max(fits, key=lambda f: (f[0], -f[1]))
            out[n][1].update(keys)
            out[n][2].append(item)
        else:
            out.append((own, set(keys), [item]))
    return [group for _, _, group in out]


def _passages(group: Sequence[ToVerify]) -> list[Passage]:
    seen: dict[tuple[str, str, int], Passage] = {}
    for item in group:
        for p in item.passages:
            seen.setdefault(_key(p), p)
    return list(seen.values())[:PASSAGES]


def _where(p: Passage) -> str:
    return p.title or p.location


def _find(quote: str, passages: Sequence[Passage], article: str | None) -> Evidence | None:
    """The evidence ``quote`` in the first of ``passages`` that has it (or the article)."""
    if not quote.strip():
        return None
    for p in passages:
        span = locate(p.text, quote)
        if span is not None:
            return Evidence(
                p.source,
                p.document,
                quote,
                p.start + span.start,
                title=p.title,
                location=p.location,
            )
    return (
        None
        if article is None or locate(article, quote) is None
        else Evidence(ARTICLE_SOURCE, "", quote)
    )


async def check_with_model(ctx: CheckContext) -> list[Finding]:
    """The checker: every statement of this stage verified by the model, batch by batch
    (its findings are raised through its verdicts, so none are returned here)."""
    items = await statements_to_verify(ctx)
    for item in items:
        if not item.passages and item.document is None:  # evidence given, none found
            _judge(ctx, item, _NOTHING, [], None)
    asked = [i for i in items if i.passages or i.document is not None]
    await asyncio.gather(*(_verify(ctx, group) for group in batches(asked)))
    return []


#: The verdict on a claim no source has a passage for: nothing to ask the model about.
_NOTHING = {
    "verdict": "not_found",
    "evidence": "",
    "explanation": "No passage of the evidence given mentions it.",
}


async def _verify(ctx: CheckContext, group: list[ToVerify]) -> None:
    own = group[0].document is not None
    passages = [] if own else _passages(group)
    article = group[0].document if own else None

    # Each statement's verdict from whichever attempt gave a usable one first: a small
    # model asked again about the statements it left out often answers only those.
    usable: dict[int, dict[str, Any]] = {}
    cited: dict[int, dict[str, Any]] = {}

    def keep(answer: dict[str, Any]) -> None:
        numbers = [v["statement"] for v in answer["verdicts"]]
        for v in answer["verdicts"]:
            n = v["statement"]
            if not 1 <= n <= len(group) or numbers.count(n) > 1:
                continue  # what the answer itself cannot settle is left out, not guessed at
            grounded = v["verdict"] == "not_found" or _find(v["evidence"], passages, article)
            (usable if grounded else cited).setdefault(n, v)

    def problems(answer: dict[str, Any]) -> list[str]:
        """What a valid answer still gets wrong, to be asked again about."""
        keep(answer)
        out: list[str] = []
        numbers = [v["statement"] for v in answer["verdicts"]]
        for n in sorted(set(range(1, len(group) + 1)) - set(numbers)):
            out.append(f"statement {n} has no verdict")
        out += [f"statement {n} is not one of the {len(group)}" for n in numbers if n > len(group)]
        out += [
            f"statement {n} has two verdicts"
            for n in sorted({n for n in numbers if numbers.count(n) > 1})
        ]
        for v in answer["verdicts"]:
            # Only a contradiction is worth a re-ask for its evidence (it raises a high
            # finding); a support whose words are not there is dropped by the host.
            if v["verdict"] == "contradicted" and _find(v["evidence"], passages, article) is None:
                where = "passages" if passages else "article"
                out.append(
                    f"the evidence for statement {v['statement']} is not in the {where}: copy "
                    "the words exactly, or answer not_found"
                )
        return out

    try:
        answer = await _ask(
            ctx,
            problems,
            statements=[item.statement.quote for item in group],
            passages=[{"where": _where(p), "text": p.text} for p in passages] or None,
            max_tokens=90 + 150 * len(group),
        )
    except UnparseableOutput:
        if not (usable or cited):
            raise
        answer = {"verdicts": []}  # the last answer was broken; the earlier ones stand
    keep(answer)  # a cached answer was never checked
    for n in sorted(usable.keys() | cited.keys()):
        # a verdict cited with words that are nowhere goes to the host, which drops it
        _judge(ctx, group[n - 1], usable.get(n) or cited[n], passages, article)


async def _ask(ctx: CheckContext, problems: Callable[[Any], list[str]], **variables: Any) -> Any:
    """The answer, re-asked about its problems; when the re-asks run out, the last answer
    that fits the schema is still used: what it gets wrong is left out (a verdict on no
    statement) or dropped by the host (evidence not in its source), and one statement the
    model cannot quote for must not cost the others their verdicts."""
    try:
        return await ctx.ask(PROMPT, check=problems, **variables)
    except UnparseableOutput as exc:
        from copydesk.model.validation import parse_and_validate

        if exc.raw is None:
            raise
        data, errors = parse_and_validate(exc.raw, ctx.prompts.schema(PROMPT))
        if errors:
            raise
        return data


def _judge(
    ctx: CheckContext,
    item: ToVerify,
    answer: dict[str, Any],
    passages: Sequence[Passage],
    article: str | None,
) -> None:
    verdict = answer["verdict"]
    if verdict == "not_found" and item.document is None and not ctx.evidence.available:
        return  # a third party's search found nothing on it: that says nothing
    explanation = " ".join(answer["explanation"].split())
    quote = answer["evidence"].strip()
    evidence: list[Evidence] = []
    if quote and verdict != "not_found":
        found = _find(quote, passages, article)
        if found is not None and found.source == ARTICLE_SOURCE:
            found = Evidence(ARTICLE_SOURCE, ctx.evidence.article_id, quote)
        # Not found by us either: it goes to the host as cited, which drops it, and counts.
        evidence.append(found or _cited(quote, passages, ctx.evidence.article_id))
    s = item.statement
    # An unsupported claim's finding carries no evidence: the model found none.
    finding = verdict_finding(
        verdict,
        s,
        explanation,
        confidence=CONFIDENCE[verdict],
        evidence=evidence if verdict == "contradicted" else (),
    )
    ctx.evidence.judge(
        item.claim or s,
        verdict,
        explanation=explanation,
        evidence=evidence,
        confidence=CONFIDENCE[verdict],
        findings=[finding] if finding else [],
    )


def _cited(quote: str, passages: Sequence[Passage], article_id: str) -> Evidence:
    if passages:
        p = passages[0]
        return Evidence(p.source, p.document, quote)
    return Evidence(ARTICLE_SOURCE, article_id, quote)
