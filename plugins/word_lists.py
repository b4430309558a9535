"""The published word lists the deterministic checkers use, read from ``lexicons/``.

Each list ships beside its licence (see ``lexicons/NOTICE.md`` for origins):

- ``vader_lexicon.tsv``: VADER sentiment lexicon (Hutto & Gilbert 2014), word and mean valence;
- ``hedges_hyland2005.txt``, ``report_verbs.txt``, ``assertives_hooper1975.txt``: as shipped with
  Pryzant et al.'s neutralizing-bias code (Hyland 2005; Recasens et al. 2013; Hooper 1975);
- ``weasel_words.txt``: the write-good linter's weasel words (btford/weasel-words);
- ``npov_lexicon_recasens2013.txt``: the words Wikipedia's neutral-point-of-view edits
  removed as biased (Recasens et al. 2013), as shipped with the same code.

Lines starting with ``#`` are comments. Every list is read once per process.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files


def _lines(name: str) -> list[str]:
    text = files("copydesk.plugins").joinpath("lexicons").joinpath(name).read_text(encoding="utf-8")
    return [s.strip() for s in text.splitlines() if s.strip() and not s.lstrip().startswith("#")]


@cache
def words(name: str) -> frozenset[str]:
    """A one-entry-a-line list, lower-cased (entries may be several words: "point out")."""
    return frozenset(line.lower() for line in _lines(name))


@cache
def valence() -> dict[str, float]:
    """VADER's mean valence per word: -4 (most negative) to +4 (most positive)."""
    scores: dict[str, float] = {}
    for line in _lines("vader_lexicon.tsv"):
        word, mean = line.split("\t")[:2]
        scores[word] = float(mean)
    return scores


def hedges() -> frozenset[str]:
    return words("hedges_hyland2005.txt")


def report_verbs() -> frozenset[str]:
    return words("report_verbs.txt")


def assertives() -> frozenset[str]:
    return words("assertives_hooper1975.txt")


def weasel_words() -> frozenset[str]:
    return words("weasel_words.txt")


def npov_words() -> frozenset[str]:
    return words("npov_lexicon_recasens2013.txt")


@cache
def epistemic_words() -> frozenset[str]:
    """Adverbs and adjectives of certainty or doubt, from the assertive and hedge lists:
    "clear" -> "clearly", "probable" -> "probably", and the hedges that are such words
    already ("perhaps", "likely", "seems")."""
    stems = assertives() | hedges()
    known = valence().keys() | hedges()
    out: set[str] = set()
    for stem in stems:
        adverb = stem[:-1] + "y" if stem.endswith("ble") else stem + "ly"  # probable, clear
        if adverb in known:
            out.add(adverb)
    out |= hedges() & {"perhaps", "maybe", "likely", "unlikely", "seems", "appears"}
    return frozenset(out)
