"""bench/quality.py's figures on tiny BABE- and BASIL-shaped items with findings made by
hand, and the embedding cache bench/heads_embed.py keeps (read back, and a cut line
skipped rather than fatal)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("numpy", reason="the benchmarks need the heads extra (numpy)")

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

from heads_embed import Embedded, EmbeddingCache, EmbeddingModel  # noqa: E402
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
