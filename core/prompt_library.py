"""Prompt templates and the JSON Schemas of their answers.

A prompt is a Jinja template ``NAME.j2`` with two blocks, ``system`` and ``user``, and
the schema of the answer beside it as ``NAME.schema.json``. Templates are looked up in
order: the user's ``--prompts-dir`` folders, then plugins' folders, then the built-ins.
``{% extends "default:NAME.j2" %}`` reaches the built-in template even when an override
of the same name shadows it.

The article always goes into the *system* message, first and identical for every
prompt, so a server's prefix cache serves it once for all stages; the task follows in
the *user* message. The article is fenced as data with a delimiter derived from its own
hash, which the article cannot contain, so text in the article cannot close the fence.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from .errors import ConfigError

BUILTIN_PROMPTS = Path(str(files("copydesk.prompts")))


@dataclass
class RenderedPrompt:
    name: str
    messages: list[dict[str, str]]
    schema: dict[str, Any]
    source: str


def fence(text: str) -> str:
    """The delimiter word for ``text``: its own hash cannot occur inside it."""
    return "ARTICLE-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


class PromptLibrary:
    """Finds, renders and describes prompts along the search path."""

    def __init__(self, user_dirs: list[Path] | None = None, plugin_dirs: list[Path] | None = None):
        self.user_dirs = [Path(d) for d in user_dirs or []]
        self.plugin_dirs = [Path(d) for d in plugin_dirs or []]
        for d in self.user_dirs:
            if not d.is_dir():
                raise ConfigError(f"prompts folder {d} does not exist")

    @property
    def search_path(self) -> list[Path]:
        return [*self.user_dirs, *self.plugin_dirs, BUILTIN_PROMPTS]

    @cached_property
    def env(self) -> jinja2.Environment:
        builtin = jinja2.FileSystemLoader(str(BUILTIN_PROMPTS))
        loader = jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader([str(p) for p in self.search_path]),
                jinja2.PrefixLoader({"default": builtin}, delimiter=":"),
            ]
        )
        # Sandboxed: a prompt folder is configuration, not code, and must not run any.
        env = SandboxedEnvironment(
            loader=loader,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,
        )
        env.globals["fence"] = fence
        env.filters["tojson_compact"] = lambda v: json.dumps(v, ensure_ascii=False)
        return env

    def names(self) -> list[str]:
        found: set[str] = set()
        for folder in self.search_path:
            if folder.is_dir():
                found.update(
                    p.name[: -len(".j2")] for p in folder.glob("*.j2") if not p.name.startswith("_")
                )
        return sorted(found)

    def locate(self, name: str) -> tuple[Path, Path]:
        """The template and the schema that ``name`` resolves to (each found on its own,
        so an override may replace the template and keep the built-in schema)."""
        template = self._first(f"{name}.j2")
        schema = self._first(f"{name}.schema.json")
        if template is None:
            raise ConfigError(
                f"no prompt named {name!r}",
                f"known prompts: {', '.join(self.names())}; looked in "
                + ", ".join(str(p) for p in self.search_path),
            )
        if schema is None:
            raise ConfigError(f"prompt {name!r} has no schema {name}.schema.json beside it")
        return template, schema

    def _first(self, filename: str) -> Path | None:
        for folder in self.search_path:
            candidate = folder / filename
            if candidate.is_file():
                return candidate
        return None

    def schema(self, name: str) -> dict[str, Any]:
        _, schema_path = self.locate(name)
        try:
            loaded: dict[str, Any] = json.loads(schema_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError(f"cannot read schema {schema_path}: {exc}") from exc
        return loaded

    def digest(self, name: str) -> str:
        """A hash of what the prompt's template and schema say (for cassette provenance)."""
        template, schema = self.locate(name)
        h = hashlib.sha256()
        # The shared frame is part of every prompt: a change to it changes them all.
        for part in (template, schema, self._first("_base.j2")):
            if part is not None:
                h.update(part.read_bytes())
        return h.hexdigest()[:16]

    def render(self, name: str, **variables: Any) -> RenderedPrompt:
        template_path, _ = self.locate(name)
        try:
            template = self.env.get_template(f"{name}.j2")
            ctx = template.new_context(variables)
            # Running the root once registers inherited blocks, so an override that
            # extends the default gets the default's blocks it does not replace.
            "".join(template.root_render_func(ctx))
            parts = {}
            for block in ("system", "user"):
                if block not in ctx.blocks:
                    raise ConfigError(f"prompt {template_path} has no {{% block {block} %}}")
                parts[block] = "".join(ctx.blocks[block][0](ctx)).strip()
        except jinja2.TemplateError as exc:
            where = getattr(exc, "filename", None) or template_path
            raise ConfigError(f"prompt {name!r} ({where}) failed to render: {exc}") from exc
        return RenderedPrompt(
            name=name,
            messages=[
                {"role": "system", "content": parts["system"]},
                {"role": "user", "content": parts["user"]},
            ],
            schema=self.schema(name),
            source=str(template_path),
        )
