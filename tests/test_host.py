"""The plugin host: built-ins are plugins like any other; installed plugins load from entry points."""

from __future__ import annotations

import json
import sys
import textwrap
import types

import pytest
from click.testing import CliRunner

import copydesk
from copydesk.cli import cli
from copydesk.errors import PluginLoadError
from copydesk.host import BUILTIN_PLUGINS, Host, builtin_name, load_host


def test_the_built_in_behaviour_is_a_set_of_plugins():
    host = load_host()
    assert {builtin_name(m) for m in BUILTIN_PLUGINS} <= set(host.plugins)
    assert host.owner("provider", "local") == "copydesk.local"
    assert "llm" in host.components["summariser"]
    assert "llm" in host.components["claim_extractor"]
    assert "llm" in host.components["checker"]
    assert {"openai", "local"} <= set(host.components["provider"])
    assert {"terminal", "json", "markdown"} <= set(host.components["format"])
    assert host.owner("summariser", "llm") == "copydesk.llm_summariser"


@pytest.fixture
def installed_plugin(tmp_path, monkeypatch):
    """Install a plugin package the way pip would: a module plus a dist-info with an entry point."""

    installed: list[str] = []

    def install(dist: str, entry: str, source: str, version: str = "1.0") -> None:
        installed.append(dist)
        monkeypatch.setenv("COPYDESK_LOAD_PLUGINS", ",".join(installed))
        module = entry.replace("-", "_")
        (tmp_path / f"{module}.py").write_text(textwrap.dedent(source))
        info = tmp_path / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        (info / "entry_points.txt").write_text(f"[copydesk]\n{entry} = {module}\n")

    monkeypatch.syspath_prepend(str(tmp_path))
    yield install
    for name in list(sys.modules):
        if name.startswith("cd_test_"):
            del sys.modules[name]


CHECKER_PLUGIN = """
    import copydesk

    @copydesk.checker(categories=("loaded_language",))
    def shouting(ctx):
        return []

    @copydesk.hookimpl
    def register_checkers(register):
        register(shouting)
"""


def test_an_installed_plugin_is_loaded_from_its_entry_point(installed_plugin):
    installed_plugin("copydesk-shouting", "cd_test_shouting", CHECKER_PLUGIN, version="2.3")
    host = load_host()
    info = host.plugins["cd_test_shouting"]
    assert info.version == "2.3" and info.source == "package copydesk-shouting"
    assert info.registered == {"checker": ["shouting"]}


def test_copydesk_load_plugins_restricts_which_installed_plugins_load(installed_plugin):
    installed_plugin("copydesk-shouting", "cd_test_shouting", CHECKER_PLUGIN)
    assert "cd_test_shouting" not in load_host(entry_points_allowed="").plugins
    assert "cd_test_shouting" in load_host(entry_points_allowed="copydesk-shouting").plugins
    assert "copydesk.llm_checker" in load_host(entry_points_allowed="").plugins, (
        "built-ins always load"
    )


def test_two_plugins_registering_the_same_name_is_a_startup_error_naming_both(installed_plugin):
    installed_plugin("copydesk-shouting", "cd_test_shouting", CHECKER_PLUGIN)
    installed_plugin("copydesk-shouting-fork", "cd_test_shouting_fork", CHECKER_PLUGIN)
    with pytest.raises(
        PluginLoadError,
        match="checker named 'shouting': 'cd_test_shouting' and 'cd_test_shouting_fork'",
    ):
        load_host()


def test_a_plugin_that_needs_a_newer_api_is_refused_at_load_time(installed_plugin):
    installed_plugin("copydesk-future", "cd_test_future", "COPYDESK_PLUGIN_API = 99\n")
    with pytest.raises(PluginLoadError, match="needs copydesk plugin API 99"):
        load_host()


def test_a_plugin_that_fails_to_import_is_named(installed_plugin):
    installed_plugin(
        "copydesk-broken", "cd_test_broken", "raise ImportError('missing dependency')\n"
    )
    with pytest.raises(
        PluginLoadError, match="'cd_test_broken' from copydesk-broken failed to import"
    ):
        load_host()


def test_a_component_without_its_method_is_refused():
    import types

    import copydesk

    @copydesk.hookimpl
    def register_summarisers(register):
        register(types.SimpleNamespace(name="x"))

    plugin = types.SimpleNamespace(register_summarisers=register_summarisers)
    host = Host()
    host.register_plugin(plugin, "nameless", version=None, source="test")
    with pytest.raises(
        PluginLoadError, match="registered summariser 'x' without a summarise\\(\\) method"
    ):
        host.collect()


def registering(hook: str, component: object) -> Host:
    """A host with one plugin, "mine", whose ``hook`` registers ``component``."""
    import types

    import copydesk

    def register_them(register):
        register(component)

    impl = copydesk.hookimpl(specname=hook)(register_them)
    host = Host()
    host.register_plugin(types.SimpleNamespace(impl=impl), "mine", version=None, source="test")
    return host


class NoNeedsModel:
    name = "careless"
    categories = ("loaded_language",)

    def check(self, ctx):
        return []


class TooManyArguments:
    name = "greedy"
    categories = ("loaded_language",)
    needs_model = False

    def check(self, ctx, extra):
        return []


class OneCategoryAsAString:
    name = "stringy"
    categories = "loaded_language"
    needs_model = False

    def check(self, ctx):
        return []


class SyncSummariser:
    name = "hasty"

    def summarise(self, article, ctx):
        return None


def undecorated(ctx):
    return []


@pytest.mark.parametrize(
    ("hook", "component", "message"),
    [
        (
            "register_checkers",
            NoNeedsModel(),
            "plugin 'mine' registered checker 'careless' without needs_model: set it True if "
            "it calls ctx.ask",
        ),
        (
            "register_checkers",
            TooManyArguments(),
            "plugin 'mine' registered checker 'greedy' whose check\\(\\) cannot be called as "
            "check\\(ctx\\): it is check\\(ctx, extra\\)",
        ),
        (
            "register_checkers",
            OneCategoryAsAString(),
            "plugin 'mine' registered checker 'stringy' without categories: give the tuple",
        ),
        (
            "register_checkers",
            copydesk.checker(categories=("Loaded Language",))(undecorated),
            "checker 'undecorated' with categories that are not lower_snake_case names",
        ),
        (
            "register_checkers",
            undecorated,
            "plugin 'mine' registered the function 'undecorated' as a checker: decorate it "
            "with @copydesk.checker",
        ),
        (
            "register_summarisers",
            SyncSummariser(),
            "plugin 'mine' registered summariser 'hasty' whose summarise\\(\\) is not async",
        ),
        (
            "register_formats",
            types.SimpleNamespace(name="bare", render=lambda report: ""),
            "registered format 'bare' without a str extension",
        ),
    ],
    ids=["needs_model", "arity", "categories", "category-name", "undecorated", "sync", "format"],
)
def test_a_component_that_does_not_fit_its_protocol_is_refused_at_registration(
    hook, component, message
):
    host = registering(hook, component)
    with pytest.raises(PluginLoadError, match=message):
        host.collect()


def test_a_function_is_a_checker_named_after_it_once_decorated():
    @copydesk.checker(categories=("exclamation",))
    def shouted_words(ctx):
        return []

    host = registering("register_checkers", shouted_words)
    host.collect()
    found = host.get("checker", "shouted-words")
    assert (found.name, found.categories, found.needs_model) == (
        "shouted-words",
        ("exclamation",),
        False,
    )
    assert found.component is shouted_words
    assert host.plugins["mine"].registered == {"checker": ["shouted-words"]}


def test_copydesk_plugins_lists_every_plugin_as_json():
    result = CliRunner().invoke(cli, ["plugins", "--format", "json"])
    assert result.exit_code == 0, result.output
    plugins = json.loads(result.output)
    assert isinstance(plugins, list)
    summariser = next(p for p in plugins if p["name"] == "copydesk.llm_summariser")
    assert summariser["source"] == "builtin"
    assert summariser["registered"] == {"summariser": ["llm"]}
    assert set(summariser) >= {"name", "version", "source", "registered"}


def test_copydesk_plugins_shows_a_table_by_default():
    result = CliRunner().invoke(cli, ["plugins"])
    assert result.exit_code == 0
    assert "copydesk.llm_checker" in result.output
