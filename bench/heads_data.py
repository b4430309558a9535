"""The labelled sentences bench/heads.py fits and judges heads on, read from the paths given
(the data sets stay in ../shared/eval; nothing of them is copied into the project).

- BABE (Spinde et al. 2021, AGPL-3.0): one sentence per row. ``label`` 1/0 is biased
  wording; ``label_opinion`` is one of "Entirely factual", "Somewhat factual but also
  opinionated", "Expresses writer’s opinion" or "No agreement".
- BASIL (Fan et al. 2019, research use only): whole articles with character-offset spans.
  A sentence (split as copydesk splits the article) is labelled 1 when it overlaps a
  ``lexical`` span of the text, as bench/quality.py and issue 14 define it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copydesk.furniture import strip_furniture
from copydesk.plugins.heads.sentences import embedding_text
from copydesk.plugins.text_helpers import article_sentences
from copydesk.types import Article, Span

OPINION = "Expresses writer’s opinion"
FACTUAL = "Entirely factual"
NO_AGREEMENT = "No agreement"


#: BABE spells some topics two ways (its sentences were collected in rounds): one group
#: each, so that a topic-grouped split never has a topic on both sides.
TOPIC_ALIASES = {"blm": "black lives matter", "vaccines": "vaccine", "gun-control": "gun control"}


def topic_group(topic: str) -> str:
    t = topic.strip().lower()
    return TOPIC_ALIASES.get(t, t)


@dataclass
class Sentence:
    text: str
    label: int | None  # the label a head is fitted to or judged on
    group: str  # BABE: the outlet; BASIL: the article id (for grouped splits)
    topic: str = ""
    opinion: str | None = None  # BABE's label_opinion, raw
    #: BASIL only: the article and the sentence's span in it (for the lexicon baseline).
    article: Article | None = None
    span: Span | None = None


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def spread(items: Sequence[Any], n: int) -> list[Any]:
    """``n`` items evenly spaced through ``items`` (bench/quality.py's sampling)."""
    if n <= 0 or n >= len(items):
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def babe_sentences(path: Path, limit: int = 0, seed: int = 14) -> list[Sentence]:
    """BABE's labelled sentences; with ``limit``, that many of them in a seeded random
    order, so a smaller sample is always the start of a bigger one (and of the order in
    which a first run embeds them)."""
    rows = [
        Sentence(
            text=row["text"],
            label=row["label"],
            group=row.get("outlet") or "?",
            topic=topic_group(row.get("topic") or "?"),
            opinion=row.get("label_opinion"),
        )
        for row in read_jsonl(path)
        if row.get("label") is not None
    ]
    random.Random(seed).shuffle(rows)
    return rows[:limit] if limit > 0 else rows


def opinion_label(opinion: str | None, *, somewhat: int | None) -> int | None:
    """BABE's label_opinion as a binary label: the writer's opinion is 1, entirely factual
    0; "somewhat factual but also opinionated" is ``somewhat`` (None: left out)."""
    if opinion == OPINION:
        return 1
    if opinion == FACTUAL:
        return 0
    if opinion and opinion != NO_AGREEMENT:
        return somewhat
    return None


def basil_sentences(path: Path, articles: int) -> list[Sentence]:
    out: list[Sentence] = []
    for row in spread(read_jsonl(path), articles):
        article = Article(text=row["text"], title=row.get("title"))
        strip_furniture(article)
        lexical = [
            Span(s["start"], s["end"])
            for s in row["spans"]
            if s["bias_type"] == "lexical" and s.get("field", "text") == "text"
        ]
        for span in article_sentences(article):
            text = embedding_text(article.text[span.start : span.end])
            if text:
                label = int(any(span.overlaps(lex) for lex in lexical))
                out.append(Sentence(text, label, str(row.get("id")), article=article, span=span))
    return out
