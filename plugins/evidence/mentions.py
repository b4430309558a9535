"""Finding the particulars of a text: numbers, dates, weekdays and names, at their offsets.

Numbers are read with their scale words, currency and units by general rules, not word
lists for examples: "$1.2 million", "1.2m dollars" and "1,200,000 dollars" are the same
1,200,000 dollars; "15%", "15 per cent" and "15 percent" the same percentage; "four" is 4,
"twenty-five" 25 and "a dozen" 12. Each number stands for the interval it asserts:

- a plain number is exact: 238 is [238, 238];
- a number with a scale word is good to its last digit: "1.2 million" is
  [1.15 million, 1.25 million], "12 million" [11.5 million, 12.5 million];
- a hedge widens it: "about", "around", "roughly", "some" by 10% either way; "nearly",
  "almost" to 10% below; "more than", "over", "at least" to no upper bound; "less than",
  "under", "up to" to no lower one. The hedge is kept, so a report can note it.

A number's ``key`` is what it counts: its currency, "percent", or the noun after it
("300 people" -> "people"; an ordinal's suffix is no noun: "18th-century" -> "century"),
or the name it is part of ("Pier 9" -> "pier", whatever follows), or "age": news style
writes one age as "26-year-old", "26 years old", "aged 26" or a bare number set off
after a word ("Ruiz, 26, said"; "Ruiz (26)"). "m" after a number is millions with a
currency or a decimal point ("$5m", "1.2m"), else metres ("100m"). 1800-2100 alone or
before a name ("Rio 2016", "2016 Rio Games") is a year, a date; in lower-cased text a
name is a word its casing capitalises.

Dates are day, month and year where given ("3 March 2024", "March 3rd", "in May": a
month alone only after a preposition, so "Theresa May" is not a date); weekdays by name.
Names are runs of capitalised words; see :func:`mentions` for lower-cased text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from copydesk.plugins.text_helpers import FUNCTION_WORDS, Word, split_sentences, words

Kind = Literal["number", "date", "weekday", "name"]

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SMALL = {w: i for i, w in enumerate(_ONES)} | {w: 10 + i for i, w in enumerate(_TEENS)}
_SMALL |= {w: 20 + 10 * i for i, w in enumerate(_TENS)}
_NUMWORD = "(?:{}|hundred|thousand|dozen)".format("|".join(sorted(_SMALL, key=len, reverse=True)))
_SCALES = {"hundred": 1e2, "thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6,
           "billion": 1e9, "bn": 1e9, "trillion": 1e12, "tn": 1e12}  # fmt: skip
_CURRENCIES = {"$": "dollar", "us$": "dollar", "£": "pound", "€": "euro", "¥": "yen",
               "dollar": "dollar", "usd": "dollar", "pound": "pound", "gbp": "pound",
               "sterling": "pound", "euro": "euro", "eur": "euro", "yen": "yen"}  # fmt: skip
#: hedge -> (low factor, high factor) around the stated number
_HEDGES = {"about": (0.9, 1.1), "around": (0.9, 1.1), "roughly": (0.9, 1.1),
           "approximately": (0.9, 1.1), "some": (0.9, 1.1), "an estimated": (0.9, 1.1),
           "close to": (0.9, 1.0), "nearly": (0.9, 1.0), "almost": (0.9, 1.0),
           "just under": (0.9, 1.0), "just over": (1.0, 1.1), "more than": (1.0, float("inf")),
           "over": (1.0, float("inf")), "at least": (1.0, float("inf")),
           "upwards of": (1.0, float("inf")), "less than": (0.0, 1.0),
           "fewer than": (0.0, 1.0), "under": (0.0, 1.0), "up to": (0.0, 1.0),
           "at most": (0.0, 1.0)}  # fmt: skip
_HEDGE = "|".join(h.replace(" ", r"\s+") for h in _HEDGES)
_NUMBER = re.compile(
    rf"(?:\b(?P<hedge>{_HEDGE})\s+)?(?<![\w\-/.])(?P<cur>US\$|\$|£|€|¥)?\s?"
    rf"(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?(?![\d,]*\d)"
    rf"|\b{_NUMWORD}(?:[\s-]+(?:and\s+)?{_NUMWORD})*\b)"
    r"(?:\s?(?P<scale>hundred|thousand|million|billion|trillion)\b|(?P<tag>bn|mn|tn|m|k)\b)?"
    r"(?:\s?(?P<pct>%|per\s?cent\b|percent\b|percentage\s+points?\b))?",
    re.I,
)
_MONTHS = "january february march april may june july august september october november december"
_MONTHS_LIST = _MONTHS.split()
_MONTH = (
    rf"(?P<m>{_MONTHS.replace(' ', '|')}|(?:jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?)"
)
_DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?"
_DATES = [
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+(?P<y>1[89]\d\d|20\d\d))?\b", re.I),
    re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?:,?\s+(?P<y>1[89]\d\d|20\d\d)\b)?", re.I),
    re.compile(rf"\b{_MONTH}\s+(?P<y>1[89]\d\d|20\d\d)\b", re.I),
    # a month alone only after a preposition: "in May", not "Theresa May" or "may rise"
    re.compile(
        rf"\b(?:in|since|until|by|from|of|last|next|early|late|mid|during)\s+{_MONTH}\b", re.I
    ),
]
#: a capitalised word right before a number: the thing the number names ("Pier 9"), as
#: names are found (never the word that opens a sentence: "Exactly 240")
_NAMED = re.compile(r"\b([A-Z][A-Za-z'’-]*)\s$")
#: a figure's ordinal suffix ("18th century", "the 70th"): no word of what it counts
_ORDINAL = re.compile(r"(?:st|nd|rd|th)\b", re.I)
#: a word after a figure, joined to it by spaces or hyphens: what it counts
_FOLLOWING = re.compile(r"[\s-]*([A-Za-z][\w'’-]*)")
#: words that say the number after them is an age ("aged 26", "AGE: 27")
_AGE_BEFORE = re.compile(r"\b(?:aged|age:?)\s+$", re.I)
#: a bare number set off after a word is an age in news style ("Grealish, 19, was",
#: "Ana Ruiz (34)")
_APPOSITIVE = re.compile(r"[A-Za-z][\w'’.-]*(?:,\s?|\s\()$")
_APPOSITIVE_END = re.compile(r"\s?[,);.]")


def _opens_sentence(text: str, at: int) -> bool:
    before = text[max(0, at - 4) : at]
    return not before.strip() or before.rstrip()[-1] in ".!?:\"“”'\n" or "\n" in before


_WEEKDAY = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b", re.I)


@dataclass(frozen=True)
class Mention:
    """A particular of a text: ``key`` is what is compared (a unit, a weekday, a name in
    lower case); numbers carry their interval, dates their fields."""

    kind: Kind
    text: str
    start: int
    end: int
    key: str = ""
    value: float | None = None
    low: float | None = None
    high: float | None = None
    hedge: str | None = None
    date: tuple[int | None, int | None, int | None] | None = None  # (year, month, day)


def _word_number(text: str) -> float:
    total, current = 0.0, 0.0
    for w in re.findall(r"[a-z]+", text.lower()):
        if w in _SMALL:
            current += _SMALL[w]
        elif w == "hundred":
            current = max(current, 1) * 100
        elif w == "dozen":
            current = max(current, 1) * 12
        elif w == "thousand":
            total, current = total + max(current, 1) * 1000, 0.0
    return total + current


def _singular(word: str) -> str:
    """``word`` as a key: lower case, no plural s."""
    word = word.lower()
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def _following(text: str, at: int, end: int, limit: int = 3) -> list[str]:
    """The words right after a figure at ``at``, in their own case, up to ``limit`` and
    the first function word (what the figure counts is among them)."""
    out: list[str] = []
    for _ in range(limit):
        m = _FOLLOWING.match(text, at, end)
        if m is None or m.group(1).lower() in FUNCTION_WORDS:
            break
        out.append(m.group(1))
        at = m.end()
    return out


def _is_age(text: str, s: int, e: int, end: int, nouns: Sequence[str], bare: bool) -> bool:
    """Whether the number at ``text[s:e]`` is someone's age: "26-year-old", "26 years
    old", "aged 26", or a bare number set off after a word ("Ruiz, 26, said")."""
    if nouns[:1] == ["year-old"] or nouns[:2] == ["year", "old"]:
        return True
    before = text[max(0, s - 40) : s]
    if _AGE_BEFORE.search(before):
        return True
    return bare and bool(_APPOSITIVE.search(before) and _APPOSITIVE_END.match(text, e, end))


def _numbers(
    text: str,
    start: int,
    end: int,
    taken: list[tuple[int, int]],
    known: frozenset[str] | None = None,
) -> list[Mention]:
    """The numbers of ``text[start:end]``. ``known``: for lower-cased text, the words its
    casing writes capitalised (they are names: "formula 1", "2016 rio")."""
    out: list[Mention] = []
    for m in _NUMBER.finditer(text, start, end):
        s, e = m.start("num"), m.end()
        if any(a < e and s < b for a, b in taken):
            continue
        raw = m.group("num").replace(",", "")
        value = float(raw) if raw[0].isdigit() else _word_number(raw)
        tag, cur = (m.group("tag") or "").lower(), (m.group("cur") or "").lower()
        # "$1.2m", "1.2m": millions; "100m" with no currency and no decimals: metres
        million = tag == "m" and (cur or "." in raw)
        scale_word = (m.group("scale") or "").lower() or (tag if tag != "m" or million else "")
        ordinal = raw.isdigit() and _ORDINAL.match(text, e, end)
        following = _following(text, ordinal.end() if ordinal else e, end)
        nouns = [_singular(w) for w in following]
        noun = following[0].lower() if following else ""
        unit = (
            "percent"
            if m.group("pct")
            else _CURRENCIES.get(cur) or _CURRENCIES.get(noun.rstrip("s"))
        )
        if not unit and tag == "m" and not scale_word:
            unit = "m"
        # 1800-2100 alone or before a name is a year ("in 2014, the council", "Rio 2016",
        # "2016 Rio Games"), not before a count ("2000 people")
        year = (
            m.group("num").isdigit()  # "2,100" is a count
            and 1800 <= value <= 2100
            and (not noun or _is_name(following[0], known))
        )
        if not unit and not scale_word and not m.group("hedge") and year:
            out.append(Mention("date", text[s:e], s, e, "year", date=(int(value), None, None)))
            continue
        scale = _SCALES.get(scale_word, 1.0)
        low = high = value * scale
        if scale > 1 and raw[0].isdigit():  # good to its last digit
            half = 0.5 * 10 ** -len(raw.partition(".")[2]) * scale
            low, high = low - half, high + half
        hedge = re.sub(r"\s+", " ", m.group("hedge").lower()) if m.group("hedge") else None
        if hedge:
            lo_f, hi_f = _HEDGES[hedge]
            low, high = min(low, value * scale * lo_f), max(high, value * scale * hi_f)
        key = unit or (nouns[0] if nouns else "")
        bare = not (unit or scale_word or hedge or m.group("cur"))
        named = _NAMED.search(text, max(0, s - 40), s) if bare else None
        if named and not _opens_sentence(text, named.start()):
            key = named.group(1).lower()  # "Pier 9", "Flight 370": the number is a name's
        elif not unit and value < 130 and _is_age(text, s, e, end, nouns, bare and not nouns):
            key = "age"  # "26-year-old", "aged 26", "Ruiz, 26,": one particular
        h_start = m.start() if hedge else (m.start("cur") if m.group("cur") else s)
        out.append(
            Mention("number", text[h_start:e], h_start, e, key, value * scale, low, high, hedge)
        )
    return out


def _is_name(word: str, known: frozenset[str] | None) -> bool:
    """Whether ``word`` is written as a name: capitalised, or in lower-cased text one of
    the ``known`` words its casing capitalises; never a function word ("The 2 boxers")."""
    if word.lower() in FUNCTION_WORDS:
        return False
    return word.lower() in known if known is not None else word[:1].isupper()


def mentions(
    text: str, start: int = 0, end: int | None = None, casing: str | None = None
) -> list[Mention]:
    """The numbers, dates, weekdays and names in ``text[start:end]``, offsets into ``text``.

    Names are runs of capitalised words (a sentence's first word only when the run goes
    on, as in "Ana Ruiz said"). Text with no capitals at all (a lower-cased summary) takes
    its names from ``casing``: the words that text writes capitalised mid-sentence more
    often than not.
    """
    end = len(text) if end is None else end
    out: list[Mention] = []
    for pattern in _DATES:
        for m in pattern.finditer(text, start, end):
            # the mention starts at its day or month: "in May" is the date "May"
            start_at = min(m.start(g) for g, v in m.groupdict().items() if v and g != "y")
            if any(x.start < m.end() and start_at < x.end for x in out):
                continue
            month = m.group("m").lower().rstrip(".")
            mi = next(i for i, name in enumerate(_MONTHS_LIST, 1) if name.startswith(month[:3]))
            d = m.groupdict().get("d")
            y = m.groupdict().get("y")
            date = (int(y) if y else None, mi, int(d) if d else None)
            out.append(
                Mention("date", text[start_at : m.end()], start_at, m.end(), "date", date=date)
            )
    for m in _WEEKDAY.finditer(text, start, end):
        out.append(Mention("weekday", m.group(), m.start(), m.end(), m.group(1).lower()))
    lowered = not re.search(r"[A-Z]", text[start:end])
    known = (_capitalised_words(casing) if casing else frozenset()) if lowered else None
    taken = [(x.start, x.end) for x in out]
    out += _numbers(text, start, end, taken, known)
    taken = [(x.start, x.end) for x in out]
    out += _names(text, start, end, known, taken)
    return sorted(out, key=lambda x: x.start)


@functools.lru_cache(maxsize=8)  # every statement of a summary asks about one article
def _capitalised_words(text: str) -> frozenset[str]:
    counts: dict[str, list[int]] = {}
    for sentence in split_sentences(text):
        for i, w in enumerate(words(text, sentence.start, sentence.end)):
            if i:
                counts.setdefault(w.lower, [0, 0])[w.capitalised] += 1
    # one letter is an initial or a split token ("it 's"), not a name a claim can lack
    return frozenset(
        w
        for w, (low, cap) in counts.items()
        if cap > low and len(w) > 1 and w not in FUNCTION_WORDS
    )


def _names(
    text: str, start: int, end: int, known: frozenset[str] | None, taken: list[tuple[int, int]]
) -> list[Mention]:
    """Runs of capitalised words; in lower-cased text (``known`` given), of known words."""
    lowered = known is not None
    out: list[Mention] = []
    for sentence in split_sentences(text, start, end):
        run: list[tuple[int, Word]] = []
        for i, w in enumerate([*words(text, sentence.start, sentence.end), None]):
            is_name = (
                w is not None
                and not any(a <= w.start < b for a, b in taken)
                and (
                    (w.lower in known)
                    if known is not None
                    else (w.capitalised and w.lower not in FUNCTION_WORDS)
                )
            )
            if is_name and (not run or re.fullmatch(r" ", text[run[-1][1].end : w.start])):
                run.append((i, w))
                continue
            if run and (run[0][0] > 0 or len(run) > 1 or lowered):
                s, e = run[0][1].start, run[-1][1].end
                out.append(Mention("name", text[s:e], s, e, " ".join(x.lower for _, x in run)))
            run = [(i, w)] if is_name else []
    return out
