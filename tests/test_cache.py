"""The response cache: a re-run asks the model nothing, and nothing else is ever served from it.

Keys are the sha256 of the exact request (endpoint, model, messages, response schema,
sampling parameters), so any change asks again; only validated answers are kept; the cache
is off at temperature > 0, while recording and while replaying, and with ``--no-cache``.
"""

from __future__ import annotations

import copy
import json
import multiprocessing
import threading
import time
from pathlib import Path

import pytest
from conftest import valid_answers

from copydesk.cache import DiskCache, cache_dir, cache_for, request_key
from copydesk.cli import cli
from copydesk.host import load_host
from copydesk.inputs import read_article
from copydesk.runner import Copydesk
from copydesk.settings import Settings
from copydesk.testing import FakeModel, FakeProvider, FakeReply

REQUEST = {
    "model": "fake-model",
    "messages": [
        {"role": "system", "content": "The article."},
        {"role": "user", "content": "Summarise it."},
    ],
    "max_tokens": 400,
    "temperature": 0.0,
    "seed": 42,
    "response_format": {
        "type": "json_schema",
        "json_schema": {"name": "summarise", "strict": True, "schema": {"type": "object"}},
    },
}
URL = "http://127.0.0.1:8080/v1"


def check_json(runner, sample_path, tmp_path, *extra):
    out = tmp_path / "report.json"
    args = ["check", str(sample_path), "--checkers", "llm", "--format", "json", "-o", str(out)]
    result = runner.invoke(cli, [*args, *extra])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


# examples of use ------------------------------------------------------------------------


def test_a_rerun_of_the_same_article_makes_no_model_call(runner, served, sample_path, tmp_path):
    first = check_json(runner, sample_path, tmp_path)
    asked = len(served.requests)
    assert asked == 3 and all(c["status"] == "ok" for c in first["calls"])

    second = check_json(runner, sample_path, tmp_path)
    assert len(served.requests) == asked, "the second run asked the model nothing"
    assert [c["status"] for c in second["calls"]] == ["cached"] * 3
    assert second["summary"] == first["summary"]
    assert second["claims"] == first["claims"] and second["findings"] == first["findings"]


def test_no_cache_asks_the_model_again(runner, served, sample_path, tmp_path):
    check_json(runner, sample_path, tmp_path)
    again = check_json(runner, sample_path, tmp_path, "--no-cache")
    assert len(served.requests) == 6
    assert all(c["status"] == "ok" for c in again["calls"])


def test_cache_info_and_clear(runner, served, sample_path, tmp_path):
    check_json(runner, sample_path, tmp_path)
    info = json.loads(runner.invoke(cli, ["cache", "info", "--json"]).stdout)
    assert info["path"] == str(cache_dir()) and info["entries"] == 3 and info["bytes"] > 0
    assert "entries: 3" in runner.invoke(cli, ["cache", "info"]).stdout

    cleared = runner.invoke(cli, ["cache", "clear"])
    assert cleared.exit_code == 0 and "removed 3 cached answers" in cleared.stdout
    assert json.loads(runner.invoke(cli, ["cache", "info", "--json"]).stdout)["entries"] == 0
    check_json(runner, sample_path, tmp_path)
    assert len(served.requests) == 6, "after clear the model is asked again"


def test_the_cache_folder_follows_copydesk_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("COPYDESK_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert DiskCache().root == tmp_path / "elsewhere"
    monkeypatch.delenv("COPYDESK_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))  # the user cache folder on Linux
    assert cache_dir() == tmp_path / "xdg" / "copydesk" / "responses"


# what the key covers ------------------------------------------------------------------------


def changed(path: tuple[str | int, ...], value: object) -> dict:
    request = copy.deepcopy(REQUEST)
    target = request
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return request


@pytest.mark.parametrize(
    ("what", "request_"),
    [
        ("the prompt", changed(("messages", 1, "content"), "List the claims.")),
        ("the article", changed(("messages", 0, "content"), "Another article.")),
        ("the model", changed(("model",), "another-model")),
        (
            "the schema",
            changed(("response_format", "json_schema", "schema"), {"type": "object", "x": 1}),
        ),
        ("max_tokens", changed(("max_tokens",), 900)),
        ("the seed", changed(("seed",), 7)),
        ("extra body", {**REQUEST, "extra_body": {"cache_prompt": True}}),
    ],
)
def test_the_key_changes_with_everything_that_decides_the_answer(what, request_):
    assert request_key(request_, URL) != request_key(REQUEST, URL), what


def test_the_key_changes_with_the_endpoint_but_not_with_key_order():
    assert request_key(REQUEST, "http://other:8080/v1") != request_key(REQUEST, URL)
    assert request_key(REQUEST, URL + "/") == request_key(REQUEST, URL)
    reordered = dict(reversed(list(REQUEST.items())))
    assert request_key(reordered, URL) == request_key(REQUEST, URL)


def test_a_different_prompt_or_model_is_a_miss_end_to_end(served, sample_path, tmp_path, runner):
    check_json(runner, sample_path, tmp_path)
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    (prompts / "check.j2").write_text(
        '{% extends "_base.j2" %}{% block user %}Flag problems as JSON.{% endblock %}'
    )
    report = check_json(runner, sample_path, tmp_path, "--prompts-dir", str(prompts))
    by_prompt = {c["prompt"]: c["status"] for c in report["calls"]}
    assert by_prompt == {"summarise": "cached", "claims": "cached", "check": "ok"}
    report = check_json(runner, sample_path, tmp_path, "--model", "other-model")
    assert all(c["status"] == "ok" for c in report["calls"])


class PinnedModel:
    """Like the embedded model: a new port every run, the same model file."""

    name = "pinned"
    description = "a served fake that names its model file"

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def capabilities(self, settings):
        from copydesk.components import Capabilities

        return Capabilities()

    def open(self, settings, *, offline=False):
        from copydesk.components import Endpoint

        info = {"server": "llama.cpp via xllamacpp 0.2", "model_sha256": "ab" * 32}
        return Endpoint(base_url=self.base_url, model="tiny", info=info)

    def close(self):
        pass


def test_the_embedded_model_is_known_by_its_file_not_its_port(sample_path, tmp_path):
    asked = []
    for _ in range(2):
        fake = FakeModel()
        valid_answers(fake)
        with fake.serve() as base_url:  # a new port each time
            host = load_host()
            host.components["provider"]["pinned"] = PinnedModel(base_url)
            desk = Copydesk(
                Settings(provider="pinned"),
                host,
                checkers=["llm"],
                cache=DiskCache(tmp_path / "cache"),
            )
            result = desk.check(read_article(str(sample_path)))
        asked.append(len(fake.requests))
    assert asked == [3, 0]
    assert [c.status for c in result.calls] == ["cached"] * 3


class SlowServer(PinnedModel):
    """Like the embedded model, whose open() starts llama.cpp: counted, and known offline
    by the same model file."""

    def capabilities(self, settings):
        from copydesk.components import Capabilities

        return Capabilities(opens_slowly=True)

    def __init__(self, base_url: str, *, offline_sha256: str = "ab" * 32) -> None:
        super().__init__(base_url)
        self.started = 0
        self.offline_sha256 = offline_sha256
        self.starting = threading.Semaphore(1)

    def open(self, settings, *, offline=False):
        from copydesk.components import Endpoint

        if offline:
            info = {"server": "llama.cpp via xllamacpp 0.2", "model_sha256": self.offline_sha256}
            return Endpoint(base_url="http://127.0.0.1:9/v1", model="tiny", info=info)
        # Starting takes a while: a second start meanwhile would be a second server.
        assert self.starting.acquire(blocking=False), "started twice at once"
        try:
            time.sleep(0.2)
            self.started += 1
            return super().open(settings)
        finally:
            self.starting.release()


def check_with(provider, sample_path, tmp_path):  # type: ignore[no-untyped-def]
    host = load_host()
    host.components["provider"][provider.name] = provider
    desk = Copydesk(
        Settings(provider=provider.name),
        host,
        checkers=["llm"],
        cache=DiskCache(tmp_path / "cache"),
    )
    return desk.check(read_article(str(sample_path)))


def test_a_rerun_on_the_embedded_model_does_not_start_its_server(sample_path, tmp_path):
    fake = FakeModel()
    valid_answers(fake)
    with fake.serve() as base_url:
        first = SlowServer(base_url)
        check_with(first, sample_path, tmp_path)
        again = SlowServer(base_url)
        result = check_with(again, sample_path, tmp_path)
    assert (first.started, again.started) == (1, 0), "every answer was in the cache"
    assert [c.status for c in result.calls] == ["cached"] * 3
    assert len(fake.requests) == 3


def test_misses_start_the_server_once_for_all_the_stages_asking(sample_path, tmp_path):
    fake = FakeModel()
    valid_answers(fake)
    with fake.serve() as base_url:
        check_with(SlowServer(base_url), sample_path, tmp_path)
        edited = tmp_path / "edited.txt"
        edited.write_text(sample_path.read_text().replace("Lavrov", "The minister"))
        provider = SlowServer(base_url)
        result = check_with(provider, edited, tmp_path)
    assert provider.started == 1, "summary and claims missed together; one server"
    assert [c.status for c in result.calls] == ["ok"] * 3
    assert {c.endpoint for c in result.calls} == {base_url}, "calls name the real endpoint"


def test_a_provider_known_otherwise_offline_still_gets_its_answers(sample_path, tmp_path):
    """If the offline shape names the endpoint differently from the opened one, the
    lookup with the shape misses: copydesk opens it and looks again under its real name."""
    fake = FakeModel()
    valid_answers(fake)
    with fake.serve() as base_url:
        check_with(SlowServer(base_url, offline_sha256="ff" * 32), sample_path, tmp_path)
        again = SlowServer(base_url, offline_sha256="ff" * 32)
        result = check_with(again, sample_path, tmp_path)
    assert again.started == 1
    assert [c.status for c in result.calls] == ["cached"] * 3
    assert len(fake.requests) == 3


def test_endpoint_identity_is_the_url_unless_the_endpoint_names_its_model_file():
    from copydesk.components import Endpoint
    from copydesk.model import endpoint_identity

    assert endpoint_identity(Endpoint(base_url=URL, model="m")) == URL
    pinned = Endpoint(
        base_url=URL, model="m", info={"server": "llama.cpp 1", "model_sha256": "cd" * 32}
    )
    moved = Endpoint(base_url="http://127.0.0.1:1/v1", model="m", info=dict(pinned.info))
    assert (
        endpoint_identity(pinned) == endpoint_identity(moved) == f"sha256:{'cd' * 32} llama.cpp 1"
    )
    upgraded = Endpoint(base_url=URL, model="m", info={**pinned.info, "server": "llama.cpp 2"})
    assert endpoint_identity(upgraded) != endpoint_identity(pinned)


# when it is off ------------------------------------------------------------------------------


def test_the_cache_is_off_when_recording_replaying_sampling_or_told():
    assert isinstance(cache_for(Settings()), DiskCache)
    assert cache_for(Settings(), no_cache=True) is None
    assert cache_for(Settings(recording=True)) is None
    assert cache_for(Settings(offline=True)) is None
    assert cache_for(Settings(temperature=0.7)) is None


def test_a_recording_holds_real_http_even_when_the_cache_has_the_answers(
    runner, served, sample_path, tmp_path
):
    check_json(runner, sample_path, tmp_path)
    cassette = tmp_path / "run.yaml"
    check_json(runner, sample_path, tmp_path, "--record", str(cassette))
    assert len(served.requests) == 6, "recording asked the model, not the cache"
    assert cassette.read_text().count("/chat/completions") == 3


def test_a_sampling_request_is_never_read_or_written(tmp_path):
    cache = DiskCache(tmp_path)
    hot = {**REQUEST, "temperature": 0.7}
    key = cache.key(hot, URL)
    cache.put(key, {"summary": "x"})
    assert cache.get(key) is None and cache.info().entries == 0
    unset = {k: v for k, v in REQUEST.items() if k != "temperature"}  # the API default is 1
    key = cache.key(unset, URL)
    cache.put(key, {"summary": "x"})
    assert cache.get(key) is None


def test_only_validated_answers_are_kept(fake_model, sample_path, tmp_path):
    valid_answers(fake_model)
    fake_model.answer("summarise", FakeReply(status=500, content={"error": {"message": "down"}}))
    fake_model.answer("claims", "{not json")
    host = load_host()
    host.components["provider"]["fake"] = FakeProvider(fake_model)
    desk = Copydesk(
        Settings(provider="fake", reasks=0, max_retries=0),
        host,
        checkers=["llm"],
        cache=DiskCache(tmp_path / "cache"),
    )
    result = desk.check(read_article(str(sample_path)))
    assert {s.plugin + "/" + s.stage: s.status for s in result.stages} == {
        "llm/summariser": "failed",
        "llm/claim_extractor": "unparseable",
        "llm/checker": "ok",
    }
    stored = [json.loads(p.read_text())["value"] for p in (tmp_path / "cache").glob("*/*.json")]
    assert stored == [fake_model.scripts["check"][0]], "only the answer that validated"


# on disk -----------------------------------------------------------------------------------


def test_a_torn_or_foreign_entry_is_a_miss_and_is_replaced(tmp_path):
    cache = DiskCache(tmp_path)
    key = cache.key(REQUEST, URL)
    path = tmp_path / key[:2] / f"{key}.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"key": "' + key + '", "value": {"summ')
    assert cache.get(key) is None
    path.write_text(json.dumps({"key": "0" * 64, "value": {"summary": "someone else's"}}))
    assert cache.get(key) is None
    cache.put(key, {"summary": "fresh"})
    assert cache.get(key) == {"summary": "fresh"}


def test_clear_leaves_files_it_did_not_write(tmp_path):
    cache = DiskCache(tmp_path)
    cache.put(cache.key(REQUEST, URL), {"summary": "x"})
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "ab").mkdir(exist_ok=True)
    (tmp_path / "ab" / "keep.json").write_text("{}")
    assert cache.clear() == 1
    assert (tmp_path / "notes.txt").exists() and (tmp_path / "ab" / "keep.json").exists()
    assert cache.info().entries == 0


def test_an_unwritable_cache_warns_once_and_the_run_goes_on(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = DiskCache(blocker)
    for n in range(3):
        request = changed(("seed",), n)
        cache.put(cache.key(request, URL), {"summary": "x"})
        assert cache.get(cache.key(request, URL)) is None
    assert capsys.readouterr().err.count("cannot be written") == 1


def test_threads_writing_and_reading_the_same_keys_see_whole_entries(tmp_path):
    cache = DiskCache(tmp_path)
    keys = [cache.key(changed(("seed",), n), URL) for n in range(20)]
    value = {"summary": "x" * 5000}
    seen: list[object] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                for key in keys:
                    cache.put(key, value)
                    seen.append(cache.get(key))
        except BaseException as exc:  # pragma: no cover - the assertion reports it
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(v == value for v in seen)
    assert cache.info().entries == 20
    assert not list(tmp_path.glob("*/*.tmp")), "no temporary file is left behind"


def _hammer(root: str, keys: list[str], results: multiprocessing.Queue) -> None:
    cache = DiskCache(Path(root))
    bad = 0
    for _ in range(10):
        for key in keys:
            cache.put(key, {"summary": key * 40})
            got = cache.get(key)
            bad += got != {"summary": key * 40}
    results.put(bad)


def test_processes_sharing_a_cache_never_see_a_partial_entry(tmp_path):
    keys = [request_key(changed(("seed",), n), URL) for n in range(15)]
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    procs = [ctx.Process(target=_hammer, args=(str(tmp_path), keys, results)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
    assert [results.get(timeout=5) for _ in procs] == [0, 0, 0]
    assert DiskCache(tmp_path).info().entries == 15


def test_the_report_says_when_answers_came_from_the_cache(runner, served, sample_path):
    args = ["check", str(sample_path), "--checkers", "llm", "--format", "markdown"]
    first = runner.invoke(cli, args).stdout
    second = runner.invoke(cli, args).stdout
    assert "3 model calls to fake-model" in first and "response cache" not in first
    assert "no model calls: all 3 answers came from the response cache" in second
