"""bench/planted_sites.py: each type of error planted in a small text written for the test,
the copy always different from the original, the planted words where the plant says, and
no copy when an article has no site (the skip is the caller's to count)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

from planted import caught, new_findings  # noqa: E402
from planted_sites import (  # noqa: E402
    KINDS,
    WordLists,
    changed_value,
    load_word_lists,
    plant,
    respelt,
)

from copydesk.types import Article, Finding  # noqa: E402

LISTS = WordLists(
    evaluative=("disastrous", "ominous"),
    vague=("a number of", "several"),
    evaluative_clues=frozenset({"shameful", "reckless"}),
)

TEXTS = {
    "count": (
        "The factory will cut 240 jobs by March, the company said on Monday.\n\n"
        "Unions met managers on Tuesday. The 240 jobs are in the packing hall."
    ),
    "name": (
        "Mayor Helen Okafor opened the bridge on Friday. Okafor said the crossing had taken "
        "six years to build.\n\nThe council thanked Mayor Okafor for her work."
    ),
    "evaluative": "The council approved the budget on Monday after a long debate.",
    "vague": ("The storm flooded the valley overnight. Rescuers pulled 14 people from their cars."),
    "attribution": (
        "The new stadium plan is a shameful waste of public money, critics said.\n\n"
        "Critics said that the shameful plan would ruin the park."
    ),
}
#: What the planted words must look like, per type.
EXPECTED = {
    "count": lambda planted, mutated: planted.isdigit() and planted != "240",
    "name": lambda planted, mutated: planted != "Okafor" and planted.startswith("O"),
    "evaluative": lambda planted, mutated: planted in LISTS.evaluative,
    "vague": lambda planted, mutated: planted in ("a number of people", "several people"),
    "attribution": lambda planted, mutated: (
        "critics" not in planted.lower() and planted[0].isupper() and "shameful" in planted
    ),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", range(6))
def test_each_type_is_planted_in_a_text_that_has_a_site(kind: str, seed: int) -> None:
    text = TEXTS[kind]
    p = plant(kind, Article(text=text), seed, LISTS)
    assert p is not None
    mutated = p.apply(text)
    assert mutated != text
    planted = mutated[p.planted.start : p.planted.end]
    assert EXPECTED[kind](planted, mutated), (planted, mutated)
    # everything outside the edit is the original's, at the mapped offsets
    assert mutated[: p.edit.start] == text[: p.edit.start]
    assert mutated[p.edit.start + len(p.replacement) :] == text[p.edit.end :]
    assert len(mutated) == len(text) + p.delta


def test_counts_change_a_later_mention_only() -> None:
    text = TEXTS["count"]
    p = plant("count", Article(text=text), 3, LISTS)
    assert p is not None and p.edit.start > text.index("240") + 3
    assert p.apply(text).count("240") == 1


def test_attribution_is_cut_whole() -> None:
    text = TEXTS["attribution"]
    mutated = {plant("attribution", Article(text=text), s, LISTS).apply(text) for s in range(8)}  # type: ignore[union-attr]
    assert "The new stadium plan is a shameful waste of public money.\n\n" in "".join(mutated)
    assert "The shameful plan would ruin the park." in "".join(mutated)


@pytest.mark.parametrize("kind", KINDS)
def test_no_site_no_copy(kind: str) -> None:
    # no repeated count, no person, no determiner before a noun, no figure, no attribution
    text = "Rain fell. Wind rose. Nobody came out until noon on Sunday."
    assert plant(kind, Article(text=text), 1, LISTS) is None


def test_empty_word_pools_give_no_copy_rather_than_an_unchanged_one() -> None:
    empty = WordLists((), (), frozenset())
    assert plant("evaluative", Article(text=TEXTS["evaluative"]), 1, empty) is None
    assert plant("vague", Article(text=TEXTS["vague"]), 1, empty) is None
    assert plant("attribution", Article(text=TEXTS["attribution"]), 1, empty) is None


def test_a_word_already_in_the_article_is_not_inserted() -> None:
    lists = WordLists(("long",), (), frozenset())
    assert plant("evaluative", Article(text=TEXTS["evaluative"]), 1, lists) is None


def test_changed_values_are_other_counts_within_a_factor_of_two() -> None:
    rng = random.Random(5)
    for value in (2, 3, 7, 14, 240, 1200, 125000):
        for _ in range(20):
            new = changed_value(value, rng)
            assert new != value and 0.5 < new / value < 2


def test_respelt_is_one_edit_and_keeps_the_initial() -> None:
    rng = random.Random(2)
    for _ in range(30):
        new = respelt("Okafor", rng, {"okafor"})
        assert new is not None and new[0] == "O" and new.lower() != "okafor"
        assert abs(len(new) - 6) <= 1


def test_the_shared_lists_read_as_the_sources_say(tmp_path: Path) -> None:
    pryzant = tmp_path / "pryzant_neutralizing_bias"
    weasels = tmp_path / "weasel_words_btford"
    pryzant.mkdir()
    weasels.mkdir()
    (pryzant / "strong_subjectives_riloff2003.txt").write_text(
        "# comment\nreckless\nunprecedent\nunprecedented\nbitterness\nwar\n", encoding="utf-8"
    )
    (pryzant / "weak_subjectives_riloff2003.txt").write_text("notable\npeace\n", encoding="utf-8")
    (weasels / "weasel_words.txt").write_text("# c\nmany\nvery\nis a number\n", encoding="utf-8")
    lists = load_word_lists(tmp_path)
    assert lists.evaluative == ("reckless",)  # a stem, a noun and a short word left out
    assert lists.vague == ("many", "a number of")
    assert lists.evaluative_clues == {"reckless", "notable"}


def _finding(text: str, quote: str, category: str, start: int | None = None) -> Finding:
    at = text.index(quote) if start is None else start
    return Finding(category, quote, "why", start=at, end=at + len(quote))


def test_caught_means_new_right_category_and_at_the_planted_words() -> None:
    text = TEXTS["evaluative"]
    p = plant("evaluative", Article(text=text), 1, LISTS)
    assert p is not None
    mutated = p.apply(text)
    word = mutated[p.planted.start : p.planted.end]
    # a finding the original already had, shifted by the insertion, is not new
    old = _finding(text, "long debate", "loaded_language")
    shifted = _finding(mutated, "long debate", "loaded_language")
    assert new_findings([old], [shifted], p) == []
    hit = _finding(mutated, word, "loaded_language")
    assert caught([old], [shifted, hit], p) is hit
    assert caught([], [_finding(mutated, word, "missing_detail")], p) is None
    assert caught([], [_finding(mutated, "Monday", "loaded_language")], p) is None
