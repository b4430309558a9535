"""Judgement heads as files: reading one, scoring with it, and refusing another model's
embeddings. Scoring is plain Python; these tests need no numpy."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from copydesk.plugins.heads import find_heads, installed_heads
from copydesk.plugins.heads.head_file import (
    HeadError,
    OtherModel,
    head_from_dict,
    read_head,
    write_head,
)


def head_json(**changes: Any) -> dict[str, Any]:
    """A four-dimensional head: the first dimension is the judgement."""
    body: dict[str, Any] = {
        "format": 1,
        "name": "tiny",
        "category": "loaded_language",
        "embedding": {
            "model": "fake-embedder",
            "sha256": "ab" * 32,
            "pooling": "mean",
            "dimensions": 4,
        },
        "weights": [4.0, -4.0, 0.0, 0.0],
        "bias": 0.0,
        "calibration": {"scale": 1.0, "shift": 0.0},
        "threshold": 0.5,
        "fitted_on": {"data": "made up", "licence": "CC0-1.0"},
    }
    body.update(changes)
    return body


def test_a_head_scores_a_vector_with_its_calibrated_sigmoid():
    head = head_from_dict(head_json(calibration={"scale": 0.5, "shift": 1.0}))
    assert head.logit([1.0, 0.0, 0.0, 0.0]) == 4.0
    assert head.score([1.0, 0.0, 0.0, 0.0]) == pytest.approx(1 / (1 + math.exp(-3.0)))
    assert head.score([0.0, 1.0, 0.0, 0.0]) == pytest.approx(1 / (1 + math.exp(1.0)))


def test_a_head_applies_only_to_the_model_and_file_it_was_fitted_on():
    head = head_from_dict(head_json())
    assert head.applies_to("fake-embedder", "ab" * 32)
    assert head.applies_to("fake-embedder", None)  # an endpoint that does not say
    assert not head.applies_to("fake-embedder", "cd" * 32)  # another build of the weights
    assert not head.applies_to("other-model", None)
    with pytest.raises(OtherModel, match="fitted on embeddings of fake-embedder") as err:
        head.require_model("other-model", None)
    assert "copydesk heads fit" in err.value.hint


def test_an_embedding_of_another_size_is_refused_not_scored():
    with pytest.raises(HeadError, match="4 weights but the embedding has 3 dimensions"):
        head_from_dict(head_json()).score([1.0, 0.0, 0.0])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"format": 2}, "head format 2, this copydesk reads format 1"),
        ({"weights": []}, "weights must be a non-empty list"),
        ({"weights": [1.0, 2.0]}, "2 weights for an embedding of 4 dimensions"),
        ({"threshold": 1.5}, "threshold inside"),
        ({"calibration": {"scale": 1.0}}, "malformed"),
    ],
)
def test_a_malformed_head_file_says_what_is_wrong(changes, message):
    with pytest.raises(HeadError, match=message):
        head_from_dict(head_json(**changes))


def test_a_missing_field_is_named():
    body = head_json()
    del body["bias"]
    with pytest.raises(HeadError, match="missing bias"):
        head_from_dict(body)


def test_a_written_head_reads_back_with_its_weights_on_one_line(tmp_path: Path):
    path = write_head(tmp_path / "tiny.head.json", head_json())
    assert read_head(path).weights == (4.0, -4.0, 0.0, 0.0)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert ' "weights": [4.0, -4.0, 0.0, 0.0],' in lines


def test_a_file_that_is_not_json_is_a_clear_error(tmp_path: Path):
    path = tmp_path / "broken.head.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(HeadError, match="is not JSON"):
        read_head(path)


def test_an_unreadable_user_head_is_listed_with_its_error_and_stops_a_check(tmp_path, monkeypatch):
    monkeypatch.setenv("COPYDESK_HEADS_DIR", str(tmp_path))
    (tmp_path / "broken.head.json").write_text("[]", encoding="utf-8")
    write_head(tmp_path / "tiny.head.json", head_json())
    found = {i.path.name: i for i in find_heads() if i.origin == "user"}
    assert (
        found["broken.head.json"].error
        == f"{tmp_path / 'broken.head.json'}: a head file holds one JSON object"
    )
    assert found["tiny.head.json"].head is not None
    with pytest.raises(HeadError, match=r"broken\.head\.json"):
        installed_heads()


def test_a_config_place_that_does_not_exist_is_reported(tmp_path):
    missing = tmp_path / "nowhere"
    [item] = [i for i in find_heads([missing]) if i.origin == "config"]
    assert item.error == "no such file or folder"


def test_applying_heads_needs_no_numpy(tmp_path: Path):
    """The default install has no numpy: loading the checker and scoring must not need it."""
    import subprocess
    import sys

    head = write_head(tmp_path / "tiny.head.json", head_json())
    code = (
        "import sys; sys.modules['numpy'] = None\n"
        "from copydesk.host import load_host; load_host()\n"
        "from copydesk.plugins.heads.head_file import read_head\n"
        f"print(round(read_head(__import__('pathlib').Path({str(head)!r})).score([1, 0, 0, 0]), 4))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "0.982", done.stderr
