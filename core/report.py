"""The JSON report: its schema, the checks every report must pass, and writing it safely."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from .errors import CopydeskError
from .files import write_atomic as _write_file
from .model.validation import describe_errors

#: Every report schema version there has been, and its file: a report is validated against
#: the schema of the version it says it is, so a report written by an older copydesk
#: still validates. The last is the current one.
SCHEMA_FILES = {"1.0": "report-1.0.schema.json", "1.1": "report.schema.json"}


@cache
def report_schema(version: str | None = None) -> dict[str, Any]:
    """The JSON Schema every ``--format json`` report validates against (or that of an
    earlier ``version``)."""
    name = SCHEMA_FILES[version or list(SCHEMA_FILES)[-1]]
    text = files("copydesk").joinpath(f"schemas/{name}").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(version: str | None = None) -> Draft202012Validator:
    return Draft202012Validator(report_schema(version))


def schema_errors(report: dict[str, Any]) -> list[str]:
    version = report.get("schema_version")
    validator = _validator(version if version in SCHEMA_FILES else None)
    return describe_errors(validator.iter_errors(report))


def grounding_errors(report: dict[str, Any]) -> list[str]:
    """Every quote must be exactly the text at its offsets, and every piece of evidence
    its passage's text at the same offsets; list the ones that are not."""
    article = report["article"]["text"]
    texts = {"article": article, "summary": (report.get("summary") or {}).get("text", "")}
    texts |= {g["target"]: g["text"] for g in report.get("given", [])}
    errors = []
    for kind in ("claims", "findings"):
        for i, item in enumerate(report[kind]):
            text = texts.get(item.get("target", "article"), "")
            if text[item["start"] : item["end"]] != item["quote"]:
                errors.append(
                    f"{kind}[{i}]: quote {item['quote']!r} is not at [{item['start']}, {item['end']})"
                )
            evidence = item.get("evidence") or (item.get("verification") or {}).get("evidence")
            errors += _evidence_errors(f"{kind}[{i}]", evidence or [], report)
    for g in report.get("given", []):
        for j, s in enumerate(g["statements"]):
            where = f"given[{g['target']}].statements[{j}]"
            if g["text"][s["start"] : s["end"]] != s["quote"]:
                errors.append(f"{where}: quote {s['quote']!r} is not at [{s['start']}, {s['end']})")
            errors += _evidence_errors(
                where, (s.get("verification") or {}).get("evidence", []), report
            )
    return errors


def _evidence_errors(
    where: str, evidence: list[dict[str, Any]], report: dict[str, Any]
) -> list[str]:
    errors = []
    article = report["article"]
    for k, e in enumerate(evidence):
        p = e["passage"]
        inside = p["start"] <= e["start"] <= e["end"] <= p["end"]
        at = p["text"][e["start"] - p["start"] : e["end"] - p["start"]]
        if p["end"] - p["start"] != len(p["text"]) or not inside or at != e["quote"]:
            errors.append(
                f"{where}.evidence[{k}]: {e['quote']!r} is not its passage's text at [{e['start']}, {e['end']})"
            )
        elif e["source"] == "article" and article["text"][e["start"] : e["end"]] != e["quote"]:
            errors.append(
                f"{where}.evidence[{k}]: {e['quote']!r} is not the article's at [{e['start']}, {e['end']})"
            )
    return errors


def report_problems(report: dict[str, Any]) -> list[str]:
    """Everything wrong with ``report``: schema errors, then quotes not at their offsets."""
    return schema_errors(report) + grounding_errors(report)


def ensure_valid(report: dict[str, Any]) -> dict[str, Any]:
    """``report``, once it has passed its own checks; a report that fails them is a bug in
    copydesk or a plugin, never the input's fault, and is never passed on."""
    problems = report_problems(report)
    if problems:
        raise CopydeskError(
            "internal error: the report failed its own checks: " + "; ".join(problems[:5]),
            "please report this as a copydesk bug",
        )
    return report


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` so that ``path`` holds either its old content or all of the new."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_file(path, text)
