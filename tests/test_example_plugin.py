"""The example third-party plugin, examples/copydesk-anonymous-sources, as copydesk sees it
once installed: listed by ``copydesk plugins``, its findings in ``copydesk check``, its
prompt folder searched between the user's and the built-ins.

The plugin is "installed" for each test the way pip would do it (its ``src/`` on the path
and a dist-info naming its entry point, read from its own pyproject.toml), so these tests
need no pip run; ``.ci/run`` installs it for real and runs its own tests from its folder.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ROOT

from copydesk import cli as cli_module
from copydesk import hookspecs
from copydesk.cli import cli
from copydesk.host import load_host
from copydesk.prompt_library import BUILTIN_PROMPTS, PromptLibrary

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

EXAMPLE = ROOT / "examples" / "copydesk-anonymous-sources"
PROMPTS = EXAMPLE / "src" / "copydesk_anonymous_sources" / "prompts"
ARTICLE = EXAMPLE / "tests" / "data" / "harbour-bridge.txt"
CHECKERS = ["anonymous-sources", "anonymous-sources-llm"]


@pytest.fixture
def example_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """The example, installed for this test only; yields its pyproject's ``[project]``."""
    project: dict[str, Any] = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]
    info = tmp_path / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    )
    entries = project["entry-points"]["copydesk"]
    (info / "entry_points.txt").write_text(
        "[copydesk]\n" + "".join(f"{name} = {target}\n" for name, target in entries.items())
    )
    # First on the path, so this copy wins even if the example is also pip-installed.
    monkeypatch.syspath_prepend(str(EXAMPLE / "src"))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("COPYDESK_LOAD_PLUGINS", project["name"])
    monkeypatch.setattr(cli_module, "_host", None)  # the CLI loads its plugins afresh
    yield project
    for name in list(sys.modules):
        if name.startswith("copydesk_anonymous_sources"):
            del sys.modules[name]


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_copydesk_plugins_shows_the_example_once_installed(example_installed):
    listed = json.loads(invoke("plugins", "--format", "json"))
    (example,) = [p for p in listed if p["name"] == "anonymous_sources"]
    assert example == {
        "name": "anonymous_sources",
        "version": example_installed["version"],
        "source": "package copydesk-anonymous-sources",
        "module": "copydesk_anonymous_sources.plugin",
        "registered": {"checker": CHECKERS},
        "prompt_dirs": [str(PROMPTS)],
    }
    assert "anonymous_sources" in invoke("plugins"), "and in the table people read"


def test_copydesk_load_plugins_can_leave_the_installed_example_out(example_installed, monkeypatch):
    monkeypatch.setenv("COPYDESK_LOAD_PLUGINS", "")
    assert "anonymous_sources" not in load_host().plugins


def test_the_example_declares_a_plugin_api_this_copydesk_has(example_installed):
    from copydesk_anonymous_sources import plugin

    assert 1 <= plugin.COPYDESK_PLUGIN_API <= hookspecs.PLUGIN_API


def test_hook_register_checkers_the_examples_findings_are_added_to_check(example_installed):
    report = json.loads(invoke("check", str(ARTICLE), "--no-model", "--format", "json"))
    ours = [f for f in report["findings"] if f["category"] == "anonymous_source"]
    assert [f["quote"] for f in ours if f["severity"] == "medium"] == [
        "according to people familiar with the authority's budget",
        "A senior official, who spoke on condition of anonymity because the figure has not "
        "been made public, said",
        "Sources close to the authority's board said",
        "According to reports",
    ]
    assert all(f["detectors"] == ["anonymous-sources"] for f in ours)
    stages = {s["plugin"]: s["status"] for s in report["stages"]}
    assert stages["anonymous-sources"] == "ok"
    assert stages["anonymous-sources-llm"] == "skipped", "the model pass needs a model"
    assert stages["attribution"] == "ok", "the built-in checkers run beside it"


def test_hook_register_prompt_dirs_the_examples_folder_is_searched_after_the_users(
    example_installed, tmp_path
):
    host = load_host()
    assert host.prompt_dirs == [PROMPTS]
    library = PromptLibrary([tmp_path], host.prompt_dirs)
    assert library.search_path == [tmp_path, PROMPTS, BUILTIN_PROMPTS]
    assert library.locate("anonymous_sources") == (
        PROMPTS / "anonymous_sources.j2",
        PROMPTS / "anonymous_sources.schema.json",
    )
    assert library.locate("summarise")[0].parent == BUILTIN_PROMPTS, "built-ins still found"

    (tmp_path / "anonymous_sources.j2").write_text(
        '{% extends "_base.j2" %}{% block user %}Mine.{% endblock %}\n'
    )
    template, schema = library.locate("anonymous_sources")
    assert template == tmp_path / "anonymous_sources.j2", "a --prompts-dir override wins"
    assert schema == PROMPTS / "anonymous_sources.schema.json", "and keeps the plugin's schema"
    listed = invoke("prompts", "list", "--prompts-dir", str(tmp_path))
    assert f"anonymous_sources\t{tmp_path / 'anonymous_sources.j2'}\t" in listed


def test_the_examples_prompt_shares_the_built_in_article_first_system_message(
    example_installed,
):
    from copydesk.types import Article

    article = Article(text=ARTICLE.read_text(encoding="utf-8"), title="Bridge to close")
    library = PromptLibrary([], load_host().prompt_dirs)
    ours = library.render("anonymous_sources", article=article).messages
    builtin = library.render("claims", article=article).messages
    assert ours[0] == builtin[0], "one system message for every prompt: one prefix-cache entry"
    assert ours[1] != builtin[1]
