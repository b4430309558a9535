"""Passages: the unit of evidence an evidence source returns.

A source document (a transcript, a press release, a wire story) is read the way copydesk
reads an article (:func:`copydesk.inputs.article_from_bytes`) and cut into overlapping
windows of a few sentences. A passage keeps the character offsets of its text in the
document, so ``document[p.start:p.end] == p.text`` always holds: an evidence quote found in
a passage can be reported at its offsets in the document, never at offsets a model wrote.

Windows overlap by a sentence so that a fact stated across a sentence boundary ("The
minister resigned. She had held the post for 12 years.") is whole in at least one passage.
"""

from __future__ import annotations

import re

from copydesk.plugins.text_helpers import article_sentences
from copydesk.types import Article, Passage, Span

__all__ = [
    "MAX_CHARS",
    "OVERLAP",
    "SENTENCES",
    "Passage",
    "preview",
    "sentence_spans",
    "split_passages",
]

#: Sentences per passage, and how many consecutive passages share. Three sentences is the
#: size retrieval-augmented fact-checkers use (a claim's context rarely spans more), small
#: enough that bm25 ranks the passage that states the fact above one that mentions it.
SENTENCES = 3
OVERLAP = 1
#: A passage is never longer than this: a run-on sentence (a table flattened into text, a
#: transcript with no full stops) is cut at white space instead.
MAX_CHARS = 1200


def sentence_spans(article: Article) -> list[Span]:
    """The sentences of a document's analysed body, paragraph by paragraph, each no longer
    than :data:`MAX_CHARS` (longer ones are cut at white space)."""
    out: list[Span] = []
    for sentence in article_sentences(article):
        out.extend(_cut(article.text, sentence, MAX_CHARS))
    return out


def _cut(text: str, span: Span, limit: int) -> list[Span]:
    """``span`` in pieces of at most ``limit`` characters, cut after white space where
    there is some (a piece with no white space in ``limit`` characters is cut hard)."""
    pieces: list[Span] = []
    start = span.start
    while span.end - start > limit:
        window = text[start : start + limit]
        gap = max(window.rfind(" "), window.rfind("\n"))
        cut = start + gap if gap > 0 else start + limit
        pieces.append(Span(start, cut))
        start = cut
        while start < span.end and text[start].isspace():
            start += 1
    if start < span.end:
        pieces.append(Span(start, span.end))
    return pieces


def split_passages(
    article: Article,
    document: str,
    location: str | None = None,
    sentences: int = SENTENCES,
    overlap: int = OVERLAP,
) -> list[Passage]:
    """``article`` as overlapping passages of ``sentences`` sentences (``overlap`` shared
    between neighbours), in document order, with offsets into ``article.text``.

    Every sentence of the body is in at least one passage; a body shorter than one window
    is one passage.
    """
    if sentences < 1 or not 0 <= overlap < sentences:
        raise ValueError("need sentences >= 1 and 0 <= overlap < sentences")
    spans = sentence_spans(article)
    step = sentences - overlap
    text = article.text
    out: list[Passage] = []
    i = 0
    while i < len(spans):
        group = spans[i : i + sentences]
        start, end = group[0].start, group[-1].end
        out.append(
            Passage(
                document=document,
                title=article.title,
                location=location or document,
                text=text[start:end],
                start=start,
                end=end,
            )
        )
        if i + sentences >= len(spans):
            break
        i += step
    return out


_SPACE = re.compile(r"\s+")


def preview(passage: Passage, limit: int = 160) -> str:
    """The passage on one line, cut to ``limit`` characters: for ``corpus search`` output."""
    flat = _SPACE.sub(" ", passage.text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
