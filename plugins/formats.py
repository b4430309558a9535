"""The built-in report formats: ``terminal`` (rich), ``json`` and ``markdown``.

``json`` is the whole report, unfiltered (it validates against ``copydesk schema report``).
The display formats hide findings below ``--min-confidence``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

import copydesk
from copydesk.components import ReportFormat

SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan"}
VERDICT_STYLE = {"supported": "green", "contradicted": "bold red", "not_found": "yellow"}
GIVEN_LABELS = {"given_summary": "Summary given", "headline": "Headline given"}
CONTEXT_CHARS = 70


def evidence_where(e: dict[str, Any]) -> str:
    """Where a piece of evidence is: its source, its document, its characters."""
    name = e.get("title") or e.get("location") or e["document"]
    return f"{e['source']}: {name}, {e['start']}–{e['end']}"


def verdict_line(v: dict[str, Any]) -> str:
    """A verification in a line: the verdict, who reached it, and why."""
    return f"{v['verdict'].replace('_', ' ')} ({', '.join(v['detectors'])}): {v['explanation']}"


def shown(report: dict[str, Any], min_confidence: float) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["confidence"] >= min_confidence]


def finding_number(index: int) -> int:
    """The number every format gives the finding at ``index`` of the report's findings.

    One numbering everywhere: the report's own order (the worst first, then where the
    words are), counted from 1, so #3 in the terminal is #3 in the Markdown and HTML
    reports and ``findings[2]`` in the JSON; a finding hidden by ``--min-confidence``
    keeps its number (the others do not close up)."""
    return index + 1


def numbered(report: dict[str, Any], min_confidence: float) -> list[tuple[int, dict[str, Any]]]:
    """The findings shown at ``min_confidence``, each with its number."""
    return [
        (finding_number(i), f)
        for i, f in enumerate(report["findings"])
        if f["confidence"] >= min_confidence
    ]


def in_context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> tuple[str, str, str]:
    """The quote with a little of the text on each side, cut at word boundaries."""
    before = text[max(0, start - width) : start]
    after = text[end : end + width]
    if start - width > 0 and " " in before:
        before = "…" + before[before.index(" ") + 1 :]
    if end + width < len(text) and " " in after:
        after = after[: after.rindex(" ")] + "…"
    return before.replace("\n", " "), text[start:end], after.replace("\n", " ")


def _source_text(report: dict[str, Any], finding: dict[str, Any]) -> str:
    if finding.get("target") == "summary":
        return str((report.get("summary") or {}).get("text", ""))
    for given in report.get("given", []):
        if given["target"] == finding.get("target"):
            return str(given["text"])
    return str(report["article"]["text"])


def no_summary(report: dict[str, Any]) -> str:
    """Why there is no summary, in a few words."""
    stages = [s for s in report["stages"] if s["stage"] == "summariser"]
    if stages and all(s["status"] == "skipped" for s in stages):
        return "No summary: " + stages[0]["reason"].split("; ")[-1] + "."
    return "No summary: the summariser failed (see the stages below)."


def _seconds(report: dict[str, Any], what: str) -> float | None:
    """One of the report's timings (copydesk.timing), ``None`` in a report without."""
    value = ((report.get("timing") or {}).get(what) or {}).get("seconds")
    return float(value) if value is not None else None


def model_named(report: dict[str, Any]) -> str:
    """The model whose answers these are, with its sha256 when it is known."""
    model = report.get("model") or {}
    name = model.get("name") or next((c["model"] for c in report["calls"]), "")
    sha = model.get("model_sha256")
    return f"{name} (sha256 {sha})" if sha else str(name)


def usage_line(report: dict[str, Any]) -> str:
    """The run's cost in a line: calls, tokens, and its time told so that neither the
    wall time nor the model's misleads (calls that ran at the same time are never added
    into a wall figure; their sum is given as such)."""
    every = report["calls"]
    calls = [c for c in every if c["status"] != "cached"]
    from_cache = len(every) - len(calls)
    run = _seconds(report, "run")
    took = f"; {run:.1f} s in all" if run is not None else ""
    if not calls:
        if not from_cache:
            return f"no model calls{took}"
        return (
            f"no model calls: all {from_cache} answers came from the response cache, "
            f"given earlier by {model_named(report)}{took}"
        )
    prompt = sum(c["prompt_tokens"] for c in calls)
    cached = sum(c.get("cached_tokens", 0) for c in calls)
    completion = sum(c["completion_tokens"] for c in calls)
    added_up = sum(c["seconds"] for c in calls)
    replayed = (report.get("model") or {}).get("answers") == "cassette"
    head = (
        f"{len(calls)} model call{'s' if len(calls) != 1 else ''} to {model_named(report)}"
        + (" replayed from a cassette" if replayed else "")
        + f": {prompt:,} prompt tokens ({cached:,} cached), {completion:,} completion tokens"
    )
    busy = _seconds(report, "model_busy")
    if run is None or busy is None:  # a report from before copydesk timed its runs
        times = f"the calls took {added_up:.1f} s added up (calls at the same time overlap)"
    else:
        times = f"{run:.1f} s in all, {busy:.1f} s of it waiting on the model"
        if added_up > busy + 0.05:
            times += f" (the calls, {added_up:.1f} s added up, ran at the same time)"
    answers = "answer" if from_cache == 1 else "answers"
    also = f"; {from_cache} {answers} from the response cache" if from_cache else ""
    return f"{head}; {times}{also}"


class JSONFormat:
    name = "json"
    extension = "json"

    def render(self, report: dict[str, Any], *, min_confidence: float = 0.0) -> str:
        return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


class MarkdownFormat:
    name = "markdown"
    extension = "md"

    def render(self, report: dict[str, Any], *, min_confidence: float = 0.0) -> str:
        article = report["article"]
        out = [
            f"# copydesk report: {article.get('title') or article.get('source') or 'article'}",
            "",
        ]
        summary = report.get("summary")
        out += [
            "## Summary",
            "",
            summary["text"] if summary else f"_{no_summary(report)}_",
            "",
        ]
        findings = numbered(report, min_confidence)
        out += [f"## Findings ({len(findings)})", ""]
        for k, (n, f) in enumerate(findings):  # in the report's order: the worst first
            if k == 0 or findings[k - 1][1]["severity"] != f["severity"]:
                out += [f"### {str(f['severity']).capitalize()}", ""]
            where = GIVEN_LABELS.get(f["target"], f["target"]).lower()
            out.append(
                f"- #{n} **{f['category']}** — “{f['quote']}” ({where} {f['start']}–{f['end']}, "
                f"confidence {f['confidence']:.2f}, {', '.join(f['detectors'])})  "
            )
            out.append(
                f"  {f['explanation']}"
                + (f" *Suggestion:* {f['suggestion']}" if f["suggestion"] else "")
            )
            out += [f"  *Evidence* ({evidence_where(e)}): “{e['quote']}”  " for e in f["evidence"]]
            if k + 1 == len(findings) or findings[k + 1][1]["severity"] != f["severity"]:
                out.append("")
        out += [f"## Claims ({len(report['claims'])})", ""]
        for c in report["claims"]:
            speaker = f" — {c['speaker']}" if c.get("speaker") else ""
            out.append(
                f"- {c['text']} ({c['kind']}{speaker}; “{c['quote']}”, {c['start']}–{c['end']})"
            )
            out += _markdown_verification(c.get("verification"))
        out.append("")
        for g in report.get("given", []):
            out += [f"## {GIVEN_LABELS.get(g['target'], g['target'])}", "", g["text"], ""]
            for st in g["statements"]:
                out.append(f"- “{st['quote']}”")
                out += _markdown_verification(st["verification"])
            if g["statements"]:
                out.append("")
        if article["excluded"]:
            out += ["## Left out of the analysis", ""]
            out += [f"- {e['start']}–{e['end']}: {e['reason']}" for e in article["excluded"]]
            out.append("")
        out += ["## Stages", "", "| plugin | stage | status | reason |", "|---|---|---|---|"]
        for s in report["stages"]:
            reason = s["reason"].replace("|", "\\|").replace("\n", " ")
            out.append(f"| {s['plugin']} | {s['stage']} | {s['status']} | {reason} |")
        out += ["", usage_line(report), ""]
        return "\n".join(out)


def _markdown_verification(v: dict[str, Any] | None) -> list[str]:
    if not v:
        return []
    return [f"  - **{verdict_line(v)}**"] + [
        f"    - “{e['quote']}” ({evidence_where(e)})" for e in v["evidence"]
    ]


def _terminal_verification(v: dict[str, Any] | None) -> list[Text]:
    if not v:
        return []
    line = Text("     ")
    line.append(v["verdict"].replace("_", " ").upper(), VERDICT_STYLE.get(v["verdict"], ""))
    line.append(f" ({', '.join(v['detectors'])}) {v['explanation']}", "dim")
    return [line] + [
        Text(f"       “{e['quote']}” — {evidence_where(e)}", "dim") for e in v["evidence"]
    ]


class TerminalFormat:
    name = "terminal"
    extension = "txt"

    def __init__(self, console_factory: Callable[[], Console] | None = None) -> None:
        self._console_factory = console_factory

    def render(self, report: dict[str, Any], *, min_confidence: float = 0.0) -> str:
        console = self._console_factory() if self._console_factory else Console(highlight=False)
        with console.capture() as capture:
            console.print(self.renderable(report, min_confidence))
        return capture.get()

    def renderable(self, report: dict[str, Any], min_confidence: float) -> Group:
        article = report["article"]
        parts: list[Any] = []
        title = article.get("title") or article.get("source") or "article"
        summary = report.get("summary")
        parts.append(
            Panel(
                Text(summary["text"]) if summary else Text(no_summary(report), "red"),
                title=f"Summary — {title}",
                title_align="left",
            )
        )
        findings = numbered(report, min_confidence)
        hidden = len(report["findings"]) - len(findings)
        heading = f"Findings: {len(findings)}" + (
            f" ({hidden} below confidence {min_confidence:g} hidden)" if hidden else ""
        )
        parts.append(Text(heading, style="bold"))
        for n, f in findings:  # in the report's order: the worst first
            severity = f["severity"]
            before, quote, after = in_context(_source_text(report, f), f["start"], f["end"])
            line = Text(f"#{n:<3}")
            line.append(f"{severity.upper():<6} ", SEVERITY_STYLE[severity])
            line.append(f"{f['category']}", "bold")
            line.append(f"  confidence {f['confidence']:.2f} · {', '.join(f['detectors'])}", "dim")
            if f["target"] != "article":
                label = GIVEN_LABELS.get(f["target"], f["target"]).lower()
                line.append(f"  (in the {label})", "magenta")
            ctx = Text("   ")
            ctx.append(before, "dim")
            ctx.append(quote, "reverse")
            ctx.append(after, "dim")
            body = Text(f"   {f['explanation']}")
            if f["suggestion"]:
                body.append(f"\n   → {f['suggestion']}", "green")
            for e in f["evidence"]:
                body.append(f"\n   evidence: “{e['quote']}” — {evidence_where(e)}", "cyan")
            parts.extend([line, ctx, body, Text("")])
        if report["claims"]:
            parts.append(Text(f"Claims: {len(report['claims'])}", style="bold"))
            for c in report["claims"]:
                who = f" — {c['speaker']}" if c.get("speaker") else ""
                parts.append(Text(f" • {c['text']} ({c['kind']}{who})"))
                parts += _terminal_verification(c.get("verification"))
            parts.append(Text(""))
        for g in report.get("given", []):
            parts.append(Text(f"{GIVEN_LABELS.get(g['target'], g['target'])}: {g['text']}", "bold"))
            for st in g["statements"]:
                parts.append(Text(f" • {st['quote']}"))
                parts += _terminal_verification(st["verification"])
            parts.append(Text(""))
        for e in article["excluded"]:
            parts.append(
                Text(f"Left out: characters {e['start']}–{e['end']}, {e['reason']}", "dim")
            )
        table = Table("plugin", "stage", "status", "reason", box=None, pad_edge=False)
        first_with: dict[str, tuple[int, str]] = {}  # an error, and who first told it
        for row, s in enumerate(report["stages"]):
            style = {"ok": "green", "skipped": "dim"}.get(s["status"], "red")
            extra = f" ({s['dropped']} ungrounded dropped)" if s.get("dropped") else ""
            reason = s["reason"][:200]
            if s["status"] in ("failed", "unparseable") and reason:
                # The same error (an endpoint that cannot be reached) is told once.
                told = first_with.setdefault(reason, (row, f"{s['plugin']} ({s['stage']})"))
                if told[0] != row:
                    reason = f"the same error as {told[1]}"
            table.add_row(s["plugin"], s["stage"], Text(s["status"], style), reason + extra)
        parts += [table, Text(usage_line(report), "dim")]
        return Group(*parts)


@copydesk.hookimpl
def register_formats(register: Callable[[ReportFormat], None]) -> None:
    register(TerminalFormat())
    register(JSONFormat())
    register(MarkdownFormat())
