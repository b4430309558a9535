"""Reading the quantities of news prose: every figure with what it counts and how exact it is.

:func:`quantities` gives each figure of a text as a :class:`Quantity`: its value ("1.2M",
"$1.2 million", "£4.80", "80p", "15%", "nearly 300", "two dozen"), its unit (a currency, a
percentage or a plain count), the noun it counts ("240 full-time *jobs*") and the words
that qualify it ("nearly", "more than", "about"), which give the range of values it allows
(:meth:`Quantity.bounds`). A vague amount ("a number of", "dozens of") is a
:class:`Quantity` with ``vague=True``: the article declines to give a figure there, which
never contradicts one given elsewhere.

Years, clock times, dates' day numbers and ordinals are not quantities.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from functools import cache

from copydesk.types import Span

from .text_helpers import FUNCTION_WORDS, Word, word_family, word_set, words

#: Tolerance of "about 300": the figure may be this share off either way.
ABOUT = 0.15
#: Tolerance of "nearly 300": at most the figure, and at most this share below it.
NEARLY = 0.15

#: Qualifiers before a figure, longest first, and the side on which they loosen it:
#: "about" both ways, "nearly" below only, "more than" above only, "up to" below
#: without limit.
_QUALIFIERS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        [
            *(
                (q, "about")
                for q in (
                    "about",
                    "around",
                    "roughly",
                    "approximately",
                    "some",
                    "an estimated",
                    "estimated",
                    "circa",
                    "close to",
                    "in the region of",
                    "on the order of",
                    "or so",
                    "give or take",
                )
            ),
            *(
                (q, "nearly")
                for q in (
                    "nearly",
                    "almost",
                    "just under",
                    "just short of",
                    "close on",
                    "not quite",
                    "approaching",
                    "shy of",
                    "just below",
                )
            ),
            *(
                (q, "over")
                for q in (
                    "more than",
                    "over",
                    "at least",
                    "upwards of",
                    "in excess of",
                    "above",
                    "no fewer than",
                    "no less than",
                    "just over",
                    "well over",
                    "nearly over",
                    "a little over",
                    "a little more than",
                    "at minimum",
                    "exceeding",
                )
            ),
            *(
                (q, "under")
                for q in (
                    "less than",
                    "fewer than",
                    "under",
                    "below",
                    "up to",
                    "at most",
                    "as many as",
                    "as much as",
                    "no more than",
                    "well under",
                    "not more than",
                )
            ),
        ],
        key=lambda qk: -len(qk[0]),
    )
)
#: Each qualifier with the pattern that finds it just before a figure (compiled once).
_QUALIFIER_PATTERNS = tuple(
    (phrase, kind, re.compile(rf"(?:^|[^\w])({re.escape(phrase)})\s+$"))
    for phrase, kind in _QUALIFIERS
)
_UNITS_WORDS = {
    "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "k": 1e3, "m": 1e6,
    "mn": 1e6, "mln": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12, "hundred": 100, "dozen": 12,
}  # fmt: skip
_CURRENCY_SIGNS = {"$": "$", "£": "£", "€": "€", "¥": "¥", "₹": "₹"}
_CURRENCY_WORDS = {
    "dollar": "$", "dollars": "$", "pound": "£", "pounds": "£", "euro": "€", "euros": "€",
    "pence": "£p", "p": "£p", "cents": "$c", "cent": "$c", "yen": "¥", "rupees": "₹",
}  # fmt: skip
_SMALL = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "dozen": 12, "a dozen": 12, "half": 0.5,
}  # fmt: skip
#: Vague amounts: quantity nouns that take "of" ("a number of", "dozens of", "a handful
#: of"), and the quantifying determiners ("several", "many").
_VAGUE_OF = (
    r"(?:a|an)\s+(?:\w+\s+)?(?:number|handful|lot|couple|series|host|raft|slew|range|"
    r"string|spate|wave|flurry|clutch|group|batch)"
    r"|(?:dozens|scores|hundreds|thousands|tens\s+of\s+thousands|millions|billions|lots|"
    r"numbers|plenty)"
)
_VAGUE_DET = r"several|many|numerous|multiple|various|some|few|a\s+few|countless|untold"
_VAGUE = re.compile(rf"\b(?:(?:{_VAGUE_OF})\s+of|{_VAGUE_DET})\b(?=\s+[a-z])", re.I)
#: What a figure written in digits may be: "1,200", "4.80", "1.2", "15".
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_NUMBER_WORD = "|".join(sorted(_SMALL, key=len, reverse=True))
_FIGURE = re.compile(
    rf"""
    (?=[\s\d$£€¥₹acdefhnostu])  # what a figure can open with: skips most places fast
    (?P<sign>(?:US|A|C|NZ|HK)?[$£€¥₹])?\s?
    (?P<num>{_DIGITS}
       |(?:{_NUMBER_WORD})(?:[-\s](?:one|two|three|four|five|six|seven|eight|nine))?)
    (?:\s?(?P<mult>thousand|million|billion|trillion|hundred|dozen|mn|mln|bn|tn|[kKmMbB](?![a-zA-Z])))?
    (?P<pct>\s?%|\s(?:per\s?cent|percent)\b)?
    (?:\s(?P<cur>dollars?|pounds?|euros?|pence|cents?|yen|rupees)\b|(?P<p>p)\b)?
    """,
    re.X | re.I,
)
_YEARISH = re.compile(r"1[5-9]\d\d|20\d\d")
_MONTHS = word_set(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
#: Words after a figure that make it a time, a rank or a measure, not a count of a thing.
_NOT_COUNTED = word_set(
    "am pm a.m p.m gmt bst et pt o'clock th st nd rd"
)  # fmt: skip
_IRREGULAR_PLURALS = word_set(
    "people police staff children men women cattle personnel crew troops clergy youth"
)


#: Measures of time and score: many things in one article last "three years" or "two
#: hours"; what is counted there is not one thing.
MEASURES = frozenset(
    word_family(w)
    for w in word_set(
        """
        years seconds minutes hours days weeks months decades centuries times points
        percent metres meters miles kilometres kilometers km feet inches yards pounds
        kilograms kg tonnes tons degrees goals runs wickets
        """
    )
)


@dataclass(frozen=True)
class Quantity:
    """One figure of a text."""

    #: The figure with its qualifier and the noun it counts: "nearly 300 jobs".
    span: Span
    #: The figure alone, as written: "300", "$1.2M".
    figure: Span
    value: float
    #: "" for a count, "%" for a percentage, a currency sign ("$", "£") for money.
    unit: str
    #: The word family of the noun it counts ("job"), or "" when none follows.
    noun: str
    #: "" when exact; else "about", "nearly", "over" or "under" (see :data:`_QUALIFIERS`).
    qualifier: str = ""
    #: A vague amount: "a number of people", "dozens of".
    vague: bool = False
    #: The noun as written, for explanations: "jobs".
    noun_text: str = ""

    def bounds(self) -> tuple[float, float]:
        """The values the figure allows: "nearly 300" is 255 to 300, "about 300" 255 to 345,
        "more than 300" 300 and up. A plain figure allows what rounds to it: "300" may be
        any of 299.5 to 300.5, "1.2 million" anything from 1.15 to 1.25 million."""
        v = self.value
        if self.qualifier == "about":
            return v * (1 - ABOUT), v * (1 + ABOUT)
        if self.qualifier == "nearly":
            return v * (1 - NEARLY), v
        if self.qualifier == "over":
            return v, math.inf
        if self.qualifier == "under":
            return 0.0, v
        half = _rounding_unit(self.figure_text_value) / 2
        return v - half * self.scale, v + half * self.scale

    # Set by quantities(): the digits as written, and what they were multiplied by.
    figure_text_value: str = ""
    scale: float = 1.0

    def agrees(self, other: Quantity) -> bool:
        """Whether the two could be the same figure: their ranges overlap. (Ranges that
        only touch do not: "two" allows 1.5 to 2.5 and "three" 2.5 to 3.5, yet no count
        is both.)"""
        lo1, hi1 = self.bounds()
        lo2, hi2 = other.bounds()
        if lo1 == hi1 or lo2 == hi2:
            return lo1 <= hi2 and lo2 <= hi1
        return lo1 < hi2 and lo2 < hi1


def _rounding_unit(digits: str) -> float:
    """The step a figure was written to: "4.80" 0.01, "1.2" 0.1, "300" 1."""
    if "." in digits:
        return 10.0 ** -len(digits.split(".", 1)[1])
    return 1.0


def _number(text: str) -> float | None:
    t = text.lower().replace(",", "")
    try:
        return float(t)
    except ValueError:
        pass
    parts = re.split(r"[-\s]", t)
    if all(p in _SMALL for p in parts):
        return float(sum(_SMALL[p] for p in parts))
    return None


def quantities(text: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    """Every figure and vague amount of ``text[start:end]``, in order."""
    return list(_quantities(text, start, len(text) if end is None else end))


@functools.lru_cache(maxsize=4096)
def _quantities(text: str, start: int, end: int) -> tuple[Quantity, ...]:
    # Cached: three checkers read the figures of every sentence (measured: the figure
    # pattern's scan was a third of the deterministic checkers' CPU per article).
    tokens = words(text, start, end)
    out: list[Quantity] = []
    for m in _FIGURE.finditer(text, start, end):
        q = _figure(text, m, tokens)
        if q is not None:
            out.append(q)
    for m in _VAGUE.finditer(text, start, end):
        if any(q.span.start <= m.start() < q.span.end for q in out):
            continue
        noun, noun_end = _counted(text, tokens, m.end())
        if noun:
            span = Span(m.start(), noun_end)
            out.append(
                Quantity(span, span, math.nan, "", word_family(noun), vague=True, noun_text=noun)
            )
    return tuple(sorted(out, key=lambda q: q.span.start))


def _figure(text: str, m: re.Match[str], tokens: list[Word]) -> Quantity | None:
    num = m.group("num")
    before = text[m.start("num") - 1] if m.start("num") > 0 else " "
    if (before.isalnum() or before in ".:/-") and not (m.group("sign") and before in "$£€¥₹"):
        return None  # inside a word, a time or a score: "B2", "10:30", "2-1"
    after = text[m.end() : m.end() + 3]
    if re.match(r"[:/]\d|\w", after) or re.match(r"\.\d", after):
        return None  # "10:30", "3/4", "5th" (the pattern stopped inside it)
    value = _number(num)
    if value is None:
        return None
    word_number = not num[0].isdigit()
    if word_number and num.lower() in ("one", "half"):
        return None  # a pronoun or a fraction more often than a count
    sign, mult, pct = m.group("sign"), m.group("mult"), m.group("pct")
    cur = m.group("cur") or m.group("p")
    if m.group("p") and not num[0].isdigit():
        return None
    unit = ""
    if sign:
        unit = _CURRENCY_SIGNS[sign[-1]]
    elif cur:
        unit = _CURRENCY_WORDS[cur.lower()]
    if pct:
        unit = "%"
    scale = 1.0
    if mult:
        key = mult.lower()
        if key in ("m", "b", "k") and not (sign or cur) and mult.islower() and key != "k":
            return None  # "5m" is five metres, not five million
        scale = _UNITS_WORDS[key]
    if unit in ("£p", "$c"):  # pence and cents, in pounds and dollars
        unit, scale = unit[0], scale / 100
    figure = Span(m.start() if sign else m.start("num"), m.end())
    figure = Span(figure.start, figure.start + len(text[figure.start : figure.end].rstrip()))
    if not unit and not mult and _YEARISH.fullmatch(num) and not word_number:
        return None  # a year
    prev_word = _word_before(text, figure.start)
    if prev_word in _MONTHS or _word_after(text, figure.end) in _MONTHS:
        return None  # a date's day: "April 8", "8 April"
    if _word_after(text, figure.end) in _NOT_COUNTED:
        return None
    qualifier, q_start = _qualifier(text, figure.start)
    after_end = figure.end
    tail = re.match(r"\s*(?:-?plus\b|-odd\b|or\s+so\b|or\s+more\b)", text[after_end:])
    if tail:
        qualifier = "about" if "so" in tail.group() or "odd" in tail.group() else "over"
        after_end += tail.end()
    noun, noun_end = _counted(text, tokens, after_end)
    span = Span(q_start, noun_end if noun else after_end)
    return Quantity(
        span,
        figure,
        value * scale,
        unit,
        word_family(noun) if noun else "",
        qualifier,
        noun_text=noun,
        figure_text_value=num.replace(",", "") if not word_number else "1",
        scale=scale,
    )


def _word_before(text: str, at: int) -> str:
    m = re.search(r"([A-Za-z.]+)\s*$", text[max(0, at - 20) : at])
    return m.group(1).lower().rstrip(".") if m else ""


def _word_after(text: str, at: int) -> str:
    m = re.match(r"\s*([A-Za-z'.]+)", text[at : at + 20])
    return m.group(1).lower().rstrip(".") if m else ""


def _qualifier(text: str, at: int) -> tuple[str, int]:
    """The qualifier just before a figure ("nearly", "more than"), and where it starts."""
    before = text[max(0, at - 30) : at].lower()
    for phrase, kind, pattern in _QUALIFIER_PATTERNS:
        if pattern.search(before):
            start = at - len(before) + before.rindex(phrase)
            if phrase in ("over", "under", "above", "below", "some") and _word_before(
                text, start
            ) in ("from", "of", "rose", "fell"):
                continue  # "rose from under 10", "one of some" read literally
            return kind, start
    return "", at


def _counted(text: str, tokens: list[Word], at: int) -> tuple[str, int]:
    """The noun counted by a figure ending at ``at``: the first plural (or the last content
    word) of the next three words, as in "240 full-time jobs", "14 people were"."""
    following = [t for t in tokens if t.start >= at][:4]
    chosen: Word | None = None
    prev_end = at
    for tok in following:
        gap = text[prev_end : tok.start]
        if gap.strip() not in ("", "-") or "\n" in gap:
            break
        if tok.lower in FUNCTION_WORDS or tok.text[0].isdigit() or tok.lower in _NOT_NOUNS:
            break
        chosen = tok
        if _plural(tok.lower):
            break
        if tok.capitalised and chosen is not following[0]:
            break
        prev_end = tok.end
    if chosen is None or (chosen.capitalised and not _plural(chosen.lower)):
        return "", at
    return chosen.text, chosen.end


#: Words that follow a figure without being what it counts: "15 years ago", "300 more".
_NOT_NOUNS = word_set("ago more less fewer apiece each a.m p.m next last this")


@cache
def _plural(word: str) -> bool:
    return word in _IRREGULAR_PLURALS or (
        len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))
    )
