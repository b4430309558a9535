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


@cache
def report_schema() -> dict[str, Any]:
    """The JSON Schema every ``--format json`` report validates against."""
    text = files("copydesk").joinpath("schemas/report.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(report_schema())


def schema_errors(report: dict[str, Any]) -> list[str]:
    return describe_errors(_validator().iter_errors(report))


def grounding_errors(report: dict[str, Any]) -> list[str]:
    """Every quote must be exactly the text at its offsets; list the ones that are not."""
    article = report["article"]["text"]
    summary = (report.get("summary") or {}).get("text", "")
    errors = []
    for kind in ("claims", "findings"):
        for i, item in enumerate(report[kind]):
            text = summary if item.get("target") == "summary" else article
            if text[item["start"] : item["end"]] != item["quote"]:
                errors.append(
                    f"{kind}[{i}]: quote {item['quote']!r} is not at [{item['start']}, {item['end']})"
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
