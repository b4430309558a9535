"""The example evidence source, examples/copydesk-wire-archive, as copydesk sees it once
installed: an evidence source its checkers search, whose words are cited as evidence.

Installed for each test the way pip would (its ``src/`` on the path and a dist-info with its
entry point, read from its pyproject.toml); ``.ci/run`` installs it for real and runs its
own tests from its folder.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from copydesk import cli as cli_module
from copydesk.cli import cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

EXAMPLE = ROOT / "examples" / "copydesk-wire-archive"
DATA = EXAMPLE / "tests" / "data"


@pytest.fixture
def archive_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]
    info = tmp_path / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    )
    entries = project["entry-points"]["copydesk"]
    (info / "entry_points.txt").write_text(
        "[copydesk]\n" + "".join(f"{name} = {target}\n" for name, target in entries.items())
    )
    monkeypatch.syspath_prepend(str(EXAMPLE / "src"))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("COPYDESK_LOAD_PLUGINS", project["name"])
    monkeypatch.setenv("COPYDESK_WIRE_ARCHIVE", str(DATA / "archive.jsonl"))
    monkeypatch.setattr(cli_module, "_host", None)  # the CLI loads its plugins afresh
    yield
    for name in list(sys.modules):
        if name.startswith("copydesk_wire_archive"):
            del sys.modules[name]


def test_hook_register_evidence_sources_the_example_archive_is_cited_as_evidence(
    archive_installed,
):
    plugins = CliRunner().invoke(cli, ["plugins", "--format", "json"])
    [ours] = [p for p in json.loads(plugins.stdout) if p["name"] == "wire_archive"]
    assert ours["registered"] == {"evidence_source": ["wire-archive"]}
    done = CliRunner().invoke(
        cli, ["check", str(DATA / "article.txt"), "--no-model", "--format", "json"]
    )
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    [finding] = [f for f in report["findings"] if f["category"] == "contradicted_claim"]
    [evidence] = finding["evidence"]
    assert (evidence["source"], evidence["document"], evidence["start"], evidence["end"]) == (
        "wire-archive",
        "wire-2031",
        74,
        133,
    )
    assert evidence["quote"] == "The bridge will cost 48 million pounds, the authority said."
    archive = [s for s in report["stages"] if s["plugin"] == "wire-archive"]
    assert archive[0]["stage"] == "evidence_source" and archive[0]["status"] == "ok"
