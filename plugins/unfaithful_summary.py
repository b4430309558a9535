"""Unfaithful summary with no model: numbers and names in the summary the article lacks.

A summary may reword, but every number (digits or words: "12", "two", "1,200", "40%"),
year and name it gives must be in the article. Names are capitalised words that do not
open a sentence (or runs of them: "Prime Minister Imran Khan"); a name is supported when
the article has it, a form of it ("Pakistani" for "Pakistan"), or the words an
abbreviation stands for ("CEO" for "chief executive", "UN" for "United Nations"). A name
that shares only its stem with one in the article ("British" for "Britain", "Afghan" for
"Afghanistan"; but also "Johnston" for "Johnson") may be a paraphrase: it gets a low
finding asking to check, never a high one.
Findings quote the summary (``target="summary"``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import copydesk
from copydesk.components import Checker
from copydesk.types import Finding, Span

from .text_helpers import FUNCTION_WORDS, Word, number_value, split_sentences, words

if TYPE_CHECKING:
    from copydesk.context import CheckContext

CONFIDENCE_NUMBER = 0.65
CONFIDENCE_NAME = 0.55
CONFIDENCE_KIN = 0.3
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\w])|\b[A-Za-z]+(?=-[a-z])|\b[A-Za-z]+\b")


@copydesk.checker("summary-facts", categories=("unfaithful_summary",))
def summary_facts(ctx: CheckContext) -> list[Finding]:
    """Numbers and names in the summary the article lacks: :func:`find_unsupported`.
    With no summary (the summariser failed, or ``--no-model``) there is nothing to check."""
    if ctx.summary is None:
        return []
    return find_unsupported(ctx.article.body_text, ctx.summary.text)


def numbers(text: str) -> set[float]:
    """Every number ``text`` states, in digits or in words (hyphenated counts included)."""
    found: set[float] = set()
    for m in _NUMBER.finditer(text):
        token = m.group()
        if token[0].isdigit():
            try:
                found.add(float(token.replace(",", "")))
            except ValueError:
                continue
        elif token.lower() not in ("first", "second", "third", "fourth", "fifth"):
            value = number_value(token)
            if value is not None:
                found.add(float(value))
    return found


def find_unsupported(article_text: str, summary_text: str) -> list[Finding]:
    found: list[Finding] = []
    article_numbers = numbers(article_text)
    for m in re.finditer(r"(?<![\w.])\d+(?:[.,]\d+)*%?|\b[A-Za-z]+\b", summary_text):
        token = m.group().rstrip("%")
        value = numbers(token)
        if not value or token.lower() in ("one", "first") or value <= article_numbers:
            continue
        start, end = _with_neighbour(summary_text, m.start(), m.end())
        found.append(
            Finding(
                category="unfaithful_summary",
                quote=summary_text[start:end],
                start=start,
                target="summary",
                explanation=f'The summary gives the number "{m.group()}", which the article does not.',
                suggestion="Use the article's figure, or drop it from the summary.",
                severity="high",
                confidence=CONFIDENCE_NUMBER,
            )
        )
    article_tokens = words(article_text)
    article_words = {w.lower for w in article_tokens}
    initials = _initials(article_tokens)
    for span in _names(summary_text):
        missing = [
            w
            for w in words(summary_text, span.start, span.end)
            if not _supported(w, article_words) and not _abbreviates(w.text, initials)
        ]
        if not missing:
            continue
        quote = summary_text[missing[0].start : missing[-1].end]
        kin = [k for w in missing for k in [_kin(w.lower, article_words)] if k]
        if len(kin) == len(missing):
            found.append(
                Finding(
                    category="unfaithful_summary",
                    quote=quote,
                    start=missing[0].start,
                    target="summary",
                    explanation=(
                        f'The summary writes "{quote}" where the article has '
                        f'"{", ".join(kin)}": probably a paraphrase, but check it is the same.'
                    ),
                    suggestion="Use the article's form of the name if they are the same.",
                    severity="low",
                    confidence=CONFIDENCE_KIN,
                )
            )
            continue
        found.append(
            Finding(
                category="unfaithful_summary",
                quote=quote,
                start=missing[0].start,
                target="summary",
                explanation=f'The summary names "{quote}", which the article never mentions.',
                suggestion="Check the name against the article; remove it if the article lacks it.",
                severity="high",
                confidence=CONFIDENCE_NAME,
            )
        )
    return found


def _initials(tokens: list[Word]) -> set[str]:
    """The initials of every run of two to five article words: "chief executive officer"
    gives "ce", "ceo" (and "eo"), "United Nations" "un"."""
    letters = [t.lower[0] for t in tokens]
    out: set[str] = set()
    for n in range(2, 6):
        out |= {"".join(letters[i : i + n]) for i in range(len(letters) - n + 1)}
    return out


def _abbreviates(word: str, initials: set[str]) -> bool:
    """An abbreviation ("CEO", "UN", "NATO") whose letters are the initials of words the
    article has in a row, or all but its last (the "officer" of "CEO", the "organisation"
    of "WHO", which the article may leave out)."""
    if not (word.isupper() and 2 <= len(word) <= 5 and word.isalpha()):
        return False
    w = word.lower()
    return w in initials or (len(w) >= 3 and w[:-1] in initials)


def _kin(word: str, article_words: set[str]) -> str | None:
    """An article word sharing this one's stem: at least four letters, and at least half
    of the shorter word ("british"/"britain", "afghan"/"afghanistan")."""
    w = word.removesuffix("'s")
    best = None
    for a in article_words:
        n = 0
        for x, y in zip(w, a, strict=False):
            if x != y:
                break
            n += 1
        if n >= 4 and n >= min(len(w), len(a)) / 2 and (best is None or n > best[0]):
            best = (n, a)
    return best[1] if best else None


def _with_neighbour(text: str, start: int, end: int) -> tuple[int, int]:
    """A number with the word it counts ("12 helicopters"), or the word before it ("in
    2019"), so the quote says what the number is and is long enough to anchor."""
    after = re.match(r"\s+([A-Za-z][\w-]*)", text[end:])
    if after and after.group(1).lower() not in FUNCTION_WORDS:
        return start, end + after.end()
    before = re.search(r"([A-Za-z][\w-]*)\s+$", text[:start])
    if before:
        return before.start(), end
    return start, end


def _names(text: str) -> list[Span]:
    """Runs of capitalised words, leaving out a sentence's first word when it stands alone."""
    out: list[Span] = []
    for sentence in split_sentences(text):
        tokens = words(text, sentence.start, sentence.end)
        runs: list[list[Word]] = []
        for tok in tokens:
            if not tok.capitalised or tok.text[0].isdigit():
                continue
            if runs and text[runs[-1][-1].end : tok.start].strip() == "":
                runs[-1].append(tok)
            else:
                runs.append([tok])
        for run in runs:
            if run[0] is tokens[0]:
                run = run[1:]  # a sentence's first word is capitalised whatever it is
            while run and run[0].lower in FUNCTION_WORDS:
                run = run[1:]
            if run:
                out.append(Span(run[0].start, run[-1].end))
    return out


def _supported(word: Word, article_words: set[str]) -> bool:
    w = word.lower.removesuffix("'s")
    if w in article_words or w in FUNCTION_WORDS or number_value(w) is not None:
        return True
    # a form of a name the article has: "Pakistani" for "Pakistan", "Russian" for "Russia"
    return len(w) >= 5 and any(
        len(a) >= 4 and (w.startswith(a) or a.startswith(w)) and abs(len(a) - len(w)) <= 3
        for a in article_words
    )


@copydesk.hookimpl
def register_checkers(register: Callable[[Checker], None]) -> None:
    register(summary_facts)
