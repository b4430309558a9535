"""Internal inconsistency with no model: the article's ledger of numbers, names and dates.

Everything here is deterministic, so ``--no-model`` has it. The checker files every fact it
can compare mechanically and flags the mention that disagrees:

- figures, with what they count and how exact they are (:mod:`.ledger_figures`): "240
  jobs" ... "nearly 300 jobs"; and the arithmetic they imply (:mod:`.ledger_arithmetic`):
  a percentage change against its two amounts, parts against their total, a net figure
  against the saving and the cost it nets;
- counts written as modifiers: "a two-day visit" ... "his three-day visit";
- people (:mod:`.people`): names spelled two ways, two offices or ages for one person;
- the year something began: "held annually since 2016" ... "first held in 2014";
- a weekday that does not fall on the date beside it: "Wednesday, April 8, 2021".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import copydesk
from copydesk.components import Checker
from copydesk.types import Article, Finding, Span

from .ledger_arithmetic import find_arithmetic_errors
from .ledger_figures import find_figure_conflicts
from .people import CONFIDENCE, Mention, conflicts, find_people_conflicts
from .text_helpers import FUNCTION_WORDS, article_sentences, number_value, words

if TYPE_CHECKING:
    from copydesk.context import CheckContext

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
_ORDINALS = frozenset(["first", "second", "third", "fourth", "fifth"])
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
#: A start year: "since 2016", "founded in 1998", "first held in October 2014".
_STARTED = re.compile(
    r"\bsince\s+(?:[A-Z][a-z]+\s+)?(?:1[89]|20)\d\d\b"
    r"|\b(?:first(?:-ever)?|founded|established|formed|created|launched|began|begun|started|"
    r"introduced|inaugurated)\b[^.;]{0,60}?\bin\s+(?:[A-Z][a-z]+\s+)?(?:1[89]|20)\d\d\b"
    r"|\b[Ii]n\s+(?:[A-Z][a-z]+\s+)?(?:1[89]|20)\d\d\b,?[^.;]{0,60}?\bfirst(?:-ever)?\b",
)


@copydesk.checker("consistency", categories=("internal_inconsistency",))
def consistency(ctx: CheckContext) -> list[Finding]:
    """Facts the article gives two different ways: :func:`find_inconsistencies`."""
    return find_inconsistencies(ctx.article)


def find_inconsistencies(article: Article) -> list[Finding]:
    text, body = article.text, article.body_span
    sentences = article_sentences(article)
    found = find_figure_conflicts(text, sentences)
    found += find_arithmetic_errors(text, sentences)
    found += conflicts(text, "count", _counts(text, body), CONFIDENCE)
    found += find_people_conflicts(text, body)
    found += conflicts(text, "start year", _origins(text, article), CONFIDENCE)
    found += _weekdays(text, body)
    return found


def _counts(text: str, body: Span) -> list[Mention]:
    """ "a two-day official visit": key "day visit" (the unit and the noun it counts), value 2."""
    out: list[Mention] = []
    tokens = words(text, body.start, body.end)
    for i, tok in enumerate(tokens):
        if "-" not in tok.text:
            continue
        m = _COMPOUND_COUNT.fullmatch(tok.text)
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


_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATED_WEEKDAY = re.compile(
    rf"\b({'|'.join(_WEEKDAYS)}),?\s+(?:the\s+)?(?:({_MONTH_NAMES})\.?\s+(\d{{1,2}})|(\d{{1,2}})\s+({_MONTH_NAMES}))\.?,?\s+(\d{{4}})\b",
    re.I,
)
_COMPOUND_COUNT = re.compile(r"\b([A-Za-z]+|\d+)-([a-z]+)\b")


def _weekdays(text: str, body: Span) -> list[Finding]:
    """ "Wednesday, April 7, 2021": the weekday must be the date's."""
    out: list[Finding] = []
    for m in _DATED_WEEKDAY.finditer(text, body.start, body.end):
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
