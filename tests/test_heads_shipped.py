"""The heads copydesk ships: for the default embedded model, fitted on BABE dev (AGPL-3.0
data, said in the NOTICE), each scoring its own recorded self-check vector."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from copydesk.plugins.heads import shipped_dir
from copydesk.plugins.heads.head_file import read_head
from copydesk.plugins.heads.making import self_check_vector


def shipped() -> list[Path]:
    return sorted(shipped_dir().glob("*.head.json"))


def test_heads_are_shipped_for_the_two_judgements_the_checkers_report():
    heads = {read_head(p).name: read_head(p) for p in shipped()}
    assert {h.category for h in heads.values()} == {"loaded_language", "unattributed_claim"}


@pytest.mark.parametrize("path", shipped(), ids=lambda p: p.name)
def test_a_shipped_head_scores_its_self_check_vector_as_recorded(path: Path):
    head = read_head(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    vector = self_check_vector(head.space.dimensions)
    assert head.logit(vector) == pytest.approx(data["self_check"]["logit"], abs=1e-9)
    assert head.score(vector) == pytest.approx(data["self_check"]["score"], abs=1e-12)


@pytest.mark.parametrize("path", shipped(), ids=lambda p: p.name)
def test_a_shipped_head_carries_its_provenance_and_no_sentence(path: Path):
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["embedding"]["model"] == "qwen2.5-coder-1.5b-instruct"
    assert len(data["embedding"]["sha256"]) == 64
    assert data["fitted_on"]["licence"] == "AGPL-3.0"
    assert {"in_set", "threshold_chosen"} <= {*data["figures"], *data}
    # weights, figures and words of provenance: no field holds text the length of a sentence
    strings = [s for s in _strings(data) if len(s.split()) > 40]
    assert strings == []


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_the_notice_says_the_heads_derive_from_agpl_data():
    notice = (shipped_dir() / "NOTICE").read_text(encoding="utf-8")
    assert "AGPL-3.0" in notice
    assert "BABE" in notice
