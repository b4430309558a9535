"""``copydesk batch``: many articles through one copy desk, as fast as the endpoint allows.

    copydesk batch articles/ more.jsonl --output results.jsonl [--concurrency N]

Inputs are article files, URLs, folders (their article files in name order, as
``check`` reads them: ``.txt``, ``.md``, ``.html``, ``.htm``) and ``.jsonl`` files of
articles, one ``{"id", "text", "title"}`` object a line. The output gets one JSON object a
line per article, appended and flushed as each one finishes::

    {"id": ..., "source": ..., "status": "ok" | "partial" | "failed" | "skipped", "report": {...}}

``partial``: the report is there but a stage failed (its reason is in ``error`` and in the
report's stages); ``failed``: no report, and ``error`` says why (an unreadable input, say);
``skipped``: too short to be an article (under ``copydesk.inputs.MIN_WORDS`` words, as for
``check``), not sent to the model, ``error`` saying so.
One article's failure never stops the others. Run the same command again and the articles
already in the output are skipped (``--retry-failed`` runs the failed and partial ones
again, appending new lines: a reader keeps the last line of each id).

Speed: ``--concurrency`` articles are checked at once, each with its stages concurrent as
in ``check``; every request of every article goes through one gate — one connection pool
to the endpoint, opened once, a cap on requests in flight (``--max-in-flight``, default
32) and, on an HTTP 429, a pause for all of them until the ``Retry-After`` the server gave
(the request itself is retried by the openai client). With the response cache on (the
default at temperature 0) a re-run asks the model nothing. ``--processes N`` spreads the
articles over worker processes, which share that cap and that pause; by default one per
CPU for batches of 100 articles or more (copydesk's own work, ~12 ms of CPU an article,
caps one process near 80 articles/s).

Exit codes as for ``check``: 0 done, 1 a finding at or above ``--fail-on``, 2 a usage
error, 3 an article of this run failed or had a failed stage (or a worker process died
holding articles, which a re-run checks).

Where things are (each module imports only those above it in this list):

- :mod:`.tuning` — defaults (requests in flight, articles at once, processes), the CPUs,
  the garbage collector for a long run; the one place that asks whether the model is the
  embedded one;
- :mod:`.sources` — the inputs read into :class:`Source` items, JSONL lines parsed;
- :mod:`.evidence_field` — an article's own ``source`` documents (JSONL, Parquet) read and checked;
- :mod:`.output` — the resumable JSON Lines output: what is done, appending, flushing;
- :mod:`.progress` — the progress bar;
- :mod:`.gate` — :class:`SharedRequests`, the cap and the 429 :class:`Pause` (on a clock
  you can replace); the one place that touches how model calls find the gate and how a
  desk opens its endpoint;
- :mod:`.summary` — :class:`Tally` per article, :class:`BatchSummary` and its closing line;
- :mod:`.article` — one article checked into its line, whatever goes wrong with it;
- :mod:`.worker` — inside a worker process: build the desk, check what the pipe brings;
- :mod:`.processes` — the worker processes seen from the batch process: handing out
  articles, writing their lines, what a dead worker leaves;
- :mod:`.parquet` — Parquet articles in, and the Parquet results file (through a journal);
- :mod:`.corpus` — a corpus-size batch planned lazily (ids only in memory);
- :mod:`.ray_limiter`, :mod:`.ray_worker`, :mod:`.ray_cluster`, :mod:`.ray_run` — the Ray
  engine (``--engine ray``, docs/scale.md): the cluster's one limiter, the worker actor,
  Ray and the placing of workers, the driver that hands out articles and writes lines;
- :mod:`.run` — :class:`Batch` (the engine) and :func:`run_batch`;
- :mod:`.command` — the click command (the CLI imports it; nothing here imports the CLI).

The names below are importable from ``copydesk.batch`` itself; each module is loaded on
first use, so that ``copydesk --help`` (which builds the command) loads no engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .gate import GateStats, Pause, SharedPause, SharedRequests, retry_after
    from .output import open_output, read_done, write_line
    from .run import Batch, run_batch
    from .sources import Source, collect
    from .summary import BatchSummary, Tally
    from .tuning import (
        DEFAULT_MAX_IN_FLIGHT,
        auto_processes,
        default_concurrency,
        default_max_in_flight,
        long_run_gc,
    )

#: Each public name and the module of this package that defines it.
_HOMES = {
    "Batch": "run",
    "run_batch": "run",
    "Source": "sources",
    "collect": "sources",
    "read_done": "output",
    "open_output": "output",
    "write_line": "output",
    "GateStats": "gate",
    "Pause": "gate",
    "SharedPause": "gate",
    "SharedRequests": "gate",
    "retry_after": "gate",
    "Tally": "summary",
    "BatchSummary": "summary",
    "DEFAULT_MAX_IN_FLIGHT": "tuning",
    "auto_processes": "tuning",
    "default_concurrency": "tuning",
    "default_max_in_flight": "tuning",
    "long_run_gc": "tuning",
}

# Spelled out (not sorted(_HOMES)) so that linters and type checkers see it.
__all__ = [
    "DEFAULT_MAX_IN_FLIGHT",
    "Batch",
    "BatchSummary",
    "GateStats",
    "Pause",
    "SharedPause",
    "SharedRequests",
    "Source",
    "Tally",
    "auto_processes",
    "collect",
    "default_concurrency",
    "default_max_in_flight",
    "long_run_gc",
    "open_output",
    "read_done",
    "retry_after",
    "run_batch",
    "write_line",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{home}", __name__), name)
