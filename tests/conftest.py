"""Shared fixtures. ``fake_model`` and ``run_copydesk`` come from copydesk's own pytest
plugin (``copydesk.testing``), exactly as a third-party plugin author gets them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from copydesk.testing import FakeModel

ROOT = Path(__file__).resolve().parent.parent
#: Filled by test_faults.py; reported in the session's closing lines.
FAULT_TALLY = {"injected": 0, "kept": 0}
SAMPLE = ROOT / "samples" / "lavrov-pakistan-2021.txt"
CASSETTES = ROOT / "cassettes"


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


def valid_answers(
    fake_model, summary: str = "Russia will supply Pakistan with military equipment, Lavrov said."
) -> None:  # type: ignore[no-untyped-def]
    """Script schema-valid answers for the sample article's three built-in prompts."""
    fake_model.answer("summarise", {"summary": summary})
    fake_model.answer(
        "claims",
        {
            "claims": [
                {
                    "claim": "Pakistan and Russia have held the DRUZHBA exercise every year since 2016.",
                    "quote": "Russia and Pakistan have been holding annually the joint exercise – DRUZHBA – since 2016.",
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
