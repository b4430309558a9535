"""A long article read in parts: each part a span of the same text, so that every offset a
stage reports still points into the whole article."""

from __future__ import annotations

from .types import Article, Span


def split_body(article: Article, limit: int) -> list[Span]:
    """The body in parts of at most ``limit`` characters, cut between paragraphs (between
    sentences, or at a space, inside a paragraph longer than that). Each part starts with
    the last paragraph of the one before, so a claim that spans the cut is read whole."""
    body = article.body_span
    if len(body) <= limit:
        return [body]
    pieces: list[Span] = []
    for para in article.paragraphs or [body]:
        pieces.extend(_cut(article.text, para, limit))
    parts: list[Span] = []
    current: list[Span] = []
    for piece in pieces:
        if current and piece.end - current[0].start > limit:
            parts.append(Span(current[0].start, current[-1].end))
            current = [current[-1]] if piece.end - current[-1].start <= limit else []
        current.append(piece)
    if current:
        parts.append(Span(current[0].start, current[-1].end))
    return parts


def _cut(text: str, span: Span, limit: int) -> list[Span]:
    out: list[Span] = []
    start = span.start
    while span.end - start > limit:
        window = text[start : start + limit]
        cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
        cut = cut + 2 if cut > limit // 2 else (window.rfind(" ") + 1 or limit)
        out.append(Span(start, start + cut))
        start += cut
    out.append(Span(start, span.end))
    return out
