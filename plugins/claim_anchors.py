"""Which sentence of the article makes a claim: the claim's own words decide, not the
quote the model wrote beside it.

A small model writes a good claim and then, as often as not, copies the quote from a
neighbouring sentence (the embedded model did so for four of the sample's eight claims:
"Russia will provide unspecified 'special' military equipment" quoted with the sentence
after it). Asking again costs a whole call and, measured on the sample, gave back fewer
claims, not better quotes. So each claim is anchored here, without the model: the
sentence of the article sharing the largest share of the claim's content words (word
families, figures included) is the one that makes it. The model's quote stands when its
own sentence matches at least as well (it may be the exact words inside that sentence);
otherwise the claim quotes the best sentence whole, when that sentence holds at least
:data:`MIN_SHARE` of the claim's content words. Below that the claim is a paraphrase
no sentence carries, and the model's quote is left to the host's grounding, which drops
it if the article lacks it.
"""

from __future__ import annotations

from collections.abc import Callable

from copydesk.types import Article, Span

from .inflection import word_family
from .text_helpers import FUNCTION_WORDS, article_sentences, split_sentences, words

#: The least share of a claim's content words a sentence must hold to be the one making
#: it. A half: a claim restating its sentence keeps most of its words (the sample's
#: claims kept 0.7-1.0 of them); one that shares a name and a verb with the wrong
#: sentence stays well under it.
MIN_SHARE = 0.5


def content_families(text: str) -> frozenset[str]:
    """The word families of ``text``'s content words (figures are their own family)."""
    return frozenset(word_family(w.lower) for w in words(text) if w.lower not in FUNCTION_WORDS)


class ClaimAnchors:
    """The article's sentences with their content words, read once for all its claims."""

    def __init__(self, article: Article) -> None:
        text = article.text
        spans = article_sentences(article) or split_sentences(
            text, article.body_span.start, article.body_span.end
        )
        self._text = text
        self._sentences = [(s, content_families(text[s.start : s.end])) for s in spans]

    def quote(self, claim: str, quote: str, locate: Callable[[str], Span | None]) -> str:
        """The quote ``claim`` should carry: ``quote`` when its sentence makes the claim at
        least as well as any other, else the sentence that makes it best (see the module)."""
        wanted = content_families(claim)
        if not wanted or not self._sentences:
            return quote
        scored = [(len(wanted & words) / len(wanted), s) for s, words in self._sentences]
        best_share, best = max(scored, key=lambda pair: pair[0])  # the first of equals
        at = locate(quote)
        if at is not None:
            own = next((sc for sc, s in scored if s.start <= at.start < s.end), 0.0)
            if own >= best_share or best_share < MIN_SHARE:
                return quote
        elif best_share < MIN_SHARE:
            return quote
        return self._text[best.start : best.end].strip()
