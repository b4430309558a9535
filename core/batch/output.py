"""The batch's output: a JSON Lines file, one line per article, appended and flushed as each
one finishes, so that a killed run keeps every finished article and the same command
resumes it (the last line of an id wins; a torn last line is skipped, then fenced off).

A ``.parquet`` output is written through a JSON Lines journal beside it and folded into
the Parquet file when the batch ends (:mod:`.parquet`); :func:`results_file` and
:func:`read_done` hide which one it is from the engines."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from ..errors import CopydeskError, InputError


def read_done(output: Path) -> dict[str, str]:
    """The status of every id already in ``output`` (the last line of an id wins); a torn
    line (a run killed mid-write) is ignored. A Parquet output: its rows, then its journal."""
    from . import parquet

    if parquet.is_parquet(output):
        return {**parquet.done_in(output), **_lines_done(parquet.journal_of(output))}
    return _lines_done(output)


@contextlib.contextmanager
def results_file(output: Path) -> Iterator[IO[str]]:
    """Where the batch writes its lines (with :func:`write_line`): ``output`` itself, or a
    Parquet output's journal, folded into the Parquet file however the batch ends."""
    from . import parquet

    if not parquet.is_parquet(output):
        with open_output(output) as out:
            yield out
        return
    parquet.pyarrow()  # a missing pyarrow is said before anything runs
    try:
        with open_output(parquet.journal_of(output)) as out:
            yield out
    finally:
        try:
            parquet.fold_journal(output)
        except OSError as exc:
            raise CopydeskError(
                f"cannot write {output}: {exc.strerror or exc}",
                f"the lines are kept in {parquet.journal_of(output)}; run again to fold them in",
            ) from exc


def _lines_done(output: Path) -> dict[str, str]:
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
