"""The batch's output: a JSON Lines file, one line per article, appended and flushed as each
one finishes, so that a killed run keeps every finished article and the same command
resumes it (the last line of an id wins; a torn last line is skipped, then fenced off)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO

from ..errors import CopydeskError, InputError


def read_done(output: Path) -> dict[str, str]:
    """The status of every id already in ``output`` (the last line of an id wins); a torn
    line (a run killed mid-write) is ignored."""
    done: dict[str, str] = {}
    if not output.exists():
        return done
    try:
        with output.open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict) and "id" in record:
                    done[str(record["id"])] = str(record.get("status"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the output {output} to resume: {exc}") from exc
    return done


def open_output(output: Path) -> IO[str]:
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        torn = False
        if output.exists() and output.stat().st_size:
            with output.open("rb") as existing:
                existing.seek(-1, os.SEEK_END)
                torn = existing.read(1) != b"\n"
        handle = output.open("a", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write to {output}: {exc.strerror or exc}") from exc
    if torn:  # a torn last line from a killed run must not swallow this run's first line
        handle.write("\n")
    return handle


def write_line(out: IO[str], output: Path, line: str) -> None:
    """Append one article's line and flush it: a killed run keeps every finished article."""
    try:
        out.write(line + "\n")
        out.flush()
    except OSError as exc:
        raise CopydeskError(
            f"cannot write to {output}: {exc.strerror or exc}",
            "the lines written so far are kept; free the space and run again",
        ) from exc
