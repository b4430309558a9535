"""What bench/planted.py plants and what catches it: the types, one plant (an edit and
the planted words' place), and the published word lists planting draws from.

planted_sites.py holds the planters themselves.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from copydesk.plugins.quantities import Quantity
from copydesk.types import Article, Span

KINDS = ("count", "name", "evaluative", "vague", "attribution")
#: The categories a finding must have to catch a plant of each kind.
CATCHING = {
    "count": ("internal_inconsistency",),
    "name": ("internal_inconsistency",),
    "evaluative": ("loaded_language",),
    "vague": ("missing_detail",),
    "attribution": ("unattributed_claim",),
}
_ADJECTIVE_ENDINGS = ("ous", "ful", "ive", "less", "able", "ible", "ic", "al", "ent", "ant", "ish")
_NOUN_ENDINGS = ("ment", "ness", "ism", "ist", "ant")
_QUANTIFYING_WEASELS = ("many", "various", "several", "few")
NUMBER_WORDS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen", "twenty",
]  # fmt: skip
VOWELS = "aeiou"
QUOTES = "\"“”‘’'"
CALENDAR = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)
HONORIFICS = frozenset(["mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady"])
_IRREGULAR_PLURALS = frozenset(["people", "police", "children", "men", "women", "staff"])


def plural_noun(q: Quantity) -> bool:
    """What the figure counts is a common noun in the plural: "14 people", "240 jobs"."""
    noun = q.noun_text
    return noun[:1].islower() and (
        noun in _IRREGULAR_PLURALS or (noun.endswith("s") and not noun.endswith("ss"))
    )


def changed_value(value: int, rng: random.Random) -> int:
    """A different count, more than its rounding and less than twice or half away, kept
    to the same round step ("1,200" -> "1,700", "3" -> "5")."""
    step = 1
    while value % (step * 10) == 0 and step * 10 < value:
        step *= 10
    for _ in range(20):
        factor = rng.uniform(1.25, 1.85) if rng.random() < 0.5 else rng.uniform(0.55, 0.8)
        new = max(step, round(value * factor / step) * step)
        if new != value and 0.5 < new / value < 2:
            return int(new)
    return value + step if (value + step) / value < 2 else value - step


def write_like(written: str, value: int) -> str:
    if written[0].isalpha():
        if value < len(NUMBER_WORDS):
            word = NUMBER_WORDS[value]
            return word.capitalize() if written[0].isupper() else word
        return str(value)
    return f"{value:,}" if "," in written else str(value)


@dataclass(frozen=True)
class Plant:
    kind: str
    #: The edit, in the original's offsets: ``text[edit.start:edit.end]`` becomes ``replacement``.
    edit: Span
    replacement: str
    #: The planted words, in the mutated copy's offsets.
    planted: Span
    #: A short note of what was done, for the report: "14 people -> 19 people".
    note: str

    def apply(self, text: str) -> str:
        return text[: self.edit.start] + self.replacement + text[self.edit.end :]

    @property
    def delta(self) -> int:
        return len(self.replacement) - (self.edit.end - self.edit.start)

    def mapped(self, start: int, end: int) -> tuple[int, int] | None:
        """Where ``[start, end)`` of the original lies in the copy; ``None`` when it
        overlaps the edit (such words are not in the copy as they were)."""
        if end <= self.edit.start:
            return start, end
        if start >= self.edit.end:
            return start + self.delta, end + self.delta
        return None


@dataclass(frozen=True)
class WordLists:
    """The published lists planting draws its wording from."""

    #: Evaluative adjectives to insert.
    evaluative: tuple[str, ...]
    #: Vague quantifiers to put in place of a figure ("a number of", "several").
    vague: tuple[str, ...]
    #: Words that mark an assessment (the subjectivity clues shaped like adjectives).
    evaluative_clues: frozenset[str]


def _entries(path: Path) -> list[str]:
    return [
        line.strip().lower()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def _adjectives(entries: set[str]) -> set[str]:
    """The entries shaped like adjectives: an adjective's ending, not a noun's, and not a
    stem the list also gives whole ("unprecedent" beside "unprecedented")."""
    return {
        w
        for w in entries
        if w.isalpha()
        and len(w) > 4
        and w.endswith(_ADJECTIVE_ENDINGS)
        and not w.endswith(_NOUN_ENDINGS)
        and w + "ed" not in entries
    }


def load_word_lists(lexicons: Path) -> WordLists:
    """From /work/shared/lexicons (see its SOURCES.md): Riloff and Wiebe's strong clues
    that look like adjectives to insert, btford's quantifying weasel words ("is a number"
    read as "a number of"), and the adjectives among the strong and weak clues as the
    mark of an assessment."""
    pryzant = lexicons / "pryzant_neutralizing_bias"
    strong = set(_entries(pryzant / "strong_subjectives_riloff2003.txt"))
    weak = set(_entries(pryzant / "weak_subjectives_riloff2003.txt"))
    weasels = _entries(lexicons / "weasel_words_btford" / "weasel_words.txt")
    evaluative = sorted(_adjectives(strong))
    vague = sorted({w for w in weasels if w in _QUANTIFYING_WEASELS} - {"few"})
    if any(re.fullmatch(r"(?:is|are) a number", w) for w in weasels):
        vague.append("a number of")
    return WordLists(tuple(evaluative), tuple(vague), frozenset(_adjectives(strong | weak)))


Planter = Callable[[Article, random.Random, WordLists], "Plant | None"]
