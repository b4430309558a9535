"""Particulars a statement puts together, against where its evidence has them.

A summary goes wrong most often, where its words are all the article's, in how it joins
them: two names swapped, a player at another player's club, a figure on the wrong noun.
Each particular is then in the article, so comparing them one by one passes the
sentence; what the article lacks is the particulars *together*. A statement's
particulars (its names, numbers, dates and weekdays, each where it agrees with the
article: :func:`~copydesk.plugins.evidence.figures.agreeing`) must be found near each
other: every two of them within :attr:`TogetherRules.window` sentences of each other
somewhere in the article. Where two never are, the statement is ``not_found``, and the
evidence is the article's sentences that hold the most of its particulars together.

A particular the article lacks altogether is not this check's (the figures' check says
so); the check needs two particulars the article has. It reads one document (the
article, for a given summary or headline), never passages: "never near each other" is a
statement about the whole text.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

from copydesk.plugins.text_helpers import split_sentences, words
from copydesk.types import Span

from .figures import Mention, agreeing, mentions


@dataclass(frozen=True)
class TogetherRules:
    """When a statement's particulars are apart in its evidence."""

    #: two particulars are together when the sentences they are in are fewer than this
    #: apart (1: the same sentence; 2: the same or the next)
    window: int = 2
    #: the kinds of particular that must be together
    kinds: tuple[str, ...] = ("name", "number", "date")
    #: only pairs with a name in them: what a summary relates is mostly someone (or
    #: somewhere) to something; two figures may come from two facts about one person
    #: ("Pat, 69, lost her husband 12 years ago")
    with_name: bool = True


DEFAULT_TOGETHER = TogetherRules()


@dataclass(frozen=True)
class Apart:
    """Two particulars of a statement that the evidence never has near each other, and
    where it has the most of the statement's particulars together."""

    first: Mention
    second: Mention
    #: the evidence's sentences (a span of the document) holding the most particulars
    best: Span


class Document:
    """One evidence text's sentences, particulars and words, read once for every
    statement checked against it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sentences = [
            piece for s in split_sentences(text) for piece in _run_together(text, s)
        ] or [Span(0, len(text))]
        self._starts = [s.start for s in self.sentences]
        self.mentions = mentions(text)
        self.words = words(text)

    def sentence_of(self, at: int) -> int:
        return max(0, bisect.bisect_right(self._starts, at) - 1)

    def where(self, particular: Mention, cased: bool = True) -> set[int]:
        """The sentences that hold ``particular`` (agreeing with it); a name of a
        ``cased`` statement only where the evidence writes it as one ("clients" is no
        "Clients"; a lower-cased statement's names are words, as the evidence has them)."""
        found = agreeing(particular, self.mentions, self.words)
        if particular.kind == "name" and cased:
            found = [m for m in found if m.text[:1].isupper()]
        return {self.sentence_of(m.start) for m in found}


#: a sentence's end run into the next one's start with no space, as scraped pages have it
#: ('a good lead out."Elsewhere', "from two yards.Blackpool"): a lower-case word's
#: full stop before a capital ("U.S.Army" and "St.Louis" stay whole)
_RUN_TOGETHER = re.compile(r"(?<=[a-z]{2}[.!?])[\"”’']?(?=[A-Z][a-z])")


def _run_together(text: str, sentence: Span) -> list[Span]:
    cuts = [m.end() for m in _RUN_TOGETHER.finditer(text, sentence.start, sentence.end)]
    bounds = [sentence.start, *cuts, sentence.end]
    return [Span(a, b) for a, b in itertools.pairwise(bounds) if b > a]


#: a particular of a statement and the evidence's sentences that have it
Placed = tuple[Mention, frozenset[int]]


def place(
    text: str, start: int, end: int, evidence: Document, casing: str | None = None
) -> list[Placed]:
    """Each particular of ``text[start:end]`` (a name twice is one) that ``evidence``
    has, with the sentences that have it; ``casing`` gives lower-cased text its names."""
    placed: dict[tuple[str, str, float | None], Placed] = {}
    cased = bool(re.search(r"[A-Z]", text[start:end]))
    for m in mentions(text, start, end, casing=casing or evidence.text):
        key = (m.kind, m.key, m.value)
        if key not in placed:
            at = evidence.where(m, cased)
            if at:  # one the evidence lacks is the figures' check's, not this one's
                placed[key] = (m, frozenset(at))
    return list(placed.values())


def apart(
    placed: list[Placed], evidence: Document, rules: TogetherRules = DEFAULT_TOGETHER
) -> Apart | None:
    """The first two of a statement's ``placed`` particulars that ``evidence`` never has
    within ``rules.window`` sentences of each other, or ``None``."""
    found = [(m, at) for m, at in placed if m.kind in rules.kinds]
    for (a, at_a), (b, at_b) in itertools.combinations(found, 2):
        if rules.with_name and "name" not in (a.kind, b.kind):
            continue
        if not any(abs(i - j) < rules.window for i in at_a for j in at_b):
            return Apart(a, b, _best(found, rules.window, evidence))
    return None


def _best(found: list[Placed], window: int, evidence: Document) -> Span:
    """The ``window`` sentences holding the most of ``found`` (the first, on a tie)."""
    best: tuple[int, int] = (0, 0)
    held: tuple[Mention, ...] = ()
    for first in sorted({i for _, at in found for i in at}):
        inside = [(m, [i for i in at if first <= i < first + window]) for m, at in found]
        if sum(bool(i) for _, i in inside) > len(held):
            held = tuple(m for m, i in inside if i)
            best = (first, max(j for _, i in inside for j in i))
    return Span(evidence.sentences[best[0]].start, evidence.sentences[best[1]].end)
