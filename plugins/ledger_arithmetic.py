"""Arithmetic the article implies, checked: changes, parts and totals, net figures.

- **A percentage change against the two amounts it is between.** "Fares will rise 15%,
  from £4.00 to £4.80": £4.00 to £4.80 is 20%. The amounts are a "from A to B" pair (or
  "B, up from A"); the percentage is one in the same or a neighbouring sentence that
  goes with a word of change ("rise", "cut", "up") in the same direction or either.
- **Parts against their total.** "The 240 jobs are split between 140 in Leeds and 120 in
  York": the parts make 260. A total marked as one ("a total of", "in all", "combined",
  "split", "made up of") must be the parts' sum; a set that is only sampled ("including",
  "of whom", "among them") must be at least their sum.
- **A net figure against what it nets.** "It saves $1.2M a year and costs $800k a year to
  run ... a net saving of $1.2M": a net saving is the saving less the cost.

Each check uses the figures' own tolerance (:meth:`Quantity.bounds`), so "about 20%" or
"nearly £5" is never called wrong for being round.
"""

from __future__ import annotations

import itertools
import re

from copydesk.types import Finding, Span

from .ledger_figures import _show
from .quantities import Quantity, quantities

CONFIDENCE_CHANGE = 0.75
CONFIDENCE_TOTAL = 0.7
CONFIDENCE_NET = 0.65

_UP = r"ris\w*|rose|increas\w*|hike\w*|jump\w*|climb\w*|grow\w*|grew|up|rais\w*|higher|soar\w*|surg\w*|gain\w*|boost\w*"
_DOWN = r"fall\w*|fell|cut\w*|drop\w*|declin\w*|decreas\w*|reduc\w*|down|lower\w*|slash\w*|plung\w*|shrank|shrink\w*|lost|los[es]\w*"
_CHANGE_UP = re.compile(rf"\b(?:{_UP})\b", re.I)
_CHANGE_DOWN = re.compile(rf"\b(?:{_DOWN})\b", re.I)
_EXHAUSTIVE = re.compile(
    r"\b(?:a\s+total\s+of|in\s+total|total(?:led|ed|ling|ing)?|in\s+all|altogether|combined|"
    r"split\s+(?:between|among|into)|divided\s+(?:between|among|into)|made\s+up\s+of|"
    r"comprising|broken\s+down\s+into|consist\w*\s+of)\b",
    re.I,
)
_SAMPLED = re.compile(
    r"\b(?:including|included|includes|of\s+whom|of\s+which|among\s+them)\b", re.I
)
_NET = re.compile(
    r"\bnet\b|\bafter\s+(?:the\s+)?(?:\w+\s+)?(?:costs?|expenses|paying)\b|\bonce\s+(?:the\s+)?(?:\w+\s+)?costs?\b|\bbetter\s+off\b",
    re.I,
)
_GAIN = re.compile(
    r"\bsav(?:e|es|ed|ing|ings)\b|\bbenefits?\b|\brevenues?\b|\bincome\b|\bearn\w*\b", re.I
)
_COST = re.compile(
    r"\bcost(?:s|ing)?\b|\bexpenses?\b|\bspend\w*\b|\boutlay\b|\bbill\b|\bto\s+run\b", re.I
)
_PERIOD = re.compile(
    r"\b(?:a|per|each|every)\s+(year|month|week|day)\b|\b(annual|yearly|monthly|weekly|daily)\w*\b",
    re.I,
)


def find_arithmetic_errors(text: str, sentences: list[Span]) -> list[Finding]:
    found = _changes(text, sentences)
    found += _totals(text, sentences)
    found += _nets(text, sentences)
    return sorted(found, key=lambda f: f.start or 0)


def _figures(text: str, s: Span) -> list[Quantity]:
    return [q for q in quantities(text, s.start, s.end) if not q.vague]


def _written(text: str, q: Quantity) -> str:
    """The figure as the article writes it: "£4.00"."""
    return text[q.figure.start : q.figure.end]


# a change in per cent ---------------------------------------------------------------------


def _pairs(text: str, sentence: Span) -> list[tuple[Quantity, Quantity]]:
    """The "from A to B" pairs of one sentence: "from £4.00 to £4.80", "£4.80, up from £4"."""
    qs = _figures(text, sentence)
    out: list[tuple[Quantity, Quantity]] = []
    for a, b in itertools.pairwise(qs):
        if a.unit != b.unit or (a.noun and b.noun and a.noun != b.noun):
            continue
        before_a = text[max(sentence.start, a.span.start - 12) : a.span.start].lower()
        between = text[a.span.end : b.span.start].lower()
        if len(between) > 40:
            continue
        if re.search(r"\bfrom\s*$", before_a) and re.fullmatch(r"\s*(?:\w+\s+)?to\s*", between):
            out.append((a, b))  # from A to B
        elif re.search(r"\b(?:up|down|rising|falling)?\s*from\s*$", between) and re.search(
            r",|\b(?:up|down)\b", between
        ):
            out.append((b, a))  # B, up from A
    return out


def _changes(text: str, sentences: list[Span]) -> list[Finding]:
    out: list[Finding] = []
    for n, sentence in enumerate(sentences):
        for old, new in _pairs(text, sentence):
            if old.value <= 0 or old.value == new.value:
                continue
            lo, hi = _pct_range(old, new)
            rising = new.value > old.value
            for m in range(max(0, n - 1), min(len(sentences), n + 2)):
                for p in _figures(text, sentences[m]):
                    if (
                        p.unit != "%"
                        or p is old
                        or p is new
                        or p.span.start in (old.span.start, new.span.start)
                    ):
                        continue
                    direction = _direction(text, sentences[m], p)
                    if direction is None:
                        continue
                    p_lo, p_hi = p.bounds()
                    if direction == rising and p_lo <= hi and lo <= p_hi:
                        continue
                    if old.unit == "%" and p_lo <= abs(new.value - old.value) <= p_hi:
                        continue  # a change in percentage points, given as such
                    out.append(_change_finding(text, p, old, new, direction, rising))
    return out


def _pct_range(old: Quantity, new: Quantity) -> tuple[float, float]:
    """The percentage changes the two amounts allow, given how they were rounded."""
    (olo, ohi), (nlo, nhi) = old.bounds(), new.bounds()
    olo, nhi = max(olo, 1e-9), min(nhi, new.value * 10)
    values = [(n - o) / o * 100 for o in (olo, ohi) for n in (nlo, nhi)]
    return min(abs(v) for v in values), max(abs(v) for v in values)


def _direction(text: str, sentence: Span, p: Quantity) -> bool | None:
    """Whether the percentage is a rise (True) or a fall (False), from the change word
    nearest it in its clause; ``None`` when it is not a change."""
    window = text[max(sentence.start, p.span.start - 40) : min(sentence.end, p.span.end + 25)]
    at = p.span.start - max(sentence.start, p.span.start - 40)
    best: tuple[int, bool] | None = None
    for pattern, up in ((_CHANGE_UP, True), (_CHANGE_DOWN, False)):
        for m in pattern.finditer(window):
            gap = abs(m.start() - at)
            if best is None or gap < best[0]:
                best = (gap, up)
    return None if best is None else best[1]


def _change_finding(
    text: str, p: Quantity, old: Quantity, new: Quantity, direction: bool, rising: bool
) -> Finding:
    actual = (new.value - old.value) / old.value * 100
    said = text[p.span.start : p.span.end]
    amounts = f"{_written(text, old)} to {_written(text, new)}"
    if direction != rising:
        why = (
            f'"{said}" is a {"rise" if direction else "fall"}, but {amounts} is a '
            f"{'rise' if rising else 'fall'}."
        )
    else:
        why = (
            f'"{said}" does not fit the amounts the article gives: {amounts} is a change of '
            f"{abs(actual):.1f}%."
        )
    return Finding(
        category="internal_inconsistency",
        quote=said,
        start=p.span.start,
        explanation=why,
        suggestion="Recompute the change from the two amounts, or correct the amount that is wrong.",
        severity="high",
        confidence=CONFIDENCE_CHANGE,
    )


# parts and their total --------------------------------------------------------------------


def _totals(text: str, sentences: list[Span]) -> list[Finding]:
    out: list[Finding] = []
    for sentence in sentences:
        s_text = text[sentence.start : sentence.end]
        marker = _EXHAUSTIVE.search(s_text) or _SAMPLED.search(s_text)
        if marker is None:
            continue
        exhaustive = bool(_EXHAUSTIVE.search(s_text))
        qs = _figures(text, sentence)
        for total in qs:
            if total.qualifier:
                continue
            after = sentence.start + marker.start() >= total.span.end
            parts = [
                q
                for q in qs
                if q is not total
                and q.unit == total.unit
                # "The 50 victims included 30 women and 25 children": the parts after a
                # marker that follows the total are kinds of it, with nouns of their own
                and (
                    not q.noun or q.noun == total.noun or (after and q.span.start > total.span.end)
                )
                and not q.qualifier
                and q.value < total.value
                and (q.value == int(q.value) or total.value != int(total.value))
                and abs(q.span.start - total.span.end) < 120
            ]
            if len(parts) < 2 or not total.noun or not _joined_by_and(text, parts):
                continue
            if not _marks(text, sentence, marker.start(), total, parts):
                continue
            whole = sum(q.value for q in parts)
            lo, hi = total.bounds()
            if (exhaustive and not lo <= whole <= hi) or (not exhaustive and whole > hi):
                out.append(_total_finding(text, total, parts, whole, exhaustive))
                break
    return out


def _joined_by_and(text: str, parts: list[Quantity]) -> bool:
    """The parts are a list: "140 in Leeds and 120 in York", "12, 5 and 3"."""
    between = text[parts[-2].span.end : parts[-1].span.start]
    return bool(re.search(r"\b(?:and|plus)\b|,", between)) and len(between) < 60


def _marks(text: str, sentence: Span, at: int, total: Quantity, parts: list[Quantity]) -> bool:
    """The marker ties the total to the parts: "a total of 240" before the total, or
    "split between"/"including" between the total and the parts."""
    pos = sentence.start + at
    return (0 <= total.span.start - pos <= 25) or (total.span.end <= pos <= parts[0].span.start)


def _total_finding(
    text: str, total: Quantity, parts: list[Quantity], whole: float, exhaustive: bool
) -> Finding:
    said = text[total.span.start : total.span.end]
    listed = ", ".join(text[q.figure.start : q.figure.end] for q in parts)
    return Finding(
        category="internal_inconsistency",
        quote=said,
        start=total.span.start,
        explanation=(
            f"The parts given ({listed}) add up to {_show(whole, total.unit)}, "
            f'{"not" if exhaustive else "more than"} the "{said}" they '
            f"{'make up' if exhaustive else 'are part of'}."
        ),
        suggestion="Check each part and the total, and make them add up.",
        severity="high",
        confidence=CONFIDENCE_TOTAL,
    )


# a net figure ---------------------------------------------------------------------------


def _nets(text: str, sentences: list[Span]) -> list[Finding]:
    """A net saving beside one gross saving and one cost, in the same currency and period."""
    roles: dict[str, list[tuple[Quantity, str | None]]] = {"net": [], "gain": [], "cost": []}
    for sentence in sentences:
        for q in _figures(text, sentence):
            if q.unit in ("", "%"):
                continue
            role = _role(text, sentence, q)
            if role:
                roles[role].append((q, _period(text, sentence, q)))
    out: list[Finding] = []
    for net, period in roles["net"]:
        gains = [g for g, pg in roles["gain"] if g.unit == net.unit and pg == period]
        costs = [c for c, pc in roles["cost"] if c.unit == net.unit and pc == period]
        if len(gains) != 1 or len(costs) != 1:
            continue  # which saving is netted against which cost is not clear
        gain, cost = gains[0], costs[0]
        expected = gain.value - cost.value
        lo, hi = net.bounds()
        if lo <= expected <= hi:
            continue
        said = text[net.span.start : net.span.end]
        out.append(
            Finding(
                category="internal_inconsistency",
                quote=said,
                start=net.span.start,
                explanation=(
                    f'"{said}" is given as the net figure, but the article puts the saving at '
                    f'"{text[gain.span.start : gain.span.end]}" and the cost at '
                    f'"{text[cost.span.start : cost.span.end]}": net of the cost, that is '
                    f"{_show(expected, net.unit)}."
                ),
                suggestion="Say whether the figure is before or after the cost, and correct it.",
                severity="high",
                confidence=CONFIDENCE_NET,
            )
        )
    return out


def _role(text: str, sentence: Span, q: Quantity) -> str | None:
    """ "net", "gain" or "cost": what the amount is, from the words of its own clause
    nearest it (a comma or semicolon ends a clause)."""
    left = re.split(r"[,;:]", text[sentence.start : q.span.start])[-1][-45:]
    right = re.split(r"[,;:]", text[q.figure.end : sentence.end])[0][:35]
    # "net" may qualify the whole sentence: "After costs, the trust will save £3m"
    if _NET.search(text, max(sentence.start, q.span.start - 60), q.span.start) or _NET.search(
        right
    ):
        return "net"
    nearest: tuple[int, str] | None = None
    for pattern, role in ((_GAIN, "gain"), (_COST, "cost")):
        for m in pattern.finditer(left):
            gap = len(left) - m.end()
            nearest = min(nearest or (gap, role), (gap, role))
        for m in pattern.finditer(right):
            nearest = min(nearest or (m.start(), role), (m.start(), role))
    return nearest[1] if nearest else None


def _period(text: str, sentence: Span, q: Quantity) -> str | None:
    m = _PERIOD.search(text, q.figure.end, min(sentence.end, q.figure.end + 30))
    if m is None:
        m = _PERIOD.search(text, max(sentence.start, q.span.start - 30), q.span.start)
    if m is None:
        return None
    word = (m.group(1) or m.group(2)).lower()
    return {
        "annual": "year",
        "yearly": "year",
        "monthly": "month",
        "weekly": "week",
        "daily": "day",
    }.get(word, word)
