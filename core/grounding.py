"""Anchoring quotes in the text they claim to come from.

Models quote loosely: they turn ``"`` into ``'``, curly quotes into straight ones, en
dashes into hyphens, leave out scare quotes, and reflow white space. :func:`locate` finds a quote exactly if it
can, then after normalising those differences, then ignoring case, and always returns
offsets into the *original* text, so that ``text[start:end]`` is what the report shows as
the quote. A quote that cannot be found is not there: the caller drops it.

:func:`ground` is the one rule by which the host places every claim and finding, and by
which ``ctx.locate`` tells a plugin where its finding will be: among repeats of a quote,
the one nearest the offset the plugin gave (``start``), else the one whose surroundings
best match what the plugin said about it (a claim's ``text``, a finding's
``explanation``), else the first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .types import Article, Claim, Finding, Span, Summary

_QUOTES = "\"'`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2032\u2033\u00ab\u00bb\u2039\u203a"
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_TRANSLATE = {ord(c): "'" for c in _QUOTES} | {ord(c): "-" for c in _DASHES}
_TRANSLATE[0x2026] = "..."  # the ellipsis character, as models write it out

#: Shorter quotes than this match too easily by accident.
MIN_QUOTE_CHARS = 3
#: How much text around a repeated quote is compared with its context.
CONTEXT_CHARS = 200


def _normalise(text: str, *, fold_case: bool, drop_quotes: bool = False) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index it came from."""
    out: list[str] = []
    index: list[int] = []
    in_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not in_space:
                out.append(" ")
                index.append(i)
            in_space = True
            continue
        in_space = False
        mapped = ch.translate(_TRANSLATE)
        if drop_quotes and mapped == "'":
            continue
        if fold_case:
            mapped = mapped.casefold()
        for m in mapped:
            out.append(m)
            index.append(i)
    return "".join(out), index


def _clean_quote(quote: str) -> str:
    """Strip white space and wrapping quote marks the model added around a quote."""
    q = quote.strip()
    while len(q) >= 2 and q[0] in _QUOTES and q[-1] in _QUOTES and q[1:-1].count(q[0]) == 0:
        q = q[1:-1].strip()
    return q


def _all(haystack: str, needle: str) -> list[int]:
    found, at = [], haystack.find(needle)
    while at != -1:
        found.append(at)
        at = haystack.find(needle, at + 1)
    return found


_WORD = re.compile(r"\w+")


def _nearest(
    candidates: list[int], near: int | None, text: str = "", context: str | None = None
) -> int:
    if near is not None:
        return min(candidates, key=lambda c: (abs(c - near), c))
    if context and len(candidates) > 1:
        # The occurrence whose surroundings share most words with what the plugin said
        # about it (a claim's paraphrase, a finding's explanation).
        wanted = {w.casefold() for w in _WORD.findall(context)}

        def shared(at: int) -> int:
            # The paragraph around the occurrence, at most CONTEXT_CHARS either side.
            lo = max(text.rfind("\n", 0, at) + 1, at - CONTEXT_CHARS)
            hi = text.find("\n", at)
            hi = min(len(text) if hi == -1 else hi, at + CONTEXT_CHARS)
            around = text[lo:hi]
            return len(wanted & {w.casefold() for w in _WORD.findall(around)})

        return max(candidates, key=lambda c: (shared(c), -c))
    return candidates[0]


def locate(
    text: str,
    quote: str,
    *,
    within: Span | None = None,
    near: int | None = None,
    context: str | None = None,
) -> Span | None:
    """Where ``quote`` is in ``text`` (searching only ``within``, if given).

    When the quote occurs more than once, the occurrence nearest ``near`` wins; without
    ``near``, the one whose surroundings share most words with ``context``; else the
    first. Returns ``None`` when it is not there.
    """
    region = within or Span(0, len(text))
    sub = text[region.start : region.end]
    wanted = _clean_quote(quote)
    if len(wanted) < MIN_QUOTE_CHARS:
        return None
    rel_near = None if near is None else near - region.start

    hits = _all(sub, wanted)
    if hits:
        at = _nearest(hits, rel_near, sub, context)
        return Span(region.start + at, region.start + at + len(wanted))

    # Ever looser: quote marks and dashes unified, then case folded, then quote marks
    # dropped altogether (models often leave out an article's scare quotes).
    for fold_case, drop_quotes in ((False, False), (True, False), (True, True)):
        norm_text, index = _normalise(sub, fold_case=fold_case, drop_quotes=drop_quotes)
        norm_quote, _ = _normalise(wanted, fold_case=fold_case, drop_quotes=drop_quotes)
        norm_quote = norm_quote.strip(" ")
        if len(norm_quote) < MIN_QUOTE_CHARS:
            return None
        hits = _all(norm_text, norm_quote)
        if hits:
            norm_near = None
            if rel_near is not None:
                norm_near = next((j for j, i in enumerate(index) if i >= rel_near), len(index))
            at = _nearest(hits, norm_near, norm_text, context)
            start = index[at]
            end = index[at + len(norm_quote) - 1] + 1
            return Span(region.start + start, region.start + end)
    return None


def ground(
    item: Claim | Finding,
    article: Article,
    summary: Summary | None = None,
    given: Mapping[str, str] | None = None,
) -> Span | None:
    """Where ``item``'s quote is: in the article's analysed body, or for a finding with
    ``target="summary"`` in ``summary`` (``None`` when there is none), or with the target
    of a given text (``"given_summary"``, ``"headline"``) in ``given[target]``. See the
    module's docstring for the rule among repeats."""
    hint = item.start if item.start >= 0 else None
    if isinstance(item, Claim):
        return locate(
            article.text, item.quote, within=article.body_span, near=hint, context=item.text
        )
    if item.target == "summary":
        if summary is None:
            return None
        return locate(summary.text, item.quote, near=hint, context=item.explanation)
    if item.target != "article":
        text = (given or {}).get(item.target)
        if text is None:
            return None
        return locate(text, item.quote, near=hint, context=item.explanation)
    return locate(
        article.text, item.quote, within=article.body_span, near=hint, context=item.explanation
    )
