"""Quoted passages read over a whole paragraph, not one sentence at a time.

A quotation often runs over several sentences: ``“We lost. It's pretty clear what the
motivation was,” she said.`` Read one sentence at a time, the second sentence has only a
closing mark and looks like the reporter's own words. British papers quote in single
marks, and a quotation in single marks has apostrophes inside it (``‘We didn’t win,
hopefully this time we can,’``), which a pattern that stops at the first ``’`` misses.

:func:`quoted_passages` scans the paragraph's marks in order and tells an opening mark
from a closing one by its shape: an opening mark follows a space (or the paragraph's
start) and comes before a word; a closing one follows a word or punctuation; a mark
between two letters is an apostrophe ("didn’t"), and so is one after an ``s`` before a
lower-case word ("the players’ union"). Marks inside a double-quoted passage are its own
(a quotation within the quotation). A curly closing mark with none open closes a
quotation from its sentence's start (the opening mark was mistyped). A passage never
closed ends with the sentence it opened in (a stray mark must not swallow the rest of a
long paragraph), except one that opens the paragraph: the convention for a quotation
continued in the next paragraph.

:func:`article_voices` is each sentence's reporter's voice
(:func:`.attribution.reporter_voice`) less these passages.
"""

from __future__ import annotations

import re

from copydesk.types import Article, Span

from .attribution import reporter_voice, subtract
from .text_helpers import split_sentences

_OPENING_CONTEXT = re.compile(r"[\s(\[{—–-]")
_DOUBLE = '"“”'
_SINGLE = "'‘’"


def article_voices(article: Article) -> list[tuple[Span, list[Span]]]:
    """Every sentence of the article's body with the parts of it in the reporter's own
    voice: not attributed, and not inside a quotation, however many sentences it spans."""
    out: list[tuple[Span, list[Span]]] = []
    for para in article.paragraphs:
        sentences = split_sentences(article.text, para.start, para.end)
        passages = quoted_passages(article.text, para, sentences)
        for s in sentences:
            holes = [p for p in passages if p.overlaps(s)]
            out.append((s, subtract_all(reporter_voice(article.text, s), holes)))
    return out


def subtract_all(pieces: list[Span], holes: list[Span]) -> list[Span]:
    """Each of ``pieces`` less every hole: :func:`.attribution.subtract` over a list."""
    out: list[Span] = []
    for p in pieces:
        out.extend(subtract(p, holes))
    return out


def quoted_passages(text: str, paragraph: Span, sentences: list[Span]) -> list[Span]:
    """The quoted passages of one paragraph, marks included (see the module's rules);
    ``sentences`` are the paragraph's sentences, where an unclosed quotation ends."""
    out: list[Span] = []
    double_at: int | None = None
    single_at: int | None = None
    first = paragraph.start + (
        len(text[paragraph.start : paragraph.end])
        - len(text[paragraph.start : paragraph.end].lstrip())
    )
    for i in range(paragraph.start, paragraph.end):
        ch = text[i]
        if ch in _DOUBLE:
            shape = _shape(text, i, paragraph)
            if double_at is None and shape == "open":
                double_at = i
            elif double_at is not None and shape == "close":
                out.append(Span(double_at, i + 1))
                double_at = None
            elif double_at is None and ch == "”":
                out.append(Span(_sentence_of(sentences, i).start, i + 1))  # its opening missed
        elif ch in _SINGLE and double_at is None:
            shape = _shape(text, i, paragraph)
            if single_at is None and shape == "open":
                single_at = i
            elif single_at is not None and shape == "close":
                out.append(Span(single_at, i + 1))
                single_at = None
    for at in (double_at, single_at):
        if at is not None:
            end = paragraph.end if at == first else _sentence_of(sentences, at).end
            out.append(Span(at, end))
    return out


def _shape(text: str, i: int, paragraph: Span) -> str:
    """ "open", "close" or "neither" (an apostrophe, or a mark with spaces both sides)."""
    ch = text[i]
    before = text[i - 1] if i > paragraph.start else " "
    after = text[i + 1] if i + 1 < paragraph.end else " "
    if ch in "“‘":
        return "open"
    if ch in "’'" and before.isalnum() and after.isalnum():
        return "neither"  # didn't, O'Toole
    if ch in "’'" and before in "sS" and re.match(r" [a-z]", text[i + 1 : i + 3]):
        return "neither"  # the players' union
    opening = before.isspace() or _OPENING_CONTEXT.match(before) or before in _DOUBLE + _SINGLE
    if opening and not after.isspace():
        return "open" if ch != "”" else "close"
    if not before.isspace():
        return "close"
    return "neither"


def _sentence_of(sentences: list[Span], at: int) -> Span:
    for s in sentences:
        if s.start <= at < s.end:
            return s
    return Span(at, at + 1) if not sentences else sentences[-1]
