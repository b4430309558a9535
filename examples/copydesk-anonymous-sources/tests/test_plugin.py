"""The plugin as copydesk sees it once installed: loaded from its entry point, listed by
``copydesk plugins``, its prompt found and overridable, its findings in ``copydesk check``.

These run the real ``copydesk`` command in a subprocess, as a user would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ARTICLE, CATEGORY, CHECKERS
from copydesk.host import load_host

from copydesk_anonymous_sources.plugin import PROMPT, PROMPTS


def copydesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "copydesk", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_copydesk_loads_the_plugin_from_its_entry_point():
    host = load_host()
    info = host.plugins["anonymous_sources"]
    assert info.source == "package copydesk-anonymous-sources"
    assert info.registered == {"checker": CHECKERS}
    assert info.prompt_dirs == [str(PROMPTS)]
    assert host.get("checker", "anonymous-sources").needs_model is False
    assert host.get("checker", "anonymous-sources-llm").needs_model is True


def test_copydesk_plugins_lists_it():
    done = copydesk("plugins", "--format", "json")
    assert done.returncode == 0, done.stderr
    (ours,) = [p for p in json.loads(done.stdout) if p["name"] == "anonymous_sources"]
    assert ours["version"] == "0.1.0"
    assert ours["registered"] == {"checker": CHECKERS}


def test_copydesk_check_reports_its_findings_with_no_model():
    done = copydesk("check", str(ARTICLE), "--no-model", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    ours = [f for f in report["findings"] if f["category"] == CATEGORY]
    assert "Sources close to the authority's board said" in [f["quote"] for f in ours]
    assert {s["plugin"]: s["status"] for s in report["stages"]}["anonymous-sources-llm"] == (
        "skipped"
    ), "the model pass needs a model"


def test_its_prompt_and_schema_are_found_in_the_package():
    listed = copydesk("prompts", "list")
    line = next(line for line in listed.stdout.splitlines() if line.startswith(f"{PROMPT}\t"))
    assert line.split("\t")[1:] == [
        str(PROMPTS / f"{PROMPT}.j2"),
        str(PROMPTS / f"{PROMPT}.schema.json"),
    ]
    schema = json.loads(copydesk("schema", "prompt", PROMPT).stdout)
    assert schema == json.loads((PROMPTS / f"{PROMPT}.schema.json").read_text())


def test_a_prompts_dir_override_wins_over_the_plugins_prompt(tmp_path: Path):
    override = tmp_path / f"{PROMPT}.j2"
    override.write_text('{% extends "_base.j2" %}{% block user %}Mine.{% endblock %}\n')
    listed = copydesk("prompts", "list", "--prompts-dir", str(tmp_path))
    line = next(line for line in listed.stdout.splitlines() if line.startswith(f"{PROMPT}\t"))
    template, schema = line.split("\t")[1:]
    assert template == str(override), "the user's folder is searched first"
    assert schema == str(PROMPTS / f"{PROMPT}.schema.json"), "no schema override: the plugin's"
