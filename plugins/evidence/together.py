"""Particulars a statement puts together, against where its evidence has them.

A summary goes wrong most often, where its words are all the article's, in how it joins
them: two names swapped, a player at another player's club, a figure on the wrong noun.
Each particular is then in the article, so comparing them one by one passes the
sentence; what the article lacks is the particulars *together*. A statement's
particulars (of the kinds :attr:`TogetherRules.kinds` names, by default its names,
numbers and dates, each where it agrees with the article:
:func:`~copydesk.plugins.evidence.figures.agreeing`) must be found near each other: every
two of them (by default every two with a name among them, :attr:`TogetherRules.with_name`)
within :attr:`TogetherRules.window` sentences of each other somewhere in the article.
Where two never are, the statement is ``not_found``, and the evidence is the article's
sentences that hold the most of its particulars together.

A particular the article lacks altogether is not this check's (the figures' check says
so); the check needs two particulars the article has. For a given summary or headline it
reads one whole document, the article: "never near each other" is then a statement about
the whole text.

The article's own claims are checked the same way against the passages found for them
in the sources (:class:`Passages`): "together" is then within the window in one
document, its sentences counted across the passages found in it (overlapping ones are
one stretch of it; what lies between two stretches was not found, and is counted as
nothing, the nearest they can be: a check that flags should not guess the worse).
Particulars in different documents are never together. A source's speaker label
("MAYOR ANA RUIZ: ...", at the start of a line) names the speaker of every sentence of
the turn it opens, as a transcript means it: a speech of three sentences has its
figures in the last.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from copydesk.plugins.text_helpers import split_sentences, words
from copydesk.types import Passage, Span

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
    #: how many of an article claim's best passages in the sources the particulars are
    #: looked for in (a given text's are looked for in the whole article)
    passages: int = 3


DEFAULT_TOGETHER = TogetherRules()


@dataclass(frozen=True)
class Apart:
    """Two particulars of a statement that the evidence never has near each other, and
    where it has the most of the statement's particulars together."""

    first: Mention
    second: Mention
    #: the evidence's sentences (a span of the document) holding the most particulars
    best: Span
    #: the first of those sentences (its number in the evidence)
    at: int = 0


class Sentences(Protocol):
    """Evidence as the check reads it: numbered sentences that hold particulars."""

    #: what gives a lower-cased statement its names when nothing else is given
    text: str

    def where(self, particular: Mention, cased: bool = True) -> set[int]: ...

    def between(self, first: int, last: int) -> Span: ...


class Document:
    """One evidence text's sentences, particulars and words, read once for every
    statement checked against it; with ``turns``, its speaker labels name every sentence
    of their turn."""

    def __init__(self, text: str, turns: bool = False) -> None:
        self.text = text
        self.sentences = [
            piece for s in split_sentences(text) for piece in _run_together(text, s)
        ] or [Span(0, len(text))]
        self._starts = [s.start for s in self.sentences]
        self.mentions = mentions(text)
        self.words = words(text)
        self._turns = _turns(self) if turns else []

    def sentence_of(self, at: int) -> int:
        return max(0, bisect.bisect_right(self._starts, at) - 1)

    def where(self, particular: Mention, cased: bool = True) -> set[int]:
        """The sentences that hold ``particular`` (agreeing with it); a name of a
        ``cased`` statement only where the evidence writes it as one ("clients" is no
        "Clients"; a lower-cased statement's names are words, as the evidence has them)."""
        found = agreeing(particular, self.mentions, self.words)
        if particular.kind == "name" and cased:
            found = [m for m in found if m.text[:1].isupper()]
        at = {self.sentence_of(m.start) for m in found}
        for label, turn in self._turns:
            if any(label.start <= m.start < label.end for m in found):
                at.update(turn)
        return at

    def between(self, first: int, last: int) -> Span:
        return Span(self.sentences[first].start, self.sentences[last].end)


#: a transcript's speaker label: a line opening with up to six capitalised words and a
#: colon ("MAYOR ANA RUIZ:", "Councillor Park:", "Q:"; not "Ruiz gave two reasons:")
_LABEL = re.compile(r"^[ \t]*[A-Z][\w.'’-]*(?:[ \t]+[A-Z][\w.'’-]*){0,5}[ \t]*:", re.M)


def _turns(document: Document) -> list[tuple[Span, range]]:
    """Each speaker label of ``document`` and the sentences of its turn (up to the
    sentence that holds the next label)."""
    labels = [Span(m.start(), m.end()) for m in _LABEL.finditer(document.text)]
    firsts = [document.sentence_of(label.start) for label in labels]
    ends = [*firsts[1:], len(document.sentences)][: len(firsts)]
    return [
        (label, range(first, max(first + 1, end)))
        for label, first, end in zip(labels, firsts, ends, strict=True)
    ]


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
    text: str, start: int, end: int, evidence: Sentences, casing: str | None = None
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
    placed: list[Placed], evidence: Sentences, rules: TogetherRules = DEFAULT_TOGETHER
) -> Apart | None:
    """The first two of a statement's ``placed`` particulars that ``evidence`` never has
    within ``rules.window`` sentences of each other, or ``None``."""
    found = [(m, at) for m, at in placed if m.kind in rules.kinds]
    for (a, at_a), (b, at_b) in itertools.combinations(found, 2):
        if rules.with_name and "name" not in (a.kind, b.kind):
            continue
        if not any(abs(i - j) < rules.window for i in at_a for j in at_b):
            first, last = _best(found, rules.window)
            return Apart(a, b, evidence.between(first, last), first)
    return None


def _best(found: list[Placed], window: int) -> tuple[int, int]:
    """The first and last of the ``window`` sentences holding the most of ``found`` (the
    first such, on a tie)."""
    best: tuple[int, int] = (0, 0)
    held: tuple[Mention, ...] = ()
    for first in sorted({i for _, at in found for i in at}):
        inside = [(m, [i for i in at if first <= i < first + window]) for m, at in found]
        if sum(bool(i) for _, i in inside) > len(held):
            held = tuple(m for m, i in inside if i)
            best = (first, max(j for _, i in inside for j in i))
    return best


#: how far apart two documents' sentences are numbered: further than any window
_ELSEWHERE = 1 << 30


class Passages:
    """The passages found for a statement, as :class:`Sentences`: each document's
    passages that overlap or meet are one stretch of it, read as a :class:`Document` with
    its speakers' turns. A stretch's sentences are numbered on from the stretch before it
    in the same document, straight after its last (what lies between is unread);
    another document's, :data:`_ELSEWHERE` after."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.stretches: list[tuple[int, Passage, Document]] = []
        number = 0
        for group in _by_document(passages):
            for stretch in _stretches(group):
                document = Document(stretch.text, turns=True)
                self.stretches.append((number, stretch, document))
                number += len(document.sentences)
            number += _ELSEWHERE
        self.text = "\n\n".join(p.text for _, p, _ in self.stretches)
        self._firsts = [first for first, _, _ in self.stretches]

    def where(self, particular: Mention, cased: bool = True) -> set[int]:
        return {first + i for first, _, d in self.stretches for i in d.where(particular, cased)}

    def stretch_of(self, sentence: int) -> tuple[int, Passage, Document]:
        return self.stretches[max(0, bisect.bisect_right(self._firsts, sentence) - 1)]

    def between(self, first: int, last: int) -> Span:
        """The sentences from ``first`` to ``last`` (as far as its stretch goes), at
        their offsets in their document."""
        number, stretch, document = self.stretch_of(first)
        span = document.between(first - number, min(last - number, len(document.sentences) - 1))
        return Span(stretch.start + span.start, stretch.start + span.end)

    def passage(self, split: Apart) -> Passage:
        """Where ``split`` found the most of the statement's particulars together: a
        passage of its document, at its offsets there."""
        _, stretch, _ = self.stretch_of(split.at)
        lo, hi = split.best.start - stretch.start, split.best.end - stretch.start
        return replace(
            stretch, text=stretch.text[lo:hi], start=split.best.start, end=split.best.end
        )


def _by_document(passages: Sequence[Passage]) -> list[list[Passage]]:
    """``passages`` by their document (a source's, in the order first found), each
    document's in document order."""
    groups: dict[tuple[str, str], list[Passage]] = {}
    for p in passages:
        groups.setdefault((p.source, p.document), []).append(p)
    return [sorted(g, key=lambda p: (p.start, p.end)) for g in groups.values()]


def _stretches(passages: list[Passage]) -> list[Passage]:
    """Passages of one document (in order) that overlap or meet, each run made one."""
    out: list[Passage] = []
    for p in passages:
        last = out[-1] if out else None
        if last is None or p.start > last.end:
            out.append(p)
        elif p.end > last.end:
            text = last.text + p.text[last.end - p.start :]
            out[-1] = replace(last, text=text, end=p.end)
    return out
