"""Evidence sources: documents given on the command line, a corpus, and grounding quotes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from copydesk.errors import InputError
from copydesk.plugins.evidence import corpus
from copydesk.plugins.evidence.passages import Passage
from copydesk.plugins.evidence.sources import (
    CorpusSource,
    DocumentSource,
    EvidenceSource,
    ground_evidence,
)

TRANSCRIPT = (
    "MAYOR ANA RUIZ: Thank you for coming. This project will not raise local taxes.\n"
    "We have set aside 12 million dollars for the bridge, and the state will pay the rest."
)
RELEASE = (
    "<html><body><article><p>The council voted 7-2 to approve the bridge on Monday, "
    "after a debate that lasted three hours and drew a crowd of residents.</p></article></body></html>"
)


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    (folder / "press").mkdir(parents=True)
    (folder / "transcript.txt").write_text(TRANSCRIPT)
    (folder / "press" / "release.html").write_text(RELEASE)
    return folder


def test_documents_given_as_sources_are_searched_and_grounded(sources: Path):
    source = DocumentSource.from_paths([str(sources)])
    try:
        assert isinstance(source, EvidenceSource) and source.name == "sources"
        hits = asyncio.run(source.search("Will the bridge raise taxes?", None, 2))
        assert hits[0].document == str(sources / "transcript.txt")  # named as the user gave it
        # a model quoted the evidence with straight quotes and its own spacing: found anyway
        evidence = ground_evidence("will  NOT raise local taxes", hits)
        assert evidence is not None and evidence.text == "will not raise local taxes"
        assert TRANSCRIPT[evidence.start : evidence.end] == evidence.text
        # HTML sources are read through the same extractor as articles
        votes = asyncio.run(source.search("council vote", None, 1))[0]
        assert votes.document.endswith("release.html") and "7-2" in votes.text
    finally:
        source.close()


def test_evidence_that_is_in_no_passage_is_not_evidence():
    passage = Passage("t.txt", None, "t.txt", "The state will pay the rest.", 40, 68)
    assert ground_evidence("The city will pay the rest.", [passage]) is None
    found = ground_evidence("the state will pay", [passage])
    assert (found.start, found.end, found.text) == (40, 58, "The state will pay")


def test_a_source_that_cannot_be_read_is_an_input_error(tmp_path: Path):
    with pytest.raises(InputError, match="does not exist"):
        DocumentSource.from_paths([str(tmp_path / "missing.txt")])
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(InputError, match="empty"):
        DocumentSource.from_paths([str(tmp_path / "empty.txt")])
    with pytest.raises(InputError, match="no documents"):
        DocumentSource.from_paths([str(_empty_dir(tmp_path))])
    with pytest.raises(InputError, match="does not exist"):
        CorpusSource(tmp_path / "typo.db")


def _empty_dir(tmp_path: Path) -> Path:
    d = tmp_path / "empty-folder"
    d.mkdir()
    return d


def test_a_corpus_source_searches_the_index_from_its_own_thread(sources: Path, tmp_path: Path):
    db = tmp_path / "corpus.db"
    corpus.index([str(sources)], db)
    source = CorpusSource(db)
    try:

        async def two_at_once() -> list[list[Passage]]:
            return await asyncio.gather(
                source.search("12 million dollars", None, 1), source.search("debate", None, 1)
            )

        money, debate = asyncio.run(two_at_once())
        assert "12 million dollars" in money[0].text and "three hours" in debate[0].text
        text = source.document_text(money[0].document)
        assert text is not None and text[money[0].start : money[0].end] == money[0].text
    finally:
        source.close()
