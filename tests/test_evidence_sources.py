"""Evidence sources: the hook, the built-in `sources` and `corpus`, and a run's evidence."""

from __future__ import annotations

import asyncio
import types
from pathlib import Path

import pytest

import copydesk
from copydesk.errors import InputError, PluginLoadError
from copydesk.evidence import EvidenceInputs, RunEvidence
from copydesk.host import Host
from copydesk.inputs import read_sources
from copydesk.plugins.evidence import corpus
from copydesk.plugins.evidence.sources import CorpusFiles, GivenDocuments, ground_evidence
from copydesk.runner import Copydesk
from copydesk.settings import Settings
from copydesk.types import Article, Dropped, Evidence, Passage, StageStatus

TRANSCRIPT = (
    "MAYOR ANA RUIZ: Thank you for coming. This project will not raise local taxes.\n"
    "We have set aside 12 million dollars for the bridge, and the state will pay the rest."
)
RELEASE = (
    "<html><body><article><p>The council voted 7-2 to approve the bridge on Monday, "
    "after a debate that lasted three hours and drew a crowd of residents.</p></article></body></html>"
)
ARTICLE = "The city set aside $20 million for the bridge, the mayor said."


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "transcript.txt").write_text(TRANSCRIPT)
    (folder / "release.html").write_text(RELEASE)
    return folder


def searched(source, query: str, k: int, inputs: EvidenceInputs) -> list[Passage]:
    """``source.search`` as a checker's ``ctx.evidence.search`` calls it in a run."""
    run = RunEvidence([source], inputs, Article(ARTICLE))
    view = run.view("a-checker", StageStatus("a-checker", "checker"), run.article, ())
    view.ctx = types.SimpleNamespace(evidence=view)  # a checker's context, as far as sources look
    found = asyncio.run(view.search(query, k))
    assert not run.failures, run.failures
    return found


def test_the_documents_given_with_source_are_searched_as_the_source_sources(sources: Path):
    inputs = EvidenceInputs(tuple(read_sources([str(sources)])))  # a folder: its article files
    source = GivenDocuments()
    try:
        source.prepare(inputs)
        hits = searched(source, "Will the bridge raise taxes?", 2, inputs)
        assert hits[0].source == "sources"  # stamped by the run, for every source
        assert hits[0].document == str(sources / "transcript.txt")  # named as the user gave it
        # HTML sources are read through the same extractor as articles
        votes = searched(source, "council vote", 1, inputs)[0]
        assert votes.document.endswith("release.html") and "7-2" in votes.text
        assert searched(source, "taxes", 1, EvidenceInputs()) == []  # nothing given, nothing found
    finally:
        source.close()


def test_a_source_that_cannot_be_read_is_an_input_error_naming_the_option(tmp_path: Path):
    with pytest.raises(InputError, match=r"--source: .*missing.txt does not exist"):
        read_sources([str(tmp_path / "missing.txt")])
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(InputError, match=r"--source: .*empty"):
        read_sources([str(tmp_path / "empty.txt")])
    (tmp_path / "not-a-corpus.db").write_text("these are not the droids")
    with pytest.raises(InputError, match="not an evidence corpus"):
        CorpusFiles().prepare(EvidenceInputs(corpora=(str(tmp_path / "not-a-corpus.db"),)))


def test_the_source_corpus_searches_every_corpus_given_each_from_its_own_thread(
    sources: Path, tmp_path: Path
):
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "minutes.txt").write_text("The debate on the bridge lasted three hours.")
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    corpus.index([str(sources)], first)
    corpus.index([str(tmp_path / "other")], second)
    source = CorpusFiles()
    inputs = EvidenceInputs(corpora=(str(first), str(second)))
    try:
        source.prepare(inputs)
        hits = searched(source, "debate three hours", 2, inputs)
        # interleaved: each corpus's best passage, in the order the corpora were given
        assert [Path(h.document).name for h in hits] == ["release.html", "minutes.txt"]
        assert all(h.source == "corpus" for h in hits)
    finally:
        source.close()


def test_evidence_is_found_again_in_what_the_run_knows_or_dropped():
    documents = (("transcript.txt", Article(TRANSCRIPT)),)
    run = RunEvidence([GivenDocuments()], EvidenceInputs(documents), Article(ARTICLE))
    dropped: list[Dropped] = []
    stage = StageStatus("a-checker", "checker")
    cited = [
        # a model's spacing and case: found, at the transcript's own words and offsets
        Evidence("sources", "transcript.txt", "will  NOT raise local taxes"),
        Evidence("sources", "transcript.txt", "the city will pay the rest"),  # not there
        Evidence("article", "article", "the mayor said"),  # the article is evidence too
    ]
    kept = run.ground_all(cited, "a-checker", stage, dropped)
    assert [(e.quote, e.start, e.end) for e in kept] == [
        ("will not raise local taxes", 51, 77),
        ("the mayor said", 47, 61),
    ]
    assert kept[0].passage is not None  # the text around it, at the same offsets
    assert TRANSCRIPT[kept[0].passage.start : kept[0].passage.end] == kept[0].passage.text
    assert [d.kind for d in dropped] == ["evidence"] and stage.dropped == 1


def test_ground_evidence_finds_a_quote_in_passages_at_its_offsets_in_the_document():
    passage = Passage("t.txt", None, "t.txt", "The state will pay the rest.", 40, 68)
    assert ground_evidence("The city will pay the rest.", [passage]) is None
    found = ground_evidence("the state will pay", [passage])
    assert found is not None and (found.start, found.end, found.text) == (
        40,
        58,
        "The state will pay",
    )


class Archive:
    """A third party's source: a newsroom archive, here two stories in memory."""

    name = "archive"
    STORY = "Officials said the bridge would cost 12 million dollars in all."

    async def search(self, query: str, ctx, k: int) -> list[Passage]:
        return [
            Passage("story-17", "Bridge costs", "https://archive.invalid/17", self.STORY, 0, 63)
        ]


class Broken:
    name = "broken"

    async def search(self, query: str, ctx, k: int) -> list[Passage]:
        raise ConnectionError("the archive is down")


def plugin_with(*sources: object) -> types.SimpleNamespace:
    @copydesk.hookimpl
    def register_evidence_sources(register):
        for source in sources:
            register(source)

    return types.SimpleNamespace(register_evidence_sources=register_evidence_sources)


def with_plugin(plugin: object) -> Host:
    """The built-ins and ``plugin``, as copydesk loads them."""
    host = Host()
    host.load_builtins()
    host.register_plugin(plugin, "an-archive", version="1", source="test")
    host.collect()
    return host


def test_hook_register_evidence_sources_a_third_partys_source_checks_claims_beside_the_built_ins():
    host = with_plugin(plugin_with(Archive(), Broken()))
    assert {"sources", "corpus", "archive", "broken"} <= set(host.components["evidence_source"])
    desk = Copydesk(Settings(), host, checkers=["claim-figures"], use_model=False)
    report = desk.check(Article(ARTICLE)).to_dict()
    [finding] = report["findings"]
    assert finding["category"] == "contradicted_claim"
    [evidence] = finding["evidence"]
    assert (evidence["source"], evidence["document"], evidence["location"]) == (
        "archive",
        "story-17",
        "https://archive.invalid/17",
    )
    assert evidence["quote"] == Archive.STORY
    # the source that raised is reported; the run went on without it
    broken = [s for s in report["stages"] if s["plugin"] == "broken"]
    assert broken[0]["stage"] == "evidence_source" and broken[0]["status"] == "failed"
    assert "ConnectionError: the archive is down" in broken[0]["reason"]


class NotAsync:
    name = "sync"

    def search(self, query, ctx, k):
        return []


class Reserved:
    name = "article"

    async def search(self, query, ctx, k):
        return []


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (NotAsync(), "whose search\\(\\) is not async"),
        (Reserved(), "named 'article': that name is the article's own evidence"),
        (GivenDocuments(), "two plugins register an evidence source named 'sources'"),
    ],
)
def test_a_source_that_does_not_fit_the_protocol_stops_start_up(source, message):
    with pytest.raises(PluginLoadError, match=message):
        with_plugin(plugin_with(source))


class Counting:
    """A source of what the user gave (``needs_inputs``), counting what it is asked."""

    name = "counting"
    needs_inputs = True

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def search(self, query, ctx, k):
        self.asked.append(query)
        return []


def test_a_source_of_what_the_user_gave_is_not_asked_in_a_run_given_nothing():
    counting = Counting()
    host = with_plugin(plugin_with(counting))
    desk = Copydesk(Settings(), host, checkers=["quotations", "claim-figures"], use_model=False)
    text = 'The council spent $20 million on Monday. "We are done," the mayor said.'
    report = desk.check(Article(text)).to_dict()
    assert counting.asked == [] and report["findings"] == []
    assert not any(s["stage"] == "evidence_source" for s in report["stages"])
    # given a document, it is asked like any source
    inputs = EvidenceInputs((("t.txt", Article(TRANSCRIPT)),))
    desk = Copydesk(Settings(), host, checkers=["claim-figures"], use_model=False, evidence=inputs)
    desk.check(Article(text))
    assert counting.asked
