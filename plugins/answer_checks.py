"""What makes a schema-valid model answer still unusable, as problems the model is asked to fix.

``ctx.ask(prompt, check=fn)`` feeds ``fn(answer)``'s problems back to the model, like a
schema error, and marks the stage ``unparseable`` when the re-asks run out. These are the
``fn`` of the built-in summariser and claim extractor:

- :func:`summary_problems`: a summary cut off mid-sentence, one that repeats a sentence,
  or one carrying stray JSON (braces, brackets, a key) is not a summary;
- :func:`claims_problems`: a claim whose quote is not the article's words, one whose
  quote is a quotation but whose speaker is "the article", and one whose figures are not
  in the sentence it quotes (it is anchored on the wrong sentence).

Each problem names what is wrong in words the model can act on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .text_helpers import FUNCTION_WORDS, split_sentences, words

#: How a sentence may end: a stop, perhaps inside a closing quote or bracket.
_ENDED = re.compile(r"[.!?…][\"'”’)\]]*\s*$")
_JSON = re.compile(r"[{}\[\]]|\"\s*:\s*[\"{\[]|\\[nt\"]|```|\b(?:summary|claims)\"?\s*:")
#: Two sentences sharing this share of their content words say the same thing.
REPEAT_OVERLAP = 0.8


def summary_problems(answer: Any) -> list[str]:
    """Why ``{"summary": ...}`` is not a usable summary; empty when it is."""
    text = " ".join(str(answer.get("summary", "")).split())
    problems: list[str] = []
    if _JSON.search(text):
        problems.append(
            "The summary contains JSON or markup characters ({, }, [, ], a key): give only "
            'the summary\'s own sentences as the value of "summary".'
        )
    if text and not _ENDED.search(text):
        tail = text[-40:]
        problems.append(
            f'The summary stops mid-sentence ("...{tail}"): end it with a complete sentence.'
        )
    seen: list[tuple[str, set[str]]] = []
    for s in split_sentences(text):
        sentence = text[s.start : s.end]
        content = _content(sentence)
        for earlier, earlier_content in seen:
            if content and _overlap(content, earlier_content) >= REPEAT_OVERLAP:
                problems.append(
                    f'The summary says the same thing twice ("{earlier}" and "{sentence}"): '
                    "say each point once."
                )
                break
        seen.append((sentence, content))
    return problems


def claims_problems(in_article: Callable[[str], bool]) -> Callable[[Any], list[str]]:
    """The check for ``{"claims": [...]}``; ``in_article(quote)`` says whether the article
    has the quote word for word (``ctx.locate``)."""

    def check(answer: Any) -> list[str]:
        problems: list[str] = []
        for n, item in enumerate(answer.get("claims", []), 1):
            quote = str(item.get("quote", ""))
            speaker = str(item.get("speaker", "")).strip().lower()
            if not in_article(quote):
                # Not re-asked: the host drops (and counts) a quote the article does not
                # hold, and on the embedded model a re-ask is a whole call for one claim.
                continue
            if speaker in ("the article", "article", "the reporter", "") and _is_quotation(
                quote, item
            ):
                problems.append(
                    f"Claim {n} is a quotation: its speaker is the person quoted, not "
                    f'"{item.get("speaker", "")}".'
                )
            missing = _figures(str(item.get("claim", ""))) - _figures(quote)
            if missing:
                problems.append(
                    f"Claim {n} gives {', '.join(sorted(missing))}, which its quote does not: "
                    "quote the sentence that makes this claim."
                )
        return problems

    return check


def _is_quotation(quote: str, item: dict[str, Any]) -> bool:
    return item.get("kind") == "quotation" or any(q in quote for q in '"“”')


def _figures(text: str) -> set[str]:
    return {m.replace(",", "") for m in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}


def _content(sentence: str) -> set[str]:
    return {w.lower for w in words(sentence) if w.lower not in FUNCTION_WORDS}


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b))
