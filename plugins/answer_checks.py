"""What makes a schema-valid model answer still unusable, as problems the model is asked to fix.

``ctx.ask(prompt, check=fn)`` feeds ``fn(answer)``'s problems back to the model, like a
schema error, and marks the stage ``unparseable`` when the re-asks run out. These are the
``fn`` of the built-in summariser: :func:`summary_problems` (a summary cut off
mid-sentence, one that repeats a sentence, or one carrying stray JSON: braces, brackets,
a key, is not a summary). The claim extractor re-asks nothing: it anchors each claim on
its sentence itself (:mod:`.claim_anchors`).

Each problem names what is wrong in words the model can act on.
"""

from __future__ import annotations

import re
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


def _content(sentence: str) -> set[str]:
    return {w.lower for w in words(sentence) if w.lower not in FUNCTION_WORDS}


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b))
