"""The model catalogue: the built-in one is consistent, and a user catalogue adds models."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from copydesk.errors import ConfigError
from copydesk.plugins.local.catalogue import (
    CATALOGUE_ENV,
    PypiSource,
    UrlSource,
    load_catalogue,
    parse_catalogue,
    user_catalogue_path,
)

DEFAULT_LOCAL_MODEL = "qwen2.5-coder-1.5b-instruct"  # the built-in catalogue marks it so

SHA = "ab" * 32


def model(**overrides: Any) -> dict[str, Any]:
    """A valid user catalogue entry; ``overrides`` replace or (with None) remove fields."""
    entry: dict[str, Any] = {
        "name": "my-model",
        "description": "a model of my own",
        "license": "MIT",
        "size": 1234,
        "sha256": SHA,
        "filename": "my-model.gguf",
        "sources": [{"kind": "url", "url": "https://example.org/my-model.gguf"}],
    }
    entry.update(overrides)
    return {k: v for k, v in entry.items() if v is not None}


def write_catalogue(path: Path, *models: dict[str, Any]) -> Path:
    path.write_text(json.dumps({"models": list(models)}), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _no_user_catalogue(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The developer's own models.json must not leak into these tests."""
    monkeypatch.delenv(CATALOGUE_ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


# the built-in catalogue -------------------------------------------------------------------


def test_builtin_default_is_the_settings_default() -> None:
    catalogue = load_catalogue()
    assert catalogue.default.name == DEFAULT_LOCAL_MODEL
    assert [m.name for m in catalogue if m.default] == [DEFAULT_LOCAL_MODEL]


def test_builtin_models_are_the_three_known_ones() -> None:
    catalogue = load_catalogue()
    sizes = {m.name: m.size for m in catalogue}
    assert sizes == {
        "qwen2.5-coder-1.5b-instruct": 1_117_320_768,
        "qwen2.5-coder-0.5b-instruct": 491_400_064,
        "smollm2-135m-instruct": 98_362_432,
    }
    assert all(m.origin == "built-in" and m.license == "Apache-2.0" for m in catalogue)


def test_builtin_file_names_are_unique_gguf_names() -> None:
    names = [m.filename for m in load_catalogue()]
    assert len(set(names)) == len(names)
    assert all(n.endswith(".gguf") and "/" not in n for n in names)


def test_builtin_multi_part_sources_list_every_part_in_order() -> None:
    """Part N of package ``...-partN`` is ``data/partNN.bin``, and no part is skipped: the
    GGUF is the parts concatenated, so a gap or a swap would corrupt the model."""
    for entry in load_catalogue():
        for source in entry.sources:
            assert isinstance(source, PypiSource)
            if len(source.parts) == 1:
                continue
            versions = {p.version for p in source.parts}
            assert len(versions) == 1, entry.name
            for number, part in enumerate(source.parts, start=1):
                assert part.package.endswith(f"-part{number}"), (entry.name, part)
                module = part.package.replace("-", "_")
                assert part.member == f"{module}/data/part{number:02d}.bin", (entry.name, part)


def test_builtin_part_counts() -> None:
    catalogue = load_catalogue()
    counts = {
        m.name: len(m.sources[0].parts) for m in catalogue if isinstance(m.sources[0], PypiSource)
    }
    assert counts == {
        "qwen2.5-coder-1.5b-instruct": 22,
        "qwen2.5-coder-0.5b-instruct": 6,
        "smollm2-135m-instruct": 1,
    }


def test_unknown_model_names_the_known_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        load_catalogue().get("gpt-5")
    assert "gpt-5" in caught.value.message
    assert DEFAULT_LOCAL_MODEL in caught.value.hint


# the user catalogue -----------------------------------------------------------------------


def test_user_catalogue_from_env_adds_a_url_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_catalogue(tmp_path / "mine.json", model())
    monkeypatch.setenv(CATALOGUE_ENV, str(path))
    catalogue = load_catalogue()
    mine = catalogue.get("my-model")
    assert mine.origin == str(path)
    assert mine.sources == (UrlSource(url="https://example.org/my-model.gguf"),)
    assert list(catalogue)[-1] is mine  # after the built-in ones
    assert catalogue.default.name == DEFAULT_LOCAL_MODEL


def test_user_catalogue_in_the_config_folder_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "xdg" / "copydesk"
    folder.mkdir(parents=True)
    write_catalogue(folder / "models.json", model())
    assert user_catalogue_path() == folder / "models.json"
    assert "my-model" in load_catalogue()


def test_no_user_catalogue_is_fine(tmp_path: Path) -> None:
    assert not user_catalogue_path().exists()
    assert len(load_catalogue()) == 3


def test_user_entry_replaces_builtin_of_the_same_name(tmp_path: Path) -> None:
    mirror = "https://mirror.example.org/smollm2.gguf"
    builtin = load_catalogue().get("smollm2-135m-instruct")
    entry = model(
        name=builtin.name,
        size=builtin.size,
        sha256=builtin.sha256,
        filename=builtin.filename,
        sources=[{"kind": "url", "url": mirror}],
    )
    catalogue = load_catalogue(write_catalogue(tmp_path / "m.json", entry))
    assert catalogue.get(builtin.name).sources == (UrlSource(url=mirror),)
    assert len(catalogue) == 3


def test_env_naming_a_missing_catalogue_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CATALOGUE_ENV, str(tmp_path / "nope.json"))
    with pytest.raises(ConfigError, match="does not exist"):
        load_catalogue()


def test_user_catalogue_may_not_choose_the_default(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_catalogue(write_catalogue(tmp_path / "m.json", model(default=True)))
    assert "[plugins.local]" in caught.value.hint


def test_user_catalogue_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text("{models: oops", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read"):
        load_catalogue(path)


def test_two_models_sharing_a_file_name_are_refused(tmp_path: Path) -> None:
    clash = model(filename="smollm2-135m-instruct-q4_1.gguf")
    with pytest.raises(ConfigError, match="same file name"):
        load_catalogue(write_catalogue(tmp_path / "m.json", clash))


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"sha256": "abc"}, "'sha256' must be 64 hex digits"),
        ({"size": True}, "'size' must be a whole number"),
        ({"size": 0}, "'size' must be the file's size"),
        ({"filename": "../evil.gguf"}, "'filename' must be a plain file name"),
        ({"filename": "model.bin"}, "'filename' must be a plain file name"),
        ({"name": "My Model"}, "a name uses only"),
        ({"license": None}, "'license' must be a string"),
        ({"sources": []}, "at least one source"),
        ({"sources": [{"kind": "ftp", "url": "ftp://x"}]}, "'kind' must be"),
        ({"sources": [{"kind": "url", "url": "file:///etc/passwd"}]}, "must start with http"),
        ({"sources": [{"kind": "pypi", "parts": []}]}, "at least one wheel member"),
        ({"sources": [{"kind": "pypi", "parts": [{"package": "p", "version": "1"}]}]}, "'member'"),
    ],
)
def test_bad_entries_say_which_field(overrides: dict[str, Any], complaint: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_catalogue({"models": [model(**overrides)]}, origin="m.json")
    assert complaint in caught.value.message
    assert re.search(r"models\[0\]", caught.value.message)


def test_a_model_listed_twice_is_refused() -> None:
    with pytest.raises(ConfigError, match="twice"):
        parse_catalogue({"models": [model(), model()]}, origin="m.json")


def test_pypi_parts_keep_their_order() -> None:
    parts = [
        {"package": f"pkg-part{i}", "version": "1.0", "member": f"pkg_part{i}/data/part{i:02d}.bin"}
        for i in (1, 2, 3)
    ]
    (entry,) = parse_catalogue(
        {"models": [model(sources=[{"kind": "pypi", "parts": parts}])]}, origin="m.json"
    )
    source = entry.sources[0]
    assert isinstance(source, PypiSource)
    assert [p.requirement for p in source.parts] == [
        "pkg-part1==1.0",
        "pkg-part2==1.0",
        "pkg-part3==1.0",
    ]
