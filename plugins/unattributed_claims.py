"""Unattributed claims with no model: assessments the reporter states with no source.

- agentless passives of perception and opinion: "is increasingly seen as", "is widely
  regarded as", "is believed to", "is expected to" with no "by" naming who sees, regards,
  believes or expects;
- impersonal assessments: "it is believed that", "it is clear that";
- epistemic adverbs in the reporter's own voice, in a sentence that reports no one
  ("clearly", "obviously", "apparently", "probably", "perhaps"): the assertives of Hooper
  (1975) and the hedges of Hyland (2005), as adverbs;
- anonymous sources: words or views reported from someone the reader cannot identify
  ("critics said", "according to officials", "a source close to the board said"); the
  words are theirs, not the reporter's (:mod:`.attribution`), but whose they are is unsaid.

A sentence that quotes or reports a source ("said", "according to", any of Recasens et
al.'s report verbs) is not flagged for its hedges: they are the source's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import copydesk
from copydesk.components import Checker
from copydesk.types import Article, Finding, Span

from . import word_lists
from .attribution import anonymous, attributions, reporter_voice
from .text_helpers import article_sentences, inside, report_verb, words

if TYPE_CHECKING:
    from copydesk.context import CheckContext

_PERCEIVED = (
    r"seen|regarded|considered|viewed|perceived|believed|thought|deemed|rumou?red|feared|"
    r"touted|hailed|branded|judged|reckoned|understood|alleged|said|reported|claimed|"
    r"characteri[sz]ed|portrayed|labell?ed"
)
_AGENTLESS = re.compile(
    rf"\b(?:is|are|was|were|be|been|being)(?:\s+(?:being|been|now|still|also|not|\w+ly))*"
    rf"\s+(?:{_PERCEIVED})\s+(?:as|to|that)\b[^,.;:!?]*",
    re.I,
)
_IMPERSONAL = re.compile(
    r"\bit\s+(?:is|was|has\s+been|had\s+been|seems|appears)\s+(?:\w+ly\s+)?"
    r"(?:believed|thought|said|expected|feared|understood|known|clear|obvious|evident|"
    r"certain|undeniable|likely|unlikely|possible|probable|widely\s+\w+)\s+(?:that|to)\b[^,.;:!?]*",
    re.I,
)
CONFIDENCE_AGENTLESS = 0.55
CONFIDENCE_IMPERSONAL = 0.55
CONFIDENCE_ADVERB = 0.4
CONFIDENCE_ANONYMOUS = 0.4


@copydesk.checker("attribution", categories=("unattributed_claim",))
def attribution(ctx: CheckContext) -> list[Finding]:
    """Assessments stated with no source: :func:`find_unattributed`."""
    return find_unattributed(ctx.article)


def find_unattributed(article: Article) -> list[Finding]:
    text = article.text
    found: list[Finding] = []
    for sentence in article_sentences(article):
        voice = reporter_voice(text, sentence)
        s_text = text[sentence.start : sentence.end]
        tokens = words(text, sentence.start, sentence.end)
        reports = any(report_verb(t.text) for t in tokens) or "according to" in s_text.lower()
        for pattern, confidence, what in (
            (_AGENTLESS, CONFIDENCE_AGENTLESS, "a passive with no agent"),
            (_IMPERSONAL, CONFIDENCE_IMPERSONAL, "an impersonal construction"),
        ):
            for m in pattern.finditer(s_text):
                start = sentence.start + m.start()
                quote = m.group().rstrip()
                if not inside(voice, start, start + len(quote)) or re.search(r"\bby\b", quote):
                    continue
                found.append(
                    Finding(
                        category="unattributed_claim",
                        quote=quote,
                        start=start,
                        explanation=(
                            f"An assessment stated through {what}: the article does not say "
                            "who holds this view, so the reporter appears to vouch for it."
                        ),
                        suggestion="Say who sees it this way (and cite them), or cut the assessment.",
                        severity="medium",
                        confidence=confidence,
                    )
                )
        found.extend(_anonymous_sources(text, sentence))
        if reports:
            continue
        for tok in tokens:
            if tok.lower in word_lists.epistemic_words() and inside(voice, tok.start, tok.end):
                if any(f.start <= tok.start < f.start + len(f.quote) for f in found):
                    continue
                found.append(
                    Finding(
                        category="unattributed_claim",
                        quote=tok.text,
                        start=tok.start,
                        explanation=(
                            f'"{tok.text}" judges how certain the claim is in the reporter\'s '
                            "own voice, in a sentence that cites no source."
                        ),
                        suggestion="Attribute the judgement to a source, or state the facts plainly.",
                        severity="low",
                        confidence=CONFIDENCE_ADVERB,
                    )
                )
    return found


def _anonymous_sources(text: str, sentence: Span) -> list[Finding]:
    """One finding per unnamed speaker of the sentence, quoting the words for them."""
    out: list[Finding] = []
    for a in attributions(text, sentence):
        if a.speaker is None or not anonymous(text, a.speaker, sentence.start):
            continue
        if any(f.start == a.speaker.start for f in out):
            continue
        who = text[a.speaker.start : a.speaker.end]
        out.append(
            Finding(
                category="unattributed_claim",
                quote=who,
                start=a.speaker.start,
                explanation=(
                    f'An anonymous source: "{who}" are not named, so the reader cannot judge '
                    "who holds this view or how much weight to give it."
                    if who.lower().endswith("s")
                    else f'An anonymous source: "{who}" is not named, so the reader cannot '
                    "judge who holds this view or how much weight to give it."
                ),
                suggestion="Name the source, or say why they cannot be named and how they know.",
                severity="low",
                confidence=CONFIDENCE_ANONYMOUS,
            )
        )
    return out


@copydesk.hookimpl
def register_checkers(register: Callable[[Checker], None]) -> None:
    register(attribution)
