"""``copydesk batch`` with each article's own evidence: a JSONL line's or a Parquet row's
``source``, checked against in that article's run only, beside any ``--source``.

The fact-check checkers need no model, so these run with ``--no-model`` (the fake endpoint
is there only where an engine's workers need a provider to build their desk); the Ray
engine's example is in tests/test_batch_ray.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import BRIDGE_ARTICLE as ARTICLE
from conftest import BRIDGE_TRANSCRIPT as TRANSCRIPT
from conftest import lines

from copydesk.batch import collect, run_batch
from copydesk.cli import cli
from copydesk.evidence import EvidenceInputs
from copydesk.host import load_host
from copydesk.inputs import article_from_bytes
from copydesk.plugins.evidence.sources import GivenDocuments
from copydesk.report import report_problems
from copydesk.runner import Copydesk
from copydesk.settings import Settings

#: A document of the same article's that no finding cites: it must not reach the output.
UNCITED = "The harbour master reported calm seas and three ferries running on time all week."
FACT_CHECK = ("misquote", "contradicted_claim", "unsupported_claim")


def write_jsonl(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def batch(*args: object) -> list[dict]:
    """A ``--no-model`` batch into ``out.jsonl`` (in the current folder); its lines by id."""
    from click.testing import CliRunner

    argv = ["batch", *map(str, args), "-o", "out.jsonl", "--no-model", "--no-progress"]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code in (0, 3), result.output  # 3: an article failed
    return sorted(lines(Path("out.jsonl")), key=lambda r: r["id"])


def fact_checks(record: dict) -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [
        (f["category"], f["quote"], [(e["document"], e["quote"]) for e in f["evidence"]])
        for f in record["report"]["findings"]
        if f["category"] in FACT_CHECK
    ]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


# examples of use -------------------------------------------------------------------------------


def test_an_article_that_misquotes_its_own_source_gets_a_misquote_with_the_sources_words():
    wire = write_jsonl(
        Path("wire.jsonl"),
        {
            "id": "bridge",
            "text": ARTICLE,
            "source": [{"id": "council", "title": "Council, 3 May", "text": TRANSCRIPT}, UNCITED],
        },
        {"id": "bridge-unsourced", "text": ARTICLE},
    )
    sourced, unsourced = batch(wire)
    assert (sourced["id"], sourced["status"]) == ("bridge", "ok")
    assert report_problems(sourced["report"]) == []  # every evidence quote at its offsets
    [misquote] = [f for f in sourced["report"]["findings"] if f["category"] == "misquote"]
    assert misquote["quote"] == "This project will raise local taxes,"
    [evidence] = misquote["evidence"]
    assert (evidence["document"], evidence["title"]) == ("council", "Council, 3 May")
    assert evidence["quote"] == "This project will not raise local taxes"
    assert TRANSCRIPT[evidence["start"] : evidence["end"]] == evidence["quote"], (
        "the offsets are the source's"
    )
    assert 'a negation dropped: the source has "not"' in misquote["explanation"]

    # The same article with no source of its own: nothing to check it against.
    assert unsourced["status"] == "ok" and fact_checks(unsourced) == []
    # The documents are evidence only: what no finding cites is nowhere in the output.
    assert UNCITED not in Path("out.jsonl").read_text()


def test_an_articles_own_source_is_searched_beside_the_batchs_source(tmp_path):
    """The desk's ``--source`` (a budget note) goes to every article; the transcript only
    to the article that brings it."""
    Path("budget.txt").write_text(
        "We have set aside 12 million dollars for the bridge, and the state will pay the rest.\n"
        "Work will start in March.\n"
    )
    wire = write_jsonl(
        Path("wire.jsonl"),
        {"id": "a-own", "text": ARTICLE, "source": "This project will not raise local taxes."},
        {"id": "b-none", "text": ARTICLE},
    )
    own, none = batch(wire, "--source", "budget.txt")
    contradicted = (
        "contradicted_claim",
        "The city will spend $2.5 million on the new bridge, Mayor Ana Ruiz said on Tuesday.",
        [("budget.txt", "We have set aside 12 million dollars for the bridge, and the state "
                        "will pay the rest.")],
    )  # fmt: skip
    misquoted = (
        "misquote",
        "This project will raise local taxes,",
        [("a-own/source-1", "This project will not raise local taxes")],  # named for its article
    )
    assert fact_checks(own) == [contradicted, misquoted]
    # The other article's quotation is in none of the documents its run was given.
    unsupported = ("unsupported_claim", "This project will raise local taxes,", [])
    assert fact_checks(none) == [contradicted, unsupported]
    assert report_problems(own["report"]) == [] and report_problems(none["report"]) == []


def test_parquet_takes_a_source_column_and_does_without_one():
    pa = pytest.importorskip("pyarrow", reason="Parquet needs pyarrow (copydesk[parquet])")
    import pyarrow.parquet as pq

    document = pa.struct([("id", pa.string()), ("title", pa.string()), ("text", pa.string())])
    pq.write_table(
        pa.table(
            {
                "id": ["p1", "p2"],
                "text": [ARTICLE, ARTICLE],
                "source": pa.array(
                    [[{"id": "council", "title": None, "text": TRANSCRIPT}], None],
                    type=pa.list_(document),
                ),
            }
        ),
        "with.parquet",
    )
    pq.write_table(pa.table({"id": ["p3"], "text": [ARTICLE]}), "without.parquet")
    p1, p2, p3 = batch("with.parquet", "without.parquet")
    assert [c for c, _, _ in fact_checks(p1)] == ["contradicted_claim", "misquote"]
    assert {doc for _, _, cited in fact_checks(p1) for doc, _ in cited} == {"council"}
    assert report_problems(p1["report"]) == []
    assert (p2["status"], fact_checks(p2)) == ("ok", [])
    assert (p3["status"], fact_checks(p3)) == ("ok", []), "no source column: no evidence"


def test_worker_processes_check_each_article_against_its_own_source(served, tmp_path):
    wire = write_jsonl(
        Path("wire.jsonl"),
        *(
            {"id": f"s{i}", "text": ARTICLE, "source": TRANSCRIPT} if i % 2 == 0
            else {"id": f"s{i}", "text": ARTICLE}
            for i in range(6)
        ),
    )  # fmt: skip
    summary = run_batch(
        load_host(), [str(wire)], tmp_path / "out.jsonl", processes=2, no_model=True,
        progress=False,
    )  # fmt: skip
    assert summary.processes == 2 and summary.counts["ok"] == 6
    for record in lines(tmp_path / "out.jsonl"):
        cited = {doc for _, _, evidence in fact_checks(record) for doc, _ in evidence}
        number = int(record["id"][1:])
        assert cited == ({f"s{number}/source-1"} if number % 2 == 0 else set()), record["id"]


# what is refused -----------------------------------------------------------------------------------


def test_a_source_of_no_documents_shape_is_that_articles_failed_line():
    wire = write_jsonl(
        Path("wire.jsonl"),
        {"id": "number", "text": ARTICLE, "source": 42},
        {"id": "nested", "text": ARTICLE, "source": [TRANSCRIPT, [TRANSCRIPT]]},
        {"id": "typo", "text": ARTICLE, "source": {"id": "council", "txt": TRANSCRIPT}},
        {"id": "bad-id", "text": ARTICLE, "source": {"id": 7, "text": TRANSCRIPT}},
        {"id": "twice", "text": ARTICLE, "source": [{"id": "x", "text": "A"}, {"id": "x", "text": "B"}]},
        {"id": "empty", "text": ARTICLE, "source": "  "},
        {"id": "fine", "text": ARTICLE, "source": TRANSCRIPT},
    )  # fmt: skip
    records = {r["id"]: r for r in batch(wire)}
    errors = {i: r.get("error") for i, r in records.items() if r["status"] == "failed"}
    assert errors == {
        "number": 'wire.jsonl:1: "source" must be a string, an object {"id", "title", "text"} '
        'or a list of them; "source" is a number',
        "nested": 'wire.jsonl:2: "source" must be a string, an object {"id", "title", "text"} '
        'or a list of them; "source" item 2 is a list',
        "typo": "wire.jsonl:3: \"source\" has 'txt': a source document has only id, title, text",
        "bad-id": 'wire.jsonl:4: "source"\'s "id" is a number, not a string',
        "twice": "wire.jsonl:5: two of its source documents have the id 'x'",
        "empty": "wire.jsonl:6: its source empty/source-1 is empty\n  hint: a source document "
        'is text, read as an article is (see "source" in docs/scale.md)',
    }
    assert records["fine"]["status"] == "ok" and fact_checks(records["fine"])


def test_an_articles_source_may_not_take_the_id_of_a_batch_source():
    Path("council.txt").write_text(TRANSCRIPT)
    wire = write_jsonl(
        Path("wire.jsonl"),
        {"id": "clash", "text": ARTICLE, "source": {"id": "council.txt", "text": UNCITED}},
    )
    [record] = batch(wire, "--source", "council.txt")
    assert record["status"] == "failed"
    assert "source document 'council.txt' has the id of another document" in record["error"]


# the parts -----------------------------------------------------------------------------------------


def test_a_source_is_plain_data_until_the_article_is_checked():
    import pickle

    wire = write_jsonl(Path("wire.jsonl"), {"id": "w", "text": ARTICLE, "source": TRANSCRIPT})
    [source] = collect([str(wire)])
    assert source.record is not None
    assert source.record["source"] == [{"id": "w/source-1", "title": None, "text": TRANSCRIPT}]
    [(name, document)] = pickle.loads(pickle.dumps(source)).documents()
    assert name == "w/source-1" and document.text == TRANSCRIPT and document.source == name


def test_the_sources_index_of_an_articles_documents_lasts_for_its_run_only():
    """The built-in ``sources`` keeps the desk's index for the desk's life; an article's
    own documents are indexed for its run and closed when it ends."""
    desk = Copydesk(Settings.resolve(), load_host(), use_model=False)
    [given] = [s for s in desk.evidence_sources if isinstance(s, GivenDocuments)]
    article = article_from_bytes(ARTICLE.encode(), "a.txt", source="a.txt")
    council = ("council", article_from_bytes(TRANSCRIPT.encode(), "council", source="council"))
    try:
        result = desk.check(article, documents=[council])
        assert [f.category for f in result.findings if f.category == "misquote"] == ["misquote"]
        assert given._indexes == {}, "released with its run"
        assert [f.category for f in desk.check(article).findings if f.category == "misquote"] == []
        assert EvidenceInputs().adding([council]).documents == (council,)
    finally:
        desk.close()
