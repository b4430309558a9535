"""``copydesk batch --engine ray``: the articles over a local Ray's workers.

One local Ray (2 CPUs) serves the whole module, started once (time-boxed); every test
talks to a FakeModel behind a real HTTP server in this process, which the Ray workers (real
processes) reach as the endpoint. No test asserts how fast anything is (bench/run.py
--engine ray measures that); the exact timing of the shared 429 pause is tested on a fake
clock in tests/test_batch_ray_limits.py.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import articles_jsonl, lines, valid_answers

ray = pytest.importorskip(
    "ray", reason="Ray is not installed: pip install 'copydesk[ray]' (.ci/run installs it)"
)
pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow comes with copydesk[ray]")

from copydesk.batch import ray_run, run_batch  # noqa: E402
from copydesk.batch.ray_cluster import place  # noqa: E402
from copydesk.batch.ray_run import RayBatch  # noqa: E402
from copydesk.cli import cli  # noqa: E402
from copydesk.host import load_host  # noqa: E402
from copydesk.report import grounding_errors, schema_errors  # noqa: E402
from copydesk.runner import Copydesk, DeskRecipe  # noqa: E402
from copydesk.settings import Settings  # noqa: E402
from copydesk.testing import FakeModel, FakeReply  # noqa: E402

#: Seconds Ray may take to start here before the module fails (2 slow CPUs, shared).
RAY_START_TIMEOUT = 180


@pytest.fixture(scope="module", autouse=True)
def local_ray():  # type: ignore[no-untyped-def]
    """One local Ray for the module; it fails (never skips) if Ray does not start in time."""

    def too_slow(signum: int, frame: Any) -> None:
        raise TimeoutError(f"Ray did not start within {RAY_START_TIMEOUT} s")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(RAY_START_TIMEOUT)
    try:
        ray.init(
            num_cpus=2,
            include_dashboard=False,
            logging_level=logging.WARNING,
            log_to_driver=False,
        )
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    yield ray
    ray.shutdown()


def parquet_rows(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def ray_batch(wire: Path, output: Path, **options: Any) -> Any:
    return run_batch(
        load_host(),
        [str(wire)],
        output,
        engine="ray",
        checkers="llm",
        no_cache=True,
        progress=False,
        **options,
    )


def slow_answers(fake: FakeModel, delay: float) -> None:
    valid_answers(fake)
    for prompt, script in list(fake.scripts.items()):
        fake.answer(prompt, FakeReply(script[0], delay=delay))


# examples of use -------------------------------------------------------------------------------


def test_a_few_hundred_articles_over_two_workers_each_written_once(served, sample_text, tmp_path):
    wire = articles_jsonl(tmp_path, sample_text, 300)
    summary = ray_batch(wire, tmp_path / "out.jsonl", processes=2)
    records = lines(tmp_path / "out.jsonl")
    assert sorted(r["id"] for r in records) == [f"a{i:03d}" for i in range(300)]
    assert {r["status"] for r in records} == {"ok"}
    for record in records[:20]:
        assert schema_errors(record["report"]) == [] and grounding_errors(record["report"]) == []
    assert summary.counts["ok"] == 300 and summary.processes == 2 and summary.retried == 0
    assert summary.model_calls == 3 * 300 == len(served.requests), "3 prompts an article"
    assert summary.gate.peak_in_flight <= 32, "the cluster's cap (the default) held"


def test_the_cli_writes_parquet_from_a_parquet_input(served, runner, sample_text, tmp_path):
    import pyarrow as pa

    table = pa.table(
        {
            "id": ["p1", "p2", "p3"],
            "text": [sample_text, sample_text.replace("2016", "2015"), "Too short."],
            "title": ["One", None, None],
        }
    )
    pq.write_table(table, tmp_path / "in.parquet")
    out = tmp_path / "out.parquet"
    args = ["batch", str(tmp_path / "in.parquet"), "-o", str(out), "--engine", "ray"]
    result = runner.invoke(cli, [*args, "--checkers", "llm", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "3 articles checked: 2 ok" in result.output and "Ray workers" in result.output
    rows = {row["id"]: row for row in parquet_rows(out)}
    assert sorted(rows) == ["p1", "p2", "p3"]
    assert rows["p3"]["status"] == "skipped" and rows["p3"]["report"] is None
    report = json.loads(rows["p1"]["report"])
    assert report["article"]["title"] == "One"
    assert rows["p1"]["model_calls"] == 3 and rows["p1"]["prompt_tokens"] > 0
    assert rows["p1"]["findings"] == len(report["findings"])
    assert not Path(str(out) + ".partial.jsonl").exists(), "the journal is folded in"


def test_a_rerun_skips_what_is_written_and_retry_failed_checks_the_failed_again(
    served, sample_text, tmp_path
):
    wire = articles_jsonl(tmp_path, sample_text, 12)
    with wire.open("a") as handle:
        handle.write(json.dumps({"id": "bad", "text": 42}) + "\n")
    out = tmp_path / "out.parquet"
    first = ray_batch(wire, out)
    assert first.counts == {"ok": 12, "partial": 0, "failed": 1, "skipped": 0}
    asked = len(served.requests)
    again = ray_batch(wire, out)
    assert again.checked == 0 and again.skipped == 13 and len(served.requests) == asked
    retried = ray_batch(wire, out, retry_failed=True)
    assert retried.checked == 1 and retried.counts["failed"] == 1
    rows = parquet_rows(out)
    assert len(rows) == 13 and len({r["id"] for r in rows}) == 13, "one row an id"


def test_a_worker_killed_mid_batch_loses_nothing_and_writes_nothing_twice(
    served, sample_text, tmp_path
):
    slow_answers(served, 0.02)
    wire = articles_jsonl(tmp_path, sample_text, 200)
    out = tmp_path / "out.jsonl"
    settings = Settings.resolve()
    desk = Copydesk.from_options(settings, load_host(), checkers="llm", no_cache=True)
    batch = RayBatch(
        desk,
        DeskRecipe(settings, {"checkers": "llm", "no_cache": True}),
        concurrency=16,
        max_in_flight=8,
        progress=False,
        workers=2,
    )
    done: list[Any] = []
    running = threading.Thread(target=lambda: done.append(batch.run([str(wire)], out)))
    running.start()
    while running.is_alive() and (not out.exists() or len(out.read_text().splitlines()) < 40):
        time.sleep(0.05)
    victim = batch.workers[0]
    assert victim.pid is not None and victim.pid != os.getpid()
    os.kill(victim.pid, signal.SIGKILL)  # in the middle of its articles
    running.join(timeout=300)
    summary = done[0]
    ids = [r["id"] for r in lines(out)]
    assert sorted(ids) == [f"a{i:03d}" for i in range(200)], "nothing lost, nothing twice"
    assert summary.counts["ok"] == 200 and summary.lost == 0
    assert summary.retried >= 1 and victim.lost
    assert len(batch.workers) == 3, "one started in its place"


def test_a_429_pauses_every_worker_on_the_cluster(served, sample_text, tmp_path):
    """One request is rate-limited (Retry-After: 2 s): the other requests of both workers
    wait at the one limiter, not just those of the worker that got the 429. The 429 is
    the 17th claims answer, not the first: by then both workers are at work (a worker
    still starting when a 1 s pause began and ended was not held, on a loaded machine)."""
    slow_answers(served, 0.02)
    answer = served.scripts["claims"][0]
    rate_limited = FakeReply(status=429, headers={"retry-after": "2"})
    served.answer("claims", *[answer] * 16, rate_limited, answer)
    wire = articles_jsonl(tmp_path, sample_text, 60)
    settings = Settings.resolve()
    desk = Copydesk.from_options(settings, load_host(), checkers="llm", no_cache=True)
    batch = RayBatch(
        desk,
        DeskRecipe(settings, {"checkers": "llm", "no_cache": True}),
        concurrency=32,
        max_in_flight=16,
        progress=False,
        workers=2,
    )
    summary = batch.run([str(wire)], tmp_path / "out.jsonl")
    assert summary.counts["ok"] == 60
    assert summary.gate.rate_limited == 1
    assert sorted(batch.held_by) == [0, 1], "both workers held back by the one pause"
    # the pause the 429 asked for, as the limiter scheduled it (not time measured): one
    # 429 with nothing paused before adds exactly its Retry-After
    assert summary.gate.paused_seconds == 2.0


def test_ctrl_c_stops_the_batch_and_leaves_a_valid_output_that_resumes(
    served, sample_text, tmp_path, monkeypatch
):
    """Ctrl-C once 60 lines are written, reaching the driver where it spends its time:
    waiting on its workers (``ray.wait``, which delivers a real one; tested in
    tests/test_interrupt.py with signals). Raised there by the test, not simulated with
    ``_thread.interrupt_main()`` from the fake model's thread: that is handled at whatever
    Python code the main thread runs next, and when that is a finaliser (a ``__del__`` of
    some garbage, which a whole test run leaves plenty of) Python reports the
    KeyboardInterrupt as ignored and the batch runs on to the end."""
    slow_answers(served, 0.02)
    written: list[str] = []
    write = ray_run.write_line

    def counted(out: Any, output: Path, line: str) -> None:
        write(out, output, line)
        written.append(line)

    pressed: list[int] = []
    wait = ray.wait

    def wait_or_ctrl_c(*args: Any, **kwargs: Any) -> Any:
        if len(written) >= 60 and not pressed:  # once: the resumed run goes on
            pressed.append(len(written))
            raise KeyboardInterrupt
        return wait(*args, **kwargs)

    monkeypatch.setattr(ray_run, "write_line", counted)
    monkeypatch.setattr(ray, "wait", wait_or_ctrl_c)
    wire = articles_jsonl(tmp_path, sample_text, 150)
    out = tmp_path / "out.parquet"
    with pytest.raises(KeyboardInterrupt):
        ray_batch(wire, out)
    rows = parquet_rows(out)  # a valid file, with what was done
    assert pressed and len(rows) == pressed[0] < 150
    assert len({r["id"] for r in rows}) == len(rows)
    assert not Path(str(out) + ".partial.jsonl").exists()
    rest = ray_batch(wire, out)
    assert rest.checked == 150 - len(rows)
    assert sorted(r["id"] for r in parquet_rows(out)) == [f"a{i:03d}" for i in range(150)]


def test_each_article_is_checked_against_its_own_source_on_the_workers(served, tmp_path):
    """A line's ``source`` travels with its article to the worker that checks it."""
    from test_batch_sources import ARTICLE, TRANSCRIPT, fact_checks

    wire = tmp_path / "wire.jsonl"
    wire.write_text(
        json.dumps({"id": "own", "text": ARTICLE, "source": {"id": "council", "text": TRANSCRIPT}})
        + "\n"
        + json.dumps({"id": "none", "text": ARTICLE})
        + "\n"
    )
    summary = run_batch(  # every checker: the fact-check ones need no model
        load_host(), [str(wire)], tmp_path / "out.jsonl", engine="ray", processes=2,
        no_model=True, progress=False,
    )  # fmt: skip
    assert summary.counts["ok"] == 2
    records = {r["id"]: r for r in lines(tmp_path / "out.jsonl")}
    [misquote] = [f for f in records["own"]["report"]["findings"] if f["category"] == "misquote"]
    [evidence] = misquote["evidence"]
    assert evidence["document"] == "council"
    assert TRANSCRIPT[evidence["start"] : evidence["end"]] == evidence["quote"]
    assert fact_checks(records["none"]) == []


# where the workers go ------------------------------------------------------------------------------


def test_a_provider_with_a_server_per_machine_gets_a_worker_on_each_node():
    """The embedded model's capabilities say one process a machine: one worker per node,
    each owning its node's server (this cluster has one node)."""
    assert place(ray, per_node=1, wanted=None, limit=8) == [n["NodeID"] for n in ray.nodes()]
    assert place(ray, per_node=None, wanted=None, limit=8) == [None, None], "one per CPU"
    assert place(ray, per_node=None, wanted=5, limit=3) == [None] * 3


def test_the_ray_engine_refuses_what_only_one_process_can_do(served, sample_text, tmp_path):
    from copydesk.errors import ConfigError

    wire = articles_jsonl(tmp_path, sample_text, 2)
    with pytest.raises(ConfigError, match="cassette"):
        ray_batch(wire, tmp_path / "o.jsonl", record=tmp_path / "c.yaml")
    with pytest.raises(ConfigError, match="--engine ray"):
        run_batch(load_host(), [str(wire)], tmp_path / "o.jsonl", ray_address="auto")


def test_the_embedded_model_is_found_by_its_capabilities_and_gets_a_server_per_node():
    embedded = Copydesk(Settings.resolve(provider="local"), load_host())
    hosted = Copydesk(
        Settings.resolve(provider="openai", base_url="http://127.0.0.1:9/v1"), load_host()
    )
    options: dict[str, Any] = {"concurrency": 4, "max_in_flight": 2, "progress": False}
    assert RayBatch(embedded, DeskRecipe(embedded.settings), **options).per_node == 1
    assert RayBatch(hosted, DeskRecipe(hosted.settings), **options).per_node is None
