"""Missing detail with no model: what the article asserts but leaves vague or unsaid.

Three general markers of Obfuscation-Vagueness-Confusion and omission in news prose:

- a thing described by what is *not* said about it: "un-" and a verb of disclosure or
  identification ("unspecified equipment", "an undisclosed sum", "unnamed officials");
- the article saying the details were withheld: "without giving details", "declined to
  say", "did not specify", "no details were given";
- a vague quantity of sources: "many experts say", "several officials said", "some
  critics argue" (the weasel words of btford/weasel-words, and "some");
- a vague amount in the reporter's own voice where a figure belongs: "a number of people
  were hurt", "dozens of homes", "several arrests", "many lawmakers were reluctant"
  (:mod:`.quantities`; the everyday "some" and "few" are left alone, and so are orders of
  magnitude, "thousands of protesters", and "many" and "various" in idioms and
  comparisons: "in many ways", "so many people").

Each finding quotes the vague phrase itself so an editor can ask: what, exactly?
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import copydesk
from copydesk.components import Checker
from copydesk.types import Article, Finding, Span

from .attribution import reporter_voice
from .quantities import MEASURES, Quantity, quantities
from .text_helpers import (
    Word,
    article_sentences,
    inside,
    joined,
    phrase_end,
    quoted_spans,
    report_verb,
    word_set,
    words,
)

if TYPE_CHECKING:
    from copydesk.context import CheckContext

#: Verbs of disclosing or identifying: "un" + their participle describes a thing by what
#: was withheld about it.
_WITHHELD = re.compile(
    r"un(?:specified|disclosed|named|identified|known|revealed|released|published|stated|"
    r"explained|confirmed|verified|detailed|described|quantified|sourced|"
    r"attributed|specific|clear)",
    re.I,
)
_DETAIL_NOUNS = r"(?:details?|specifics|particulars|evidence|figures?|numbers?|names?|timeline|timetable|breakdown)"
_GIVE = r"(?:giv|provid|offer|disclos|reveal|specify|specifi|elaborat|releas|identif|nam|shar)\w*"
_DECLINED = re.compile(
    rf"""\b(?:
        without\s+{_GIVE}(?:\s+(?:any|further|more|the|a|an|its|his|her|their))*\s+{_DETAIL_NOUNS}(?:\s+(?:of|on|about)\s+(?:the\s+)?[\w'’-]+(?:\s+[\w'’-]+)?)?
      | without\s+(?:elaborating|specifying|saying\s+(?:how|what|when|where|which|who|why|whether)\b[^,.;]*)
      | (?:declined|refused)\s+to\s+(?:say|specify|elaborate|identify|name|disclose|give|provide|comment)\b(?:\s+(?:how|what|when|where|which|who|why|whether|on)\b[^,.;]*)?
      | (?:did|does|do|would|could)\s+not\s+(?:say|specify|elaborate|disclose|identify|name|give|provide|reveal)\b(?:\s+(?:how|what|when|where|which|who|why|whether)\b[^,.;]*)?
      | (?:gave|give|gives|offered|provided)\s+no\s+(?:further\s+)?{_DETAIL_NOUNS}
      | no\s+(?:further\s+)?{_DETAIL_NOUNS}\s+(?:were|was|have\s+been|has\s+been)\s+(?:given|provided|released|disclosed|offered|made\s+public)
      | {_DETAIL_NOUNS}\s+(?:were|was)\s+not\s+(?:given|provided|released|disclosed|immediately\s+available|available)
    )""",
    re.I | re.X,
)
#: Vague quantifiers: the weasel words of btford's list that quantify ("many", "various",
#: "several", "few"), and "some" and "numerous".
VAGUE_QUANTIFIERS = frozenset({"some", "numerous", "many", "various", "several", "few"})
_COPULAS = frozenset({"is", "was", "are", "were", "remains", "remained"})
#: Confidence: an explicit marker is what it says; a vague source is often only style.
CONFIDENCE_WITHHELD = 0.6
CONFIDENCE_DECLINED = 0.5
CONFIDENCE_VAGUE_SOURCE = 0.35
CONFIDENCE_VAGUE_AMOUNT = 0.3
#: The everyday quantifiers: not flagged as a vague amount.
_EVERYDAY = frozenset({"some", "few", "plenty", "lots"})
#: Quantifiers flagged only where they stand for a count, as the subject or object of the
#: news ("many lawmakers were reluctant", "seized various weapons"), not in idioms and
#: comparisons ("in many ways", "so many people", "like many rich countries").
_COMMON = frozenset({"many", "various"})
#: Orders of magnitude: "thousands of protesters" gives the scale, often all anyone knows.
_MAGNITUDES = frozenset({"hundreds", "thousands", "tens", "millions", "billions"})
_IDIOMATIC_BEFORE = word_set(
    """so how as too like in on from among than of the these those his her their its our
    my your this that whose such"""
)


@copydesk.checker("vagueness", categories=("missing_detail",))
def vagueness(ctx: CheckContext) -> list[Finding]:
    """Details withheld or left vague: :func:`find_missing_details`."""
    return find_missing_details(ctx.article)


def find_missing_details(article: Article) -> list[Finding]:
    text = article.text
    found: list[Finding] = []
    for sentence in article_sentences(article):
        tokens = words(text, sentence.start, sentence.end)
        quoted = quoted_spans(text, sentence.start, sentence.end)
        for i, tok in enumerate(tokens):
            if inside(quoted, tok.start, tok.end):
                continue  # the speaker's words: "unnamed people keep calling me"
            if _WITHHELD.fullmatch(tok.text):
                found.append(_withheld(text, tokens, i))
            elif tok.lower in VAGUE_QUANTIFIERS:
                end = _vague_source(text, tokens, i)
                if end is not None:
                    found.append(_vague(text, tok.start, end))
        found.extend(_vague_amounts(text, sentence, found))
        s_text = text[sentence.start : sentence.end]
        for m in _DECLINED.finditer(s_text):
            start = sentence.start + m.start()
            if not inside(quoted, start, sentence.start + m.end()):
                found.append(_declined(m.group().strip(), start))
    return found


def _withheld(text: str, tokens: list[Word], i: int) -> Finding:
    """ "unspecified equipment", or "was unknown" when nothing follows."""
    tok = tokens[i]
    start, end = tok.start, phrase_end(text, tokens, i)
    if end == tok.end and i > 0 and tokens[i - 1].lower in _COPULAS:
        start = tokens[i - 1].start  # "the cause was unknown"
    return Finding(
        category="missing_detail",
        quote=text[start:end],
        start=start,
        explanation=(
            f'"{tok.text}": the article describes this by what is not known or not said about '
            "it, and never supplies it."
        ),
        suggestion="Ask the reporter for the specifics, or say why they cannot be given.",
        severity="medium",
        confidence=CONFIDENCE_WITHHELD,
    )


def _vague(text: str, start: int, end: int) -> Finding:
    return Finding(
        category="missing_detail",
        quote=text[start:end],
        start=start,
        explanation=(
            f'"{text[start:end]}" stands for people the article does not name: the reader '
            "cannot judge who they are or how many."
        ),
        suggestion="Name the sources, or say how many and who they are.",
        severity="low",
        confidence=CONFIDENCE_VAGUE_SOURCE,
    )


def _declined(quote: str, start: int) -> Finding:
    return Finding(
        category="missing_detail",
        quote=quote,
        start=start,
        explanation=(
            "The article says details were not given: the reader is left without what the "
            "story turns on."
        ),
        suggestion=(
            "Ask whether the details can be had from another source, or make the gap "
            "explicit high in the story."
        ),
        severity="low",
        confidence=CONFIDENCE_DECLINED,
    )


def _vague_amounts(text: str, sentence: Span, found: list[Finding]) -> list[Finding]:
    """ "a number of people", "dozens of homes" in the reporter's voice, where no vague
    source already covers them."""
    voice = reporter_voice(text, sentence)
    out: list[Finding] = []
    for q in quantities(text, sentence.start, sentence.end):
        opener = text[q.span.start : q.span.end].lower().split()[0]
        if not q.vague or opener in _EVERYDAY | _MAGNITUDES or q.noun in MEASURES:
            continue  # "some people", "several months": not where a figure belongs
        if opener in _COMMON and not _stands_for_a_count(text, q, sentence):
            continue
        if not inside(voice, q.span.start, q.span.end):
            continue
        if any(
            f.start is not None and f.start <= q.span.start < f.start + len(f.quote) for f in found
        ):
            continue
        quote = text[q.span.start : q.span.end]
        out.append(
            Finding(
                category="missing_detail",
                quote=quote,
                start=q.span.start,
                explanation=(
                    f'"{quote}": the article gives no figure here; the reader cannot tell how many.'
                ),
                suggestion="Give the number, or say that it is not known and why.",
                severity="low",
                confidence=CONFIDENCE_VAGUE_AMOUNT,
            )
        )
    return out


def _stands_for_a_count(text: str, q: Quantity, sentence: Span) -> bool:
    """ "many lawmakers", not "so many", "in many cases", "many others", "Many Clouds"."""
    before = words(text, sentence.start, q.span.start)
    if before and before[-1].lower in _IDIOMATIC_BEFORE:
        return False
    noun = q.noun_text
    return noun[:1].islower() and noun != "others" and (noun.endswith("s") or noun in _PEOPLE)


_PEOPLE = frozenset({"people", "police", "children", "men", "women", "staff", "troops"})


def _vague_source(text: str, tokens: list[Word], i: int) -> int | None:
    """For "many experts say": where the vague source's words end, or ``None``."""
    for j in range(i + 1, min(len(tokens), i + 5)):
        if not joined(text, tokens[j - 1], tokens[j]) and j > i + 1:
            return None
        if report_verb(tokens[j].text) and j > i + 1:
            noun = tokens[j - 1]
            if noun.lower.endswith("s") and not noun.capitalised:
                return noun.end
            return None
    return None


@copydesk.hookimpl
def register_checkers(register: Callable[[Checker], None]) -> None:
    register(vagueness)
