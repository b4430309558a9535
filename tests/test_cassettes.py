"""The recorded responses in cassettes/: real, current, secret-free, and replayable offline.

Re-record them with ``python tests/record_cassettes.py`` (see CONTRIBUTING.md).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import yaml
from conftest import CASSETTES, ROOT

from copydesk.prompt_library import PromptLibrary
from copydesk.report import grounding_errors, schema_errors

ALL = sorted(CASSETTES.rglob("*.yaml"))
LAVROV = CASSETTES / "cli" / "lavrov-pakistan-2021.yaml"
SECRET_LIKE = re.compile(
    r"sk-[A-Za-z0-9_-]{16,}|Bearer [A-Za-z0-9._-]{12,}|(?i:\b(api[-_]?key|authorization|openai-organization|openai-project)\b\s*:)"
)


def load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_there_is_a_recorded_run_of_the_sample():
    assert LAVROV in ALL


@pytest.mark.parametrize("cassette", ALL, ids=lambda p: str(p.relative_to(CASSETTES)))
def test_every_cassette_says_where_it_came_from(cassette):
    text = cassette.read_text(encoding="utf-8")
    assert text.startswith("# copydesk cassette: real model answers, recorded over HTTP")
    provenance = load(cassette)["metadata"]["provenance"]
    for key in (
        "model",
        "model_sha256",
        "server",
        "recorded_at",
        "copydesk_version",
        "prompts",
        "command",
    ):
        assert provenance.get(key), f"{cassette}: provenance lacks {key}"
    assert re.fullmatch(r"[0-9a-f]{64}", provenance["model_sha256"])
    assert provenance["server"].startswith("llama.cpp"), (
        "our cassettes come from the embedded model"
    )


@pytest.mark.parametrize("cassette", ALL, ids=lambda p: str(p.relative_to(CASSETTES)))
def test_no_cassette_holds_anything_key_like(cassette):
    assert not SECRET_LIKE.search(cassette.read_text(encoding="utf-8"))


@pytest.mark.parametrize("cassette", ALL, ids=lambda p: str(p.relative_to(CASSETTES)))
def test_every_cassette_was_recorded_from_the_current_prompts(cassette):
    recorded = load(cassette)["metadata"]["provenance"]["prompts"]
    library = PromptLibrary()
    stale = {name: digest for name, digest in recorded.items() if library.digest(name) != digest}
    assert not stale, (
        f"{cassette} is stale: prompt template(s) {', '.join(stale)} changed since it was recorded; "
        f"re-record it with: python tests/record_cassettes.py"
    )


def test_every_recorded_answer_is_a_real_completion_from_the_server():
    for cassette in ALL:
        for interaction in load(cassette)["interactions"]:
            assert interaction["request"]["uri"].startswith("http://127.0.0.1:")
            headers = {k.lower(): v for k, v in interaction["response"]["headers"].items()}
            assert headers.get("server") == ["llama.cpp"]
            body = json.loads(interaction["response"]["body"]["string"])
            if interaction["request"]["uri"].endswith("/embeddings"):
                # llama.cpp's embeddings: one vector per sentence asked, of the model's width
                asked = json.loads(interaction["request"]["body"])["input"]
                assert body["object"] == "list" and len(body["data"]) == len(asked)
                assert {len(row["embedding"]) for row in body["data"]} == {1536}
            else:
                assert body["object"] == "chat.completion" and "timings" in body


def test_the_sample_replays_with_a_dead_endpoint_no_key_and_no_model(tmp_path):
    """The issue's own check, as a user would run it in CI."""
    out = tmp_path / "r.json"
    env = {"PATH": "", "HOME": str(tmp_path), "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
           "COPYDESK_MODELS_DIR": str(tmp_path / "no-models"), "COPYDESK_CONFIG": str(tmp_path / "none.toml"),
           "COPYDESK_LOAD_PLUGINS": ""}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "copydesk", "check", "samples/lavrov-pakistan-2021.txt",
         "--replay", str(LAVROV), "--format", "json", "--output", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr  # no --fail-on: findings do not fail the run
    report = json.loads(out.read_text())
    assert schema_errors(report) == [] and grounding_errors(report) == []
    assert report["summary"]["text"].strip()
    assert report["model"]["name"] == "qwen2.5-coder-1.5b-instruct"
    assert (
        report["model"]["model_sha256"]
        == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    )
    statuses = {(s["plugin"], s["stage"]): s["status"] for s in report["stages"]}
    # the embedded model's provider leaves the model checker out unless it is named
    assert statuses.pop(("llm", "checker")) == "skipped"
    assert set(statuses.values()) == {"ok"}, report["stages"]
    assert not (tmp_path / "no-models").exists(), "replay pulled nothing"


def test_the_recorded_sample_carries_both_named_flags_and_nothing_from_its_furniture():
    from copydesk.testing import run

    report = run(ROOT / "samples" / "lavrov-pakistan-2021.txt", cassette=LAVROV)
    flags = {(f["category"], f["quote"]) for f in report["findings"] if f["target"] == "article"}
    assert ("loaded_language", "bitter Cold War rivals") in flags
    assert any(
        c == "missing_detail" and 'unspecified "special" military equipment' in q for c, q in flags
    )
    (furniture,) = report["article"]["excluded"]
    for item in report["claims"] + [f for f in report["findings"] if f["target"] == "article"]:
        assert item["end"] <= furniture["start"], item
