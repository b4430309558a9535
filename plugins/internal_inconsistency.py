"""Internal inconsistency with no model: facts the article gives two different ways.

It extracts what can be compared mechanically and flags the later mention when two
disagree:

- counts written as modifiers: "a two-day visit" ... "his three-day visit";
- ages: "Smith, 45," ... "Smith, 46,";
- people's titles: "Foreign Minister Lavrov" ... "Prime Minister Lavrov";
- names spelled two ways: "Sergey Lavrov" ... "Sergei Lavrov";
- the year something began: "held annually since 2016" ... "first held in 2014";
- a weekday that does not fall on the date beside it: "Wednesday, April 8, 2021".
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import copydesk
from copydesk.components import Checker
from copydesk.types import Article, Finding, Span

from . import word_lists
from .text_helpers import FUNCTION_WORDS, Word, article_sentences, number_value, words

if TYPE_CHECKING:
    from copydesk.context import CheckContext

CONFIDENCE = 0.6
CONFIDENCE_TITLE = 0.45

#: The words a title ends with, abbreviations as written in news copy.
_TITLE_HEADS = {
    "president": "president", "minister": "minister", "secretary": "secretary",
    "senator": "senator", "sen": "senator", "representative": "representative",
    "rep": "representative", "governor": "governor", "gov": "governor", "mayor": "mayor",
    "general": "general", "gen": "general", "lieutenant": "lieutenant", "lt": "lieutenant",
    "colonel": "colonel", "col": "colonel", "major": "major", "maj": "major",
    "captain": "captain", "capt": "captain", "admiral": "admiral", "adm": "admiral",
    "ambassador": "ambassador", "chancellor": "chancellor", "premier": "premier",
    "king": "king", "queen": "queen", "prince": "prince", "princess": "princess",
    "judge": "judge", "justice": "justice", "director": "director", "chairman": "chairman",
    "chairwoman": "chairwoman", "commissioner": "commissioner", "speaker": "speaker",
    "professor": "professor", "prof": "professor", "dr": "doctor", "doctor": "doctor",
    "pope": "pope", "bishop": "bishop", "archbishop": "archbishop", "sheikh": "sheikh",
    "emir": "emir", "sultan": "sultan", "sergeant": "sergeant", "sgt": "sergeant",
    "chief": "chief", "marshal": "marshal", "inspector": "inspector", "detective": "detective",
}  # fmt: skip
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")]
    )
    for m in names
}  # fmt: skip
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_ORIGIN = re.compile(
    r"\b(?:since|first(?:-ever)?|founded|established|formed|created|launched|began|begun|"
    r"started|introduced|inaugurated)\b",
    re.I,
)
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_ORDINALS = frozenset(["first", "second", "third", "fourth", "fifth"])
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
#: A start year: "since 2016", "founded in 1998", "first held in October 2014".
_STARTED = re.compile(
    r"\bsince\s+(?:[A-Z][a-z]+\s+)?(?:1[89]|20)\d\d\b"
    r"|\b(?:first(?:-ever)?|founded|established|formed|created|launched|began|begun|started|"
    r"introduced|inaugurated)\b[^.;]{0,60}?\bin\s+(?:[A-Z][a-z]+\s+)?(?:1[89]|20)\d\d\b"
    r"|\b[Ii]n\s+(?:[A-Z][a-z]+\s+)?(?:1[89]|20)\d\d\b,?[^.;]{0,60}?\bfirst(?:-ever)?\b",
)


@dataclass
class Mention:
    key: str
    value: str
    span: Span
    show: str


@copydesk.checker("consistency", categories=("internal_inconsistency",))
def consistency(ctx: CheckContext) -> list[Finding]:
    """Facts the article gives two different ways: :func:`find_inconsistencies`."""
    return find_inconsistencies(ctx.article)


def find_inconsistencies(article: Article) -> list[Finding]:
    text, body = article.text, article.body_span
    found: list[Finding] = []
    for kind, mentions, confidence in (
        ("count", _counts(text, body), CONFIDENCE),
        ("age", _ages(text, body), CONFIDENCE),
        ("title", _titles(text, body), CONFIDENCE_TITLE),
        ("start year", _origins(text, article), CONFIDENCE),
    ):
        found.extend(_conflicts(text, kind, mentions, confidence))
    found.extend(_spellings(text, body))
    found.extend(_weekdays(text, body))
    return found


def _conflicts(text: str, kind: str, mentions: list[Mention], confidence: float) -> list[Finding]:
    out: list[Finding] = []
    first: dict[str, Mention] = {}
    for m in mentions:
        earlier = first.setdefault(m.key, m)
        if earlier.value == m.value or _compatible(kind, earlier.value, m.value):
            continue
        out.append(
            Finding(
                category="internal_inconsistency",
                quote=text[m.span.start : m.span.end],
                start=m.span.start,
                explanation=(
                    f'The {kind} given for {m.show} here ("{text[m.span.start : m.span.end]}") '
                    f'disagrees with an earlier mention: "{text[earlier.span.start : earlier.span.end]}".'
                ),
                suggestion="Check which is right and make every mention agree.",
                severity="high",
                confidence=confidence,
            )
        )
    return out


#: Military ranks: one person holds one at a time.
_RANKS = frozenset(
    ["general", "lieutenant", "colonel", "major", "captain", "admiral", "sergeant", "marshal"]
)
#: Qualifiers that say when or whose, not which office: "former", "Mexican".
_TIME_QUALIFIERS = frozenset(["former", "then", "ex", "acting", "interim", "late", "outgoing"])


def _compatible(kind: str, a: str, b: str) -> bool:
    """Titles disagree only when both are one qualified office with different qualifiers
    ("foreign minister", "prime minister") or two different military ranks; a person may
    hold several offices ("Chairman Ryan", "Rep. Paul Ryan"), and "Texas Governor" and
    "Governor" are one title."""
    if kind != "title":
        return False
    a_words, b_words = a.split(), b.split()
    if a_words[-1] != b_words[-1]:
        return not (a_words[-1] in _RANKS and b_words[-1] in _RANKS)
    if not (len(a_words) == len(b_words) == 2 and a_words[0] != b_words[0]):
        return True
    return any(_not_an_office(w) for w in (a_words[0], b_words[0]))


def _not_an_office(qualifier: str) -> bool:
    """A qualifier of time ("former") or nationality ("Mexican", "Pakistani", "Chinese")."""
    return qualifier in _TIME_QUALIFIERS or qualifier.endswith(("an", "ese", "ish", "i"))


def _counts(text: str, body: Span) -> list[Mention]:
    """ "a two-day official visit": key "day visit" (the unit and the noun it counts), value 2."""
    out: list[Mention] = []
    pattern = re.compile(r"\b([A-Za-z]+|\d+)-([a-z]+)\b")
    tokens = words(text, body.start, body.end)
    for i, tok in enumerate(tokens):
        m = pattern.fullmatch(tok.text)
        if m is None or m.group(1).lower() in _ORDINALS:
            continue
        value = number_value(m.group(1))
        if value is None:
            continue
        noun = None
        for nxt in tokens[i + 1 : i + 4]:
            if nxt.lower in FUNCTION_WORDS or nxt.capitalised or not nxt.text.isalpha():
                break
            noun = nxt
        if noun is None:
            continue
        key = f"{m.group(2)} {noun.lower.removesuffix('s')}"
        out.append(Mention(key, str(value), Span(tok.start, noun.end), f'the "{key}"'))
    return out


def _ages(text: str, body: Span) -> list[Mention]:
    """ "Smith, 45,": key "Smith", value 45."""
    out: list[Mention] = []
    pattern = re.compile(r"\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*),\s+(\d{1,3}),")
    for m in pattern.finditer(text, body.start, body.end):
        surname = m.group(1).split()[-1]
        out.append(Mention(surname, m.group(2), Span(m.start(), m.end() - 1), surname))
    return out


def _titles(text: str, body: Span) -> list[Mention]:
    """ "Foreign Minister Sergey Lavrov": key "Lavrov", value "foreign minister"."""
    out: list[Mention] = []
    tokens = words(text, body.start, body.end)
    i = 0
    while i < len(tokens):
        head = _TITLE_HEADS.get(tokens[i].lower)
        if head is None or not tokens[i].capitalised:
            i += 1
            continue
        # the name: capitalised words right after the title
        j = i + 1
        while (
            j < len(tokens) and tokens[j].capitalised and _adjacent(text, tokens[j - 1], tokens[j])
        ):
            if tokens[j].lower in _TITLE_HEADS:
                break
            j += 1
        if j == i + 1 or j - i > 4:
            i += 1
            continue
        # the title: capitalised words before the head ("Foreign Minister")
        k = i
        while k > 0 and tokens[k - 1].capitalised and _adjacent(text, tokens[k - 1], tokens[k]):
            if tokens[k - 1].lower in FUNCTION_WORDS:
                break
            k -= 1
        title = " ".join([*(t.lower for t in tokens[k:i]), head])
        last = j - 1
        if tokens[last].lower in _SUFFIXES and last > i + 1:
            last -= 1  # "Martin Luther King Jr": the surname is "King"
        surname = tokens[last].text
        span = Span(tokens[k].start, tokens[j - 1].end)
        out.append(Mention(surname, title, span, surname))
        i = j
    return out


def _adjacent(text: str, a: Word, b: Word) -> bool:
    """Next to each other in one name: only a space between, or an abbreviation's point
    ("Rep. Paul Ryan"), never a sentence's end ("San Diego. Governor Perry")."""
    gap = text[a.end : b.start]
    if "\n" in gap:
        return False
    if gap.strip() == "":
        return True
    return gap.strip() == "." and len(a.text) <= 3 and a.capitalised


def _spellings(text: str, body: Span) -> list[Finding]:
    """Two-word names that share one word and differ by a letter or two in the other."""
    tokens = words(text, body.start, body.end)
    names: list[tuple[str, str, Span]] = []
    for a, b in itertools.pairwise(tokens):
        if (
            a.capitalised
            and b.capitalised
            and a.lower not in FUNCTION_WORDS
            and a.lower not in _TITLE_HEADS
            and len(a.text) > 2
            and len(b.text) > 2
            and _adjacent(text, a, b)
        ):
            names.append((a.text, b.text, Span(a.start, b.end)))
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for i, (a1, b1, span1) in enumerate(names):
        for a2, b2, span2 in names[i + 1 :]:
            pair = None
            if a1 == a2 and b1 != b2 and _near_miss(b1, b2):
                pair = (b1, b2)
            elif b1 == b2 and a1 != a2 and _near_miss(a1, a2):
                pair = (a1, a2)
            if pair is None or pair in seen:
                continue
            seen.add(pair)
            out.append(
                Finding(
                    category="internal_inconsistency",
                    quote=text[span2.start : span2.end],
                    start=span2.start,
                    explanation=(
                        f'The name is spelled "{text[span2.start : span2.end]}" here and '
                        f'"{text[span1.start : span1.end]}" earlier.'
                    ),
                    suggestion="Check the spelling and use one throughout.",
                    severity="medium",
                    confidence=CONFIDENCE,
                )
            )
    return out


def _near_miss(a: str, b: str) -> bool:
    """Spelled almost alike ("Sergey"/"Sergei", "Qureshi"/"Quereshi"): one letter apart, and
    not one word inflected or derived from the other ("Parties"/"Partiers", "Democrats")."""
    a, b = a.lower(), b.lower()
    if min(len(a), len(b)) < 5 or a.startswith(b) or b.startswith(a):
        return False
    if a in word_lists.valence() or b in word_lists.valence():
        return False  # common words, not names
    if _distance(a, b) != 1:
        return False
    if len(a) != len(b):  # a letter added or dropped: not in the ending, where inflection is
        i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
        return i < min(len(a), len(b)) - 3
    return True


def _distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _origins(text: str, article: Article) -> list[Mention]:
    """ "since 2016", "first held in 2014": the year something began, keyed by what began
    (the content words of the clause). Two mentions are of the same thing when they share
    two content words; they get the key of the first."""
    out: list[Mention] = []
    keyed: list[tuple[set[str], str]] = []
    for sentence in article_sentences(article):
        s_text = text[sentence.start : sentence.end]
        years = list(_YEAR.finditer(s_text))
        if len(years) != 1 or not _STARTED.search(s_text):
            continue
        content = {
            w.lower.removesuffix("s")
            for w in words(s_text)
            if w.lower not in FUNCTION_WORDS
            and not w.text[0].isdigit()
            and not _ORIGIN.fullmatch(w.text)
            and w.lower not in _MONTHS
            and len(w.text) > 3
        }
        key = next((k for c, k in keyed if len(c & content) >= 2), None)
        if key is None:
            key = " ".join(sorted(content))
            keyed.append((content, key))
        start = sentence.start + years[0].start()
        out.append(Mention(key, years[0].group(), Span(start, start + 4), "when this began"))
    return out


def _weekdays(text: str, body: Span) -> list[Finding]:
    """ "Wednesday, April 7, 2021": the weekday must be the date's."""
    months = "|".join(sorted(_MONTHS, key=len, reverse=True))
    pattern = re.compile(
        rf"\b({'|'.join(_WEEKDAYS)}),?\s+(?:the\s+)?(?:({months})\.?\s+(\d{{1,2}})|(\d{{1,2}})\s+({months}))\.?,?\s+(\d{{4}})\b",
        re.I,
    )
    out: list[Finding] = []
    for m in pattern.finditer(text, body.start, body.end):
        month = _MONTHS[(m.group(2) or m.group(5)).lower()]
        day = int(m.group(3) or m.group(4))
        try:
            date = dt.date(int(m.group(6)), month, day)
        except ValueError:
            continue
        actual = _WEEKDAYS[date.weekday()]
        if actual != m.group(1).lower():
            out.append(
                Finding(
                    category="internal_inconsistency",
                    quote=m.group(),
                    start=m.start(),
                    explanation=f"{date:%B} {day}, {date.year} was a {actual.title()}, not a {m.group(1).title()}.",
                    suggestion="Check the date and the day of the week.",
                    severity="high",
                    confidence=0.9,
                )
            )
    return out


@copydesk.hookimpl
def register_checkers(register: Callable[[Checker], None]) -> None:
    register(consistency)
