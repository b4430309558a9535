"""The plugin docs cannot drift from the code: every hook is documented and tested, the hook
reference is what docs/generate_hooks.py makes of core/hookspecs.py, and the guide's
examples (docs/plugins.md, the blocks marked ``<!-- tested: NAME -->``) run as written."""

from __future__ import annotations

import importlib.util
import inspect
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import click
import pytest
from click.testing import CliRunner
from conftest import ROOT

from copydesk import cli as cli_module
from copydesk import hookspecs
from copydesk.cli import cli
from copydesk.host import load_host
from copydesk.settings import Settings

DOCS = ROOT / "docs"
GUIDE = DOCS / "plugins.md"
HOOKS_MD = DOCS / "hooks.md"
TESTS = ROOT / "tests"


def load_generator() -> ModuleType:
    """docs/generate_hooks.py, imported from its path (docs/ is not a package)."""
    spec = importlib.util.spec_from_file_location("generate_hooks", DOCS / "generate_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOOKS = load_generator().hook_names(hookspecs)


def test_the_generator_finds_the_hooks_pluggy_knows():
    known = {name for name in vars(load_host(builtins=False).pm.hook) if not name.startswith("_")}
    assert sorted(HOOKS) == sorted(known)


# the reference -------------------------------------------------------------------------


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_docstring(hook):
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
    assert len(doc.split()) >= 10, f"hook {hook} in core/hookspecs.py needs a docstring"


def test_docs_hooks_md_is_generated_from_the_current_hookspecs():
    assert HOOKS_MD.read_text(encoding="utf-8") == load_generator().render(), (
        "docs/hooks.md is out of date with core/hookspecs.py: run python docs/generate_hooks.py"
    )


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_section_in_the_reference(hook):
    reference = HOOKS_MD.read_text(encoding="utf-8")
    assert f"\n## {hook}\n" in reference
    assert f"def {hook}(" in reference, "with the signature to implement"


def test_the_reference_turns_the_docstrings_rst_into_markdown():
    generator = load_generator()
    text = generator.rst_to_markdown(
        """Use ``ctx.ask`` (see :class:`~copydesk.context.StageContext`). Publish it::

            [project.entry-points.copydesk]
            mine = "my.plugin"

        Done."""
    )
    assert text == (
        "Use `ctx.ask` (see `copydesk.context.StageContext`). Publish it:\n\n"
        '```toml\n[project.entry-points.copydesk]\nmine = "my.plugin"\n```\n\nDone.'
    )


@pytest.mark.parametrize("hook", HOOKS)
def test_the_guide_covers_every_hook(hook):
    assert f"`{hook}`" in GUIDE.read_text(encoding="utf-8")


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_named_by_a_test(hook):
    """As datasette does: a hook no test module names is a hook nobody has tested.
    (A test named ``test_hook_register_formats_...`` names ``register_formats``.)"""
    named = re.compile(rf"(?<![A-Za-z0-9]){hook}(?![A-Za-z0-9])")
    naming = [
        path.name
        for path in sorted(TESTS.rglob("test_*.py"))
        if named.search(path.read_text(encoding="utf-8"))
    ]
    assert naming, f"no test in tests/ names the hook {hook}: write one"


def test_the_guide_documents_every_field_a_plugin_sets_on_a_finding_and_a_claim():
    from dataclasses import fields

    from copydesk.types import Claim, Finding

    guide = GUIDE.read_text(encoding="utf-8")
    for dataclass in (Finding, Claim):
        for field in fields(dataclass):
            assert f"`{field.name}`" in guide, f"{dataclass.__name__}.{field.name}"


def test_the_guides_table_of_built_in_checkers_is_what_they_declare():
    """The table is the categories and ``needs_model`` each built-in checker registers."""
    guide = GUIDE.read_text(encoding="utf-8")
    table = guide.split("<!-- checked: built-in checkers")[1].split("\n\n")[0]
    rows = re.findall(r"^\| `([\w-]+)` \| (.+?) \| (yes|no) \|$", table, re.M)
    listed = {
        name: (tuple(re.findall(r"`(\w+)`", cats)), model == "yes") for name, cats, model in rows
    }
    checkers = load_host(entry_points_allowed="").components["checker"]
    assert listed == {n: (c.categories, c.needs_model) for n, c in checkers.items()}


def test_the_guide_links_only_to_files_that_exist():
    guide = GUIDE.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", guide):
        assert (DOCS / target).exists(), target


# the guide's examples ------------------------------------------------------------------

EXAMPLE_MARK = re.compile(r"<!-- tested: ([\w-]+)[^>]*-->\s*```python\n(.*?)```", re.S)


def guide_examples() -> dict[str, str]:
    return dict(EXAMPLE_MARK.findall(GUIDE.read_text(encoding="utf-8")))


ARTICLE = textwrap.dedent(
    """\
    The council approved a budget of 12 million pounds on Monday. It was a triumph!
    Road repairs get 3 million pounds, the council said. Libraries get the rest.
    """
)


@pytest.fixture
def guide_plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Install each of the guide's examples as a plugin, the way pip would: a module and a
    dist-info with its entry point; yields an article to check."""
    examples = guide_examples()
    info = tmp_path / "copydesk_guide_examples-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: copydesk-guide-examples\nVersion: 1.0\n"
    )
    entries = []
    for name, code in examples.items():
        module = "cd_guide_" + name.replace("-", "_")
        (tmp_path / f"{module}.py").write_text(code)
        entries.append(f"{module} = {module}\n")
    (info / "entry_points.txt").write_text("[copydesk]\n" + "".join(entries))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("COPYDESK_LOAD_PLUGINS", "copydesk-guide-examples")
    monkeypatch.setattr(cli_module, "_host", None)  # the CLI loads its plugins afresh
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE)
    yield article
    for name in list(sys.modules):
        if name.startswith("cd_guide_"):
            del sys.modules[name]


def check(article: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["check", str(article), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_guide_has_an_example_of_each_kind_of_component():
    assert set(guide_examples()) == {
        "quick-start",
        "evidence-source",
        "summariser-and-extractor",
        "format",
        "provider",
        "command",
    }


def test_hook_register_evidence_sources_the_guides_archive_contradicts_a_figure(guide_plugins):
    article = guide_plugins.with_name("bridge.txt")
    article.write_text(
        "The council put the bridge's cost at 20 million dollars. Work on the crossing "
        "over the river is expected to start once the last of the planning objections "
        "has been heard.\n"
    )
    report = json.loads(
        check(article, "--no-model", "--checkers", "claim-figures", "--format", "json")
    )
    [finding] = report["findings"]
    assert finding["category"] == "contradicted_claim"
    assert [(e["source"], e["location"], e["quote"]) for e in finding["evidence"]] == [
        (
            "archive",
            "https://archive.example/2024/bridge",
            "The council put the bridge's cost at 12 million dollars in March.",
        )
    ]


def test_hook_register_checkers_the_guides_quick_start_flags_exclamations(guide_plugins):
    report = json.loads(
        check(guide_plugins, "--no-model", "--checkers", "exclamations", "--format", "json")
    )
    (finding,) = report["findings"]
    assert finding["quote"] == "It was a triumph!"
    assert finding["category"] == "exclamation" and finding["detectors"] == ["exclamations"]


def lead_and_numbers(article: Path) -> dict:
    """A run with the guide's summariser and extractor and a checker needing no model: it
    calls no model at all."""
    args = ["--summariser", "lead", "--extractor", "numbers", "--checkers", "exclamations"]
    return json.loads(check(article, *args, "--format", "json"))


def test_hook_register_summarisers_the_guides_lead_summariser(guide_plugins):
    report = lead_and_numbers(guide_plugins)
    assert report["summary"]["text"] == (
        "The council approved a budget of 12 million pounds on Monday. It was a triumph!"
    )
    assert report["summary"]["plugin"] == "lead"
    assert report["calls"] == [], "no model was asked"


def test_hook_register_claim_extractors_the_guides_numbers_extractor(guide_plugins):
    report = lead_and_numbers(guide_plugins)
    assert [(c["quote"], c["kind"]) for c in report["claims"]] == [
        ("The council approved a budget of 12 million pounds on Monday.", "statistic"),
        ("Road repairs get 3 million pounds, the council said.", "statistic"),
    ]
    assert all(ARTICLE[c["start"] : c["end"]] == c["quote"] for c in report["claims"])


def test_hook_register_formats_the_guides_tsv_format(guide_plugins):
    output = check(guide_plugins, "--no-model", "--checkers", "exclamations", "--format", "tsv")
    assert output == "low\texclamation\tIt was a triumph!\n"
    hidden = check(
        guide_plugins, "--no-model", "--checkers", "exclamations", "--format", "tsv",
        "--min-confidence", "0.95",
    )  # fmt: skip
    assert hidden == "", "the format hides findings below --min-confidence"


def test_hook_register_providers_the_guides_ollama_provider(guide_plugins):
    provider = load_host().get("provider", "ollama")
    endpoint = provider.open(Settings(model="llama3.2"), offline=True)
    assert (endpoint.base_url, endpoint.model) == ("http://localhost:11434/v1", "llama3.2")
    assert endpoint.params == {"seed": Settings().seed}


def test_hook_register_commands_the_guides_command(guide_plugins):
    group = click.Group("copydesk")
    load_host().pm.hook.register_commands(cli=group)
    result = CliRunner().invoke(group, ["exclamations-help"])
    assert result.exit_code == 0
    assert result.output.startswith("exclamations: flags every sentence")


def test_the_guides_examples_are_ruff_clean_code():
    """Readers copy them: they should be as tidy as the code base."""
    pytest.importorskip("ruff")
    from ruff.__main__ import find_ruff_bin

    for name, code in guide_examples().items():
        done = subprocess.run(
            [find_ruff_bin(), "check", "--quiet", "--stdin-filename", f"{name}.py", "-"],
            input=code,
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        assert done.returncode == 0, f"the guide's {name} example: {done.stdout}"
