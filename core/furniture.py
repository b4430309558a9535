"""Finding page furniture: the parts of a saved page that are not the article.

Copied articles drag along the page around them: "Related News" lists, "Posted on"
lines, teasers of other stories ending in "view article" or a cut-off "..", share and
subscribe prompts, and the headline repeated under the text. The model must not
summarise or flag them, so the host leaves them out of the analysed body and lists them
in the report's ``article.excluded``.

The detector is line-based and general: boilerplate markers common to news sites (the
kind jusText and Boilerpipe key on) start the furniture; only lines at the edges of the
text can be furniture, and the body is never cut to less than half the text.
"""

from __future__ import annotations

import re

from .types import Article

# Lines that are navigation or metadata on news pages, not prose.
_MARKERS = re.compile(
    r"""^\W*(
        (other\s+|more\s+|most\s+)?(related|popular|recommended|trending|latest)
            (\s+(news|stories|articles|posts|links|coverage|reads|content|videos))?\s*:?\s*$
      | (you\s+may\s+also\s+like|also\s+read|read\s+(more|also|next)|see\s+also|more\s+from)\b.*
      | ((article\s+)?(posted|published|updated|last\s+updated)(\s+on)?\s*:?).{0,40}$
      | (share|tweet|email|print|subscribe|follow\s+us|sign\s+up|advertisement|sponsored)
            (\s+(this|on|to|now|article|story))?\b.{0,30}$
      | (copyright|©|\(c\)\s|all\s+rights\s+reserved).*
      | (tags?|topics?|filed\s+under)\s*:.*
    )$""",
    re.I | re.X,
)
# A teaser of another story: "view article" glued on, or a summary cut off with "..".
_TEASER = re.compile(r"(view\s+article|read\s+more|continue\s+reading)\s*$|[^.]\.\.$|…$", re.I)


def _is_marker(line: str) -> bool:
    s = line.strip()
    return bool(s) and (
        bool(_MARKERS.match(s)) or (bool(_TEASER.search(s)) and len(s.split()) < 60)
    )


def _is_headline_like(line: str) -> bool:
    """Short, and not ended like a sentence: a headline or a caption repeated on the page."""
    s = line.strip()
    return 0 < len(s.split()) <= 20 and not re.search(r"[.!?\"'”’)]$", s)


def _lines(text: str) -> list[tuple[int, int]]:
    spans, at = [], 0
    for line in text.split("\n"):
        spans.append((at, at + len(line)))
        at += len(line) + 1
    return spans


def find_tail(text: str) -> tuple[int, str] | None:
    """Where trailing furniture starts, and what gave it away; ``None`` if there is none."""
    lines = [(s, e) for s, e in _lines(text) if text[s:e].strip()]
    half = len(text) // 2
    first_marker = None
    for index, (start, end) in enumerate(lines):
        if start < half:
            continue
        if _is_marker(text[start:end]):
            # Furniture runs to the end: everything after the first marker must be
            # markers, teasers or short lines; one long prose line means it was not.
            rest = lines[index:]
            prose = [
                (s, e)
                for s, e in rest
                if not _is_marker(text[s:e]) and not _is_headline_like(text[s:e])
            ]
            if len(prose) <= max(1, len(rest) // 3):
                first_marker = index
                break
    if first_marker is None:
        return None
    cut = first_marker
    while cut > 0 and _is_headline_like(text[slice(*lines[cut - 1])]) and lines[cut - 1][0] >= half:
        cut -= 1
    start = lines[cut][0]
    return (
        start,
        f"page furniture from {text[slice(*lines[first_marker])].strip()[:60]!r} to the end",
    )


def strip_furniture(article: Article) -> None:
    """Exclude trailing page furniture from ``article``'s analysed body, in place."""
    body = article.body_span
    found = find_tail(article.text[: body.end])
    if found is None:
        return
    start, reason = found
    if start <= body.start:
        return
    # Keep the body's own trailing newline out of the excluded span's start.
    article.exclude(start, body.end, reason)
