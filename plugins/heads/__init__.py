"""Judgement heads: what the model's own representations say about a sentence.

A head (:mod:`.head_file`) is a small data file of logistic-regression weights over one
embedding model's sentence embeddings, with its provenance and measured figures. The
heads shipped here were fitted on BABE (AGPL-3.0 data: see ``NOTICE``) for
``qwen2.5-coder-1.5b-instruct``; ``copydesk heads fit`` (:mod:`.commands`) fits heads for
any other model, and puts them where :func:`installed_heads` finds them.

Heads are found in, in order: this package (the shipped ones), the user's heads folder
(``$COPYDESK_HEADS_DIR``, by default ``heads`` in the user data folder), and any folder or
file the ``judgement`` checker's config names (``[plugins.judgement] heads = [...]``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from .head_file import SUFFIX, EmbeddingSpace, Head, HeadError, read_head

__all__ = [
    "EmbeddingSpace",
    "Head",
    "HeadError",
    "Installed",
    "find_heads",
    "installed_heads",
    "shipped_dir",
    "user_dir",
]

HEADS_DIR_ENV = "COPYDESK_HEADS_DIR"


def shipped_dir() -> Path:
    return Path(str(files("copydesk.plugins.heads")))


def user_dir() -> Path:
    """The user's heads folder, where a check looks for heads beside the shipped ones:
    ``$COPYDESK_HEADS_DIR`` or the user data folder's ``heads``."""
    env = os.environ.get(HEADS_DIR_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("copydesk")) / "heads"


@dataclass(frozen=True)
class Installed:
    """A head file found, read (``head``) or not (``error`` says why)."""

    path: Path
    origin: str  # "shipped", "user" or "config"
    head: Head | None = None
    error: str | None = None


def _files(place: Path) -> list[Path]:
    if place.is_dir():
        return sorted(p for p in place.iterdir() if p.name.endswith(SUFFIX))
    return [place] if place.is_file() else []


def find_heads(extra: Iterable[Path] = ()) -> list[Installed]:
    """Every head file installed, read; a file that does not read is listed with its
    error, so ``copydesk heads list`` can show it rather than hide it."""
    places = [(shipped_dir(), "shipped"), (user_dir(), "user")]
    places += [(Path(p).expanduser(), "config") for p in extra]
    out: list[Installed] = []
    seen: set[Path] = set()
    for place, origin in places:
        if origin == "config" and not place.exists():
            out.append(Installed(place, origin, error="no such file or folder"))
            continue
        for path in _files(place):
            if path.resolve() in seen:
                continue
            seen.add(path.resolve())
            try:
                out.append(Installed(path, origin, head=read_head(path)))
            except HeadError as exc:
                out.append(Installed(path, origin, error=str(exc)))
    return out


def installed_heads(extra: Iterable[Path] = ()) -> list[Head]:
    """The installed heads that read; raises :class:`HeadError` for one that does not,
    since silently scoring without it would change the findings unannounced."""
    found = find_heads(extra)
    broken = [i for i in found if i.head is None]
    if broken:
        raise HeadError(
            "; ".join(f"{i.path}: {i.error}" for i in broken),
            "fix or remove the head file (`copydesk heads list` shows every installed head)",
        )
    return [i.head for i in found if i.head is not None]
