"""``copydesk batch --processes N``: the articles shared out over worker processes.

Every test here talks to a FakeModel behind a real HTTP server in this process; the
workers are real processes (spawned here, since the test process runs threads; forked
when the CLI runs as its own process, as in the first test).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import articles_jsonl, lines, valid_answers
from fake_clock import FakeClock

from copydesk.batch import (
    Batch,
    Pause,
    SharedPause,
    SharedRequests,
    auto_processes,
    collect,
    run_batch,
)
from copydesk.batch.processes import shares
from copydesk.cli import cli
from copydesk.errors import ConfigError, CopydeskError
from copydesk.host import load_host
from copydesk.report import grounding_errors, schema_errors
from copydesk.runner import Copydesk, DeskRecipe
from copydesk.settings import Settings
from copydesk.testing import FakeModel, FakeReply


def comparable(report: dict) -> dict:
    """A report without what differs from run to run: timings, call ids, the order in
    which concurrent calls finished, and HTTP retries (the test server is HTTP/1.0 and
    closes each connection; the client now and then retries on one it had reused)."""
    drop = {"seconds", "id", "call_ids", "retries"}

    def strip(value):  # type: ignore[no-untyped-def]
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in drop}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    stripped = strip(report)
    stripped["calls"].sort(key=lambda call: call["prompt"])
    return stripped


def slow_answers(fake: FakeModel, delay: float) -> None:
    """Answers that take ``delay`` seconds, so that requests overlap."""
    valid_answers(fake)
    for prompt, script in list(fake.scripts.items()):
        fake.answer(prompt, FakeReply(script[0], delay=delay))


# examples of use -------------------------------------------------------------------------------


def test_the_cli_forks_two_workers_and_writes_what_one_process_writes(
    served, sample_text, tmp_path
):
    wire = articles_jsonl(tmp_path, sample_text, 8)
    env = {**os.environ, "COPYDESK_CACHE_DIR": str(tmp_path / "cache")}
    base = [sys.executable, "-m", "copydesk", "batch", str(wire), "--checkers", "llm"]

    def run(output: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*base, "--output", str(output), "--no-cache", *extra],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    two = run(tmp_path / "two.jsonl", "--processes", "2")
    one = run(tmp_path / "one.jsonl", "--processes", "1")
    assert two.returncode == 0, two.stderr
    assert "8 articles checked: 8 ok" in two.stderr and "2 processes" in two.stderr
    assert one.returncode == 0, one.stderr
    by_id = {r["id"]: r for r in lines(tmp_path / "one.jsonl")}
    records = lines(tmp_path / "two.jsonl")
    assert sorted(r["id"] for r in records) == sorted(by_id)
    for record in records:
        assert record["status"] == "ok"
        assert schema_errors(record["report"]) == [] and grounding_errors(record["report"]) == []
        assert comparable(record["report"]) == comparable(by_id[record["id"]]["report"])
    retries = sum(
        call["retries"]
        for path in ("one.jsonl", "two.jsonl")
        for record in lines(tmp_path / path)
        for call in record["report"]["calls"]
    )
    # A retry may follow a request the server answered or one that never reached it.
    assert 2 * 8 * 3 <= len(served.requests) <= 2 * 8 * 3 + retries, "3 prompts, once a run"


def test_workers_share_the_cap_on_requests_in_flight(runner, sample_text, tmp_path):
    fake = FakeModel()
    slow_answers(fake, 0.05)
    wire = articles_jsonl(tmp_path, sample_text, 12)
    with fake.serve() as base_url:
        summary = run_batch(
            load_host(),
            [str(wire)],
            tmp_path / "out.jsonl",
            base_url=base_url,
            model="fake-model",
            checkers="llm",
            processes=2,
            max_in_flight=3,
            concurrency=8,
            progress=False,
        )
    assert summary.processes == 2 and summary.counts["ok"] == 12
    assert fake.max_in_flight <= 3, "two processes together never passed the cap"
    assert summary.gate.requests == 36


def test_a_batch_resumes_after_a_worker_dies(served, sample_text, tmp_path):
    """A worker killed mid-batch loses only the articles it held: they are not in the
    output, the run says which and exits 3, the other worker checks all the rest, and the
    same command then checks the lost ones."""
    killed: list[int] = []
    answer = served.scripts["summarise"][0]

    def kill_the_first_worker(request):  # type: ignore[no-untyped-def]
        # Worker 1 was handed a000 and a001 first; a000's summary request is in flight.
        if not killed and "1900" in request["messages"][0]["content"]:
            worker = next(
                p for p in multiprocessing.active_children() if p.name == "copydesk-batch-1"
            )
            assert worker.pid is not None
            os.kill(worker.pid, signal.SIGKILL)
            killed.append(worker.pid)
        return FakeReply(answer, delay=0.02)

    served.answer("summarise", kill_the_first_worker)
    wire = articles_jsonl(tmp_path, sample_text, 10)
    out = tmp_path / "out.jsonl"
    options = {"checkers": "llm", "processes": 2, "concurrency": 2, "progress": False}
    first = run_batch(load_host(), [str(wire)], out, **options)
    assert killed, "a worker was killed"
    assert first.lost == 2 and first.counts["ok"] == 8, "the other worker went on"
    assert f"exit code {-signal.SIGKILL}" in first.lost_reason
    assert "a000, a001" in first.lost_reason
    assert first.exit_code(None) == 3
    assert "2 not checked" in first.line(out) and "run the same command again" in first.line(out)
    assert sorted(r["id"] for r in lines(out)) == [f"a{i:03d}" for i in range(2, 10)]

    second = run_batch(load_host(), [str(wire)], out, **options)
    assert second.counts["ok"] == 2 and second.lost == 0 and second.skipped == 8
    assert sorted(r["id"] for r in lines(out)) == [f"a{i:03d}" for i in range(10)]


def test_a_worker_that_cannot_build_its_desk_stops_the_batch_with_its_reason(
    served, sample_text, tmp_path
):
    settings = Settings.resolve()
    desk = Copydesk.from_options(settings, load_host(), checkers="llm")
    recipe = DeskRecipe(settings, {"checkers": "no-such-checker"})
    batch = Batch(desk, concurrency=2, max_in_flight=2, progress=False, processes=2, recipe=recipe)
    sources = collect([str(articles_jsonl(tmp_path, sample_text, 4))])
    with pytest.raises(CopydeskError, match=r"worker process .*no-such-checker") as caught:
        batch.run(sources, tmp_path / "out.jsonl")
    assert caught.value.exit_code == 2, "a usage error in the worker is still a usage error"


def test_when_every_worker_dies_the_articles_never_handed_out_count_as_not_checked(
    served, sample_text, tmp_path
):
    answer = served.scripts["summarise"][0]

    def kill_every_worker(request):  # type: ignore[no-untyped-def]
        for worker in multiprocessing.active_children():
            if worker.name.startswith("copydesk-batch") and worker.pid:
                os.kill(worker.pid, signal.SIGKILL)
        return FakeReply(answer)

    served.answer("summarise", kill_every_worker)
    wire = articles_jsonl(tmp_path, sample_text, 12)
    summary = run_batch(
        load_host(),
        [str(wire)],
        tmp_path / "out.jsonl",
        checkers="llm",
        processes=2,
        concurrency=2,
        progress=False,
    )
    assert summary.checked == 0 and summary.lost == 12, "all twelve are still to check"
    assert summary.exit_code(None) == 3


# forked workers, from the CLI in a process of its own ----------------------------------------------


def children_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status  # a zombie has exited; nobody may reap it here


def wait_until(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def slow_batch(served, sample_text, tmp_path):  # type: ignore[no-untyped-def]
    """``copydesk batch -p 2`` started in a process of its own (so it forks its workers)
    on 16 articles whose answers take 0.2 s; yields the process and its output file."""
    for prompt, script in list(served.scripts.items()):
        served.answer(prompt, FakeReply(script[0], delay=0.2))
    wire = articles_jsonl(tmp_path, sample_text, 16)
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "COPYDESK_CACHE_DIR": str(tmp_path / "cache")}
    args = [sys.executable, "-m", "copydesk", "batch", str(wire), "-o", str(out)]
    process = subprocess.Popen(
        [*args, "--checkers", "llm", "-p", "2", "-j", "2", "--no-progress"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_until(lambda: out.exists() and out.read_text().count("\n") >= 1, 60)
        yield process, out
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


@pytest.mark.skipif(sys.platform != "linux", reason="fork and /proc are Linux's")
def test_forked_workers_stop_when_the_batch_process_is_killed(slow_batch):
    process, _ = slow_batch
    workers = children_of(process.pid)
    assert len(workers) == 2
    for pid in workers:  # forked, not spawned: the same command line as the batch itself
        assert "spawn_main" not in Path(f"/proc/{pid}/cmdline").read_text()
    process.kill()
    process.wait(timeout=10)
    assert wait_until(lambda: all(gone(pid) for pid in workers), 10), "no orphan workers"


@pytest.mark.skipif(sys.platform != "linux", reason="fork and /proc are Linux's")
def test_a_forked_worker_killed_mid_batch_ends_the_run_with_what_it_held(slow_batch):
    process, out = slow_batch
    workers = children_of(process.pid)
    os.kill(workers[0], signal.SIGKILL)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 3, stderr
    assert "not checked" in stderr and "worker process 1 ended with exit code -9" in stderr
    checked = lines(out)
    assert 8 <= len(checked) < 16, "the other worker went on; the dead one's were left"


@pytest.mark.skipif(sys.platform != "linux", reason="signals to the batch process")
def test_sigterm_stops_the_batch_and_its_workers_and_keeps_the_lines(slow_batch):
    process, out = slow_batch
    workers = children_of(process.pid)
    process.terminate()
    _, stderr = process.communicate(timeout=30)
    assert process.returncode != 0
    assert "Traceback" not in stderr, stderr
    assert wait_until(lambda: all(gone(pid) for pid in workers), 10)
    for record in lines(out):  # every line written is whole
        assert record["status"] == "ok"


# choosing how many --------------------------------------------------------------------------------


def test_processes_default_to_one_per_cpu_for_big_batches_only(monkeypatch):
    monkeypatch.setattr("copydesk.batch.tuning.usable_cpus", lambda: 4)
    remote = Copydesk(Settings(provider="openai", base_url="http://127.0.0.1:1/v1"), load_host())
    assert auto_processes(remote, 40, 32) == 1, "a small batch is not worth a second process"
    assert auto_processes(remote, 120, 32) == 2
    assert auto_processes(remote, 5000, 32) == 4, "at most one per CPU"
    assert auto_processes(remote, 5000, 2) == 2, "at least one request slot each"
    local = Copydesk(Settings(provider="local"), load_host())
    assert auto_processes(local, 5000, 32) == 1, "the embedded model is one server"


def test_more_processes_are_refused_for_the_embedded_model(runner, tmp_path, sample_text):
    wire = articles_jsonl(tmp_path, sample_text, 2)
    result = runner.invoke(
        cli,
        ["batch", str(wire), "-o", str(tmp_path / "o.jsonl"), "--provider", "local", "-p", "2"],
    )
    assert result.exit_code == 2
    assert "--processes 2: the provider 'local' (the embedded model" in result.stderr
    assert "suits at most 1 worker process" in result.stderr


def test_shares_add_up_to_the_whole():
    assert shares(32, 2) == [16, 16]
    assert shares(7, 3) == [3, 2, 2]
    assert sum(shares(33, 4)) == 33


# the shared 429 pause ------------------------------------------------------------------------------


def test_a_429_seen_by_one_process_pauses_the_others():
    """Another process is rate-limited for 5 s; a request here then waits exactly those
    5 s. (Both processes read the same fake time: in a batch it is ``time.monotonic``,
    one clock for every process of the machine.)"""
    ctx = multiprocessing.get_context("spawn")
    value = ctx.RawValue("d", 0.0)
    clock = FakeClock(1000.0)
    here = SharedRequests(4, SharedPause(value, clock), sleep=clock.sleep)
    child = ctx.Process(target=_rate_limited_elsewhere, args=(value, FakeClock(1000.0), 5.0))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    assert here.pause.until == 1005.0, "the pause another process set holds here"

    async def one_request() -> None:
        async with here.slot():
            pass

    asyncio.run(one_request())
    assert clock.sleeps == [5.0] and here.stats.held == 1


def _rate_limited_elsewhere(value, clock: FakeClock, seconds: float) -> None:  # type: ignore[no-untyped-def]
    SharedRequests(4, SharedPause(value, clock)).rate_limited({"retry-after": str(seconds)})


def test_a_shorter_pause_never_shortens_a_longer_one():
    shared = multiprocessing.get_context("spawn").RawValue("d", 0.0)
    for pause in (Pause(FakeClock(100.0)), SharedPause(shared, FakeClock(100.0))):
        assert pause.extend(102.0) == 2.0, "two seconds added"
        assert pause.extend(101.0) == 0.0, "none: it already lasts longer"
        assert pause.until == 102.0
        assert pause.extend(103.0) == 1.0, "one more second"


def test_plugins_registered_in_code_stay_in_one_process_unless_workers_can_be_forked(
    served, sample_text, tmp_path
):
    """A host changed in code cannot be loaded again by a spawned worker (pytest runs
    threads, so workers would be spawned here): the batch stays in this process."""
    import copydesk
    from copydesk.host import Host
    from copydesk.types import Finding

    class Shouty:
        name = "shouty"
        categories = ("loaded_language",)
        needs_model = False

        async def check(self, article, summary, claims, ctx):  # type: ignore[no-untyped-def]
            return [Finding("loaded_language", "Lavrov", "Is this loaded?", severity="low")]

    class ShoutyPlugin:
        @copydesk.hookimpl
        def register_checkers(self, register):  # type: ignore[no-untyped-def]
            register(Shouty())

    host = Host()
    host.load_builtins()
    host.register_plugin(ShoutyPlugin(), "shouty", version="0", source="test")
    host.collect()
    assert not host.reloadable and load_host().reloadable
    wire = articles_jsonl(tmp_path, sample_text, 120)
    summary = run_batch(
        host, [str(wire)], tmp_path / "out.jsonl", checkers="shouty", progress=False
    )
    assert summary.processes == 1 and summary.counts["ok"] == 120
    with pytest.raises(ConfigError, match="registered in code"):
        run_batch(
            host,
            [str(wire)],
            tmp_path / "again.jsonl",
            checkers="shouty",
            processes=2,
            progress=False,
        )


def test_a_batch_without_a_recipe_cannot_have_processes(served):
    desk = Copydesk(Settings.resolve(), load_host())
    with pytest.raises(ConfigError, match="recipe"):
        Batch(desk, concurrency=1, max_in_flight=1, processes=2)


def test_never_more_processes_than_articles_at_once(served):
    desk = Copydesk(Settings.resolve(), load_host())
    recipe = DeskRecipe(desk.settings, host=desk.host)
    one_at_a_time = Batch(desk, concurrency=1, max_in_flight=32, processes=None, recipe=recipe)
    assert one_at_a_time.processes_for(5000, "fork") == 1
    asked = Batch(desk, concurrency=3, max_in_flight=32, processes=8, recipe=recipe)
    assert asked.processes_for(5000, "fork") == 3
    assert asked.processes_for(2, "fork") == 2, "nor more than articles"


def test_the_garbage_collector_is_put_back_and_an_apps_frozen_objects_stay_frozen():
    import gc

    from copydesk.batch import long_run_gc

    threshold = gc.get_threshold()
    with long_run_gc():
        assert gc.get_freeze_count() > 0 and gc.get_threshold()[0] == 50_000
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == 0

    gc.freeze()  # an application's own frozen objects
    try:
        frozen = gc.get_freeze_count()
        with long_run_gc():
            pass
        assert gc.get_freeze_count() == frozen, "not unfrozen by copydesk"
    finally:
        gc.unfreeze()
