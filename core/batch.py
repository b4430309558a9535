"""``copydesk batch``: many articles through one copy desk, as fast as the endpoint allows.

    copydesk batch articles/ more.jsonl --output results.jsonl [--concurrency N]

Inputs are article files, URLs, folders (their article files in name order, as
``check`` reads them: ``.txt``, ``.md``, ``.html``, ``.htm``) and ``.jsonl`` files of
articles, one ``{"id", "text", "title"}`` object a line. The output gets one JSON object a line per article, appended and flushed as each
one finishes::

    {"id": ..., "source": ..., "status": "ok" | "partial" | "failed", "report": {...}}

``partial``: the report is there but a stage failed (its reason is in ``error`` and in the
report's stages); ``failed``: no report, and ``error`` says why (an unreadable input, say).
One article's failure never stops the others. Run the same command again and the articles
already in the output are skipped (``--retry-failed`` runs the failed and partial ones
again, appending new lines: a reader keeps the last line of each id).

Speed: ``--concurrency`` articles are checked at once, each with its stages concurrent as
in ``check``; every request of every article goes through one :class:`SharedRequests` —
one connection pool to the endpoint, opened once, a cap on requests in flight
(``--max-in-flight``, default 32) and, on an HTTP 429, a pause for all of them until the
``Retry-After`` the server gave (the request itself is retried by the openai client).
With the response cache on (the default at temperature 0) a re-run asks the model nothing.
``--processes N`` spreads the articles over worker processes (:mod:`copydesk.workers`),
which share that cap and that pause; by default one per CPU for batches of 100 articles or
more (copydesk's own work, ~12 ms of CPU an article, caps one process near 80 articles/s).

Exit codes as for ``check``: 0 done, 1 a finding at or above ``--fail-on``, 2 a usage
error, 3 an article of this run failed or had a failed stage (or a worker process died
holding articles, which a re-run checks).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import gc
import json
import os
import shlex
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import IO, Any

import click

from .calls import CountingHttpxClient, request_gate
from .checking import RunOptions
from .components import Endpoint
from .errors import (
    EXIT_FINDINGS,
    EXIT_MODEL,
    EXIT_OK,
    ConfigError,
    CopydeskError,
    InputError,
)
from .host import Host
from .inputs import ARTICLE_SUFFIXES, article_from_bytes, expand_inputs, is_url, read_article
from .report import ensure_valid
from .runner import Copydesk, DeskRecipe
from .settings import Settings
from .types import Article, severity_rank

#: The cap on requests in flight to a remote endpoint.
DEFAULT_MAX_IN_FLIGHT = 32
#: The embedded model's server answers one request at a time: one more keeps it busy.
LOCAL_MAX_IN_FLIGHT = 2
#: The longest shared pause a 429 can ask for, and the pause when it names none.
MAX_PAUSE = 60.0
DEFAULT_PAUSE = 1.0


# inputs -------------------------------------------------------------------------------------


@dataclass
class Source:
    """One article to check: its id (the resume key), where it came from, and how to read it
    — plain data, so that it can be handed to a worker process."""

    id: str
    source: str
    #: A file or URL to read (in a thread: it touches the disk or the network).
    path: str | None = None
    #: A JSONL line's object, with a string ``text``.
    record: dict[str, Any] | None = None
    #: Why this input cannot be checked (a malformed JSONL line): the article's failure.
    refusal: str | None = None

    @property
    def from_disk(self) -> bool:
        return self.path is not None

    def load(self) -> Article:
        if self.refusal is not None:
            raise InputError(self.refusal)
        if self.path is not None:
            return read_article(self.path)
        assert self.record is not None
        article = article_from_bytes(
            self.record["text"].encode("utf-8"), self.source, source=self.source
        )
        title = self.record.get("title")
        if isinstance(title, str) and title.strip():
            article.title = title.strip()
        return article


def _file_source(path: str) -> Source:
    """A file (its id the normalised path) or a URL (its id the URL)."""
    name = path if is_url(path) else os.path.normpath(path)
    return Source(name, name, path=name)


def _jsonl_sources(path: Path) -> Iterator[Source]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    name = os.path.normpath(str(path))
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Source(where, where, refusal=f"{where} is not a JSON object: {exc.msg}")
            continue
        if not isinstance(record, dict):
            yield Source(where, where, refusal=f"{where} is not a JSON object")
            continue
        ident = str(record["id"]) if record.get("id") not in (None, "") else where
        if not isinstance(record.get("text"), str):
            yield Source(ident, where, refusal=f'{where} has no "text" string')
            continue
        yield Source(ident, where, record={"text": record["text"], "title": record.get("title")})


def collect(inputs: Iterable[str]) -> list[Source]:
    """Every article the inputs name, in order; a missing input or a repeated id is an error
    before anything runs, an unreadable article is that article's failure."""
    sources: list[Source] = []
    for given in inputs:
        if given == "-":
            raise InputError("batch reads files, not standard input", "save the articles first")
        if not is_url(given) and not Path(given).exists():
            raise InputError(f"{given} does not exist")
        if not is_url(given) and Path(given).suffix.lower() == ".jsonl":
            sources.extend(_jsonl_sources(Path(given)))
        else:  # a file, a URL, or a folder's article files (as check reads them)
            sources.extend(_file_source(path) for path in expand_inputs([given]))
    unique: dict[str, Source] = {}
    for src in sources:
        seen = unique.get(src.id)
        if seen is None:
            unique[src.id] = src
        elif seen.source != src.source:
            raise InputError(
                f"two articles have the id {src.id!r} ({seen.source} and {src.source})",
                "give every article of a batch its own id",
            )
    if not unique:
        raise InputError(
            "no articles found in " + ", ".join(inputs),
            f"give article files ({', '.join(ARTICLE_SUFFIXES)}), folders of them, URLs or "
            ".jsonl files of articles",
        )
    return list(unique.values())


# the output -----------------------------------------------------------------------------------


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


# requests shared by every article --------------------------------------------------------------


@dataclass
class GateStats:
    requests: int = 0
    peak_in_flight: int = 0
    #: 429 answers seen, requests held back by the shared pause, and that pause's seconds.
    rate_limited: int = 0
    held: int = 0
    paused_seconds: float = 0.0


class Pause:
    """Until when every request waits after a 429, on the ``time.monotonic()`` clock (one
    clock for every process of the machine). This one lives in one process; worker
    processes share a :class:`copydesk.workers.SharedPause` instead."""

    def __init__(self) -> None:
        self._until = 0.0

    @property
    def until(self) -> float:
        return self._until

    def _store(self, until: float) -> None:
        self._until = until

    def extend(self, until: float) -> float:
        """Pause until ``until`` unless already paused longer; the seconds it added."""
        current = self.until
        if until > current:
            self._store(until)
        return max(0.0, until - max(time.monotonic(), current))


class SharedRequests:
    """A :class:`~copydesk.calls.RequestGate`: one connection pool per endpoint for the whole
    batch, at most ``max_in_flight`` requests in flight (each attempt counts, a re-ask or a
    retry included), and one pause for every worker when the endpoint rate-limits.

    The openai client still retries the rate-limited request itself, honouring
    ``Retry-After``; the shared pause keeps all the others from hammering the endpoint
    meanwhile. Cached answers never reach the gate."""

    def __init__(
        self, max_in_flight: int = DEFAULT_MAX_IN_FLIGHT, pause: Pause | None = None
    ) -> None:
        if max_in_flight < 1:
            raise ConfigError("--max-in-flight must be 1 or more")
        self.max_in_flight = max_in_flight
        self.stats = GateStats()
        self.pause = pause or Pause()
        self._slots = asyncio.Semaphore(max_in_flight)
        self._in_flight = 0
        self._clients: dict[tuple[str, int], Any] = {}

    def http_client(self, endpoint: Endpoint) -> Any:
        key = (endpoint.base_url, id(endpoint.transport))
        if key not in self._clients:
            self._clients[key] = _GatedHttpxClient(self, transport=endpoint.transport)
        return self._clients[key]

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the ``max_in_flight`` places, once any shared pause is over."""
        async with self._slots:
            await self._wait_out_pause()
            self._in_flight += 1
            self.stats.requests += 1
            self.stats.peak_in_flight = max(self.stats.peak_in_flight, self._in_flight)
            try:
                yield
            finally:
                self._in_flight -= 1

    async def _wait_out_pause(self) -> None:
        held = False
        while (delay := self.pause.until - time.monotonic()) > 0:
            if not held:
                self.stats.held += 1
                held = True
            await asyncio.sleep(delay)

    def rate_limited(self, headers: Mapping[str, str]) -> None:
        """An HTTP 429: pause every worker for as long as the server asked (``Retry-After``)."""
        self.stats.rate_limited += 1
        pause = retry_after(headers)
        seconds = DEFAULT_PAUSE if pause is None else min(pause, MAX_PAUSE)
        self.stats.paused_seconds += self.pause.extend(time.monotonic() + seconds)

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date)."""
    lower = {k.lower(): v for k, v in headers.items()}
    with contextlib.suppress(ValueError, TypeError):
        if "retry-after-ms" in lower:
            return max(0.0, float(lower["retry-after-ms"]) / 1000)
    value = lower.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class _GatedHttpxClient(CountingHttpxClient):
    """openai's default httpx client (its limits, time-outs and proxies), every send gated."""

    def __init__(self, gate: SharedRequests, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._gate = gate

    async def send(self, request: Any, **kwargs: Any) -> Any:
        async with self._gate.slot():
            response = await super().send(request, **kwargs)
            if response.status_code == 429:
                self._gate.rate_limited(response.headers)
        return response


# the run ----------------------------------------------------------------------------------------


@dataclass
class Tally:
    """What the summary needs of one article's line (a worker process sends only this)."""

    status: str
    model_calls: int = 0
    cached_calls: int = 0
    #: The worst severity at or above ``--min-confidence`` (-1: no finding).
    worst: int = -1


@dataclass
class BatchSummary:
    """What a batch did; ``exit_code`` is the CLI's."""

    total: int = 0
    skipped: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {"ok": 0, "partial": 0, "failed": 0})
    model_calls: int = 0
    cached_calls: int = 0
    worst: int = -1
    seconds: float = 0.0
    processes: int = 1
    gate: GateStats = field(default_factory=GateStats)
    #: Articles a worker process took and never answered for (it died): not in the output.
    lost: int = 0
    lost_reason: str = ""

    @property
    def checked(self) -> int:
        return sum(self.counts.values())

    def add(self, tally: Tally) -> None:
        self.counts[tally.status] += 1
        self.model_calls += tally.model_calls
        self.cached_calls += tally.cached_calls
        self.worst = max(self.worst, tally.worst)

    def exit_code(self, fail_on: str | None) -> int:
        if self.counts["partial"] or self.counts["failed"] or self.lost:
            return EXIT_MODEL
        if fail_on is not None and self.worst >= severity_rank(fail_on):
            return EXIT_FINDINGS
        return EXIT_OK

    def line(self, output: Path) -> str:
        if not self.checked and not self.lost:
            return (
                f"nothing to check: all {self.total} articles are already in {output} "
                "(--retry-failed runs the failed and partial ones again)"
            )
        rate = self.checked / self.seconds if self.seconds else 0.0
        parts = [f"{self.counts[s]} {s}" for s in ("ok", "partial", "failed")]
        if self.skipped:
            parts.append(f"{self.skipped} skipped (already in {output})")
        text = (
            f"{self.checked} article{'s' if self.checked != 1 else ''} checked: "
            + ", ".join(parts)
            + f"; {self.model_calls} model calls, {self.cached_calls} answered from the cache"
            + f"; {self.seconds:.1f} s ({rate:.1f} articles/s"
            + (f", {self.processes} processes)" if self.processes > 1 else ")")
        )
        if self.gate.rate_limited:
            text += (
                f"; rate limited {self.gate.rate_limited}x, paused {self.gate.paused_seconds:.1f} s"
            )
        if self.lost:
            text += f"; {self.lost} not checked ({self.lost_reason}: run the same command again)"
        return text


class Batch:
    """Runs sources through one :class:`Copydesk` and appends a line per article.

    ``processes`` > 1 spreads the articles over worker processes (see
    :mod:`copydesk.workers`), each building its own desk from ``recipe``; ``None`` chooses
    (:func:`auto_processes`)."""

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
    ) -> None:
        if concurrency < 1:
            raise ConfigError("--concurrency must be 1 or more")
        if processes is not None and processes > 1:
            if recipe is None:
                raise ConfigError("worker processes need the recipe of the desk to build")
            if desk.use_model and desk.settings.provider_name == "local":
                raise ConfigError(
                    "--processes: the embedded model is one server on this machine, "
                    "answering one request at a time",
                    "leave --processes out (one process is all it can use), or give --base-url",
                )
        self.desk = desk
        self.concurrency = concurrency
        self.max_in_flight = max_in_flight
        self.min_confidence = min_confidence
        self.progress = progress
        self.processes = processes
        self.recipe = recipe

    def plan(
        self, sources: list[Source], output: Path, *, retry_failed: bool = False
    ) -> tuple[list[Source], BatchSummary]:
        """The sources still to check (the output's lines are skipped), and the summary."""
        if output.is_dir():
            raise InputError(f"--output {output} is a folder", "name a .jsonl file")
        done = read_done(output)
        redo = {"failed", "partial"} if retry_failed else set()
        todo = [s for s in sources if s.id not in done or done[s.id] in redo]
        return todo, BatchSummary(total=len(sources), skipped=len(sources) - len(todo))

    def processes_for(self, articles: int, start_method: str) -> int:
        """Worker processes for ``articles``: as asked, or as :func:`auto_processes`
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
        from .workers import start_method

        method = start_method()
        processes = self.processes_for(len(todo), method)
        if processes > 1:
            from .workers import run_in_processes

            return run_in_processes(self, todo, output, summary, processes, method=method)
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
        gate = SharedRequests(self.max_in_flight)
        summary.gate = gate.stats
        token = request_gate.set(gate)
        try:
            with open_output(output) as out:
                if self.desk.use_model:
                    # One endpoint for every article, opened before any starts (opening
                    # may start the embedded model's server): an endpoint that cannot be
                    # opened is one error, not one per article.
                    await asyncio.to_thread(self.desk._open_endpoint)
                started = time.perf_counter()
                try:
                    with long_run_gc(), progress_bar(self.progress, len(todo)) as bar:
                        await self._work(todo, out, output, summary, bar)
                finally:
                    summary.seconds = time.perf_counter() - started
        finally:
            request_gate.reset(token)
            await gate.aclose()
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
        record: dict[str, Any] = {"id": source.id, "source": source.source}
        try:
            if source.from_disk:
                article = await asyncio.to_thread(source.load)
            else:
                article = source.load()
            result = await self.desk.check_async(article)
            report = ensure_valid(result.to_dict())  # a bug is this article's failure
        except CopydeskError as exc:
            return {**record, "status": "failed", "error": str(exc), "report": None}
        except Exception as exc:  # whatever it was, it is this article's, not the batch's
            error = f"{type(exc).__name__}: {exc}"
            return {**record, "status": "failed", "error": error, "report": None}
        record["status"] = "partial" if result.failed else "ok"
        if result.failed:
            record["error"] = "; ".join(
                f"{s.plugin} ({s.stage}) {s.status}: {s.reason}"
                for s in result.stages
                if s.status in ("failed", "unparseable")
            )
        record["report"] = report
        return record

    def tally(self, record: dict[str, Any]) -> Tally:
        tally = Tally(record["status"])
        report = record.get("report")
        if not report:
            return tally
        for call in report["calls"]:
            if call["status"] == "cached":
                tally.cached_calls += 1
            else:
                tally.model_calls += call["attempts"]
        for finding in report["findings"]:
            if finding["confidence"] >= self.min_confidence:
                tally.worst = max(tally.worst, severity_rank(finding["severity"]))
        return tally


@contextlib.contextmanager
def long_run_gc() -> Iterator[None]:
    """The garbage collector tuned for a long batch, then put back.

    What is loaded before the first article (plugins, lexicons, schemas, the openai
    client's types) lives until the end: frozen, no collection scans it again. Young
    collections come every 50,000 allocations instead of 700. Measured with bench/run.py:
    full collections over those long-lived objects were pauses of the event loop that
    held responses unread, a few points of batch efficiency."""
    threshold = gc.get_threshold()
    # An application embedding copydesk that froze objects of its own keeps them frozen.
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.collect()
        gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if freeze:
            gc.unfreeze()


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


#: ``--processes`` left to copydesk: one process per this many articles, at most
#: one per CPU and at most this many.
ARTICLES_PER_PROCESS = 50
MAX_AUTO_PROCESSES = 8


def usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def auto_processes(desk: Copydesk, articles: int, max_in_flight: int) -> int:
    """How many worker processes a batch gets when ``--processes`` is not given.

    copydesk's own work is ~12 ms of CPU an article (the openai client, checkers, report
    checks), which caps one process near 80 articles/s: below a fast endpoint's pace
    (a vLLM server, a high rate limit). A process per CPU lifts that cap; it costs a
    second or so to start, so small batches (under 2 × ARTICLES_PER_PROCESS) stay in one
    process, as does the embedded model (one server, one request at a time)."""
    if desk.use_model and desk.settings.provider_name == "local":
        return 1
    return max(
        1, min(usable_cpus(), MAX_AUTO_PROCESSES, max_in_flight, articles // ARTICLES_PER_PROCESS)
    )


@contextlib.contextmanager
def progress_bar(enabled: bool, total: int) -> Iterator[Callable[[str], None]]:
    """A progress bar on stderr (articles, rate, ETA, failures); ``advance(status)``."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:.1f}/s" if speed else "–/s", style="progress.data.speed")

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("checking"),
        BarColumn(),
        MofNCompleteColumn(),
        Rate(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[trouble]}", style="yellow"),
        console=console,
        disable=not enabled or not console.is_terminal,
    )
    task = bar.add_task("checking", total=total, trouble="")
    trouble = {"partial": 0, "failed": 0}

    def advance(status: str) -> None:
        if status in trouble:
            trouble[status] += 1
        shown = ", ".join(f"{n} {s}" for s, n in trouble.items() if n)
        bar.update(task, advance=1, trouble=shown)

    with bar:
        yield advance


def default_max_in_flight(settings: Settings) -> int:
    return LOCAL_MAX_IN_FLIGHT if settings.provider_name == "local" else DEFAULT_MAX_IN_FLIGHT


def default_concurrency(max_in_flight: int) -> int:
    """Articles at once: twice the request slots. An article has at most two requests in
    flight and spends part of its time between rounds, so with only as many articles as
    slots the cap is often not full; the surplus waits in the gate's queue, not at the
    endpoint."""
    return 2 * max_in_flight


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
    **options: Any,
) -> BatchSummary:
    """Check every article ``inputs`` name into ``output`` (JSON Lines); see the module.
    ``options`` are :class:`~copydesk.checking.RunOptions`'s fields, as for ``check``."""
    run = RunOptions(**options)
    settings = run.settings()
    cassette = run.record or run.replay
    if cassette and processes is not None and processes > 1:
        raise ConfigError(
            "--processes: a cassette is recorded or replayed in one process",
            "leave --processes out with --record or --replay",
        )
    sources = collect(inputs)
    desk = Copydesk.from_options(settings, host, **run.desk_options())
    in_flight = max_in_flight or default_max_in_flight(settings)
    batch = Batch(
        desk,
        concurrency=concurrency or default_concurrency(in_flight),
        max_in_flight=in_flight,
        min_confidence=min_confidence,
        progress=progress,
        processes=1 if cassette else processes,
        recipe=DeskRecipe(settings, run.desk_options(), host),
    )
    command = "copydesk batch " + " ".join(shlex.quote(i) for i in inputs)
    try:
        with run.cassette(desk, settings, command):
            return batch.run(sources, output, retry_failed=retry_failed)
    finally:
        desk.close()


# copydesk batch ---------------------------------------------------------------------------------

#: The options ``batch`` takes from ``check``, so the two always agree.
SHARED_OPTIONS = ("fail_on", "min_confidence", *(f.name for f in fields(RunOptions)))


def batch_command(check: click.Command) -> click.Command:
    """``copydesk batch``, with the model and checker options of ``check``."""

    @click.command("batch")
    @click.argument("inputs", nargs=-1, required=True)
    @click.option(
        "-o",
        "--output",
        required=True,
        type=click.Path(path_type=Path, dir_okay=False),
        help="JSON Lines file of results, one line per article; appended to, and resumed from.",
    )
    @click.option(
        "-j",
        "--concurrency",
        type=click.IntRange(1),
        help="Articles checked at once (default: twice --max-in-flight).",
    )
    @click.option(
        "--max-in-flight",
        type=click.IntRange(1),
        help=f"Cap on model requests in flight across all articles "
        f"(default {DEFAULT_MAX_IN_FLIGHT}; {LOCAL_MAX_IN_FLIGHT} for the embedded model).",
    )
    @click.option(
        "-p",
        "--processes",
        type=click.IntRange(1),
        help="Worker processes sharing the articles and the --max-in-flight cap (default: "
        f"one per {ARTICLES_PER_PROCESS} articles, at most one per CPU; 1 for the embedded "
        "model).",
    )
    @click.option(
        "--retry-failed",
        is_flag=True,
        help="Run again the articles the output has as failed or partial.",
    )
    @click.option("--no-progress", is_flag=True, help="No progress bar on stderr.")
    def batch(
        inputs: tuple[str, ...],
        output: Path,
        fail_on: str | None,
        no_progress: bool,
        **options: Any,
    ) -> None:
        """Check many articles into a JSON Lines file, resumably.

        INPUT... are article files, URLs, folders (their .txt, .md, .html and .htm files) or
        .jsonl files of articles, one {"id": ..., "text": ..., "title": ...} object a line. Each
        line of the output is {"id", "source", "status", "report"}; status is ok, partial
        (a stage failed; see "error") or failed (no report; see "error"). Articles already
        in the output are skipped, so the same command resumes an interrupted batch.
        """
        from .cli import errors_handled, get_host

        with errors_handled():
            summary = run_batch(
                get_host(), list(inputs), output, progress=not no_progress, **options
            )
        click.echo(f"copydesk: {summary.line(output)}", err=True)
        if summary.counts["partial"] or summary.counts["failed"]:
            click.echo(
                'copydesk: some articles failed or had a failed stage (see their "error"; '
                "--retry-failed runs them again)",
                err=True,
            )
        raise SystemExit(summary.exit_code(fail_on))

    by_name = {p.name: p for p in check.params}
    missing = [name for name in SHARED_OPTIONS if name not in by_name]
    if missing:
        raise RuntimeError(f"copydesk batch: check has no option(s) {', '.join(missing)}")
    batch.params.extend(by_name[name] for name in SHARED_OPTIONS)
    return batch
