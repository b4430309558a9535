"""The evidence source ``wire-archive``: stories from a JSON Lines archive, one
``{"id", "headline", "url", "text"}`` object a line, at ``$COPYDESK_WIRE_ARCHIVE``.

``copydesk check article.txt`` with this plugin installed asks it, for every claim of the
article, for the passages that share most words with the claim; copydesk's checkers
compare the claim with them (its numbers, dates and names; the model's verdict) and cite
the archive's words as evidence, at their offsets in the story.

Each story is cut into passages of two sentences, and a passage's ``start``/``end`` are
where its text is in the story's ``text``: copydesk finds cited evidence again in the
passages a source returned, so offsets must be true. Scoring is deliberately simple
(shared words, rarer ones counting more); a real archive would ask its search service.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import copydesk
from copydesk import Passage
from copydesk.components import EvidenceSource
from copydesk.errors import InputError

#: The plugin API this plugin was written against (evidence sources came with API 2).
COPYDESK_PLUGIN_API = 2
#: Where the archive is: a JSON Lines file.
ARCHIVE_ENV = "COPYDESK_WIRE_ARCHIVE"
#: Sentences a passage: a fact and its context, short enough to rank well.
SENTENCES = 2

_SENTENCE = re.compile(r"[^.!?\s][^.!?]*(?:[.!?]+|$)")
_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text) if len(w) > 3]


@dataclass(frozen=True)
class Story:
    id: str
    headline: str | None
    url: str
    text: str


def read_archive(path: Path) -> list[Story]:
    """The stories of the archive at ``path``; an :class:`InputError` naming the line
    that is not a story."""
    stories = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{ARCHIVE_ENV}: cannot read {path}: {exc.strerror or exc}") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            stories.append(Story(str(item["id"]), item.get("headline"), item["url"], item["text"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(
                f"{ARCHIVE_ENV}: line {n} of {path} is not a story: {exc}",
                'each line is {"id": ..., "headline": ..., "url": ..., "text": ...}',
            ) from exc
    return stories


def passages(story: Story) -> list[Passage]:
    """The story in passages of :data:`SENTENCES` sentences, at their offsets in its text."""
    spans = [m.span() for m in _SENTENCE.finditer(story.text)]
    out = []
    for i in range(0, len(spans), SENTENCES):
        start, end = spans[i][0], spans[min(i + SENTENCES, len(spans)) - 1][1]
        text = story.text[start:end].rstrip()
        out.append(Passage(story.id, story.headline, story.url, text, start, start + len(text)))
    return out


class WireArchive:
    """The archive's passages that share most words with the query, rarer words counting
    more (an idf weight over the archive's passages)."""

    name = "wire-archive"

    def __init__(self) -> None:
        self._passages: list[Passage] = []
        self._idf: dict[str, float] = {}
        self._loaded: str | None = None

    def prepare(self, inputs: Any) -> None:
        """Read the archive when a run is set up: a bad file is the user's error now, not
        a failed stage later. With no archive set, the source has nothing to search."""
        path = os.environ.get(ARCHIVE_ENV)
        if not path or path == self._loaded:
            return
        self._passages = [p for story in read_archive(Path(path)) for p in passages(story)]
        counts = Counter(w for p in self._passages for w in set(_words(p.text)))
        n = len(self._passages)
        self._idf = {w: math.log(1 + n / c) for w, c in counts.items()}
        self._loaded = path

    async def search(self, query: str, ctx: Any, k: int) -> list[Passage]:
        wanted = set(_words(query))
        scored = []
        for p in self._passages:
            score = sum(self._idf.get(w, 0.0) for w in wanted & set(_words(p.text)))
            if score > 0:
                scored.append((score, p))
        scored.sort(key=lambda sp: -sp[0])
        return [
            Passage(p.document, p.title, p.location, p.text, p.start, p.end, score=round(s, 3))
            for s, p in scored[:k]
        ]


@copydesk.hookimpl
def register_evidence_sources(register: Callable[[EvidenceSource], None]) -> None:
    register(WireArchive())
