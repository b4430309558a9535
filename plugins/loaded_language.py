"""Loaded language with no model: emotive and evaluative words in the reporter's own voice.

A word is flagged when the VADER sentiment lexicon (Hutto & Gilbert 2014: mean valence
from ten raters, -4 to +4) rates it strongly, and the reporter chose it: it is not inside
quotation marks (read over the paragraph, :mod:`.quoted_passages`: a quotation of several
sentences, or in single marks with apostrophes inside), not in attributed speech ("X said
...", "..., X said", "according to"), and not a proper name ("Cold War", "Black Lives
Matter"). Evaluative modifiers (adjectives and -ly adverbs: "bitter", "wildly") count at a
lower strength than other words, since strongly negative nouns are often just the subject
of the news ("war", "terrorism"); in a full article a noun or verb the article keeps
repeating is taken as its topic. Intensifiers from the write-good weasel-word list
("extremely", "vast") are flagged as exaggeration. A word in a plain sense (:mod:`.word_sense`: "free of charge", "tax-free", "free meals" in a sentence
about paying; a verb use, "to secure"; an offence named in a legal step, "charged with
fraud") is not loaded, nor is a word of certainty or doubt ("clear", "certain", "likely":
stance, which the unattributed-claim checker reads). Modifiers VADER rates weakly are not
flagged even when Recasens et al.'s NPOV lexicon lists them ("controversial", "important"):
on BABE dev, 7 of the 18 sentences that route flagged were labelled biased (half of all are).

``[plugins.loaded-words] extra_lexicons = ["path/to/list.txt"]`` adds the evaluative
words of lists the user supplies (one word a line), for lists copydesk may not ship.

The thresholds and confidences were set on the BABE dev half (see docs/categories.md) and
never on any one article.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import copydesk
from copydesk.components import Checker
from copydesk.errors import ConfigError
from copydesk.types import Article, Finding, Span

from . import word_lists
from .quoted_passages import article_voices
from .text_helpers import (
    FUNCTION_WORDS,
    Word,
    inflected_report_verb,
    inside,
    joined,
    lemma_candidates,
    report_verb,
    word_family,
    words,
)
from .word_sense import names_an_offence, plain_sense, used_as_verb

if TYPE_CHECKING:
    from copydesk.context import CheckContext

#: |valence| at which an evaluative modifier (adjective, -ly adverb) is loaded.
MODIFIER_THRESHOLD = 1.2
#: Valence at or below which any other word is loaded, and at or above which it is.
NEGATIVE_THRESHOLD = -2.0
POSITIVE_THRESHOLD = 3.0
#: Confidence: on BABE dev, 73% of the sentences whose strongest finding is a modifier or
#: intensifier were labelled biased by the annotators, and 60% of those whose strongest is
#: another word (``bench/quality.py``'s reliability table, 2026-12-03); the confidences
#: are these shares to a tenth.
CONFIDENCE_MODIFIER = 0.7
CONFIDENCE_OTHER = 0.6
CONFIDENCE_INTENSIFIER = 0.7
#: Suffixes that make English adjectives.
_ADJECTIVE_SUFFIXES = ("ous", "ful", "less", "ive", "able", "ible", "ish")
#: Prefixes that turn a word's meaning round: "counter-terrorism" is not "terrorism".
_TURNING_PREFIXES = ("anti", "counter", "non", "de", "un", "post", "pre")


def valence(word: str) -> float:
    """VADER's mean valence for ``word`` or the word it inflects; 0.0 when it has none."""
    lexicon = word_lists.valence()
    lower = word.lower()
    if "-" in lower and lower not in lexicon:
        head, _, last = lower.rpartition("-")
        if head.split("-")[-1] in _TURNING_PREFIXES:
            return 0.0
        lower = last
    for candidate in lemma_candidates(lower):
        if candidate == lower[:-1] and lower.endswith("d") and not candidate.endswith("e"):
            continue  # "-d" makes a past tense of a stem in "e" only: "band" is not "ban"
        if candidate in lexicon:
            return lexicon[candidate]
    return 0.0


@cache
def stance_words() -> frozenset[str]:
    """Words that say how sure a claim is, not what its subject is like: the single words of
    Hooper's assertive predicates and Hyland's hedges ("clear", "certain", "sure",
    "likely", "fairly"). "It is clear that ...", "make their positions clear", "certain tax
    years", "likely to" are the epistemic stance the unattributed-claim checker reads, or
    plain; VADER's positive "clear" is its sense of "clean", "bright"."""
    return frozenset(w for w in word_lists.assertives() | word_lists.hedges() if " " not in w)


def is_adverb(word: str) -> bool:
    """A manner adverb: "-ly" on a word the lexicon has ("wildly", "stupidly"; not "ugly")."""
    w, lexicon = word.lower(), word_lists.valence()
    return w.endswith("ly") and any(
        stem in lexicon for stem in (w[:-2], w[:-2] + "e", w[:-3] + "y", w[:-4] + "le")
    )


def is_modifier(word: str) -> bool:
    """An adjective or manner adverb, judged from its suffix ("disastrous", "wildly") or the
    lexicon's own word families: "bitter" has "bitterly" and "bitterness" beside it, "war"
    has neither."""
    lexicon = word_lists.valence()
    w = word.lower()
    if (w.endswith("ly") and len(w) > 4) or w.endswith(_ADJECTIVE_SUFFIXES):
        return True
    derived = [w + "ly", w + "ness"]
    if w.endswith("y"):
        derived += [w[:-1] + "ily", w[:-1] + "iness"]
    if w.endswith("le"):
        derived.append(w[:-1] + "y")
    if w.endswith("ic"):
        derived.append(w + "ally")
    return any(d in lexicon for d in derived)


def strength(word: str, modifier: bool | None = None) -> float:
    """How loaded ``word`` is, 0.0 when it is not: the |valence| past its threshold.
    ``modifier``: whether it is used as a modifier here (default: whether it is shaped
    like one, :func:`is_modifier`)."""
    v = valence(word)
    if is_modifier(word) if modifier is None else modifier:
        return abs(v) if abs(v) >= MODIFIER_THRESHOLD else 0.0
    return abs(v) if v <= NEGATIVE_THRESHOLD or v >= POSITIVE_THRESHOLD else 0.0


@dataclass
class Hit:
    word: Word
    valence: float
    phrase: Span
    #: An intensifier ("extremely", "vast"): exaggeration rather than a charged word.
    intensifier: bool = False
    #: Used as an evaluative modifier here (an adjective or manner adverb, not a verb).
    modifier: bool = False


@copydesk.checker("loaded-words", categories=("loaded_language",))
def loaded_words(ctx: CheckContext) -> list[Finding]:
    """Every loaded word in the reporter's voice (:func:`find_loaded_words`), explained."""
    extra = _extra_lexicon(getattr(ctx, "config", None) or {})
    return [_finding(ctx.article.text, hit) for hit in find_loaded_words(ctx.article, extra)]


def _extra_lexicon(config: dict[str, Any]) -> frozenset[str]:
    paths = config.get("extra_lexicons", [])
    if isinstance(paths, str) or not isinstance(paths, list):
        raise ConfigError(
            f"[plugins.loaded-words] extra_lexicons must be a list of file paths, not {paths!r}"
        )
    return _read_lexicons(tuple(str(p) for p in paths))


@cache
def _read_lexicons(paths: tuple[str, ...]) -> frozenset[str]:
    out: set[str] = set()
    for path in paths:
        try:
            lines = Path(path).expanduser().read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise ConfigError(
                f"[plugins.loaded-words] extra_lexicons: cannot read {path}: {e.strerror}"
            ) from e
        out |= {w.strip().lower() for w in lines if w.strip() and not w.startswith("#")}
    return frozenset(out)


def _finding(text: str, hit: Hit) -> Finding:
    word, v = hit.word.text, hit.valence
    if hit.intensifier:
        return Finding(
            category="loaded_language",
            quote=text[hit.phrase.start : hit.phrase.end],
            start=hit.phrase.start,
            explanation=(
                f'"{word}" intensifies in the reporter\'s own voice (a weasel word of the '
                "write-good linter): it exaggerates where a figure or a plain statement "
                "would inform."
            ),
            suggestion=f'Drop "{word}", or give the figure or fact that shows the degree.',
            severity="low",
            confidence=CONFIDENCE_INTENSIFIER,
        )
    tone = "negative" if v < 0 else "positive"
    modifier = hit.modifier
    kind = "an evaluative modifier" if modifier else "a strongly charged word"
    return Finding(
        category="loaded_language",
        quote=text[hit.phrase.start : hit.phrase.end],
        start=hit.phrase.start,
        explanation=(
            f'"{word}" is {kind} ({tone}, VADER valence {v:+.1f}) in the reporter\'s own '
            "voice, not in a quotation or attributed speech: it tells the reader what to "
            "think of it rather than what happened."
        ),
        suggestion=(
            f'Replace "{word}" with neutral wording, or attribute the judgement to a '
            "named source and give the facts behind it."
        ),
        severity="medium" if modifier else "low",
        confidence=CONFIDENCE_MODIFIER if modifier else CONFIDENCE_OTHER,
    )


def find_loaded_words(article: Article, extra: Iterable[str] = ()) -> list[Hit]:
    """Every loaded word in the reporter's voice of the article's body, with its phrase;
    ``extra`` are more evaluative words (they count at the lowest strength)."""
    extra = frozenset(extra)
    text = article.text
    voices = article_voices(article)
    body_words = words(text, article.body_span.start, article.body_span.end)
    topical = _topic_families(body_words) if len(voices) >= 3 else set()
    terms = _repeated_terms(body_words) if len(voices) >= 3 else set()
    hits: list[Hit] = []
    for sentence, voice in voices:
        tokens = words(text, sentence.start, sentence.end)
        for i, tok in enumerate(tokens):
            if not inside(voice, tok.start, tok.end) or not _common_word(tok, i):
                continue
            if report_verb(tok.text) and i + 1 < len(tokens):
                continue  # "X denied ...": how a claim is reported is not loaded in itself
            v = valence(tok.text)
            if tok.lower in stance_words():
                continue
            modifier = is_modifier(tok.text) and not used_as_verb(tokens, i)
            if strength(tok.text, modifier) == 0.0:
                if not (extra and _listed(tok.lower, extra)):
                    continue
                v = v or -MODIFIER_THRESHOLD  # a listed word VADER does not rate
            if not modifier and word_family(tok.text) in topical:
                continue
            if (
                modifier
                and i + 1 < len(tokens)
                and not tokens[i + 1].capitalised  # "bitter Cold War rivals" twice is no term
                and _term(tok, tokens[i + 1]) in terms
            ):
                continue  # "free kick", "stable condition": a term the article keeps using
            if modifier and plain_sense(text, tokens, i, v):
                continue
            if not modifier and names_an_offence(text, tokens, i):
                continue
            phrase = _phrase(text, tokens, i, voice, modifier)
            if hits and hits[-1].phrase.overlaps(phrase):
                continue
            hits.append(Hit(tok, v, phrase, modifier=modifier))
        for i, tok in enumerate(tokens):
            if tok.lower not in intensifiers() or not inside(voice, tok.start, tok.end):
                continue
            end = tok.end
            if i + 1 < len(tokens) and tokens[i + 1].lower not in FUNCTION_WORDS:
                end = tokens[i + 1].end if joined(text, tok, tokens[i + 1]) else end
            phrase = Span(tok.start, end)
            if not any(h.phrase.overlaps(phrase) for h in hits):
                hits.append(Hit(tok, 0.0, phrase, intensifier=True))
    hits.sort(key=lambda h: h.phrase.start)
    return hits


def _listed(word: str, lexicon: frozenset[str]) -> bool:
    return any(c in lexicon for c in lemma_candidates(word))


@cache
def intensifiers() -> frozenset[str]:
    """The weasel words that intensify ("extremely", "vast", "surprisingly"): btford's list
    less its quantifiers ("many", "few"), the hedges of Hyland's list ("largely", "quite")
    and the epistemic adverbs, which are unattributed-claim cues ("clearly")."""
    weasels = {w for w in word_lists.weasel_words() if " " not in w}
    quantifiers = {"many", "various", "several", "few"}
    return frozenset(weasels - quantifiers - word_lists.hedges() - word_lists.epistemic_words())


def _common_word(tok: Word, index: int) -> bool:
    """Not a proper name, acronym or number: "Cold War" and "NATO" are names, not words."""
    if tok.text[0].isdigit() or (tok.text.isupper() and len(tok.text) > 1):
        return False
    return index == 0 or not tok.capitalised


def _term(modifier: Word, head: Word) -> tuple[str, str]:
    return modifier.lower, word_family(head.text)


def _repeated_terms(tokens: list[Word]) -> set[tuple[str, str]]:
    """Modifier and noun pairs the article uses at least twice ("free kick", "stable
    condition", "popular colours"): the terms of its subject, as a repeated noun is its
    topic."""
    counts = Counter(_term(a, b) for a, b in itertools.pairwise(tokens))
    return {pair for pair, n in counts.items() if n >= 2}


def _topic_families(tokens: list[Word]) -> set[str]:
    """Word families the article uses at least twice: what it is about."""
    counts = Counter(word_family(t.text) for t in tokens if t.lower not in FUNCTION_WORDS)
    return {family for family, n in counts.items() if n >= 2}


def _phrase(text: str, tokens: list[Word], i: int, voice: list[Span], modifier: bool) -> Span:
    """The loaded word with what it qualifies: "bitter Cold War rivals", "extremely rude"."""

    def in_voice(t: Word) -> bool:
        return inside(voice, t.start, t.end)

    start, end = tokens[i].start, tokens[i].end
    if i > 0 and tokens[i - 1].lower in word_lists.weasel_words() and in_voice(tokens[i - 1]):
        start = tokens[i - 1].start  # an intensifier: "extremely", "very"
    if not modifier or is_adverb(tokens[i].text):
        return Span(start, end)
    j = i + 1
    while (
        j < len(tokens)
        and tokens[j].capitalised
        and in_voice(tokens[j])
        and text[tokens[j - 1].end : tokens[j].start].isspace()
    ):
        end, j = tokens[j].end, j + 1  # a name used as a modifier: "Cold War"
    if (
        j < len(tokens)
        and in_voice(tokens[j])
        and text[tokens[j - 1].end : tokens[j].start].isspace()
    ):
        nxt = tokens[j]
        if (
            not nxt.capitalised
            and nxt.lower not in FUNCTION_WORDS
            and not nxt.lower.endswith("ly")
            and not inflected_report_verb(nxt.text)
            and not nxt.text[0].isdigit()
        ):
            end = nxt.end  # the head noun: "rivals"
    return Span(start, end)


@copydesk.hookimpl
def register_checkers(register: Callable[[Checker], None]) -> None:
    register(loaded_words)
