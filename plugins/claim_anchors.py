"""Which sentence of the article makes a claim: the claim's own words decide.

A small model writes a good claim and then, as often as not, copies the quote from a
neighbouring sentence (the embedded model did so for four of the sample's eight claims:
"Russia will provide unspecified 'special' military equipment" quoted with the sentence
after it), and copying a quote beside each claim was half of what the claims call
generated (the sample: ~350 of 696 completion tokens, ~12 s on 2 cores). So the built-in
prompt asks for no quote: each claim is anchored here, without the model. A claim that
copies the article's words quotes exactly those words; otherwise the sentence sharing the
largest share of the claim's content words (word families, figures included) makes it,
and the claim quotes that sentence whole, when it holds at least :data:`MIN_SHARE` of
them. Below that the claim is a paraphrase no sentence carries: it keeps its own words as
its quote, and the host's grounding drops it (counted) because the article lacks them.

A prompt override that still asks for a quote gets it honoured when the quote's own
sentence makes the claim at least as well as any other.
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

    def sentence_at(self, offset: int) -> tuple[Span, list[Span]] | None:
        """The sentence holding ``offset`` and, nearest last, the sentences before it."""
        for i, (sentence, _) in enumerate(self._sentences):
            if sentence.start <= offset < sentence.end:
                return sentence, [s for s, _ in self._sentences[:i]]
        return None

    def quote(
        self, claim: str, locate: Callable[[str], Span | None], given: str | None = None
    ) -> str:
        """The quote ``claim`` should carry (see the module); ``given`` is the quote the
        model wrote beside it, if its prompt asked for one."""
        if given is None and locate(claim) is not None:
            return claim  # the article's own words, copied
        wanted = content_families(claim)
        fallback = claim if given is None else given
        if not wanted or not self._sentences:
            return fallback
        scored = [(len(wanted & words) / len(wanted), s) for s, words in self._sentences]
        best_share, best = max(scored, key=lambda pair: pair[0])  # the first of equals
        if best_share < MIN_SHARE:
            return fallback
        if given is not None and (at := locate(given)) is not None:
            own = next((sc for sc, s in scored if s.start <= at.start < s.end), 0.0)
            if own >= best_share:
                return given
        return self._text[best.start : best.end].strip()
