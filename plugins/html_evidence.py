"""The fact-check in the HTML report: each claim next to its verdict and its evidence, the
source passage shown with the cited words highlighted, and the given texts (``--summary``,
``--headline``) with their findings marked as the summary's are.

Everything here is worked out from the JSON report and handed to the template as plain
values, which it escapes: a passage is split into the text before the evidence, the
evidence, and the text after, so the template marks the middle without any markup from
the report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

#: Characters of the passage shown either side of the evidence, cut at a space.
CONTEXT_CHARS = 220
GIVEN_LABELS = {"given_summary": "Summary given", "headline": "Headline given"}


def _cut_before(text: str) -> str:
    if len(text) <= CONTEXT_CHARS:
        return text
    tail = text[-CONTEXT_CHARS:]
    return "…" + tail[tail.find(" ") + 1 :] if " " in tail else "…" + tail


def _cut_after(text: str) -> str:
    if len(text) <= CONTEXT_CHARS:
        return text
    head = text[:CONTEXT_CHARS]
    return head[: head.rfind(" ")] + "…" if " " in head else head + "…"


def link(location: str | None) -> str | None:
    """A web address a reader can follow; ``None`` for anything else (a path, a corpus
    id), which the page shows as text: a report never links to a scheme it did not check."""
    if not location:
        return None
    parts = urlsplit(location)
    return location if parts.scheme in ("http", "https") and parts.netloc else None


def evidence_view(e: Mapping[str, Any]) -> dict[str, Any]:
    """One piece of evidence as the page shows it: the passage around the cited words."""
    p = e["passage"]
    lo, hi = e["start"] - p["start"], e["end"] - p["start"]
    where = e.get("title") or e.get("location") or e["document"]
    return {
        "source": e["source"],
        "where": where,
        "location": e.get("location") or e["document"],
        "href": link(e.get("location")),
        "start": e["start"],
        "end": e["end"],
        "before": _cut_before(p["text"][:lo]),
        "quote": p["text"][lo:hi],
        "after": _cut_after(p["text"][hi:]),
    }


def verification_view(v: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not v:
        return None
    return {
        "verdict": v["verdict"],
        "label": v["verdict"].replace("_", " "),
        "explanation": v["explanation"],
        "detectors": v["detectors"],
        "confidence": v["confidence"],
        "evidence": [evidence_view(e) for e in v["evidence"]],
    }


def given_views(
    report: Mapping[str, Any],
    findings: list[dict[str, Any]],
    marks: Callable[
        [str, int, int, list[dict[str, Any]], Mapping[int, tuple[int, int]], set[int]],
        list[dict[str, Any]],
    ],
    shown: set[int],
) -> list[dict[str, Any]]:
    """Each given text with its findings marked, and its statements' verdicts."""
    out = []
    for g in report.get("given", []):
        text = g["text"]
        own = [f for f in findings if f["target"] == g["target"] and f["located"]]
        out.append(
            {
                "target": g["target"],
                "label": GIVEN_LABELS.get(g["target"], g["target"].replace("_", " ")),
                "source": g.get("source"),
                "marks": marks(text, 0, len(text), own, {}, shown),
                "statements": [
                    {"quote": s["quote"], "verification": verification_view(s["verification"])}
                    for s in g["statements"]
                ],
            }
        )
    return out
