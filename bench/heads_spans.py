"""Which words should a head's finding quote? Rules measured against the words BABE's
annotators marked in the sentences they labelled biased (``biased_words``).

    python bench/heads_spans.py --babe ../shared/eval/babe_dev.jsonl \
        [--head plugins/heads/loaded_language.head.json --threads 2]

For every biased BABE dev sentence with marked words that occur in it, each rule proposes
one span (or none); a proposal is right when it overlaps a marked word. Printed per rule:
the share of sentences it proposes for, its precision, and right proposals per sentence.
The lexicon rule is copydesk's loaded-language detector (its first phrase in the
sentence); the other rules are judged on the sentences where the lexicon finds nothing,
which is where a head's finding needs another rule. Random picks are the floor: a rule
no better than a random content word of the reporter's has no business pointing.

With ``--head``, one more rule asks the model: each candidate word is embedded alone (the
embedded model, cached as bench/heads_embed.py caches) and the head scores it; the word it
scores highest is the pick. That would cost a check a second embedding request.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path

from heads_data import read_jsonl

from copydesk.plugins.loaded_language import find_loaded_words, is_modifier, valence
from copydesk.plugins.text_helpers import FUNCTION_WORDS, Word, inside, reporter_voice, words
from copydesk.types import Article, Span

Rule = Callable[[list[Word]], Word | None]


def marked(row: dict) -> list[tuple[int, int]]:
    spots = []
    for w in row.get("biased_words") or []:
        spots += [m.span() for m in re.finditer(rf"(?<!\w){re.escape(w)}(?!\w)", row["text"], re.I)]
    return spots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--babe", type=Path, required=True)
    parser.add_argument("--head", type=Path, default=None, help="a head file to score words with")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    rng = random.Random(14)
    rules: dict[str, Rule] = {
        "strongest VADER word (any valence)": lambda c: max(
            (t for t in c if valence(t.text)), key=lambda t: abs(valence(t.text)), default=None
        ),
        "first evaluative modifier": lambda c: next(
            (t for t in c if is_modifier(t.text) and not t.capitalised), None
        ),
        "random lower-case content word": lambda c: (
            rng.choice(lower) if (lower := [t for t in c if not t.capitalised]) else None
        ),
        "random content word": lambda c: rng.choice(c) if c else None,
    }
    if args.head:
        from heads_embed import embedded

        from copydesk.plugins.heads.head_file import read_head

        head = read_head(args.head)
        embedder = embedded(head.space.model, args.threads)

        def by_head(c: list[Word]) -> Word | None:
            if not c:
                return None
            rows = embedder.embed([t.text for t in c])
            return max(zip(c, rows, strict=True), key=lambda p: head.score(p[1].vector))[0]

        rules[f"the word {head.name} scores highest alone"] = by_head
    tally: dict[str, list[int]] = {name: [0, 0, 0] for name in ["lexicon (first phrase)", *rules]}
    for row in read_jsonl(args.babe):
        spots = marked(row) if row.get("label") == 1 else []
        if not spots:
            continue
        text = row["text"]
        article = Article(text=text)
        span = Span(0, len(text))
        voice = reporter_voice(text, span)
        candidates = [
            t
            for t in words(text)
            if inside(voice, t.start, t.end)
            and t.lower not in FUNCTION_WORDS
            and not t.text[0].isdigit()
        ]
        hits = find_loaded_words(article)

        def count(
            name: str, pick: tuple[int, int] | None, spots: list[tuple[int, int]] = spots
        ) -> None:
            t = tally[name]
            t[0] += 1
            if pick is not None:
                t[1] += 1
                t[2] += any(pick[0] < e and s < pick[1] for s, e in spots)

        count(
            "lexicon (first phrase)", (hits[0].phrase.start, hits[0].phrase.end) if hits else None
        )
        if hits:
            continue
        for name, rule in rules.items():
            w = rule(candidates)
            count(name, (w.start, w.end) if w else None)
    for name, (n, proposed, right) in tally.items():
        print(
            f"{name:<36} sentences {n:<4} proposes {proposed / n:.2f}  precision "
            f"{right / max(proposed, 1):.3f}  right per sentence {right / n:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
