"""Two spellings of one name: one edit apart, after the same initial, and not an ending.

:func:`near_miss` is the test :mod:`.people` applies to every pair of name words it
compares: a letter changed, added, dropped or doubled, or two swapped (:func:`distance`,
Damerau's rule), never the initial ("Kane"/"Lane" are two names), never an inflection or
derivation ("Natalia"/"Natalie", "Democrat"/"Democrats": :data:`_INFLECTIONS`), and never
two common words (VADER's).
"""

from __future__ import annotations

import functools

from . import word_lists

#: The shortest name compared for spelling.
MIN_NAME = 4

#: Pairs of endings that make two forms of one word or name, not two spellings: "Natalia"
#: and "Natalie", "Mario" and "Maria", "Parties" and "Partiers", "Italy" and "Italian".
_INFLECTIONS = frozenset(
    frozenset(pair)
    for pair in [
        ("a", "e"), ("a", "o"), ("y", "ies"), ("y", "ied"), ("e", "es"), ("s", "es"),
        ("e", "ed"), ("e", "ing"), ("ed", "ing"), ("er", "ers"), ("es", "ers"), ("ia", "ian"),
        ("y", "ian"), ("us", "i"), ("ism", "ist"), ("ic", "y"), ("ese", "a"), ("e", "y"),
        ("y", "s"), ("y", "ans"),
    ]
)  # fmt: skip


@functools.lru_cache(maxsize=65536)
def near_miss(a: str, b: str) -> bool:
    """Spelled almost alike ("Sergey"/"Sergei", "Lavrov"/"Lavorv", "Flynn"/"Flyn"): one
    edit apart (a letter changed, added, dropped, or two swapped) after the same initial,
    not two common words,
    and not one word inflected or derived from the other ("Parties"/"Partiers",
    "Democrat"/"Democrats", "Natalia"/"Natalie": :data:`_INFLECTIONS`)."""
    a, b = a.lower(), b.lower()
    if min(len(a), len(b)) < MIN_NAME or abs(len(a) - len(b)) > 1 or a == b:
        return False
    short, long = sorted((a, b), key=len)
    if long.startswith(short):
        return long[-1] == short[-1]  # "Flyn"/"Flynn": a doubled letter, not an ending
    if a in word_lists.valence() and b in word_lists.valence():
        return False  # two common words, not a name respelt
    k = first_difference(a, b)
    if k == 0 or distance(a, b) != 1:
        return False  # "Kane"/"Lane", "Power"/"Tower": another word, not a slip of the pen
    return frozenset((a[k:], b[k:])) not in _INFLECTIONS


def first_difference(a: str, b: str) -> int:
    return next(
        (k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


def distance(a: str, b: str) -> int:
    """Edits from ``a`` to ``b``, a swap of two neighbouring letters counting as one
    (Damerau's rule: the commonest typing slip)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1]
