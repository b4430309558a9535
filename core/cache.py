"""The response cache: the same question is never paid for twice.

A validated answer is kept on disk under the sha256 of the exact request that produced
it — the endpoint, model, messages, response schema and sampling parameters, as one
canonical JSON document — so a re-run of the same article with the same prompts, model
and settings asks the model nothing, and any change to any of those asks again. The
endpoint is its URL, or for the embedded model (a new port every run) the model file's
sha256 and the server's version (:func:`copydesk.model.endpoint_identity`).

Where: ``$COPYDESK_CACHE_DIR``, else ``responses`` in the user cache folder (on Linux
``~/.cache/copydesk/responses``); ``copydesk cache info`` prints it. One small JSON file
per answer, in 256 sub-folders by the key's first two hex digits.

Safe to share: every entry is written to a temporary file and renamed into place, so a
reader (another thread, another ``copydesk`` process) sees the whole old entry, the whole
new one, or none; two writers of one key write the same answer. A torn or foreign file is
a miss, replaced by the next answer. A cache that cannot be written (disk full, read-only)
warns once and the run goes on without it.

The cache is used only when it cannot change an answer: at temperature 0, and never while
recording a cassette (a recording must hold real HTTP) or replaying one (a replay answers
from the cassette). ``--no-cache`` bypasses it. Nothing is evicted: ``copydesk cache clear``
empties it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from .files import write_atomic
from .settings import Settings

#: Part of every key: bump it when what an entry holds changes meaning.
KEY_VERSION = 1

_ENTRY = re.compile(r"[0-9a-f]{64}\.json")
_SHARD = re.compile(r"[0-9a-f]{2}")
_TEMP = re.compile(r"\.[0-9a-f]{16}\..*\.tmp")


def cache_dir() -> Path:
    """``$COPYDESK_CACHE_DIR``, else ``responses`` in the user cache folder."""
    env = os.environ.get("COPYDESK_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("copydesk")) / "responses"


def canonical_json(value: Any) -> bytes:
    """One byte string per JSON value: sorted keys, no insignificant white space."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def request_key(request: dict[str, Any], endpoint: str) -> str:
    """The sha256 of the canonical request and the endpoint that answers it."""
    document = {"v": KEY_VERSION, "endpoint": endpoint.rstrip("/"), "request": request}
    return hashlib.sha256(canonical_json(document)).hexdigest()


def is_deterministic(request: dict[str, Any]) -> bool:
    """Whether asking again would (at best) give the same answer: greedy sampling, one
    choice; embeddings (a request with no messages) are not sampled at all."""
    if "messages" not in request:
        return True
    temperature = request.get("temperature", 1.0)  # the API's default is 1
    return temperature == 0 and request.get("n", 1) == 1


@dataclass(frozen=True)
class CacheInfo:
    path: Path
    entries: int
    bytes: int

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "entries": self.entries, "bytes": self.bytes}


class DiskCache:
    """A :class:`~copydesk.model.ResponseCache` on disk, content-addressed by request."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else cache_dir()
        #: Keys of requests that sample (temperature > 0): never read nor written.
        self._volatile: set[str] = set()
        self._broken = False

    # the ResponseCache protocol ----------------------------------------------------------

    def key(self, request: dict[str, Any], base_url: str) -> str:
        key = request_key(request, base_url)
        if not is_deterministic(request):
            self._volatile.add(key)
        return key

    def get(self, key: str) -> Any | None:
        if key in self._volatile:
            return None
        try:
            entry = json.loads(self._path(key).read_bytes())
        except (OSError, ValueError):
            return None  # absent, unreadable or torn: a miss, and the next put replaces it
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        return entry.get("value")

    def put(self, key: str, value: Any) -> None:
        if key in self._volatile or self._broken or value is None:
            return
        path = self._path(key)
        data = canonical_json({"key": key, "value": value})
        try:
            try:
                write_atomic(path, data)
            except FileNotFoundError:  # a new sub-folder, or another process cleared the cache
                path.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(path, data)
        except OSError as exc:
            # A cache is an optimisation: a full or read-only disk must not fail the run.
            self._broken = True
            print(
                f"copydesk: warning: the response cache at {self.root} cannot be written "
                f"({exc.strerror or exc}); going on without it",
                file=sys.stderr,
            )

    # managing it ---------------------------------------------------------------------------

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def _files(self, pattern: re.Pattern[str]) -> list[Path]:
        if not self.root.is_dir():
            return []
        return [
            f
            for shard in self.root.iterdir()
            if _SHARD.fullmatch(shard.name) and shard.is_dir()
            for f in shard.iterdir()
            if pattern.fullmatch(f.name)
        ]

    def info(self) -> CacheInfo:
        """Where the cache is, how many answers it holds and their size on disk."""
        sizes = []
        for entry in self._files(_ENTRY):
            try:
                sizes.append(entry.stat().st_size)
            except FileNotFoundError:  # removed meanwhile by another process
                continue
        return CacheInfo(self.root, len(sizes), sum(sizes))

    def clear(self) -> int:
        """Remove every entry (and temporary file) and return how many answers were removed.

        Only files named as this cache names them are touched, wherever the folder points."""
        removed = 0
        for entry in self._files(_ENTRY):
            try:
                entry.unlink()
                removed += 1
            except FileNotFoundError:
                continue
        for temp in self._files(_TEMP):
            temp.unlink(missing_ok=True)
        if self.root.is_dir():
            for shard in self.root.iterdir():
                if _SHARD.fullmatch(shard.name) and shard.is_dir():
                    # Not empty: something else lives there, or another process just wrote.
                    with contextlib.suppress(OSError):
                        shard.rmdir()
        return removed


def cache_for(settings: Settings, *, no_cache: bool = False) -> DiskCache | None:
    """The cache a run uses: on by default at temperature 0; off with ``--no-cache``, and
    off while recording (a cassette must hold real HTTP) or replaying (it answers)."""
    if no_cache or settings.recording or settings.offline or settings.temperature != 0:
        return None
    return DiskCache()


# copydesk cache ---------------------------------------------------------------------------


@click.group("cache")
def cache_group() -> None:
    """The response cache: validated answers kept on disk, so a re-run asks the model nothing."""


@cache_group.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def cache_info(as_json: bool) -> None:
    """Where the cache is, how many answers it holds and how much space they take."""
    from rich.filesize import decimal

    info = DiskCache().info()
    if as_json:
        click.echo(json.dumps(info.to_dict()))
        return
    click.echo(f"path: {info.path}")
    click.echo(f"entries: {info.entries}")
    click.echo(f"size: {decimal(info.bytes)}")


@cache_group.command("clear")
def cache_clear() -> None:
    """Remove every cached answer."""
    cache = DiskCache()
    removed = cache.clear()
    click.echo(f"removed {removed} cached answer{'s' if removed != 1 else ''} from {cache.root}")
