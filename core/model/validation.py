"""Whether a model's answer is what the prompt asked for: JSON that validates against the
prompt's schema. The one place jsonschema is used on answers, and the one way its errors
are written for people (and fed back to the model when it is re-asked)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

#: Keywords left out of the schema sent as ``response_format``. llama.cpp compiles the
#: schema into a sampling grammar, and a string length bound becomes hundreds of nested
#: optional rules: sampling slowed to a few tokens a second (measured here: 6 tok/s
#: instead of ~150 with the tiny model). The full schema is still enforced on our side,
#: and a violation is re-asked like any other.
GRAMMAR_COSTLY = frozenset({"minLength", "maxLength", "pattern", "format", "$schema"})

_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions"})

#: At most this many problems are reported (and fed back to the model) at once.
MAX_ERRORS = 8


def response_schema(schema: Any) -> Any:
    """The schema to ask the server for: ``schema`` without the keywords in GRAMMAR_COSTLY
    (a property that happens to be *named* ``format`` or ``pattern`` is kept)."""
    if isinstance(schema, list):
        return [response_schema(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in GRAMMAR_COSTLY:
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: response_schema(sub) for name, sub in value.items()}
        else:
            out[key] = response_schema(value)
    return out


def describe_errors(errors: Iterable[ValidationError]) -> list[str]:
    """Schema errors as people (and models) read them: ``where: what``, in document order."""
    return [
        f"{'/'.join(str(p) for p in err.absolute_path) or '(top level)'}: {err.message}"
        for err in sorted(errors, key=lambda e: list(e.absolute_path))
    ]


@functools.lru_cache(maxsize=64)
def _validator(schema_json: str) -> Draft202012Validator:
    # Built once per schema: a batch validates thousands of answers against three schemas.
    return Draft202012Validator(json.loads(schema_json))


def schema_problems(data: Any, schema: dict[str, Any]) -> list[str]:
    """What keeps ``data`` from validating against ``schema`` (empty when it does)."""
    validator = _validator(json.dumps(schema, sort_keys=True))
    return describe_errors(validator.iter_errors(data))[:MAX_ERRORS]


def _strip_to_json(content: str) -> str:
    """Small models wrap JSON in code fences or chatter; keep the outermost object."""
    text = content.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
    if fenced:
        text = fenced.group(1).strip()
    if not text.startswith("{"):
        start, end = text.find("{"), text.rfind("}")
        if start != -1 and end > start:
            text = text[start : end + 1]
    return text


def parse_and_validate(content: str | None, schema: dict[str, Any]) -> tuple[Any | None, list[str]]:
    """Parse ``content`` as JSON and validate it: ``(data, [])`` or ``(None, errors)``."""
    if content is None or not content.strip():
        return None, ["the answer was empty"]
    try:
        data = json.loads(content)
    except json.JSONDecodeError:
        try:
            data = json.loads(_strip_to_json(content))
        except json.JSONDecodeError as exc:
            return None, [f"the answer is not valid JSON: {exc.msg} at line {exc.lineno}"]
    errors = schema_problems(data, schema)
    return (None, errors) if errors else (data, [])
