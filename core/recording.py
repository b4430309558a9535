"""Recorded model responses: vcrpy cassettes that say where they came from.

``--record CASSETTE`` records every model call of a run over real HTTP; ``--replay
CASSETTE`` answers every call from the cassette with no network, key or model, and any
request the cassette does not hold is an error that names the prompt.

Requests match on method, path and the parts of the body that decide the answer — the
model, the messages and the response schema — but not on host or port, so a cassette
replays whatever port the server had. Sampling hints (temperature, seed, llama.cpp's
``cache_prompt``) are not matched: recording turns the prompt cache off for
reproducible answers, replaying need not. Auth headers are never written.

Each cassette carries a ``provenance`` block (model and its sha256, server, date,
copydesk version, each prompt's template hash) under vcrpy's ``metadata`` key, which
replay ignores, and a comment header a person reads first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError, NotRecorded
from .prompt_library import PromptLibrary

SERIALIZER = "copydesk-yaml"
MATCH_ON = ("method", "path", "copydesk_body")
#: Request body keys that decide what the model answers; the rest are transport hints.
MATCHED_BODY_KEYS = ("model", "messages", "response_format", "tools")
FILTERED_HEADERS = (
    "authorization",
    "api-key",
    "x-api-key",
    "openai-organization",
    "openai-project",
    "cookie",
    "set-cookie",
)
RERECORD_HINT = "re-record it: {command}"


def canonical_body(body: bytes | str | None) -> dict[str, Any] | str:
    if body is None:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return text
    if not isinstance(data, dict):
        return text
    return {k: data[k] for k in MATCHED_BODY_KEYS if k in data}


def _body_matcher(r1: Any, r2: Any) -> None:
    a, b = canonical_body(r1.body), canonical_body(r2.body)
    if a != b:
        raise AssertionError(
            f"the request body differs ({prompt_of(r1.body)!r} vs {prompt_of(r2.body)!r})"
        )


def prompt_of(body: bytes | str | None) -> str | None:
    """The prompt a recorded request was made for: its response schema carries the name."""
    data = canonical_body(body)
    if isinstance(data, dict):
        fmt = data.get("response_format") or {}
        return (fmt.get("json_schema") or {}).get("name")
    return None


class CassetteSerializer:
    """vcrpy's YAML, with the provenance first and a comment header above it."""

    @staticmethod
    def deserialize(cassette_string: str) -> Any:
        from vcr.serializers import yamlserializer

        return yamlserializer.deserialize(cassette_string)

    @staticmethod
    def serialize(cassette_dict: dict[str, Any]) -> str:
        from vcr.serializers import yamlserializer

        metadata = cassette_dict.get("metadata") or {}
        ordered = {
            "metadata": metadata,
            **{k: v for k, v in cassette_dict.items() if k != "metadata"},
        }
        prov = metadata.get("provenance", {})
        header = [
            "# copydesk cassette: real model answers, recorded over HTTP by `copydesk check --record`.",
            f"# provenance: model {prov.get('model', '?')} (sha256 {prov.get('model_sha256', '?')}),",
            f"#   server {prov.get('server', '?')}, recorded {prov.get('recorded_at', '?')},",
            f"#   copydesk {prov.get('copydesk_version', '?')}. Do not edit answers by hand.",
        ]
        # vcrpy's dumper (it refuses objects its safe loader could not read back), with
        # keys kept in order so the provenance is the first thing in the file.
        dumper = getattr(yamlserializer, "_CassetteDumper", yaml.SafeDumper)
        body = yaml.dump(ordered, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)
        return "\n".join(header) + "\n" + body


def read_provenance(path: Path) -> dict[str, Any]:
    """The provenance block of a cassette ({} for a cassette without one)."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read cassette {path}: {exc}") from exc
    if not isinstance(data, dict) or "interactions" not in data:
        raise ConfigError(f"{path} is not a vcrpy cassette")
    provenance: dict[str, Any] = (data.get("metadata") or {}).get("provenance") or {}
    return provenance


def make_vcr(record_mode: str) -> Any:
    import vcr

    recorder = vcr.VCR(
        record_mode=record_mode,
        match_on=MATCH_ON,
        filter_headers=list(FILTERED_HEADERS),
        decode_compressed_response=True,
        serializer=SERIALIZER,
    )
    recorder.register_matcher("copydesk_body", _body_matcher)
    recorder.register_serializer(SERIALIZER, CassetteSerializer())
    return recorder


def provenance(
    endpoint_info: dict[str, Any], model: str, provider: str, prompts: PromptLibrary, command: str
) -> dict[str, Any]:
    from importlib.metadata import version

    return {
        "recorded_by": "copydesk check --record (real model answers over HTTP)",
        "command": command,
        "provider": provider,
        "model": model,
        "model_sha256": endpoint_info.get("model_sha256"),
        "server": endpoint_info.get("server", "unknown (a hosted endpoint)"),
        "recorded_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "copydesk_version": version("copydesk"),
        "prompts": {name: prompts.digest(name) for name in prompts.names()},
    }


class Replay:
    """Explains a request the cassette does not hold: which prompt, and whether its
    template changed since the recording."""

    def __init__(self, path: Path, prompts: PromptLibrary, rerecord: str):
        self.path = path
        self.prompts = prompts
        self.rerecord = rerecord
        self.recorded = read_provenance(path)

    def miss(self, prompt: str) -> NotRecorded:
        recorded = (self.recorded.get("prompts") or {}).get(prompt)
        try:
            now = self.prompts.digest(prompt)
        except ConfigError:
            now = None
        if recorded is None:
            why = f"prompt {prompt!r} was never recorded in cassette {self.path}"
        elif recorded != now:
            template, _ = self.prompts.locate(prompt)
            why = (
                f"cassette {self.path} is stale: prompt template {prompt!r} ({template}) changed "
                f"since it was recorded (template hash {recorded}, now {now})"
            )
        else:
            why = (
                f"cassette {self.path} holds no answer for this {prompt!r} request "
                "(a different article, model or settings than were recorded)"
            )
        return NotRecorded(why, RERECORD_HINT.format(command=self.rerecord))


@contextlib.contextmanager
def replaying(path: Path) -> Iterator[Any]:
    if not path.is_file():
        raise ConfigError(f"cassette {path} does not exist", "record it first with --record")
    with make_vcr("none").use_cassette(str(path), allow_playback_repeats=True) as cassette:
        yield cassette


@contextlib.contextmanager
def recording(path: Path, provenance_of: Any) -> Iterator[Any]:
    """Record into a fresh temporary cassette and move it over ``path`` only when the run
    ends: an interrupted recording never leaves a half-written cassette behind.
    ``provenance_of()`` is called at the end, once the endpoint is known."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".yaml", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)  # vcrpy must see no cassette, or it would try to load one
    try:
        with make_vcr("all").use_cassette(tmp) as cassette:
            yield cassette
            cassette.get_metadata("provenance", provenance_of())
        if Path(tmp).exists():
            os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
