"""``copydesk heads list`` and ``copydesk heads fit``: what is installed, and a head fitted
for whichever model the desk embeds with (here a stand-in desk: the embeddings API is
``Copydesk.embed``)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest

from copydesk.host import load_host
from copydesk.plugins.heads import commands
from copydesk.plugins.heads.commands import heads_group
from copydesk.plugins.heads.head_file import read_head

WORDS = ("disgraceful", "reckless", "shameful")


@dataclass
class Embedded:
    vectors: list[list[float]]
    model: str = "stand-in-embedder"
    model_sha256: str | None = "cd" * 32


@dataclass
class StandInDesk:
    """Embeds a text as (loaded word present, its number mod 3, 1, 0): a space where a
    head can learn the label from the first dimension, and nothing from the others."""

    requests: list[int] = field(default_factory=list)
    closed: bool = False

    async def embed_async(self, texts: list[str]) -> Embedded:  # as Copydesk.embed_async
        self.requests.append(len(texts))
        return Embedded(
            [[float(any(w in t for w in WORDS)), _number(t) % 3 / 3, 1.0, 0.0] for t in texts]
        )

    def close(self) -> None:
        self.closed = True


def _number(text: str) -> int:
    return int("".join(ch for ch in text if ch.isdigit()))


def labelled(path: Path, rows: int = 80) -> Path:
    lines = []
    for i in range(rows):
        loaded = i % 2 == 0
        word = WORDS[i % 3] if loaded else "routine"
        label = None if i % 10 == 9 else int(loaded)
        lines.append(
            json.dumps(
                {"text": f"The {word} vote number {i}.", "biased": label, "topic": f"t{i % 5}"}
            )
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def desk(monkeypatch: pytest.MonkeyPatch) -> StandInDesk:
    stand_in = StandInDesk()
    monkeypatch.setattr(commands, "open_desk", lambda settings: stand_in)
    monkeypatch.setattr(commands, "BATCH", 32)
    return stand_in


def test_heads_is_a_command_of_copydesk_through_the_register_commands_hook():
    group = click.Group("copydesk")
    load_host().pm.hook.register_commands(cli=group)
    assert group.commands["heads"] is heads_group


def test_fit_writes_a_head_for_the_model_that_embedded_the_data(runner, desk, tmp_path):
    pytest.importorskip("numpy", reason="fitting needs the heads extra")
    data = labelled(tmp_path / "mine.jsonl")
    out = tmp_path / "mine.head.json"
    args = ["fit", "--data", str(data), "--label", "biased", "--group", "topic", "-o", str(out)]
    result = runner.invoke(heads_group, [*args, "--licence", "CC-BY-4.0"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    head = read_head(out)
    assert (head.name, head.category) == ("mine", "loaded_language")
    assert (head.space.model, head.space.sha256, head.space.dimensions) == (
        "stand-in-embedder",
        "cd" * 32,
        4,
    )
    assert {k: head.provenance[k] for k in ("data", "licence", "label", "sentences")} == {
        "data": "mine.jsonl",
        "licence": "CC-BY-4.0",
        "label": "biased",
        "sentences": 72,  # 80 rows, 8 without a label
    }
    assert head.figures["in_set"]["scheme"] == "5-fold, each group in one fold"
    assert head.figures["in_set"]["auc"] == 1.0  # the stand-in's first dimension is the label
    assert desk.requests == [32, 32, 8]
    assert desk.closed
    assert head.score([1.0, 0.5, 1.0, 0.0]) > head.threshold > head.score([0.0, 0.5, 1.0, 0.0])


def test_fit_measures_the_head_unchanged_on_other_data_given_with_test(runner, desk, tmp_path):
    pytest.importorskip("numpy", reason="fitting needs the heads extra")
    data, other = labelled(tmp_path / "a.jsonl"), labelled(tmp_path / "b.jsonl", rows=20)
    out = tmp_path / "a.head.json"
    args = ["fit", "--data", str(data), "--label", "biased", "--test", str(other), "-o", str(out)]
    assert runner.invoke(heads_group, args).exit_code == 0
    cross = read_head(out).figures["cross_set"]
    assert (cross["n"], cross["macro_f1"]) == (18, 1.0)


def test_fit_without_numpy_says_to_install_the_extra_before_embedding_anything(
    runner, desk, tmp_path, monkeypatch
):
    monkeypatch.setitem(sys.modules, "numpy", None)  # import numpy now fails
    data = labelled(tmp_path / "mine.jsonl")
    args = ["fit", "--data", str(data), "--label", "biased", "-o", str(tmp_path / "x.head.json")]
    result = runner.invoke(heads_group, args)
    assert result.exit_code == 1
    assert "pip install 'copydesk[heads]'" in str(result.exception)
    assert desk.requests == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{", "line 1: not JSON"),
        ('{"text": "A vote.", "biased": "maybe"}', "'biased' is 'maybe', not 0/1"),
        ('{"biased": 1}', "line 1: no 'text' text"),
        ('{"text": "A vote.", "biased": 1}', "1 labelled rows, not both classes"),
    ],
)
def test_bad_labelled_data_is_a_clear_error_before_any_embedding(
    runner, desk, tmp_path, line, message
):
    pytest.importorskip("numpy", reason="fitting needs the heads extra")
    data = tmp_path / "bad.jsonl"
    data.write_text(line + "\n", encoding="utf-8")
    args = ["fit", "--data", str(data), "--label", "biased", "-o", str(tmp_path / "x.head.json")]
    result = runner.invoke(heads_group, args)
    assert message in str(result.exception)
    assert desk.requests == []
    assert not (tmp_path / "x.head.json").exists()


def test_list_shows_each_installed_head_with_its_model_data_licence_and_figures(
    runner, desk, tmp_path, monkeypatch
):
    pytest.importorskip("numpy", reason="fitting needs the heads extra")
    monkeypatch.setenv("COPYDESK_HEADS_DIR", str(tmp_path / "heads"))
    out = tmp_path / "heads" / "mine.head.json"
    args = ["fit", "--data", str(labelled(tmp_path / "mine.jsonl")), "--label", "biased"]
    assert (
        runner.invoke(heads_group, [*args, "--licence", "CC0-1.0", "-o", str(out)]).exit_code == 0
    )
    rows = json.loads(runner.invoke(heads_group, ["list", "--format", "json"]).stdout)
    [mine] = [r for r in rows if r["origin"] == "user"]
    assert mine["name"] == "mine"
    assert mine["embedding"]["model"] == "stand-in-embedder"
    assert mine["fitted_on"]["licence"] == "CC0-1.0"
    assert mine["figures"]["in_set"]["auc"] == 1.0
    text = runner.invoke(heads_group, ["list"]).stdout
    block = text[text.index("mine (loaded_language, user)") :].splitlines()[:5]
    assert block == [
        "mine (loaded_language, user)",
        f"  model      stand-in-embedder (mean pooling, 4 dimensions, sha256 {'cd' * 6}…)",
        "  fitted on  mine.jsonl: 72 sentences, biased (licence CC0-1.0)",
        "  in-set     macro-F1 1.0, ROC-AUC 1.0 (n=72)",
        f"  threshold  {read_head(out).threshold:.4f}",
    ]
