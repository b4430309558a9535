"""Shared test helpers. ``fake_model`` and ``run_copydesk`` need no import: they come from
copydesk's own pytest plugin, ``copydesk.testing``, which pytest loads by itself.

The tests run against the *installed* plugin, as users get it (``pip install -e .``).
"""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ARTICLE = HERE / "data" / "harbour-bridge.txt"
CASSETTE = HERE / "cassettes" / "harbour-bridge.yaml"
#: The plugin's two checkers: the patterns, and the model pass.
CHECKERS = ["anonymous-sources", "anonymous-sources-llm"]
CATEGORY = "anonymous_source"


def pytest_configure(config: pytest.Config) -> None:
    """Fail at once, and say why, when the plugin is not installed (rather than with a
    "no checker named ..." in every test)."""
    if not entry_points(group="copydesk", name="anonymous_sources"):
        raise pytest.UsageError(
            "copydesk-anonymous-sources is not installed: run `pip install -e .` in "
            "examples/copydesk-anonymous-sources first"
        )


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Load this plugin and the built-ins, and no other installed plugin (whose checkers
    would run here too, and ask the fake model prompts it has no answer for); and read
    none of the developer's own copydesk settings."""
    monkeypatch.setenv("COPYDESK_LOAD_PLUGINS", "copydesk-anonymous-sources")
    monkeypatch.setenv("COPYDESK_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("COPYDESK_CACHE_DIR", str(tmp_path / "cache"))  # no remembered answers
    for name in ("COPYDESK_PROMPTS_DIR", "COPYDESK_PROVIDER", "OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def answer_builtin_prompts(fake_model: Any) -> None:
    """Script the built-in summariser's and claim extractor's prompts: every run has them.

    The claim is the article's own words, as the host requires of any claim."""
    fake_model.answer(
        "summarise",
        {"summary": "The Kestrel Harbour bridge will close for six months of cable repairs."},
    )
    fake_model.answer(
        "claims",
        {
            "claims": [
                {
                    "claim": "The bridge, which opened in 1987",
                    "speaker": "the article",
                    "kind": "fact",
                }
            ]
        },
    )


def findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    """This plugin's findings in a report."""
    return [f for f in report["findings"] if f["category"] == CATEGORY]


def stage(report: dict[str, Any], checker: str) -> dict[str, Any]:
    """How one checker's stage ended."""
    (found,) = [s for s in report["stages"] if s["plugin"] == checker and s["stage"] == "checker"]
    return found
