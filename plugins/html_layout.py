"""Where the HTML report's marks go: the article cut into blocks, and blocks into segments.

Findings may overlap (the host merges only same-category overlaps). The text is cut at
every finding's start and end, so each segment is covered by a fixed set of findings and
becomes one flat ``<mark>`` listing them all: no nesting, whatever the overlaps. Pure
offset arithmetic on the JSON report, no HTML: :mod:`copydesk.plugins.html_report` draws it.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Segment:
    """A stretch of text covered by one fixed set of findings and claims.

    ``opens`` are the findings that start here (their anchors go before the segment);
    ``closes`` the ones that end here (their numbers go after it).
    """

    start: int
    end: int
    text: str
    findings: tuple[int, ...] = ()
    claims: tuple[int, ...] = ()
    opens: tuple[int, ...] = ()
    closes: tuple[int, ...] = ()
    claim_opens: tuple[int, ...] = ()


def segments(
    text: str,
    start: int,
    end: int,
    findings: Mapping[int, tuple[int, int]],
    claims: Mapping[int, tuple[int, int]] | None = None,
) -> list[Segment]:
    """Cut ``text[start:end]`` at every span boundary; say which spans cover each piece.

    ``findings`` and ``claims`` map an id to a ``(start, end)`` span of ``text``; spans
    may overlap one another and run past ``[start, end)`` (a finding across two
    paragraphs is cut into both). Empty spans cover nothing.
    """
    claims = claims or {}
    spans = [s for s in (*findings.values(), *claims.values()) if s[0] < s[1]]
    cuts = sorted(
        {start, end} | {p for s in spans for p in s if start < p < end},
    )
    out = []
    for a, b in itertools.pairwise(cuts):
        # A piece lies between two consecutive cuts, so a span covers all of it or none.
        covering = [i for i, (s, e) in findings.items() if s <= a and b <= e and s < e]
        in_claims = [j for j, (s, e) in claims.items() if s <= a and b <= e and s < e]
        out.append(
            Segment(
                start=a,
                end=b,
                text=text[a:b],
                findings=tuple(covering),
                claims=tuple(in_claims),
                opens=tuple(i for i in covering if findings[i][0] == a),
                closes=tuple(i for i in covering if findings[i][1] == b),
                claim_opens=tuple(j for j in in_claims if claims[j][0] == a),
            )
        )
    return out


@dataclass(frozen=True)
class Block:
    """A paragraph of the article, or a stretch of page furniture left out of the analysis."""

    kind: str  # "p" or "furniture"
    start: int
    end: int
    reason: str = ""
    plugin: str = ""


def article_blocks(article: Mapping[str, Any]) -> list[Block]:
    """The article's text as paragraphs and furniture, in order, covering every offset.

    Paragraphs come from the report (the core knows hard-wrapped text from one paragraph
    per line). Text in neither a paragraph nor an excluded span is kept as a paragraph of
    its own if it is not blank, so no finding can point into text the page does not show.
    """
    text: str = article["text"]
    n = len(text)
    excluded = [e for e in article.get("excluded", []) if e["start"] < e["end"]]
    paragraphs = [p for p in article.get("paragraphs", []) if p["start"] < p["end"]]
    cuts = sorted(
        {0, n} | {min(max(x[k], 0), n) for x in (*excluded, *paragraphs) for k in ("start", "end")}
    )
    pieces: list[tuple[tuple[str, int], int, int]] = []
    for a, b in itertools.pairwise(cuts):
        owner: tuple[str, int] = ("gap", a)
        for i, e in enumerate(excluded):
            if e["start"] <= a and b <= e["end"]:
                owner = ("furniture", i)
                break
        else:
            for i, p in enumerate(paragraphs):
                if p["start"] <= a and b <= p["end"]:
                    owner = ("p", i)
                    break
        if pieces and pieces[-1][0] == owner:
            pieces[-1] = (owner, pieces[-1][1], b)
        elif owner[0] == "gap" and pieces and pieces[-1][0][0] == "gap":
            pieces[-1] = (pieces[-1][0], pieces[-1][1], b)
        else:
            pieces.append((owner, a, b))
    blocks: list[Block] = []
    leading = 0  # blank text before the first block, given to it
    for (kind, i), a, b in pieces:
        if kind == "gap" and not text[a:b].strip():
            # Blank space between blocks joins the block before it (where it is invisible), so
            # the blocks still cover every offset and no finding's anchor can fall between them.
            if blocks:
                blocks[-1] = dataclasses.replace(blocks[-1], end=b)
            else:
                leading = b
            continue
        if kind == "furniture":
            e = excluded[i]
            block = Block("furniture", a, b, e.get("reason", ""), e.get("plugin", ""))
        else:
            block = Block("p", a, b)
        if leading:
            block, leading = dataclasses.replace(block, start=0), 0
        blocks.append(block)
    if leading:  # the whole text is blank
        blocks.append(Block("p", 0, n))
    return blocks
