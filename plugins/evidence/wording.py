"""Words a statement brings in that its evidence lacks: the model-free check of a given
summary or headline's wording against the article.

A summary may reword, but what it says must come from the article. A content word of a
statement (not a function word, not a bare number: :mod:`.figures` compares those) is
*absent* when no word of the evidence is of its family (Snowball's stem: "killed" and
"killing" are one family). How many absent words a statement can carry depends on how
it is written:

- a statement that otherwise copies the evidence's wording (few word pairs the evidence
  lacks: :attr:`Wording.new_pairs`) has no reason to bring in a word of its own, so one
  absent word is enough to leave it unsupported;
- a statement that rewords may bring in a word or three of paraphrase; four absent words
  leave it unsupported either way.

The numbers are :class:`WordRules`, chosen on FRANK's dev half (``bench/factcheck.py
--tune``): absent content words are what an unfaithful summary's invented details are
made of, and abstractive summaries (XSum's) reword where extractive ones (CNN/DM's) copy.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from copydesk.plugins.text_helpers import FUNCTION_WORDS, Word, word_family, words


@dataclass(frozen=True)
class WordRules:
    """When a statement's absent words leave it unsupported (see the module)."""

    #: absent words that leave any statement unsupported
    absent: int = 4
    #: absent words that leave a statement copied from the evidence unsupported
    absent_copied: int = 1
    #: a statement is copied when fewer than this share of its word pairs are new
    copied_below: float = 0.4


DEFAULT_WORD_RULES = WordRules()


#: the pieces of a run-together token: at hyphens and where digits meet letters ("8pm",
#: "18th-century", "26-year-old", "£5m")
_PART = re.compile(r"\d+|[^\W\d_]+(?:['’][^\W\d_]+)*")


def parts(lower: str) -> list[str]:
    """The pieces of a token in lower case: "8pm" is "8" and "pm"."""
    return _PART.findall(lower)


class Vocabulary:
    """The word families and adjacent pairs of families of one evidence text, built once
    and asked about every statement checked against it. A run-together token's pieces are
    words of it too: an article's "8pm" has the "pm" of a summary's "8 pm", its
    "18th-century" the "century"."""

    def __init__(self, text: str) -> None:
        tokens = words(text)
        self.lower = {w.lower for w in tokens}
        self.lower |= {p for w in tokens if not w.lower.isalpha() for p in parts(w.lower)}
        families = [word_family(w.lower) for w in tokens]
        self.families = set(families) | {word_family(p) for p in self.lower}
        self.pairs = set(itertools.pairwise(families))

    def has(self, word: Word) -> bool:
        """Whether the evidence has ``word`` or its family; a run-together word, when it
        has each of its pieces of letters but a figure's suffix ("the 18th century",
        "26-year-old" against "26 years old")."""
        if self._has(word.lower):
            return True
        pieces = parts(word.lower)
        if len(pieces) < 2:
            return False
        return all(self._has(p) for p in _wording_pieces(pieces))

    def _has(self, lower: str) -> bool:
        return lower in self.lower or word_family(lower) in self.families


def _wording_pieces(pieces: list[str]) -> list[str]:
    """The pieces of a run-together word that wording checks: its letters, but for what
    follows a figure within two letters ("th", "pm", "m", "bn": the figure's own, which
    :mod:`.figures` reads)."""
    return [
        p
        for i, p in enumerate(pieces)
        if not p.isdigit() and not (i and pieces[i - 1].isdigit() and len(p) <= 2)
    ]


@dataclass(frozen=True)
class Wording:
    """How a statement is worded against its evidence."""

    #: its content words that no word of the evidence is of the family of, in order
    absent: list[Word]
    #: the share of its adjacent word pairs the evidence does not have
    new_pairs: float

    def unsupported(self, rules: WordRules = DEFAULT_WORD_RULES) -> bool:
        n = len(self.absent)
        copied = self.new_pairs < rules.copied_below
        return n >= rules.absent or (copied and n >= rules.absent_copied)


def content_word(word: Word) -> bool:
    """A word whose meaning the evidence must give: not a function word, not a figure
    alone ("8pm", "£5m", "18th": :mod:`.figures` compares those)."""
    if word.lower in FUNCTION_WORDS or not any(c.isalpha() for c in word.lower):
        return False
    return bool(_wording_pieces(parts(word.lower)))


def wording(text: str, start: int, end: int, evidence: Vocabulary) -> Wording:
    """``text[start:end]`` (a statement) against ``evidence``."""
    tokens = words(text, start, end)
    families = [word_family(w.lower) for w in tokens]
    pairs = list(itertools.pairwise(families))
    new = sum(p not in evidence.pairs for p in pairs) / len(pairs) if pairs else 0.0
    absent = [w for w in tokens if content_word(w) and not evidence.has(w)]
    return Wording(absent, new)
