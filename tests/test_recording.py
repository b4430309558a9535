"""Record once, replay anywhere: cassettes that say where they came from and never hold a key.

These tests record from a scripted fake server into a temporary folder, never into
cassettes/ (which holds only real model answers); test_cassettes.py checks those.
"""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner
from conftest import valid_answers

from copydesk.cli import cli
from copydesk.testing import FakeModel

SECRET = "sk-test-0123456789abcdefghijklmnop"


@pytest.fixture
def recorded(tmp_path, monkeypatch, sample_path):
    """A cassette recorded over HTTP from a scripted server, with an API key set."""
    fake = FakeModel()
    valid_answers(fake)
    cassette = tmp_path / "run.yaml"
    with fake.serve() as base_url:
        monkeypatch.setenv("OPENAI_API_KEY", SECRET)
        result = CliRunner().invoke(
            cli,
            [
                "check",
                str(sample_path),
                "--base-url",
                base_url,
                "--model",
                "fake-model",
                "--checkers",
                "llm",
                "--format",
                "json",
                "--record",
                str(cassette),
            ],
        )
    assert result.exit_code == 0, result.output
    monkeypatch.delenv("OPENAI_API_KEY")
    return cassette, json.loads(result.stdout)


def test_a_recording_carries_its_provenance_and_no_secret(recorded):
    cassette, _ = recorded
    text = cassette.read_text()
    assert text.startswith("# copydesk cassette: real model answers")
    assert SECRET not in text and "authorization" not in text.lower()
    data = yaml.safe_load(text)
    provenance = data["metadata"]["provenance"]
    assert provenance["model"] == "fake-model" and provenance["provider"] == "openai"
    assert set(provenance["prompts"]) >= {"summarise", "claims", "check"}
    assert provenance["recorded_at"] and provenance["copydesk_version"]
    assert len(data["interactions"]) == 3  # summarise, claims, check


def test_replay_needs_no_network_no_key_and_no_model(recorded, sample_path, monkeypatch):
    cassette, original = recorded
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # a dead port
    result = CliRunner().invoke(
        cli,
        [
            "check",
            str(sample_path),
            "--checkers",
            "llm",
            "--format",
            "json",
            "--replay",
            str(cassette),
        ],
    )
    assert result.exit_code == 0, result.output
    replayed = json.loads(result.stdout)
    assert replayed["summary"]["text"] == original["summary"]["text"]
    assert replayed["findings"] == original["findings"]


def test_a_changed_prompt_makes_the_cassette_stale_with_a_message_that_says_how_to_fix_it(
    recorded, sample_path, tmp_path
):
    cassette, _ = recorded
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    (prompts / "claims.j2").write_text(
        '{% extends "default:claims.j2" %}{% block user %}{{ super() }} Be brief.{% endblock %}'
    )
    result = CliRunner().invoke(
        cli,
        [
            "check",
            str(sample_path),
            "--checkers",
            "llm",
            "--replay",
            str(cassette),
            "--prompts-dir",
            str(prompts),
        ],
    )
    assert result.exit_code == 3
    assert f"cassette {cassette} is stale: prompt template 'claims'" in result.output
    assert str(prompts / "claims.j2") in result.output
    # The command that re-records it keeps the folder the changed prompt came from.
    assert f"copydesk check {sample_path} --prompts-dir {prompts} --record {cassette}" in (
        result.stderr
    )
    assert "Traceback" not in result.output


def test_a_request_never_recorded_names_the_prompt(recorded, tmp_path):
    cassette, _ = recorded
    other = tmp_path / "other.txt"
    other.write_text(
        "The council approved the budget on Monday, the mayor said, after a long debate "
        "in which three members asked for more money for the harbour.\n"
    )
    result = CliRunner().invoke(
        cli, ["check", str(other), "--checkers", "llm", "--replay", str(cassette)]
    )
    assert result.exit_code == 3
    assert "holds no answer for this 'summarise' request" in result.output


def test_record_and_replay_together_or_a_missing_cassette_are_usage_errors(sample_path, tmp_path):
    both = CliRunner().invoke(
        cli, ["check", str(sample_path), "--record", "a.yaml", "--replay", "b.yaml"]
    )
    assert both.exit_code == 2 and "cannot be used together" in both.output
    missing = CliRunner().invoke(
        cli, ["check", str(sample_path), "--replay", str(tmp_path / "none.yaml")]
    )
    assert missing.exit_code == 2 and "does not exist" in missing.output
