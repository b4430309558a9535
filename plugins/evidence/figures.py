"""Comparing the numbers, dates and names of a claim with a passage, with no model.

Summaries and rewrites go wrong most checkably in their particulars: a figure misread, a
day moved, a name swapped. :func:`~copydesk.plugins.evidence.mentions.mentions` finds the
particulars of a text and :func:`compare` says, for each one in a claim, whether the
passage ``agrees``, ``disagrees`` or lacks it (``missing``), with offsets on both sides.

The tolerance rule: each number stands for an interval (exact; good to its last digit
when it has a scale word, "1.2 million"; widened by a hedge, "about 240" is 216-264: see
:mod:`~copydesk.plugins.evidence.mentions`), and two numbers agree when their intervals
meet. So "about 240" agrees with 238, "$1.2 million" with "$1,200,000", "nearly 300"
with 290 (the hedge noted), and "240" does not agree with a plain 238.

Two numbers are compared only when they count the same thing: the same currency, both
percentages, or the same noun after them ("300 people"); a bare number with no unit and
no noun is compared with the other bare ones. A claim's number disagrees when the passage
has numbers of the same thing and none agrees; it is missing when the passage has none. A
whole number of 1800-2100 agrees with the same year however either text reads it (a
year, or a count of what follows).

Dates compare field by field (a passage date agrees when every field both give is the
same; it disagrees when a shared field differs); weekdays by name. A name agrees when the
passage has its words, or its last word (news style shortens "Ana Ruiz" to "Ruiz"); a
name can only be missing, never contradicted: which of a passage's names fills the
claim's slot needs a reader.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from copydesk.plugins.text_helpers import Word, words

from .mentions import Mention, mentions

__all__ = ["Comparison", "Match", "Mention", "Status", "agreeing", "compare", "mentions"]

Status = Literal["agrees", "disagrees", "missing"]


@dataclass(frozen=True)
class Match:
    claim: Mention
    status: Status
    #: the passage's agreeing mention, or for a disagreement the nearest one it contradicts
    passage: Mention | None = None
    note: str | None = None


@dataclass
class Comparison:
    matches: list[Match] = field(default_factory=list)

    def of(self, status: Status) -> list[Match]:
        return [m for m in self.matches if m.status == status]


def _comparable(a: Mention, b: Mention) -> bool:
    # Measured on FRANK's dev half: agreeing with any number of the same unit whatever it
    # counts ("two games" with "2 matches") let invented figures agree with unrelated ones
    # and lost 3 points of balanced accuracy on XSum; the same noun is asked for both ways.
    if a.kind != b.kind:
        return False
    if a.kind == "number":
        return a.key == b.key
    if a.kind == "date":
        return any(
            x is not None and y is not None
            for x, y in zip(a.date or (), b.date or (), strict=False)
        )
    return True


def _agrees(a: Mention, b: Mention) -> bool:
    if a.kind == "number":
        assert a.low is not None and a.high is not None and b.low is not None and b.high is not None
        eps = 1e-9 * max(1.0, abs(a.value or 0), abs(b.value or 0))  # float noise only
        return a.low <= b.high + eps and b.low <= a.high + eps
    if a.kind == "date":
        pairs = [
            (x, y)
            for x, y in zip(a.date or (), b.date or (), strict=False)
            if x is not None and y is not None
        ]
        return bool(pairs) and all(x == y for x, y in pairs)
    return a.key == b.key


def _year(m: Mention) -> int | None:
    """The year ``m`` may be: a year, or a plain whole number of 1800-2100."""
    if m.kind == "date" and m.key == "year" and m.date:
        return m.date[0]
    if m.kind == "number" and m.text.isdigit() and 1800 <= int(m.text) <= 2100:
        return int(m.text)
    return None


def _name_tokens(key: str) -> list[str]:
    return [re.sub(r"['’]s$", "", t) for t in key.split()]


def agreeing(
    mine: Mention, theirs: Sequence[Mention], passage_words: Sequence[Word]
) -> list[Mention]:
    """Every mention of a passage (its ``theirs`` and its words) that agrees with
    ``mine``, in passage order: for a name, its last word ("Ruiz" for "Ana Ruiz"), or
    its first where the passage has all its words but not the last as one."""
    if mine.kind == "name":
        tokens = _name_tokens(mine.key)
        hits = [w for w in passage_words if re.sub(r"['’]s$", "", w.lower) == tokens[-1]]
        have = {re.sub(r"['’]s$", "", w.lower) for w in passage_words}
        if not hits and set(tokens) <= have:
            hits = [x for x in passage_words if x.lower == tokens[0]]
        return [Mention("name", w.text, w.start, w.end, w.lower) for w in hits]
    found = [t for t in theirs if _comparable(mine, t) and _agrees(mine, t)]
    # a year is one particular however it reads ("2014 World Cup" as a count of a
    # lower-cased "2014 world cup", "1998" run into the next caption's capital)
    year = _year(mine)
    return found or [t for t in theirs if year is not None and _year(t) == year]


def compare(
    claim: str,
    passage: str,
    claim_start: int = 0,
    claim_end: int | None = None,
    passage_start: int = 0,
    passage_end: int | None = None,
    casing: str | None = None,
) -> Comparison:
    """Each number, date, weekday and name of ``claim[claim_start:claim_end]`` checked
    against ``passage[passage_start:passage_end]``; offsets are into the full texts.
    ``casing`` (usually the whole source document) gives a lower-cased claim its names."""
    theirs = mentions(passage, passage_start, passage_end)
    passage_words = words(passage, passage_start, passage_end)
    out = Comparison()
    for mine in mentions(claim, claim_start, claim_end, casing=casing or passage):
        note = f"the claim hedges: {mine.hedge}" if mine.hedge else None
        found = agreeing(mine, theirs, passage_words)
        same = [] if mine.kind == "name" else [t for t in theirs if _comparable(mine, t)]
        if found:
            hedge = found[0].hedge
            note = note or (f"the passage hedges: {hedge}" if hedge else None)
            out.matches.append(Match(mine, "agrees", found[0], note))
        elif same:
            out.matches.append(Match(mine, "disagrees", same[0], note))
        else:
            out.matches.append(Match(mine, "missing", None, note))
    return out
