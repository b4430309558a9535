"""The ``html`` report format: the article with every finding marked in place.

``copydesk check ARTICLE --format html --output report.html`` writes one self-contained
page (inline CSS and a little JS, no external assets) that an editor can open offline:
the summary and the article with each finding's span highlighted and coloured by
category, a legend, filters by category, severity and confidence, the claims (each a link
to its words in the article), the page furniture that was left out, and the run's stages
and model calls. :func:`render_index` writes the index page for a batch of such reports.

Everything from the report is untrusted text (an article can contain ``<script>``), so
the templates are rendered by jinja2 with autoescaping on; no report text is ever marked
safe. The page's script gets its data from a JSON block in which ``<``, ``>`` and ``&``
are escaped, and builds its tooltips with ``textContent``.

Findings may overlap; :mod:`copydesk.plugins.html_layout` cuts the text so that each
piece becomes one flat ``<mark>`` listing every finding over it: no nesting.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

import copydesk
from copydesk.components import ReportFormat
from copydesk.types import CATEGORIES, SEVERITIES, severity_rank

from .formats import finding_number, model_named, usage_line
from .html_evidence import evidence_view, given_views, verification_view
from .html_layout import article_blocks, segments

TEMPLATES = Path(__file__).resolve().parent / "templates"

#: The page lists severities worst first.
WORST_FIRST = SEVERITIES[::-1]

#: The built-in categories keep the same colour in every report, so an editor learns them;
#: any other category takes the next colour not used by these.
KNOWN_CATEGORIES = CATEGORIES
#: Colours defined in ``report.css`` as ``--cN`` (underline, swatch) and ``--cN-bg`` (tint).
PALETTE_SIZE = 8


def category_colours(categories: Iterable[str]) -> dict[str, int]:
    """A palette index for each category: fixed for the built-ins, the next free one otherwise."""
    categories = list(categories)
    colours = {c: i for i, c in enumerate(KNOWN_CATEGORIES)}
    free = [i for i in range(PALETTE_SIZE) if i not in colours.values()]
    out: dict[str, int] = {}
    for n, category in enumerate(sorted(c for c in set(categories) if c not in colours)):
        out[category] = free[n % len(free)]
    return {**{c: colours[c] for c in categories if c in colours}, **out}


def mark_style(visible: list[dict[str, Any]]) -> str:
    """The inline style of a mark covered by ``visible`` findings (already in display order).

    The tint is the first finding's category; each distinct category adds one underline,
    stacked, so a passage flagged for two reasons shows both colours. ``report.js`` does
    the same when the filters change.
    """
    if not visible:
        return ""
    colours = list(dict.fromkeys(f["colour"] for f in visible))
    shadows = ", ".join(
        f"inset 0 -{0.16 * (k + 1):.2f}em 0 var(--c{c})" for k, c in enumerate(colours)
    )
    return f"--bg: var(--c{colours[0]}-bg); box-shadow: {shadows}"


def display_order(finding: Mapping[str, Any]) -> tuple[int, float, int]:
    """Most severe first, then most confident: the first finding of a mark sets its tint."""
    rank = severity_rank(finding["severity"]) if finding["severity"] in SEVERITIES else -1
    return (-rank, -finding["confidence"], finding["id"])


def json_for_script(data: Any) -> Markup:
    """``data`` as JSON that is safe inside ``<script type="application/json">``.

    Escaping ``<``, ``>`` and ``&`` as ``\\u003c`` etc. means no string in the report can
    close the script element or open a comment; ``JSON.parse`` reads them back unchanged.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(char, escaped)
    # U+2028/2029 are valid in JSON but not in older JS string literals; escape them too.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)  # safe: every character that could end the element is escaped


def link_href(path: str | PurePath) -> str:
    """A relative link to a file, with every character that could make it a URL scheme escaped.

    ``:`` is percent-encoded, so ``javascript:…`` becomes a harmless relative path.
    """
    return quote(PurePath(path).as_posix(), safe="/")


def _label(category: str) -> str:
    return category.replace("_", " ")


@cache
def environment() -> jinja2.Environment:
    """The templates' environment: autoescaping on for everything, undefined names are errors."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["label"] = _label
    env.filters["href"] = link_href
    return env


def _static(name: str) -> Markup:
    """Our own CSS or JS, inlined so the page needs nothing else (never report text)."""
    return Markup((TEMPLATES / name).read_text(encoding="utf-8"))


def _usage(calls: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "calls": len(calls),
        "prompt_tokens": sum(c.get("prompt_tokens", 0) for c in calls),
        "cached_tokens": sum(c.get("cached_tokens", 0) for c in calls),
        "completion_tokens": sum(c.get("completion_tokens", 0) for c in calls),
        "seconds": sum(c.get("seconds", 0.0) for c in calls),
    }


def _marks(
    text: str,
    start: int,
    end: int,
    findings: list[dict[str, Any]],
    claims: Mapping[int, tuple[int, int]],
    shown: set[int],
) -> list[dict[str, Any]]:
    """The segments of one block, with what the template needs to draw each mark."""
    spans = {f["id"]: (f["start"], f["end"]) for f in findings}
    by_id = {f["id"]: f for f in findings}
    out = []
    for seg in segments(text, start, end, spans, claims):
        covering = sorted((by_id[i] for i in seg.findings), key=display_order)
        visible = [f for f in covering if f["id"] in shown]
        out.append(
            {
                "text": seg.text,
                "findings": [f["id"] for f in covering],
                "claims": list(seg.claims),
                "opens": list(seg.opens),
                "closes": list(seg.closes),
                "claim_opens": list(seg.claim_opens),
                "label": ",".join(
                    str(f["number"])
                    for f in sorted(visible, key=lambda f: f["number"])
                    if f["id"] in seg.closes
                ),
                "style": mark_style(visible),
                "visible": bool(visible),
                # Tab stops: one per shown finding, where it starts.
                "focusable": any(i in shown for i in seg.opens),
                "title": "\n".join(
                    f"#{f['number']} {_label(f['category'])} · {f['severity']} · "
                    f"confidence {f['confidence']:.2f}: {f['explanation']}"
                    for f in covering
                ),
            }
        )
    return out


def _no_summary(report: Mapping[str, Any]) -> str:
    """Why there is no summary: the summariser failed, or was skipped (``--no-model``)."""
    for stage in report.get("stages", []):
        if stage["stage"] == "summariser" and stage["status"] != "ok":
            why = f": {stage['reason']}" if stage.get("reason") else "."
            return f"No summary: the summariser ({stage['plugin']}) {stage['status']}{why}"
    return "No summary: no summariser ran."


def _title(article: Mapping[str, Any]) -> str:
    """The page's heading: the article's title, else the name of the file it came from."""
    if article.get("title"):
        return str(article["title"])
    if article.get("source"):
        return PurePath(str(article["source"])).name or str(article["source"])
    return "Untitled article"


def _located(f: Mapping[str, Any], text: str) -> bool:
    return 0 <= f["start"] < f["end"] <= len(text)


def report_context(report: dict[str, Any], min_confidence: float = 0.0) -> dict[str, Any]:
    """Everything the report template draws, worked out from the JSON report."""
    article = report["article"]
    text: str = article["text"]
    summary = report.get("summary")
    summary_text: str = summary["text"] if summary else ""
    colours = category_colours(f["category"] for f in report["findings"])

    # Numbered as every format numbers them (the report's order, the worst first); ids
    # stay the report's own indices so a finding can be traced back to the JSON.
    findings = [
        {
            **f,
            "id": i,
            "number": finding_number(i),
            "colour": colours[f["category"]],
            "label": _label(f["category"]),
        }
        for i, f in enumerate(report["findings"])
    ]
    shown = {f["id"] for f in findings if f["confidence"] >= min_confidence}
    texts = {"article": text, "summary": summary_text}
    texts |= {g["target"]: g["text"] for g in report.get("given", [])}
    for f in findings:
        f["located"] = _located(f, texts.get(f["target"], ""))
        f["shown"] = f["id"] in shown
        f["evidence_views"] = [evidence_view(e) for e in f.get("evidence", [])]

    in_article = [f for f in findings if f["target"] == "article" and f["located"]]
    in_summary = [f for f in findings if f["target"] == "summary" and f["located"]]
    claims = {
        j: (c["start"], c["end"])
        for j, c in enumerate(report["claims"])
        if 0 <= c["start"] < c["end"] <= len(text)
    }
    blocks = [
        {
            "kind": b.kind,
            "reason": b.reason,
            "plugin": b.plugin,
            "chars": b.end - b.start,
            "marks": _marks(text, b.start, b.end, in_article, claims, shown),
        }
        for b in article_blocks(article)
    ]
    summary_marks = (
        _marks(summary_text, 0, len(summary_text), in_summary, {}, shown) if summary else []
    )

    ordered = sorted(findings, key=lambda f: f["number"])
    categories = sorted({f["category"] for f in findings}, key=lambda c: (colours[c], c))
    script_data = {
        "minConfidence": min_confidence,
        "findings": [
            {
                k: f[k]
                for k in (
                    "id",
                    "number",
                    "category",
                    "label",
                    "colour",
                    "severity",
                    "confidence",
                    "explanation",
                    "suggestion",
                    "plugin",
                    "detectors",
                    "target",
                )
            }
            for f in findings
        ],
    }
    return {
        "title": _title(article),
        "article": article,
        "report": report,
        "summary": summary,
        "no_summary": _no_summary(report),
        "summary_failed": any(
            s["stage"] == "summariser" and s["status"] in {"failed", "unparseable"}
            for s in report.get("stages", [])
        ),
        "summary_marks": summary_marks,
        "blocks": blocks,
        "findings": ordered,
        "categories": [
            {
                "name": c,
                "label": _label(c),
                "colour": colours[c],
                "count": sum(f["category"] == c for f in findings),
            }
            for c in categories
        ],
        "severities": [
            {"name": s, "count": sum(f["severity"] == s for f in findings)} for s in WORST_FIRST
        ],
        "shown_count": len(shown),
        "shown_by_severity": {
            s: sum(f["severity"] == s and f["shown"] for f in findings) for s in WORST_FIRST
        },
        "min_confidence": min_confidence,
        "claims": [
            {
                **c,
                "id": j,
                "linked": j in claims,
                "verified": verification_view(c.get("verification")),
            }
            for j, c in enumerate(report["claims"])
        ],
        "given": given_views(report, findings, _marks, shown),
        "stages": report.get("stages", []),
        "calls": report.get("calls", []),
        "usage": _usage(report.get("calls", [])),
        "usage_line": usage_line(report),
        "from_cache": bool(report.get("calls"))
        and all(c["status"] == "cached" for c in report["calls"]),
        "model_named": model_named(report),
        "model": (report.get("model") or {}).get("name")
        or next((c["model"] for c in report.get("calls", [])), None),
        "dropped": report.get("dropped", []),
        "script_data": json_for_script(script_data),
        "css": _static("report.css"),
        "js": _static("report.js"),
    }


class HTMLFormat:
    """One self-contained HTML page per report; findings below ``min_confidence`` start hidden
    (the page's confidence filter starts there and can go lower)."""

    name = "html"
    extension = "html"

    def render(self, report: dict[str, Any], *, min_confidence: float = 0.0) -> str:
        template = environment().get_template("report.html.j2")
        return template.render(**report_context(report, min_confidence))


def render_index(entries: list[dict[str, Any]]) -> str:
    """The index page of a batch: one row per article, linking to its HTML report.

    Each entry has ``name``, ``report`` (the report's path relative to the index page, or
    ``None`` when there is no report), ``counts`` (findings by severity, e.g.
    ``{"high": 1, "medium": 2, "low": 0}``), ``status`` (``"ok"``, ``"partial"`` or
    ``"failed"``, as ``copydesk batch`` says) and, optionally, ``error``: what went wrong.
    """
    rows: list[dict[str, Any]] = []
    totals = dict.fromkeys(WORST_FIRST, 0)
    for e in entries:
        counts = {s: int((e.get("counts") or {}).get(s, 0)) for s in WORST_FIRST}
        status = str(e.get("status") or "ok")
        rows.append(
            {
                "name": str(e["name"]),
                "report": e.get("report"),
                "counts": counts,
                "status": status,
                # Coloured by kind; a status this page does not know is shown as a failure.
                "kind": status if status in {"ok", "partial", "skipped"} else "failed",
                "error": str(e.get("error") or ""),
            }
        )
        for s in WORST_FIRST:
            totals[s] += counts[s]
    template = environment().get_template("index.html.j2")
    return template.render(
        rows=rows,
        totals=totals,
        failed=sum(r["kind"] == "failed" for r in rows),
        partial=sum(r["kind"] == "partial" for r in rows),
        severities=WORST_FIRST,
        css=_static("report.css"),
    )


@copydesk.hookimpl
def register_formats(register: Callable[[ReportFormat], None]) -> None:
    register(HTMLFormat())
