"""Which sentences of an article a head judges, and the text each is embedded as.

One definition for fitting and for checking: ``bench/heads.py`` embeds BABE and BASIL
sentences with :func:`embedding_text`, and the ``judgement`` checker embeds an article's
sentences the same way, so a head sees at check time the kind of input it was fitted on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from copydesk.types import Article, Span

from ..attribution import reporter_voice
from ..text_helpers import FUNCTION_WORDS, article_sentences, inside, words

#: A sentence is judged when the reporter chose at least this many of its content words:
#: a sentence that is all quotation or attributed speech is the speaker's wording, which a
#: finding must not pin on the reporter, and embedding it would spend tokens for nothing.
MIN_VOICE_WORDS = 3
#: The longest piece of text a head judges at once, in words. The heads were fitted on
#: BABE's sentences (the longest: 99 words), and llama.cpp embeds one input in one
#: physical batch (512 tokens): a run-on "sentence" of a text with no full stops (a
#: transcript, a list) is judged in consecutive pieces of at most this many words, each
#: with its own offsets, rather than failing the stage with HTTP 500.
MAX_PIECE_WORDS = 100


def embedding_text(text: str) -> str:
    """A sentence as it is embedded: white space (line breaks of hard-wrapped text
    included) made single spaces, trimmed."""
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Judged:
    """A sentence to score: where it is, the text embedded, and its reporter's voice."""

    span: Span
    text: str
    voice: tuple[Span, ...]


def voice_words(text: str, sentence: Span, voice: tuple[Span, ...] | list[Span]) -> int:
    return sum(
        1
        for w in words(text, sentence.start, sentence.end)
        if w.lower not in FUNCTION_WORDS and inside(voice, w.start, w.end)
    )


def judged_sentences(article: Article, min_voice_words: int = MIN_VOICE_WORDS) -> list[Judged]:
    """The article body's sentences with at least ``min_voice_words`` content words in the
    reporter's own voice, in order."""
    out: list[Judged] = []
    for sentence in article_sentences(article):
        for span in pieces(article.text, sentence):
            voice = tuple(reporter_voice(article.text, span))
            if voice_words(article.text, span, voice) < min_voice_words:
                continue
            text = embedding_text(article.text[span.start : span.end])
            if text:
                out.append(Judged(span, text, voice))
    return out


def pieces(text: str, sentence: Span, max_words: int = MAX_PIECE_WORDS) -> list[Span]:
    """The sentence itself, or, past ``max_words`` words, consecutive pieces of it of at
    most that many words (from a piece's first word to its last)."""
    found = words(text, sentence.start, sentence.end)
    if len(found) <= max_words:
        return [sentence]
    return [
        Span(chunk[0].start, chunk[-1].end)
        for k in range(0, len(found), max_words)
        for chunk in (found[k : k + max_words],)
    ]
