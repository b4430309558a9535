"""The figure ledger: one quantity given two ways in one article.

Every figure that says what it counts (:mod:`.quantities`: "240 jobs", "a 15% rise", "a
£4.80 fare") is filed under its unit and the noun it counts. Two figures under one heading,
in different sentences, disagree when no value fits both (:meth:`Quantity.agrees`:
"nearly 300" allows 255 to 300, "more than 200" anything above 200), unless they are far
enough apart to be two different things counted alike: the ledger compares only figures
within :data:`MAX_RATIO` of each other. Measured on the BASIL and FRANK dev articles (305
articles, 172,000 words): of the pairs of disagreeing counts of one noun in different
sentences, 101 in all, most are plainly two things ("60 votes" to pass, "51 votes" held;
"1.3 million troops" in all, "2,000" in one country), and only 33 lie within a factor of
two, most of those durations ("eight years", "15 years"), which are left out.

A figure of "other" or "new" things ("three other Americans") counts another set and is
not filed. A vague amount ("a number of people") disagrees with nothing: the article has only chosen
not to give the figure there. Where the article repeats a figure, the repeated value is
taken as the reference, so the odd one out is flagged, wherever it falls.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from copydesk.types import Finding, Span

from .quantities import MEASURES, Quantity, quantities
from .text_helpers import word_set, words

#: Two figures further apart than this are two things, not one given two ways.
MAX_RATIO = 2.0
CONFIDENCE = 0.6


def find_figure_conflicts(text: str, sentences: list[Span]) -> list[Finding]:
    """Each figure that disagrees with the reference figure of its heading."""
    filed: dict[tuple[str, str], list[tuple[Quantity, int]]] = defaultdict(list)
    for n, sentence in enumerate(sentences):
        for q in quantities(text, sentence.start, sentence.end):
            if q.vague or not q.noun or q.noun in MEASURES or _another_set(text, q):
                continue
            filed[(q.unit, q.noun)].append((q, n))
    found: list[Finding] = []
    for mentions in filed.values():
        found.extend(_disagreeing(text, mentions))
    return sorted(found, key=lambda f: f.start or 0)


#: Words between a figure and its noun that make it count another set of the things:
#: "three other Americans", "125,000 new homes", "two more players".
_ANOTHER = word_set("other more additional further extra remaining new fewer first last next")


def _another_set(text: str, q: Quantity) -> bool:
    return any(w.lower in _ANOTHER for w in words(text, q.figure.end, q.span.end))


def _disagreeing(text: str, mentions: list[tuple[Quantity, int]]) -> list[Finding]:
    if len(mentions) < 2:
        return []
    repeats = Counter(q.value for q, _ in mentions)
    out: list[Finding] = []
    flagged: set[int] = set()
    for i, (a, na) in enumerate(mentions):
        for b, nb in mentions[i + 1 :]:
            if na == nb or a.agrees(b) or not _comparable(a, b):
                continue
            # the odd one out is the figure the article gives less often; of two given
            # once each, the later
            odd, ref = (a, b) if repeats[a.value] < repeats[b.value] else (b, a)
            if odd.span.start in flagged:
                continue
            flagged.add(odd.span.start)
            out.append(_finding(text, odd, ref))
    return out


def _comparable(a: Quantity, b: Quantity) -> bool:
    lo, hi = sorted((a.value, b.value))
    if lo <= 0:
        return False
    if a.qualifier in ("over", "under") and b.qualifier in ("over", "under"):
        return False  # two bounds: "more than 200", "fewer than 150" seldom meet
    return hi / lo <= MAX_RATIO


def _finding(text: str, odd: Quantity, ref: Quantity) -> Finding:
    here, there = _quote(text, odd), _quote(text, ref)
    where = "earlier" if ref.span.start < odd.span.start else "later"
    return Finding(
        category="internal_inconsistency",
        quote=here,
        start=odd.span.start,
        explanation=(
            f'"{here}" does not fit "{there}" {where} in the article: no one figure is both '
            f"({_range(odd)} here, {_range(ref)} there)."
        ),
        suggestion="Check which figure is right and make every mention agree.",
        severity="high",
        confidence=CONFIDENCE,
    )


def _quote(text: str, q: Quantity) -> str:
    return text[q.span.start : q.span.end]


def _range(q: Quantity) -> str:
    lo, hi = q.bounds()
    if q.qualifier == "over":
        return f"more than {_show(q.value, q.unit)}"
    if q.qualifier == "under":
        return f"at most {_show(q.value, q.unit)}"
    if q.qualifier:
        return f"{_show(lo, q.unit)} to {_show(hi, q.unit)}"
    return _show(q.value, q.unit)


def _show(value: float, unit: str) -> str:
    """A value as a reader would write it: "240", "$1.2 million", "15%"."""
    if unit == "%":
        return f"{value:g}%"
    for size, name in ((1e9, " billion"), (1e6, " million")):
        if abs(value) >= size:
            return f"{unit}{value / size:.3g}{name}"
    if unit and value != int(value):
        return f"{unit}{value:,.2f}"
    return f"{unit}{value:,.0f}" if value == int(value) else f"{unit}{value:,.3g}"
