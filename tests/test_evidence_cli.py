"""The fact-check on the command line: `check --source/--corpus/--summary/--headline`,
`batch` with the same options, and `copydesk corpus index|info|search`."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import BRIDGE_ARTICLE as ARTICLE
from conftest import BRIDGE_TRANSCRIPT as TRANSCRIPT

from copydesk.cli import cli
from copydesk.host import load_host
from copydesk.report import report_problems


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COPYDESK_LOAD_PLUGINS", "")  # the built-ins only
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "transcript.txt").write_text(TRANSCRIPT)
    (tmp_path / "article.txt").write_text(ARTICLE)
    return tmp_path


def check(*args: str, code: int = 0) -> dict:
    result = CliRunner().invoke(cli, ["check", *args, "--no-model", "--format", "json"])
    assert result.exit_code == code, result.output
    return json.loads(result.stdout) if code == 0 else {"stderr": result.stderr}


def findings(report: dict) -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [
        (f["category"], f["quote"], [(e["document"], e["quote"]) for e in f["evidence"]])
        for f in report["findings"]
        if f["category"] in ("misquote", "contradicted_claim", "unsupported_claim")
    ]


EXPECTED = [
    (
        "contradicted_claim",
        "The city will spend $2.5 million on the new bridge, Mayor Ana Ruiz said on Tuesday.",
        [("sources/transcript.txt", "We have set aside 12 million dollars for the bridge, "
                                    "and the state will pay the rest.")],
    ),
    (
        "misquote",
        "This project will raise local taxes,",
        [("sources/transcript.txt", "This project will not raise local taxes")],
    ),
]  # fmt: skip


def test_check_source_flags_a_misquote_and_a_contradicted_figure_with_the_sources_words(desk):
    report = check("article.txt", "--source", "sources/transcript.txt")
    assert report_problems(report) == []  # every evidence quote is at its offsets
    assert findings(report) == EXPECTED
    [misquote] = [f for f in report["findings"] if f["category"] == "misquote"]
    assert 'a negation dropped: the source has "not"' in misquote["explanation"]
    # a folder is its article files, named as the user gave the folder
    assert findings(check("article.txt", "--source", "sources")) == EXPECTED


def test_a_source_or_corpus_that_cannot_be_read_is_an_input_error(desk):
    assert (
        "--source: missing.txt does not exist"
        in check("article.txt", "--source", "missing.txt", code=2)["stderr"]
    )
    assert (
        "--corpus: missing.db does not exist"
        in check("article.txt", "--corpus", "missing.db", code=2)["stderr"]
    )
    Path("not-a-corpus.db").write_text("plain text")
    assert (
        "not-a-corpus.db is not an evidence corpus"
        in check("article.txt", "--corpus", "not-a-corpus.db", code=2)["stderr"]
    )


def corpus(*args: str) -> click.testing.Result:
    group = click.Group()
    load_host().pm.hook.register_commands(cli=group)  # as `copydesk` adds plugins' commands
    return CliRunner().invoke(group, ["corpus", *args])


def test_corpus_index_is_incremental_and_check_corpus_uses_it(desk):
    first = corpus("index", "sources", "-o", "corpus.db")
    assert first.exit_code == 0, first.output
    assert "1 added, 0 updated, 0 unchanged" in first.stderr
    assert "0 added, 0 updated, 1 unchanged" in corpus("index", "sources", "-o", "corpus.db").stderr
    (desk / "sources" / "release.txt").write_text("The council voted 7-2 for the bridge.")
    assert "1 added, 0 updated, 1 unchanged" in corpus("index", "sources", "-o", "corpus.db").stderr
    assert corpus("info", "corpus.db").stdout.startswith("corpus.db: 2 documents, 3 passages")
    hits = json.loads(corpus("search", "corpus.db", "council vote", "-k", "1", "--json").stdout)
    assert [h["text"] for h in hits] == ["The council voted 7-2 for the bridge."]

    report = check("article.txt", "--corpus", "corpus.db")
    assert [(c, q) for c, q, _ in findings(report)] == [(c, q) for c, q, _ in EXPECTED]
    evidence = report["findings"][0]["evidence"][0]
    assert evidence["source"] == "corpus"
    assert evidence["document"] == str((desk / "sources" / "transcript.txt").resolve())


def test_check_summary_and_headline_are_checked_against_the_article(desk):
    Path("summary.txt").write_text(
        'The mayor said the bridge will cost $2.5 million. She said "this project will not '
        'raise local taxes".\n'
    )
    report = check("article.txt", "--summary", "summary.txt", "--headline", "Bridge opens Friday")
    given = {g["target"]: g for g in report["given"]}
    assert given["given_summary"]["source"] == "summary.txt"
    verdicts = [
        (s["quote"], s["verification"]["verdict"]) for s in given["given_summary"]["statements"]
    ]
    assert verdicts == [("The mayor said the bridge will cost $2.5 million.", "supported")]
    [misquote] = [f for f in report["findings"] if f["category"] == "misquote"]
    assert (misquote["target"], misquote["quote"]) == (
        "given_summary",
        "this project will not raise local taxes",
    )
    assert misquote["evidence"][0]["quote"] == "This project will raise local taxes"
    [headline] = [f for f in report["findings"] if f["target"] == "headline"]
    assert (headline["category"], headline["quote"]) == (
        "contradicted_claim",
        "Bridge opens Friday",
    )
    assert '"Friday" disagrees with the article, which has "Tuesday"' in headline["explanation"]
    assert report_problems(report) == []


def test_summary_and_headline_go_with_one_article(desk):
    Path("other.txt").write_text("Another article.\n")
    out = check("article.txt", "other.txt", "--headline", "A headline", code=2)
    assert "--summary and --headline are checked against one article" in out["stderr"]
    assert (
        "--summary: nope.txt does not exist"
        in check("article.txt", "--summary", "nope.txt", code=2)["stderr"]
    )


def test_batch_takes_the_same_evidence_options(desk):
    result = CliRunner().invoke(
        cli,
        ["batch", "article.txt", "-o", "out.jsonl", "--no-model", "--no-progress",
         "--source", "sources/transcript.txt"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [line] = [json.loads(x) for x in Path("out.jsonl").read_text().splitlines()]
    assert findings(line["report"]) == EXPECTED
