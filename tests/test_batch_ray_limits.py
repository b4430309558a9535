"""The Ray engine's parts that need no Ray: the cluster's one limiter (on a fake clock:
exact times, no waiting), the Parquet results file, and the corpus planned lazily.

:class:`ClusterLimiter` is what the engine runs as a named actor; here it runs in this
process, and "workers" are the numbers its callers give.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from fake_clock import FakeClock

from copydesk.batch.corpus import Corpus
from copydesk.batch.output import read_done, results_file, write_line
from copydesk.batch.ray_limiter import ClusterLimiter
from copydesk.errors import InputError

pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is not installed (copydesk[parquet])")


def limiter(cap: int = 4, per_second: float | None = None) -> tuple[ClusterLimiter, FakeClock]:
    clock = FakeClock(1000.0)
    return ClusterLimiter(cap, per_second, clock=clock, sleep=clock.sleep), clock


# the one limit ---------------------------------------------------------------------------------


def test_a_429_one_worker_saw_holds_the_next_request_of_every_worker():
    gate, clock = limiter()

    async def scenario() -> list[bool]:
        assert await gate.acquire(0) is False, "no pause yet"
        gate.release(0)
        assert gate.rate_limited(5.0) == 5.0  # worker 0's request got a 429, Retry-After 5
        held = [await gate.acquire(1), await gate.acquire(2)]
        return held

    assert asyncio.run(scenario()) == [True, False], "worker 1 waited; worker 2 came after"
    assert clock.sleeps == [5.0] and clock.now == 1005.0
    assert gate.stats.rate_limited == 1 and gate.stats.paused_seconds == 5.0
    assert gate.held_by == {1: 1}


def test_a_shorter_429_never_shortens_the_pause():
    gate, _ = limiter()
    assert gate.rate_limited(3.0) == 3.0
    assert gate.rate_limited(1.0) == 0.0
    assert gate.until == 1003.0


def test_the_cap_holds_across_workers_and_a_lost_workers_slots_come_back():
    gate, _ = limiter(cap=2)

    async def scenario() -> tuple[bool, int]:
        await gate.acquire(0)
        await gate.acquire(0)
        third = asyncio.ensure_future(gate.acquire(1))
        await asyncio.sleep(0)
        waited = not third.done()  # both slots are worker 0's
        gate.forget(0)  # worker 0 is lost holding both
        await third
        return waited, gate.in_flight

    waited, in_flight = asyncio.run(scenario())
    assert waited and in_flight == 1 and gate.stats.peak_in_flight == 2


def test_a_request_a_lost_worker_was_waiting_for_is_given_back_at_once():
    gate, _ = limiter(cap=1)

    async def scenario() -> int:
        await gate.acquire(0)
        late = asyncio.ensure_future(gate.acquire(1))
        await asyncio.sleep(0)
        gate.forget(1)  # lost while waiting
        gate.release(0)
        await late
        return gate.in_flight

    assert asyncio.run(scenario()) == 0


def test_requests_per_second_spaces_the_starts_on_the_clock():
    gate, clock = limiter(cap=10, per_second=4.0)

    async def scenario() -> list[float]:
        starts = []
        for worker in (0, 1, 0, 1):
            await gate.acquire(worker)
            starts.append(clock.now)
        return starts

    assert asyncio.run(scenario()) == [1000.0, 1000.25, 1000.5, 1000.75]


# the Parquet results file ------------------------------------------------------------------


def record(ident: str, status: str = "ok", severity: str = "high") -> dict:
    report = {
        "findings": [{"severity": severity}, {"severity": "low"}],
        "claims": [{}, {}, {}],
        "calls": [
            {"status": "ok", "attempts": 2, "prompt_tokens": 100, "completion_tokens": 10},
            {"status": "cached", "attempts": 0, "prompt_tokens": 50, "completion_tokens": 5},
        ],
    }
    return {"id": ident, "source": f"{ident}.txt", "status": status, "report": report}


def test_parquet_rows_hold_the_report_as_json_and_its_figures_as_columns(tmp_path):
    out = tmp_path / "results.parquet"
    with results_file(out) as lines:
        write_line(lines, out, json.dumps(record("a")))
        write_line(lines, out, json.dumps({"id": "b", "status": "failed", "error": "unreadable"}))
    rows = {row["id"]: row for row in pq.read_table(out).to_pylist()}
    assert json.loads(rows["a"]["report"]) == record("a")["report"]
    assert (rows["a"]["findings"], rows["a"]["findings_high"], rows["a"]["findings_low"]) == (
        2,
        1,
        1,
    )
    assert (rows["a"]["claims"], rows["a"]["model_calls"], rows["a"]["cached_calls"]) == (3, 2, 1)
    assert (rows["a"]["prompt_tokens"], rows["a"]["completion_tokens"]) == (100, 10)
    assert rows["b"]["report"] is None and rows["b"]["error"] == "unreadable"
    assert read_done(out) == {"a": "ok", "b": "failed"}


def test_a_killed_runs_journal_is_resumed_from_and_folded_in_by_the_next_run(tmp_path):
    out = tmp_path / "results.parquet"
    with results_file(out) as lines:
        write_line(lines, out, json.dumps(record("a", "partial")))
    # A run killed outright: its journal stays, with a torn last line.
    journal = tmp_path / "results.parquet.partial.jsonl"
    journal.write_text(json.dumps(record("b")) + "\n" + '{"id": "c", "sta')
    assert read_done(out) == {"a": "partial", "b": "ok"}, "the torn line is checked again"
    with results_file(out) as lines:  # the next run: a retried, c checked
        write_line(lines, out, json.dumps(record("a", "ok", "medium")))
        write_line(lines, out, json.dumps(record("c")))
    rows = pq.read_table(out).to_pylist()
    assert sorted(r["id"] for r in rows) == ["a", "b", "c"], "one row an id"
    a = next(r for r in rows if r["id"] == "a")
    assert a["status"] == "ok" and a["findings_medium"] == 1, "the last line of an id wins"
    assert not journal.exists()


# the corpus, planned lazily ------------------------------------------------------------------


def test_the_corpus_counts_what_is_left_and_hands_it_out_once(tmp_path, sample_text):
    import pyarrow as pa

    pq.write_table(
        pa.table({"id": ["p1", "p2", None], "text": [sample_text, sample_text, sample_text]}),
        tmp_path / "in.parquet",
    )
    wire = tmp_path / "wire.jsonl"
    wire.write_text(json.dumps({"id": "j1", "text": sample_text}) + "\n")
    out = tmp_path / "out.jsonl"
    out.write_text(json.dumps({"id": "p2", "status": "ok"}) + "\n")
    inputs = [str(tmp_path / "in.parquet"), str(wire), str(wire)]  # named twice: once
    corpus = Corpus.plan(inputs, out)
    assert (corpus.total, corpus.todo) == (4, 3)
    handed = [s.id for s in corpus.sources()]
    assert handed == ["p1", f"{tmp_path / 'in.parquet'}:3", "j1"], "an id-less row: its place"


def test_two_articles_with_one_id_stop_the_plan(tmp_path, sample_text):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    for path in (one, two):
        path.write_text(json.dumps({"id": "same", "text": sample_text}) + "\n")
    with pytest.raises(InputError, match="two articles have the id 'same'"):
        Corpus.plan([str(one), str(two)], tmp_path / "out.jsonl")


def test_files_are_read_where_the_batch_runs_for_workers_on_other_machines(tmp_path, sample_text):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(sample_text)
    [source] = Corpus.plan([str(tmp_path / "in")], tmp_path / "out.jsonl").sources()
    assert source.data == sample_text.encode()
    (tmp_path / "in" / "a.txt").unlink()  # gone here; the worker has the bytes
    assert "Lavrov" in source.load().text


def test_the_default_engine_loads_no_ray():
    import subprocess
    import sys

    code = (
        "import sys, copydesk.batch.run, copydesk.batch.command; "
        "print('ray' in sys.modules, 'pyarrow' in sys.modules)"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.split() == ["False", "False"]


def test_parquet_inputs_without_a_text_column_are_refused(tmp_path):
    import pyarrow as pa

    pq.write_table(pa.table({"id": ["x"], "body": ["..."]}), tmp_path / "in.parquet")
    with pytest.raises(InputError, match="no 'text' column"):
        Corpus.plan([str(tmp_path / "in.parquet")], tmp_path / "out.jsonl")


def test_a_folder_as_the_output_is_refused(tmp_path):
    with pytest.raises(InputError, match="is a folder"):
        Corpus.plan([str(tmp_path)], Path(tmp_path))
