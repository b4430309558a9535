"""Articles longer than the model's context are read in overlapping parts, and nothing is lost."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from copydesk.parts import split_body
from copydesk.testing import FakeReply
from copydesk.types import Article

PARAGRAPHS = [
    f"Paragraph {i}: the council voted {i} times on the harbour plan, the clerk {i} said."
    for i in range(30)
]
LONG = "\n".join(PARAGRAPHS) + "\n"


def test_a_long_body_is_cut_between_paragraphs_with_one_paragraph_of_overlap():
    parts = split_body(Article(text=LONG), 500)
    # Six 77-79 character paragraphs fit in 500, and each part repeats the last paragraph
    # of the one before: 30 paragraphs make 0-5, 5-10, 10-15, 15-20, 20-25, 25-29.
    assert len(parts) == 6
    assert parts[0].start == 0 and parts[-1].end == len(LONG.rstrip("\n"))
    for before, after in itertools.pairwise(parts):
        assert after.start < before.end, "consecutive parts overlap"
        assert LONG[after.start : before.end].strip() in PARAGRAPHS
    assert all(p.end - p.start <= 500 for p in parts)


@given(
    st.lists(st.text(alphabet="abc .\n", min_size=1, max_size=300), min_size=1, max_size=20),
    st.integers(50, 400),
)
def test_parts_cover_every_word_of_the_body_and_respect_the_limit(chunks, limit):
    text = "".join(chunks)
    parts = split_body(Article(text=text), limit)
    assert all(p.end - p.start <= limit for p in parts)
    covered = {i for p in parts for i in range(p.start, p.end)}
    assert {i for i, ch in enumerate(text) if ch.strip()} <= covered


def test_a_long_article_is_summarised_in_parts_then_combined(run_copydesk, fake_model):
    def claims_from_the_part(request):
        article = request["messages"][0]["content"]
        first = next(p for p in PARAGRAPHS if p in article)
        return {"claims": [{"claim": first, "speaker": "the clerk", "kind": "fact"}]}

    fake_model.answer("summarise", {"summary": "The council voted many times on the harbour plan."})
    fake_model.answer("claims", claims_from_the_part)
    fake_model.answer("check", {"issues": []})
    report = run_copydesk(LONG, fake_model=fake_model, checkers=["llm"], chunk_chars=600)

    parts = {s["chunk"] for s in report["stages"] if s["stage"] == "claim_extractor"}
    assert len(parts) == 5  # seven paragraphs fit in 600: 0-6, 6-12, 12-18, 18-24, 24-29
    combined = [s for s in report["stages"] if s["stage"] == "summariser" and s["chunk"] is None]
    assert combined and combined[0]["reason"].startswith(
        f"combined the summaries of {len(parts)} of {len(parts)} parts"
    )
    assert report["summary"]["text"].startswith("The council voted")
    # Claims from every part, with offsets into the whole article (run_copydesk checks them).
    assert len(report["claims"]) == len(parts)
    assert report["claims"][-1]["start"] > len(LONG) // 2
    assert max(len(r["messages"][0]["content"]) for r in fake_model.requests) < 600 + 1000


def test_a_part_that_fails_keeps_the_others(run_copydesk, fake_model):
    fake_model.answer("summarise", {"summary": "The council voted many times on the harbour plan."})
    fake_model.answer("claims", FakeReply(content="{broken"), {"claims": []})
    fake_model.answer("check", {"issues": []})
    report = run_copydesk(LONG, fake_model=fake_model, checkers=["llm"], chunk_chars=600, reasks=0)
    statuses = [s["status"] for s in report["stages"] if s["stage"] == "claim_extractor"]
    assert statuses[0] == "unparseable" and set(statuses[1:]) == {"ok"}
    assert report["summary"] is not None
