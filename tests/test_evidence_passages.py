"""Passages: source documents cut into overlapping windows with exact offsets."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from copydesk.inputs import article_from_bytes
from copydesk.plugins.evidence.passages import Passage, split_passages
from copydesk.types import Article

TRANSCRIPT = (
    "Good morning. The council met on Monday. It approved the budget of $1.2 million.\n\n"
    "The mayor said the plan would not raise taxes. Residents asked about the bridge. "
    "Work starts in March."
)


def test_a_transcript_becomes_overlapping_passages_of_three_sentences():
    article = article_from_bytes(TRANSCRIPT.encode(), "transcript.txt", source="transcript.txt")
    passages = split_passages(article, "transcript.txt")
    assert [p.text for p in passages] == [
        "Good morning. The council met on Monday. It approved the budget of $1.2 million.",
        "It approved the budget of $1.2 million.\n\nThe mayor said the plan would not raise taxes. Residents asked about the bridge.",
        "Residents asked about the bridge. Work starts in March.",
    ]
    for p in passages:
        assert TRANSCRIPT[p.start : p.end] == p.text
        assert p.document == p.location == "transcript.txt"


def test_a_short_document_is_one_passage():
    article = Article(text="Only one sentence here")
    assert [p.text for p in split_passages(article, "doc")] == ["Only one sentence here"]


def test_a_run_on_sentence_is_cut_at_white_space():
    text = " ".join(["word"] * 1000)
    passages = split_passages(Article(text=text), "doc", sentences=1, overlap=0)
    assert len(passages) > 1
    assert all(len(p.text) <= 1200 and text[p.start : p.end] == p.text for p in passages)
    assert all(not p.text.startswith(" ") for p in passages)


def test_a_passage_must_fit_its_offsets():
    try:
        Passage("doc", None, "doc", "abc", 0, 5)
    except ValueError:
        pass
    else:
        raise AssertionError("a passage of 3 characters at [0, 5) was accepted")


prose = st.text(
    alphabet=st.sampled_from(list("abc XYZ.!?\n\"'“”’,;:-0123…")), min_size=1, max_size=600
)


@given(prose, st.integers(1, 5), st.integers(0, 4))
@settings(max_examples=300, deadline=None)
def test_every_passage_is_the_document_at_its_offsets_and_every_sentence_is_kept(
    text: str, sentences: int, overlap: int
):
    overlap = min(overlap, sentences - 1)
    article = Article(text=text)
    passages = split_passages(article, "doc", sentences=sentences, overlap=overlap)
    for p in passages:
        assert text[p.start : p.end] == p.text
    covered = set()
    for p in passages:
        covered.update(range(p.start, p.end))
    # every character that is not white space lies in some passage
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
    assert [p.start for p in passages] == sorted(p.start for p in passages)


def test_a_preview_is_one_line_cut_at_the_limit():
    from copydesk.plugins.evidence.passages import preview

    text = "First line\n\nsecond   line " + "x" * 200
    p = Passage("doc", None, "doc", text, 0, len(text))
    shown = preview(p, limit=40)
    assert shown.startswith("First line second line x") and shown.endswith("…")
    assert len(shown) <= 40 and "\n" not in shown
