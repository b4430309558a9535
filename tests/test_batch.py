"""``copydesk batch``: inputs, the results file, resuming, failures, the request cap and 429s.

CLI tests run against a FakeModel behind a real HTTP server; the tests of the request cap
and of the shared 429 pause use the in-process fake transport, whose in-flight count is
exact. No test asserts how fast anything is (bench/run.py measures that): the 429 tests
run the pause on a fake clock (tests/fake_clock.py), so they check exact times and waits.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import lines, valid_answers
from fake_clock import FakeClock

from copydesk.batch import Pause, SharedRequests, collect, read_done, retry_after, run_batch
from copydesk.cli import cli
from copydesk.errors import InputError
from copydesk.host import load_host
from copydesk.report import grounding_errors, schema_errors
from copydesk.testing import FakeModel, FakeProvider, FakeReply

CHECK_ISSUE = {
    "category": "missing_detail",
    "quote": 'unspecified "special" military equipment',
    "explanation": "The equipment is never specified.",
    "suggestion": "Ask what equipment.",
    "severity": "medium",
}


@pytest.fixture
def articles(tmp_path, sample_text):
    """A folder of two articles (and a file batch ignores) and a JSONL file of two more."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "b.txt").write_text(sample_text)
    (folder / "a.md").write_text(sample_text.replace("Lavrov", "The minister"))
    (folder / "notes.csv").write_text("not,an,article\n")
    jsonl = tmp_path / "wire.jsonl"
    jsonl.write_text(
        json.dumps({"id": "wire-1", "text": sample_text, "title": "Russia and Pakistan"})
        + "\n\n"
        + json.dumps({"id": "wire-2", "text": sample_text.replace("2016", "2015")})
        + "\n"
    )
    return folder, jsonl


def batch(runner, *args):
    return runner.invoke(cli, ["batch", "--checkers", "llm", *map(str, args)])


# examples of use -------------------------------------------------------------------------------


def test_a_folder_and_a_jsonl_file_become_one_line_per_article(runner, served, articles, tmp_path):
    folder, jsonl = articles
    out = tmp_path / "results.jsonl"
    result = batch(runner, folder, jsonl, "--output", out)
    assert result.exit_code == 0, result.output
    assert "4 articles checked: 4 ok" in result.stderr
    records = lines(out)
    assert [r["id"] for r in sorted(records, key=lambda r: r["id"])] == [
        str(folder / "a.md"),
        str(folder / "b.txt"),
        "wire-1",
        "wire-2",
    ]
    for record in records:
        assert set(record) == {"id", "source", "status", "report"}
        assert record["status"] == "ok"
        assert schema_errors(record["report"]) == [] and grounding_errors(record["report"]) == []
    wire = next(r for r in records if r["id"] == "wire-1")
    assert wire["source"] == f"{jsonl}:1" and wire["report"]["article"]["title"] == (
        "Russia and Pakistan"
    )
    assert len(served.requests) == 4 * 3, "three model calls per article"


def test_collect_reads_folders_in_name_order_and_jsonl_line_by_line(articles, tmp_path):
    folder, jsonl = articles
    no_id = tmp_path / "no-id.jsonl"
    no_id.write_text('{"text": "An article with no id."}\n')
    sources = collect([str(folder), str(jsonl), str(no_id)])
    assert [s.id for s in sources] == [
        str(folder / "a.md"),
        str(folder / "b.txt"),
        "wire-1",
        "wire-2",
        f"{no_id}:1",
    ]


def test_an_article_can_be_a_url(runner, served, sample_text, tmp_path):
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):
            pass

    pages = tmp_path / "site"
    pages.mkdir()
    (pages / "story.txt").write_text(sample_text)
    handler = functools.partial(Quiet, directory=str(pages))
    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{site.server_address[1]}/story.txt"
    out = tmp_path / "results.jsonl"
    try:
        result = batch(runner, url, "--output", out)
    finally:
        site.shutdown()
        site.server_close()
    assert result.exit_code == 0, result.output
    (record,) = lines(out)
    assert record["id"] == url and record["status"] == "ok"


def test_the_same_command_resumes_where_it_stopped(runner, served, articles, tmp_path):
    folder, _ = articles
    out = tmp_path / "results.jsonl"
    assert batch(runner, folder, "--output", out, "--no-cache").exit_code == 0
    assert len(served.requests) == 6
    (folder / "c.txt").write_text((folder / "b.txt").read_text().replace("Pakistan", "India"))

    result = batch(runner, folder, "--output", out, "--no-cache")
    assert result.exit_code == 0, result.output
    assert "1 article checked: 1 ok" in result.stderr and "2 skipped" in result.stderr
    assert len(served.requests) == 9, "only the new article was checked"
    assert [r["id"] for r in lines(out)][-1] == str(folder / "c.txt") and len(lines(out)) == 3

    result = batch(runner, folder, "--output", out, "--no-cache")
    assert result.exit_code == 0 and len(served.requests) == 9
    assert f"nothing to check: all 3 articles are already in {out}" in result.stderr


def test_a_line_torn_by_a_killed_run_is_checked_again(runner, served, articles, tmp_path):
    folder, _ = articles
    out = tmp_path / "results.jsonl"
    batch(runner, folder, "--output", out)
    whole, torn = out.read_text().splitlines()
    out.write_text(whole + "\n" + torn[: len(torn) // 2])  # killed mid-write, no newline
    assert len(read_done(out)) == 1

    result = batch(runner, folder, "--output", out)
    assert result.exit_code == 0, result.output
    assert "1 article checked" in result.stderr
    assert len(read_done(out)) == 2
    kept = out.read_text().splitlines()
    assert len(kept) == 3 and kept[1] == torn[: len(torn) // 2], "the torn line is left alone"
    assert json.loads(kept[2])["id"] == json.loads(torn)["id"], "and its article follows it"


def test_a_rerun_of_a_batch_into_a_new_file_asks_the_model_nothing(
    runner, served, articles, tmp_path
):
    folder, jsonl = articles
    batch(runner, folder, jsonl, "--output", tmp_path / "first.jsonl")
    asked = len(served.requests)
    result = batch(runner, folder, jsonl, "--output", tmp_path / "second.jsonl")
    assert result.exit_code == 0
    assert len(served.requests) == asked
    assert "0 model calls, 12 answered from the cache" in result.stderr
    calls = [c for r in lines(tmp_path / "second.jsonl") for c in r["report"]["calls"]]
    assert {c["status"] for c in calls} == {"cached"}


# failures ------------------------------------------------------------------------------------


def test_a_failed_article_is_recorded_and_the_others_go_on(runner, served, articles, tmp_path):
    folder, jsonl = articles
    (folder / "empty.txt").write_bytes(b"")
    with jsonl.open("a") as handle:
        handle.write("{not json\n")
        handle.write(json.dumps({"id": "no-text", "title": "?"}) + "\n")
    out = tmp_path / "results.jsonl"

    result = batch(runner, folder, jsonl, "--output", out)
    assert result.exit_code == 3
    by_id = {r["id"]: r for r in lines(out)}
    assert {i: r["status"] for i, r in by_id.items()} == {
        str(folder / "a.md"): "ok",
        str(folder / "b.txt"): "ok",
        str(folder / "empty.txt"): "failed",
        "wire-1": "ok",
        "wire-2": "ok",
        f"{jsonl}:4": "failed",
        "no-text": "failed",
    }
    assert "is empty" in by_id[str(folder / "empty.txt")]["error"]
    assert "not a JSON object" in by_id[f"{jsonl}:4"]["error"]
    assert by_id["no-text"]["report"] is None
    assert "4 ok, 0 partial, 3 failed" in result.stderr and "Traceback" not in result.output


def test_a_failed_stage_makes_the_article_partial_and_retry_failed_runs_it_again(
    runner, served, articles, tmp_path
):
    folder, jsonl = articles

    def check(request):
        if "2015" in request["messages"][0]["content"]:
            return FakeReply(status=422, content={"error": {"message": "cannot do that"}})
        return {"issues": [CHECK_ISSUE]}

    served.answer("check", check)
    out = tmp_path / "results.jsonl"
    result = batch(runner, folder, jsonl, "--output", out)
    assert result.exit_code == 3
    wire2 = next(r for r in lines(out) if r["id"] == "wire-2")
    assert wire2["status"] == "partial" and "answered HTTP 422" in wire2["error"]
    assert wire2["report"]["summary"] is not None, "what succeeded is kept"

    served.answer("check", {"issues": [CHECK_ISSUE]})
    assert "nothing to check" in batch(runner, folder, jsonl, "--output", out).stderr
    result = batch(runner, folder, jsonl, "--output", out, "--retry-failed")
    assert result.exit_code == 0, result.output
    assert "1 article checked: 1 ok" in result.stderr
    assert read_done(out)["wire-2"] == "ok", "the last line of an id is its status"


def test_fail_on_exits_1_and_usage_errors_exit_2(runner, served, articles, tmp_path):
    folder, _ = articles
    out = tmp_path / "results.jsonl"
    # the fake model's findings are model-only (confidence 0.4): shown only with a lower bar
    shown = ("--min-confidence", "0.3")
    assert batch(runner, folder, "--output", out, "--fail-on", "high", *shown).exit_code == 0
    out.unlink()
    assert batch(runner, folder, "--output", out, "--fail-on", "medium", *shown).exit_code == 1
    out.unlink()
    assert batch(runner, folder, "--output", out, "--fail-on", "medium").exit_code == 0

    assert batch(runner, tmp_path / "nope", "--output", out).exit_code == 2
    assert batch(runner, folder, "--output", tmp_path).exit_code == 2
    dup = tmp_path / "dup.jsonl"
    dup.write_text('{"id": "x", "text": "One."}\n{"id": "x", "text": "Two."}\n')
    result = batch(runner, dup, "--output", out)
    assert result.exit_code == 2 and "two articles have the id 'x'" in result.output
    empty = tmp_path / "empty-folder"
    empty.mkdir()
    result = batch(runner, empty, "--output", out)
    assert result.exit_code == 2 and "a folder with no article files" in result.output
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n")
    result = batch(runner, blank, "--output", out)
    assert result.exit_code == 2 and "no articles found" in result.output


def test_no_cache_bypasses_the_cache_in_batch(runner, served, articles, tmp_path):
    folder, _ = articles
    batch(runner, folder, "--output", tmp_path / "one.jsonl")
    batch(runner, folder, "--output", tmp_path / "two.jsonl", "--no-cache")
    assert len(served.requests) == 12


# the shared request gate ----------------------------------------------------------------------


def in_process(fake: FakeModel, opened: list[int] | None = None):
    """A host whose ``fake`` provider answers in-process (exact in-flight counts)."""
    host = load_host()
    provider = FakeProvider(fake)
    if opened is not None:
        real_open = provider.open

        def counting_open(settings, *, offline=False):
            opened.append(1)
            return real_open(settings, offline=offline)

        provider.open = counting_open
    host.components["provider"]["fake"] = provider
    return host


def jsonl_of(tmp_path: Path, texts: list[str]) -> Path:
    path = tmp_path / "articles.jsonl"
    path.write_text(
        "".join(json.dumps({"id": f"a{i}", "text": t}) + "\n" for i, t in enumerate(texts))
    )
    return path


def test_the_cap_on_requests_in_flight_holds_across_articles(sample_text, tmp_path):
    fake = FakeModel()
    valid_answers(fake)
    for prompt, script in list(fake.scripts.items()):
        fake.answer(prompt, FakeReply(script[0], delay=0.02))
    opened: list[int] = []
    texts = [sample_text.replace("2016", str(1990 + i)) for i in range(12)]
    summary = run_batch(
        in_process(fake, opened),
        [str(jsonl_of(tmp_path, texts))],
        tmp_path / "out.jsonl",
        provider="fake",
        checkers="llm",
        concurrency=8,
        max_in_flight=3,
        progress=False,
    )
    assert summary.counts["ok"] == 12
    assert fake.max_in_flight == 3, "the cap was reached and never passed"
    assert summary.gate.peak_in_flight == 3 and summary.gate.requests == 36
    assert opened == [1], "one endpoint for the whole batch"


def test_a_429_pauses_every_worker_until_retry_after(sample_text, tmp_path):
    """On a fake clock, which moves only when the gate waits: the first request is
    rate-limited for 250 ms, and every request after it, the other articles' and the
    retry, goes out once those 250 ms are over, after one wait of exactly that long."""
    clock = FakeClock(1000.0)
    fake = FakeModel()
    valid_answers(fake)
    arrivals: list[tuple[float, str]] = []

    def recorded(prompt, replies):
        def reply(request):
            arrivals.append((clock(), prompt))
            return replies.pop(0) if len(replies) > 1 else replies[0]

        return reply

    ok = {p: s[0] for p, s in fake.scripts.items()}
    limited = FakeReply(
        status=429,
        content={"error": {"message": "slow down"}},
        headers={"retry-after-ms": "250"},
    )
    fake.answer("summarise", recorded("summarise", [limited, FakeReply(ok["summarise"])]))
    fake.answer("claims", recorded("claims", [FakeReply(ok["claims"])]))
    fake.answer("check", recorded("check", [FakeReply(ok["check"])]))
    texts = [sample_text.replace("2016", str(2000 + i)) for i in range(3)]
    summary = run_batch(
        in_process(fake),
        [str(jsonl_of(tmp_path, texts))],
        tmp_path / "out.jsonl",
        provider="fake",
        checkers="llm",
        concurrency=3,
        max_in_flight=1,
        progress=False,
        clock=clock,
        sleep=clock.sleep,
    )
    assert summary.counts["ok"] == 3, "the rate-limited request was retried and answered"
    assert arrivals[0] == (1000.0, "summarise")
    # Nothing was sent while the server had asked everyone to wait: not the other
    # articles' requests, which were ready at once, nor the retry.
    assert [when for when, _ in arrivals[1:]] == [1000.25] * (3 * 3)
    assert clock.sleeps == [0.25], "one wait, exactly as long as the server asked"
    assert summary.gate.rate_limited == 1 and summary.gate.held == 1
    assert summary.gate.paused_seconds == 0.25
    assert len(fake.requests) == 3 * 3 + 1


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after-ms": "250"}, 0.25),
        ({"Retry-After": "2"}, 2.0),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),  # in the past
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_is_read_in_every_form_servers_send(headers, seconds):
    assert retry_after(headers) == seconds


def test_the_gate_pauses_for_the_longest_retry_after_and_caps_it():
    import asyncio

    async def go() -> tuple[float, float]:
        gate = SharedRequests(4, Pause(FakeClock(1000.0)))
        gate.rate_limited({"retry-after": "5"})
        gate.rate_limited({"retry-after": "1"})  # a shorter pause does not shorten it
        first = gate.pause.until
        gate.rate_limited({"retry-after": "3600"})
        return first, gate.pause.until

    first, capped = asyncio.run(go())
    assert first == 1005.0 and capped == 1060.0, "five seconds, then capped at a minute"


def test_collect_refuses_missing_inputs_and_standard_input(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        collect([str(tmp_path / "missing.txt")])
    with pytest.raises(InputError, match="standard input"):
        collect(["-"])


def test_the_package_names_its_public_api_and_loads_its_engine_on_first_use():
    import subprocess
    import sys

    import copydesk.batch
    from copydesk.batch.run import run_batch as from_its_module

    assert all(hasattr(copydesk.batch, name) for name in copydesk.batch.__all__)
    assert copydesk.batch.run_batch is from_its_module
    with pytest.raises(AttributeError, match="no_such_name"):
        copydesk.batch.no_such_name  # noqa: B018
    # Building the CLI (as `copydesk --help` does) builds the batch command, not its engine.
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, copydesk.cli; print('copydesk.batch.run' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "False"


# cassettes and budgets, as in check ------------------------------------------------------------


def test_a_batch_recorded_once_replays_with_no_endpoint(runner, articles, tmp_path, monkeypatch):
    """In CI: record the batch's model answers once, then replay them with no network,
    no key and no model, in one process."""
    folder, jsonl = articles
    cassette = tmp_path / "batch.yaml"
    fake = FakeModel()
    valid_answers(fake)
    with fake.serve() as base_url:
        recorded = runner.invoke(
            cli,
            [
                *("batch", str(folder), str(jsonl), "--base-url", base_url),
                *("--model", "fake-model", "--checkers", "llm"),
                *("-o", str(tmp_path / "recorded.jsonl"), "--record", str(cassette)),
            ],
        )
    assert recorded.exit_code == 0, recorded.output
    assert cassette.read_text().startswith("# copydesk cassette")
    assert "copydesk batch" in cassette.read_text(), "the provenance says how it was recorded"

    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # a dead port
    replayed = runner.invoke(
        cli,
        [
            *("batch", str(folder), str(jsonl), "--checkers", "llm"),
            *("-o", str(tmp_path / "replayed.jsonl"), "--replay", str(cassette)),
        ],
    )
    assert replayed.exit_code == 0, replayed.output
    assert "4 articles checked: 4 ok" in replayed.stderr
    before = {r["id"]: r["report"]["findings"] for r in lines(tmp_path / "recorded.jsonl")}
    after = {r["id"]: r["report"]["findings"] for r in lines(tmp_path / "replayed.jsonl")}
    assert after == before and len(fake.requests) == 4 * 3


def test_an_article_the_cassette_lacks_is_partial_and_says_how_to_re_record(
    runner, served, articles, sample_text, tmp_path
):
    folder, jsonl = articles
    cassette = tmp_path / "batch.yaml"
    recorded = batch(runner, jsonl, "-o", tmp_path / "recorded.jsonl", "--record", cassette)
    assert recorded.exit_code == 0, recorded.output
    (folder / "c.txt").write_text(sample_text.replace("Lavrov", "The envoy"))
    replayed = batch(
        runner, jsonl, folder / "c.txt", "-o", tmp_path / "out.jsonl", "--replay", cassette
    )
    assert replayed.exit_code == 3
    by_id = {r["id"]: r for r in lines(tmp_path / "out.jsonl")}
    assert by_id["wire-1"]["status"] == by_id["wire-2"]["status"] == "ok"
    lacking = by_id[str(folder / "c.txt")]
    assert lacking["status"] == "partial"
    assert "holds no answer for this 'summarise' request" in lacking["error"]
    assert f"--record {cassette}" in lacking["error"]


def test_cassettes_are_one_process_and_budgets_are_per_article(runner, served, articles, tmp_path):
    folder, _ = articles
    many = batch(
        runner, folder, "-o", tmp_path / "o.jsonl", "--replay", tmp_path / "none.yaml", "-p", "2"
    )
    assert many.exit_code == 2 and "does not exist" in many.stderr
    (tmp_path / "none.yaml").write_text("")
    many = batch(
        runner, folder, "-o", tmp_path / "o.jsonl", "--record", tmp_path / "new.yaml", "-p", "2"
    )
    assert many.exit_code == 2 and "one process" in many.stderr

    budget = batch(runner, folder, "-o", tmp_path / "budget.jsonl", "--max-calls", "1")
    assert budget.exit_code == 3
    for record in lines(tmp_path / "budget.jsonl"):
        assert record["status"] == "partial" and "--max-calls" in record["error"]
        assert sum(c["attempts"] for c in record["report"]["calls"]) == 1
