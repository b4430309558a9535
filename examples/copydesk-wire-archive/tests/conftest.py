"""The tests run against the *installed* plugin, as users get it (``pip install -e .``)."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ARCHIVE = HERE / "data" / "archive.jsonl"
ARTICLE = HERE / "data" / "article.txt"


def pytest_configure(config: pytest.Config) -> None:
    if not entry_points(group="copydesk", name="wire_archive"):
        raise pytest.UsageError(
            "copydesk-wire-archive is not installed: run `pip install -e .` in "
            "examples/copydesk-wire-archive first"
        )
