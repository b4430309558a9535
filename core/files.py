"""Writing a file so that it holds either its old content or all of the new: a temporary
file beside it, renamed into place. The one way copydesk writes reports, cache entries
and anything else a reader might catch half-written.

The temporary file is made private by :func:`tempfile.mkstemp` (mode 0600); before it is
renamed it gets the mode any other new file of the user would have (0666 less the umask),
so a report is as readable as the user's other files.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

_umask_lock = threading.Lock()


@functools.cache
def _umask() -> int:
    with _umask_lock:  # reading the umask means setting it: once, under a lock
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_file(path: Path, *, binary: bool = False) -> Iterator[IO[Any]]:
    """A file to write ``path``'s new content into; it replaces ``path`` when the block
    ends without an error, and is removed otherwise. ``path``'s folder must exist."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:16]}.", suffix=".tmp", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):  # not on Windows, whose files have no such modes
            os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else "utf-8") as out:
            yield out
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` (text as UTF-8) with :func:`atomic_file`."""
    with atomic_file(path, binary=isinstance(data, bytes)) as out:
        out.write(data)
