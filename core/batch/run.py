"""The batch run: which articles are still to check, in this process or in worker processes,
and what the run did.

:func:`run_batch` is what ``copydesk batch`` calls; :class:`Batch` is the engine, for a
caller that builds its own desk (bench/run.py does).
"""

from __future__ import annotations

import asyncio
import json
import shlex
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from ..checking import RunOptions
from ..errors import ConfigError, InputError
from ..host import Host
from ..runner import Copydesk, DeskRecipe
from .article import check_one, tally
from .gate import Clock, Pause, SharedRequests, Sleep, shared_gate
from .output import read_done, results_file, write_line
from .processes import run_in_processes, start_method
from .progress import progress_bar
from .sources import Source, collect
from .summary import BatchSummary, Tally
from .tuning import (
    auto_processes,
    default_concurrency,
    default_max_in_flight,
    long_run_gc,
    process_limit,
)


class Batch:
    """Runs sources through one :class:`Copydesk` and appends a line per article.

    ``processes`` > 1 spreads the articles over worker processes (see
    :mod:`copydesk.batch.processes`), each building its own desk from ``recipe``; ``None``
    chooses (:func:`~copydesk.batch.tuning.auto_processes`). ``clock`` and ``sleep`` are
    what the 429 pause reads and waits with, in this process."""

    def __init__(
        self,
        desk: Copydesk,
        *,
        concurrency: int,
        max_in_flight: int,
        min_confidence: float = 0.0,
        progress: bool = True,
        processes: int | None = 1,
        recipe: DeskRecipe | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if concurrency < 1:
            raise ConfigError("--concurrency must be 1 or more")
        if processes is not None and processes > 1:
            if recipe is None:
                raise ConfigError("worker processes need the recipe of the desk to build")
            limit = process_limit(desk)
            if limit is not None and processes > limit:
                raise ConfigError(
                    f"--processes {processes}: the provider {desk.provider.name!r} "
                    f"({desk.provider.description}) suits at most {limit} worker "
                    f"process{'es' if limit > 1 else ''}",
                    f"use --processes {limit} or fewer, or another endpoint (--base-url)",
                )
        self.desk = desk
        self.concurrency = concurrency
        self.max_in_flight = max_in_flight
        self.min_confidence = min_confidence
        self.progress = progress
        self.processes = processes
        self.recipe = recipe
        self.clock = clock
        self.sleep = sleep
        #: Every request of this process's articles goes through it, once the run starts.
        self.gate: SharedRequests | None = None

    def plan(
        self, sources: list[Source], output: Path, *, retry_failed: bool = False
    ) -> tuple[list[Source], BatchSummary]:
        """The sources still to check (the output's lines are skipped), and the summary."""
        if output.is_dir():
            raise InputError(f"--output {output} is a folder", "name a .jsonl or .parquet file")
        done = read_done(output)
        redo = {"failed", "partial"} if retry_failed else set()
        todo = [s for s in sources if s.id not in done or done[s.id] in redo]
        return todo, BatchSummary(total=len(sources), skipped=len(sources) - len(todo))

    def processes_for(self, articles: int, start_method: str) -> int:
        """Worker processes for ``articles``: as asked, or as ``auto_processes``
        chooses; never more than the articles, the request slots or ``--concurrency``."""
        if self.processes is None and self.recipe is None:
            return 1
        wanted = (
            self.processes
            if self.processes is not None
            else auto_processes(self.desk, articles, self.max_in_flight)
        )
        wanted = max(1, min(wanted, articles, self.max_in_flight, self.concurrency))
        if wanted > 1 and self.recipe is not None and not self.recipe.portable(start_method):
            if self.processes is not None:
                raise ConfigError(
                    "--processes: plugins registered in code reach worker processes only "
                    "when they are forked, and this process cannot fork safely (it runs "
                    "threads, or this is not Linux)",
                    "use --processes 1, or install the plugins (entry points)",
                )
            return 1
        return wanted

    def run(
        self, sources: list[Source], output: Path, *, retry_failed: bool = False
    ) -> BatchSummary:
        todo, summary = self.plan(sources, output, retry_failed=retry_failed)
        if not todo:
            return summary
        method = start_method()
        processes = self.processes_for(len(todo), method)
        if processes > 1:
            assert self.recipe is not None  # processes_for gives 1 without one
            return run_in_processes(
                todo,
                output,
                summary,
                recipe=self.recipe,
                processes=processes,
                max_in_flight=self.max_in_flight,
                concurrency=self.concurrency,
                min_confidence=self.min_confidence,
                progress=self.progress,
                method=method,
            )
        return asyncio.run(self._run_here(todo, output, summary))

    async def run_async(
        self, sources: list[Source], output: Path, *, retry_failed: bool = False
    ) -> BatchSummary:
        """The batch in this process and this event loop (``processes`` is not used)."""
        todo, summary = self.plan(sources, output, retry_failed=retry_failed)
        if not todo:
            return summary
        return await self._run_here(todo, output, summary)

    async def _run_here(
        self, todo: list[Source], output: Path, summary: BatchSummary
    ) -> BatchSummary:
        gate = SharedRequests(self.max_in_flight, Pause(self.clock), sleep=self.sleep)
        summary.gate = gate.stats
        self.gate = gate
        async with shared_gate(gate):
            with results_file(output) as out:
                await self.desk.prepare_endpoint()
                started = time.perf_counter()
                try:
                    with long_run_gc(), progress_bar(self.progress, len(todo)) as bar:
                        await self._work(todo, out, output, summary, bar)
                finally:
                    summary.seconds = time.perf_counter() - started
        return summary

    async def _work(
        self,
        todo: list[Source],
        out: IO[str],
        output: Path,
        summary: BatchSummary,
        advance: Callable[[str], None],
    ) -> None:
        pending = iter(todo)

        async def worker() -> None:
            for source in pending:  # one iterator: each source goes to one worker
                record = await self.check_one(source)
                write_line(out, output, json.dumps(record, ensure_ascii=False))
                summary.add(self.tally(record))
                advance(record["status"])

        workers = [asyncio.ensure_future(worker()) for _ in range(min(self.concurrency, len(todo)))]
        try:
            finished, _ = await asyncio.wait(workers, return_when=asyncio.FIRST_EXCEPTION)
            for task in finished:
                task.result()  # a worker fails only when the output cannot be written
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    async def check_one(self, source: Source) -> dict[str, Any]:
        """One article's output line (as a dict); never raises for the article's faults."""
        return await check_one(self.desk, source, self.gate)

    def tally(self, record: dict[str, Any]) -> Tally:
        return tally(record, self.min_confidence)


def run_batch(
    host: Host,
    inputs: list[str],
    output: Path,
    *,
    concurrency: int | None = None,
    max_in_flight: int | None = None,
    processes: int | None = None,
    retry_failed: bool = False,
    min_confidence: float = 0.0,
    progress: bool = True,
    clock: Clock = time.monotonic,
    sleep: Sleep = asyncio.sleep,
    engine: str = "single",
    ray_address: str | None = None,
    requests_per_second: float | None = None,
    **options: Any,
) -> BatchSummary:
    """Check every article ``inputs`` name into ``output`` (JSON Lines, or Parquet for a
    ``.parquet`` name); see :mod:`copydesk.batch`. ``options`` are
    :class:`~copydesk.checking.RunOptions`'s fields, as for ``check``; ``clock`` and
    ``sleep`` are the 429 pause's (see :class:`Batch`). ``engine="ray"`` runs it on a Ray
    cluster (:mod:`copydesk.batch.ray_run`), joined at ``ray_address`` or started here."""
    run = RunOptions(**options)
    settings = run.settings()
    cassette = run.record or run.replay
    if cassette and processes is not None and processes > 1:
        raise ConfigError(
            "--processes: a cassette is recorded or replayed in one process",
            "leave --processes out with --record or --replay",
        )
    if engine != "ray" and (ray_address is not None or requests_per_second is not None):
        raise ConfigError(
            "--ray-address and --requests-per-second are the Ray engine's",
            "add --engine ray",
        )
    if engine == "ray":
        return _run_on_ray(
            host,
            run,
            inputs,
            output,
            concurrency=concurrency,
            max_in_flight=max_in_flight,
            workers=processes,
            retry_failed=retry_failed,
            min_confidence=min_confidence,
            progress=progress,
            address=ray_address,
            requests_per_second=requests_per_second,
        )
    sources = collect(inputs)
    if (run.summary is not None or run.headline is not None) and len(sources) > 1:
        raise ConfigError(
            "--summary and --headline are checked against one article",
            "check the article with `copydesk check ARTICLE --summary FILE`",
        )
    desk = Copydesk.from_options(settings, host, **run.desk_options())
    in_flight = max_in_flight or default_max_in_flight(desk)
    batch = Batch(
        desk,
        concurrency=concurrency or default_concurrency(in_flight),
        max_in_flight=in_flight,
        min_confidence=min_confidence,
        progress=progress,
        processes=1 if cassette else processes,
        recipe=DeskRecipe(settings, run.desk_options(), host),
        clock=clock,
        sleep=sleep,
    )
    command = "copydesk batch " + " ".join(shlex.quote(i) for i in inputs)
    try:
        with run.cassette(desk, command):
            return batch.run(sources, output, retry_failed=retry_failed)
    finally:
        desk.close()


def _run_on_ray(
    host: Host,
    run: RunOptions,
    inputs: list[str],
    output: Path,
    *,
    concurrency: int | None,
    max_in_flight: int | None,
    retry_failed: bool,
    **engine: Any,
) -> BatchSummary:
    """``run_batch`` on the Ray engine: the same desk, built here only to read what its
    provider suits (its endpoint is opened by the workers, not here)."""
    from .ray_run import RayBatch

    if run.record or run.replay:
        raise ConfigError(
            "--engine ray: a cassette is recorded or replayed in one process",
            "leave --engine out with --record or --replay",
        )
    if run.summary is not None or run.headline is not None:
        raise ConfigError(
            "--summary and --headline are checked against one article",
            "check the article with `copydesk check ARTICLE --summary FILE`",
        )
    settings = run.settings()
    desk = Copydesk.from_options(settings, host, **run.desk_options())
    try:
        in_flight = max_in_flight or default_max_in_flight(desk)
        batch = RayBatch(
            desk,
            DeskRecipe(settings, run.desk_options(), host),
            concurrency=concurrency or default_concurrency(in_flight),
            max_in_flight=in_flight,
            **engine,
        )
        return batch.run(inputs, output, retry_failed=retry_failed)
    finally:
        desk.close()
