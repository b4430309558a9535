"""Which words of a sentence a head's finding quotes: the words that carry the judgement.

A head scores a whole sentence; a finding must point at exact words. In order:

1. the loaded-language lexicon's phrases in the sentence (VADER-rated evaluative words
   in the reporter's voice, :func:`copydesk.plugins.loaded_language.find_loaded_words`):
   on BABE dev, 43% of the biased sentences' first lexicon phrase is a word the
   annotators marked, against 20% for a lower-case content word picked at random
   (``bench/heads_spans.py``);
2. else the sentence's longest part in the reporter's own voice: with no word that
   stands out, the judgement is the sentence's, and the quote says so rather than pin it
   on a word no evidence singles out. Measured on the cached BASIL dev articles with the
   shipped head (``bench/quality.py``'s ``judgement_picks``): quoting only sentences wholly
   in the reporter's voice left the sentences that frame what someone said ("X slammed
   ...") without a finding, and BASIL's lexical spans are often there; 1 of 65 such
   findings was right, against 7 of 124 for the longest part in the reporter's voice.
"""

from __future__ import annotations

from dataclasses import dataclass

from copydesk.types import Span

from ..loaded_language import Hit, valence
from .sentences import Judged


@dataclass(frozen=True)
class SpanPick:
    quote: str
    start: int
    #: The word or words named in the explanation.
    words: str
    #: Why these words: for the explanation.
    why: str


def lexicon_picks(text: str, sentence: Judged, hits: list[Hit]) -> list[SpanPick]:
    out = []
    for hit in hits:
        if not (sentence.span.start <= hit.phrase.start and hit.phrase.end <= sentence.span.end):
            continue
        word = hit.word.text
        if hit.intensifier:
            why = f'"{word}" is an intensifier (write-good\'s weasel words)'
        else:
            why = f'"{word}" carries it (VADER valence {valence(word):+.1f})'
        quote = text[hit.phrase.start : hit.phrase.end]
        out.append(SpanPick(quote, hit.phrase.start, word, why))
    return out


def clause_pick(text: str, sentence: Judged) -> SpanPick | None:
    """The longest part of the sentence in the reporter's voice, less the punctuation and
    white space at its ends."""
    if not sentence.voice:
        return None
    best = max(sentence.voice, key=lambda s: (s.end - s.start, -s.start))
    span = _trim(text, best)
    if span.end <= span.start:
        return None
    quote = text[span.start : span.end]
    whole = _trim(text, sentence.span) == span
    part = "the sentence" if whole else "the sentence's words in the reporter's voice"
    why = f"no word of it is in the lexicon, so the finding quotes {part}"
    return SpanPick(quote, span.start, quote, why)


def _trim(text: str, span: Span) -> Span:
    start, end = span.start, span.end
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return Span(start, end)


def pick_spans(text: str, sentence: Judged, hits: list[Hit]) -> list[SpanPick]:
    """The words to quote for a judgement of ``sentence``: the lexicon's phrases in it,
    else its longest part in the reporter's voice."""
    picks = lexicon_picks(text, sentence, hits)
    if picks:
        return picks
    clause = clause_pick(text, sentence)
    return [clause] if clause else []
