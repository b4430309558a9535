"""Parquet for corpus-size batches: articles read from a Parquet file (``id``, ``text``,
optional ``title`` and ``source``), and results written as one (``-o results.parquet``).

Reading is lazy: record batches of ``BATCH_ROWS`` rows, never the whole file.

Writing cannot append: a Parquet file is valid only once its footer is written. So while
a batch runs, its lines go to a journal beside the output (``results.parquet.partial.jsonl``,
JSON Lines, flushed line by line as the JSON Lines output is), and when the batch ends —
finished, failed or interrupted — the old file's rows and the journal's are written to a
new file that replaces the old one in one rename. A killed run leaves the old file valid
and the journal; the next run resumes from both and folds the journal in at its end. The
last line of an id wins, as in JSON Lines (``--retry-failed`` appends new lines).

One row per article: ``id``, ``source``, ``status``, ``error``, ``report`` (the report as a
JSON string) and its key figures as columns (:data:`FIGURES`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ConfigError, InputError

#: Rows per record batch, read or written.
BATCH_ROWS = 1000
#: The key figures of a report, as integer columns.
FIGURES = (
    "findings",
    "findings_high",
    "findings_medium",
    "findings_low",
    "claims",
    "model_calls",
    "cached_calls",
    "prompt_tokens",
    "completion_tokens",
)


def is_parquet(path: Path | str) -> bool:
    return str(path).lower().endswith(".parquet")


def pyarrow() -> Any:
    """pyarrow, or the install it needs."""
    try:
        import pyarrow as pa
        import pyarrow.parquet  # the submodule, loaded with it
    except ImportError as exc:
        raise ConfigError(
            "Parquet needs pyarrow, which is not installed",
            "pip install 'copydesk[parquet]' (or 'copydesk[ray]')",
        ) from exc
    return pa


def journal_of(output: Path) -> Path:
    """Where a Parquet output's lines go while a batch runs."""
    return output.with_name(output.name + ".partial.jsonl")


# reading articles -------------------------------------------------------------------------


#: The columns of a Parquet file of articles that are read (``text`` is required).
ARTICLE_COLUMNS = ("id", "text", "title", "source")


def article_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(row number, {"id", "text", "title", "source"})`` for each row of a Parquet file of
    articles, a record batch at a time; a column the file lacks is ``None`` in every row.
    ``source`` (the article's evidence documents) is as Arrow gives it: a string, a list of
    strings, a struct or a list of structs, as Python values
    (:func:`copydesk.batch.evidence_field.parse` reads them)."""
    pa = pyarrow()
    try:
        handle = pa.parquet.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"cannot read {path} as Parquet: {exc}") from exc
    names = set(handle.schema_arrow.names)
    if "text" not in names:
        raise InputError(f"{path} has no 'text' column", "articles need 'id' and 'text' columns")
    columns = [c for c in ARTICLE_COLUMNS if c in names]
    number = 0
    for batch in handle.iter_batches(batch_size=BATCH_ROWS, columns=columns):
        values = {c: batch.column(c).to_pylist() for c in columns}
        for i in range(batch.num_rows):
            number += 1
            yield (
                number,
                {c: values[c][i] if c in values else None for c in ARTICLE_COLUMNS},
            )


# the results file -------------------------------------------------------------------------


def done_in(output: Path) -> dict[str, str]:
    """The status of every id in a Parquet output (its journal is read as JSON Lines)."""
    if not output.exists():
        return {}
    pa = pyarrow()
    try:
        handle = pa.parquet.ParquetFile(output)
        done: dict[str, str] = {}
        for batch in handle.iter_batches(batch_size=50_000, columns=["id", "status"]):
            ids, statuses = batch.column("id").to_pylist(), batch.column("status").to_pylist()
            done.update(zip(ids, statuses, strict=True))
    except (OSError, KeyError, pa.ArrowException) as exc:
        raise InputError(
            f"cannot read the output {output} to resume: {exc}",
            "name a new output, or the Parquet file an earlier batch wrote",
        ) from exc
    return done


def row_of(record: dict[str, Any]) -> dict[str, Any]:
    """One output line (as a dict) as a row: the report as JSON, its figures as columns."""
    report = record.get("report")
    row: dict[str, Any] = {
        "id": str(record["id"]),
        "source": record.get("source"),
        "status": record.get("status"),
        "error": record.get("error"),
        "report": json.dumps(report, ensure_ascii=False) if report else None,
    }
    figures = dict.fromkeys(FIGURES, 0)
    if report:
        findings = report.get("findings") or []
        figures["findings"] = len(findings)
        for finding in findings:
            key = f"findings_{finding.get('severity')}"
            if key in figures:
                figures[key] += 1
        figures["claims"] = len(report.get("claims") or [])
        for call in report.get("calls") or []:
            if call.get("status") == "cached":
                figures["cached_calls"] += 1
            else:
                figures["model_calls"] += call.get("attempts", 0)
                figures["prompt_tokens"] += call.get("prompt_tokens", 0)
                figures["completion_tokens"] += call.get("completion_tokens", 0)
    return {**row, **figures}


def _schema(pa: Any) -> Any:
    text = [pa.field(n, pa.string()) for n in ("id", "source", "status", "error", "report")]
    return pa.schema(text + [pa.field(n, pa.int64()) for n in FIGURES])


def fold_journal(output: Path) -> None:
    """The journal's lines and the old file's rows into a new Parquet file, which then
    replaces the old one; the journal is removed. Nothing to fold: nothing done."""
    journal = journal_of(output)
    if not journal.exists():
        return
    last = _last_line_of_each_id(journal)
    if not last:
        journal.unlink()
        return
    pa = pyarrow()
    schema = _schema(pa)
    new = output.with_name(output.name + ".new")
    with pa.parquet.ParquetWriter(new, schema) as writer:

        def flush(rows: list[dict[str, Any]]) -> None:
            if rows:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                rows.clear()

        if output.exists():  # the old rows, but those the journal has again
            for batch in pa.parquet.ParquetFile(output).iter_batches(batch_size=BATCH_ROWS):
                table = pa.Table.from_batches([batch])
                keep = [i not in last for i in table.column("id").to_pylist()]
                writer.write_table(table.filter(pa.array(keep)).select(schema.names).cast(schema))
        rows: list[dict[str, Any]] = []
        with journal.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle):
                record = _record(line)
                if record is not None and last.get(str(record["id"])) == number:
                    rows.append(row_of(record))
                    if len(rows) >= BATCH_ROWS:
                        flush(rows)
        flush(rows)
    os.replace(new, output)  # one rename: the old file or the new one, never half of either
    journal.unlink()


def _record(line: str) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return None  # a torn line (a run killed mid-write): that article is checked again
    return record if isinstance(record, dict) and "id" in record else None


def _last_line_of_each_id(journal: Path) -> dict[str, int]:
    """Each id's last line number in the journal (ids only: the reports stay on disk)."""
    last: dict[str, int] = {}
    with journal.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            record = _record(line)
            if record is not None:
                last[str(record["id"])] = number
    return last
