"""bench/quality.py's figures on tiny BABE- and BASIL-shaped items with findings made by
hand, the embedding cache bench/heads_embed.py keeps (read back, and a cut line
skipped rather than fatal), and its embedder sending several texts per request."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("numpy", reason="the benchmarks need the heads extra (numpy)")

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

from heads_embed import Embedded, Embedder, EmbeddingCache, EmbeddingModel  # noqa: E402
from quality_scores import babe_reliability, babe_scores, basil_scores  # noqa: E402

from copydesk.types import Finding  # noqa: E402


def loaded(quote: str, text: str, confidence: float, category: str = "loaded_language") -> Finding:
    start = text.index(quote)
    return Finding(
        category, quote, "why", start=start, end=start + len(quote), confidence=confidence
    )


BABE = [
    {
        "text": "A disastrous budget passed.",
        "label": 1,
        "label_opinion": "Expresses writer’s opinion",
    },
    {"text": "The budget passed on Monday.", "label": 0, "label_opinion": "Entirely factual"},
    {"text": "A reckless plan was adopted.", "label": 1, "label_opinion": "Entirely factual"},
    {"text": "A bitter row followed the vote.", "label": 0, "label_opinion": "No agreement"},
]


def test_babe_a_sentence_is_scored_by_its_most_confident_loaded_language_finding():
    findings = [
        [loaded("disastrous", BABE[0]["text"], 0.9), loaded("budget", BABE[0]["text"], 0.4)],
        [],
        [],
        [loaded("bitter", BABE[3]["text"], 0.6)],
    ]
    scores = babe_scores(BABE, findings)
    # flagged: 0 (right) and 3 (wrong); missed: 2
    assert scores["confusion"] == {"tp": 1, "fp": 1, "fn": 1, "tn": 1}
    assert (scores["precision"], scores["recall"], scores["macro_f1"]) == (0.5, 0.5, 0.5)
    # biased 0.9 and 0 against 0 and 0.6: of 4 pairs two won, one tied, one lost
    assert scores["auc"] == 0.625


def test_babe_reliability_judges_each_category_by_its_own_label():
    findings = [
        [
            loaded("disastrous", BABE[0]["text"], 0.92),
            loaded("disastrous", BABE[0]["text"], 0.81, "unattributed_claim"),
        ],
        [loaded("Monday", BABE[1]["text"], 0.95)],
        [loaded("reckless", BABE[2]["text"], 0.55, "unattributed_claim")],
        [loaded("bitter", BABE[3]["text"], 0.7, "unattributed_claim")],  # no agreement: left out
    ]
    tables = babe_reliability(BABE, findings)
    assert tables["loaded_language"]["rows"] == [
        {"bin": "0.9-1.0", "n": 2, "mean_confidence": 0.935, "share_right": 0.5}
    ]
    assert tables["unattributed_claim"]["findings"] == 2
    assert tables["unattributed_claim"]["share_right"] == 0.5


def test_basil_sentences_are_labelled_by_lexical_spans_and_scored_by_overlapping_findings():
    text = "Lawmakers caved on Friday. The bill passed by two votes. Critics fumed loudly."
    item = {
        "text": text,
        "title": None,
        "spans": [
            {"bias_type": "lexical", "start": text.index("caved"), "end": text.index("caved") + 5},
            {"bias_type": "informational", "start": 27, "end": 55},
            {"bias_type": "lexical", "start": text.index("fumed"), "end": text.index("fumed") + 5},
        ],
    }
    found = [loaded("caved", text, 0.8), loaded("two votes", text, 0.6)]
    scores = basil_scores([item], [found])
    assert (scores["sentences"], scores["lexical_sentences"]) == (3, 2)
    assert scores["lexical_recall"] == 0.5
    # lexical sentences score 0.8 and 0; the other 0.6: one pair won, one lost
    assert scores["sentence_auc"] == 0.5
    assert scores["findings_per_1000_words"] == round(1000 * 2 / 13, 2)
    table = scores["reliability"]["loaded_language"]
    assert (table["findings"], table["share_right"]) == (2, 0.5)


def test_the_embedding_cache_reads_back_and_skips_a_line_cut_short(tmp_path: Path):
    model = EmbeddingModel("m", "ab" * 32, "mean", "", "test")
    cache = EmbeddingCache(model, tmp_path)
    cache.put("A sentence.", Embedded([0.5, -0.25], 3))
    with cache.path.open("a", encoding="utf-8") as out:
        out.write('{"h": "cut", "n": 2, "v": "AAAA')  # a write that never finished
    again = EmbeddingCache(model, tmp_path)
    assert again.get("A sentence.") == Embedded([0.5, -0.25], 3)
    assert again.unreadable == 1
    assert "A sentence." not in cache.path.read_text(encoding="utf-8")  # hashes only


class FakeEmbeddings:
    """An OpenAI client's ``embeddings``: a text's vector is [its length, 1.0], its tokens
    its words plus one; ``usage`` is the request's total, as llama.cpp reports it."""

    def __init__(self, usage_extra: int = 0) -> None:
        self.requests: list[list[str]] = []
        self.usage_extra = usage_extra

    def create(self, model: str, input: list[str]):
        from types import SimpleNamespace as NS

        self.requests.append(list(input))
        # answered out of order: the embedder must put them back by index
        data = [NS(index=i, embedding=[float(len(t)), 1.0]) for i, t in enumerate(input)][::-1]
        tokens = sum(len(t.split()) + 1 for t in input) + self.usage_extra
        return NS(data=data, usage=NS(prompt_tokens=tokens))


def fake_embedder(tmp_path: Path, monkeypatch, batch: int, count=None, usage_extra: int = 0):
    from types import SimpleNamespace as NS

    monkeypatch.setenv("COPYDESK_HEADS_CACHE", str(tmp_path))
    api = FakeEmbeddings(usage_extra)
    model = EmbeddingModel("m", None, "mean", "", "test")
    embedder = Embedder(model, lambda: (NS(embeddings=api), None), "m", batch, count)
    return embedder, api


def words_plus_one(handle, text: str) -> int:
    return len(text.split()) + 1


def test_the_embedder_sends_several_texts_per_request_each_with_its_own_token_count(
    tmp_path: Path, monkeypatch
):
    embedder, api = fake_embedder(tmp_path, monkeypatch, batch=2, count=words_plus_one)
    texts = ["One two.", "Three.", "Four five six.", "One two."]
    got = embedder.embed(texts)
    assert api.requests == [["One two.", "Three."], ["Four five six."]]  # the repeat is sent once
    assert [g.vector[0] for g in got] == [8.0, 6.0, 14.0, 8.0]
    assert [g.tokens for g in got] == [3, 2, 4, 3]
    assert embedder.computed_tokens == 9 and embedder.requests == 2
    assert embedder.embed(["Three."])[0].tokens == 2 and embedder.requests == 2  # cached


def test_a_request_whose_usage_is_not_the_sum_of_the_texts_counts_is_refused(
    tmp_path: Path, monkeypatch
):
    embedder, _ = fake_embedder(tmp_path, monkeypatch, batch=4, count=words_plus_one, usage_extra=1)
    with pytest.raises(RuntimeError, match="sum to 5, the request used 6"):
        embedder.embed(["One two.", "Three."])


def test_without_a_per_text_count_the_embedder_asks_one_text_at_a_time(tmp_path: Path, monkeypatch):
    embedder, api = fake_embedder(tmp_path, monkeypatch, batch=16, count=None)
    embedder.embed(["One two.", "Three."])
    assert api.requests == [["One two."], ["Three."]]
