"""One article through the desk: its output line, whatever goes wrong with it, and its tally.

The same in the batch's own process and in a worker process: an article's faults (an
unreadable file, a bad JSONL line, a model that never answered, a bug in a plugin) are
that article's ``failed`` line, never the batch's failure.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..errors import CopydeskError
from ..inputs import too_short
from ..model.transport import RequestGate
from ..report import ensure_valid
from ..runner import Copydesk
from ..types import severity_rank
from . import progress
from .sources import Source
from .summary import Tally


async def check_one(
    desk: Copydesk, source: Source, gate: RequestGate | None = None
) -> dict[str, Any]:
    """One article's output line (as a dict), its requests through ``gate``; never raises
    for the article's faults."""
    record: dict[str, Any] = {"id": source.id, "source": source.source}
    bar = progress.current()  # the batch's bar, when it is drawn in this process
    try:
        if source.from_disk:
            article = await asyncio.to_thread(source.load)
        else:
            article = source.load()
        why = too_short(article, source.source)
        if why is not None:  # not sent to the model: see copydesk.inputs.MIN_WORDS
            return {**record, "status": "skipped", "error": why, "report": None}
        documents = source.documents()  # its own evidence, beside the desk's --source
        listener = bar.article(source.id) if bar is not None else None
        result = await desk.check_async(article, documents=documents, gate=gate, progress=listener)
        report = ensure_valid(result.to_dict())  # a bug is this article's failure
    except CopydeskError as exc:
        return {**record, "status": "failed", "error": str(exc), "report": None}
    except Exception as exc:  # whatever it was, it is this article's, not the batch's
        error = f"{type(exc).__name__}: {exc}"
        return {**record, "status": "failed", "error": error, "report": None}
    finally:
        if bar is not None:
            bar.finished(source.id)
    record["status"] = "partial" if result.failed else "ok"
    if result.failed:
        record["error"] = "; ".join(
            f"{s.plugin} ({s.stage}) {s.status}: {s.reason}"
            for s in result.stages
            if s.status in ("failed", "unparseable")
        )
    record["report"] = report
    return record


def tally(record: dict[str, Any], min_confidence: float) -> Tally:
    """What the summary needs of one line: its status, its calls, its worst finding at or
    above ``min_confidence``."""
    counted = Tally(record["status"])
    report = record.get("report")
    if not report:
        return counted
    for call in report["calls"]:
        if call["status"] == "cached":
            counted.cached_calls += 1
        else:
            counted.model_calls += call["attempts"]
    for finding in report["findings"]:
        if finding["confidence"] >= min_confidence:
            counted.worst = max(counted.worst, severity_rank(finding["severity"]))
    return counted
