"""The figures bench/quality.py reports, from grounded, merged findings per item.

- BABE (one labelled sentence an item): a sentence's score is its highest loaded_language
  confidence (0 without one) and it is flagged when it has a loaded_language finding:
  ROC-AUC of the score, and macro-F1, precision and recall of the flag, against ``label``.
- BASIL (one article an item): the article split as copydesk splits it; a sentence is
  labelled 1 when it overlaps a ``lexical`` span, scored by the highest confidence of the
  loaded_language findings that overlap it: ``sentence_auc``, ``sentence_macro_f1``; the
  share of lexical spans a loaded_language finding overlaps (``lexical_recall``); and
  every finding per 1,000 words (``findings_per_1000_words``, the noise rate).
- Reliability, per category with a label to judge it by: findings binned by confidence
  beside the share of them that were right (loaded_language on BABE: the sentence is
  labelled biased; on BASIL: the finding overlaps a lexical span; unattributed_claim on
  BABE: the sentence states the writer's opinion).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from copydesk.furniture import strip_furniture
from copydesk.plugins.heads.measures import (
    auc,
    decided,
    expected_calibration_error,
    reliability,
    rounded,
)
from copydesk.plugins.text_helpers import article_sentences
from copydesk.types import Article, Finding

OPINION = "Expresses writer’s opinion"
#: Confidence bins of the reliability tables: the findings' confidences cluster at the
#: detectors' fixed values (0.4, 0.6, 0.7), so the bins are tenths.
BINS = 10


def prepare(text: str, title: str | None = None) -> Article:
    article = Article(text=text, title=title)
    strip_furniture(article)
    return article


def loaded(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.category == "loaded_language" and f.target == "article"]


def _overlaps(f: Finding, start: int, end: int) -> bool:
    return f.start < end and start < f.end


def _table(right: list[int], confidence: list[float]) -> dict[str, Any]:
    rows = reliability(np.array(right), np.array(confidence), BINS) if right else []
    return {
        "findings": len(right),
        "share_right": rounded(float(np.mean(right))) if right else None,
        "expected_calibration_error": expected_calibration_error(rows),
        "rows": rows,
    }


def babe_scores(
    items: Sequence[dict[str, Any]], findings: Sequence[list[Finding]]
) -> dict[str, Any]:
    y = np.array([int(item["label"]) for item in items])
    score = np.array([max((f.confidence for f in loaded(fs)), default=0.0) for fs in findings])
    out = decided(y, score, score > 0)
    return {
        "macro_f1": out["macro_f1"],
        "auc": out["auc"],
        "precision": out["precision"],
        "recall": out["recall"],
        "sentences": len(items),
        "flagged_share": out["flagged_share"],
        "confusion": out["confusion"],
    }


def babe_reliability(
    items: Sequence[dict[str, Any]], findings: Sequence[list[Finding]]
) -> dict[str, Any]:
    """Per category: each finding right when its sentence has the category's label."""
    ll_right: list[int] = []
    ll_conf: list[float] = []
    op_right: list[int] = []
    op_conf: list[float] = []
    for item, found in zip(items, findings, strict=True):
        for f in found:
            if f.category == "loaded_language":
                ll_right.append(int(item["label"] == 1))
                ll_conf.append(f.confidence)
            elif f.category == "unattributed_claim" and item.get("label_opinion") != "No agreement":
                op_right.append(int(item.get("label_opinion") == OPINION))
                op_conf.append(f.confidence)
    return {
        "loaded_language": {
            "right_when": "the sentence is labelled biased",
            **_table(ll_right, ll_conf),
        },
        "unattributed_claim": {
            "right_when": "the sentence is labelled as the writer's opinion",
            **_table(op_right, op_conf),
        },
    }


def basil_scores(
    items: Sequence[dict[str, Any]], findings: Sequence[list[Finding]]
) -> dict[str, Any]:
    labels: list[int] = []
    scores: list[float] = []
    lexical = found_lexical = n_words = n_findings = n_loaded = 0
    right: list[int] = []
    confidence: list[float] = []
    for item, found in zip(items, findings, strict=True):
        article = prepare(item["text"], item.get("title"))
        spans = [
            (s["start"], s["end"])
            for s in item["spans"]
            if s["bias_type"] == "lexical" and s.get("field", "text") == "text"
        ]
        ll = loaded(found)
        for sentence in article_sentences(article):
            a, b = sentence.start, sentence.end
            labels.append(int(any(s < b and a < e for s, e in spans)))
            scores.append(max((f.confidence for f in ll if _overlaps(f, a, b)), default=0.0))
        lexical += len(spans)
        found_lexical += sum(any(_overlaps(f, s, e) for f in ll) for s, e in spans)
        n_words += len(article.body_text.split())
        n_findings += len(found)
        n_loaded += len(ll)
        for f in ll:
            right.append(int(any(_overlaps(f, s, e) for s, e in spans)))
            confidence.append(f.confidence)
    y, s = np.array(labels), np.array(scores)
    flagged = decided(y, s, s > 0)
    return {
        "sentence_auc": rounded(auc(y, s)),
        "sentence_macro_f1": flagged["macro_f1"],
        "lexical_recall": rounded(found_lexical / lexical) if lexical else None,
        "findings_per_1000_words": round(1000 * n_findings / n_words, 2) if n_words else None,
        "loaded_language_per_1000_words": round(1000 * n_loaded / n_words, 2) if n_words else None,
        "articles": len(items),
        "sentences": len(labels),
        "lexical_sentences": int(y.sum()),
        "sentence_precision": flagged["precision"],
        "sentence_recall": flagged["recall"],
        "reliability": {
            "loaded_language": {
                "right_when": "the finding overlaps a lexical span",
                **_table(right, confidence),
            }
        },
    }


def by_category(findings: Sequence[list[Finding]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for found in findings:
        for f in found:
            counts[f.category] = counts.get(f.category, 0) + 1
    return dict(sorted(counts.items()))


#: What the judgement checker's explanation says when it quotes a whole sentence.
SENTENCE_PICK = "no word of it is in the lexicon"


def pick_breakdown(
    items: Sequence[dict[str, Any]], findings: Sequence[list[Finding]], data: str
) -> dict[str, Any]:
    """The judgement checker's findings (before merging) by how their words were picked,
    the lexicon's phrase or the whole sentence, and how often each was right: on BABE the
    sentence has the category's label; on BASIL the finding overlaps a lexical span
    (loaded_language only)."""
    out: dict[str, dict[str, Any]] = {}
    for item, found in zip(items, findings, strict=True):
        spans = [
            (s["start"], s["end"])
            for s in item.get("spans", [])
            if s["bias_type"] == "lexical" and s.get("field", "text") == "text"
        ]
        for f in found:
            kind = "sentence" if SENTENCE_PICK in f.explanation else "lexicon phrase"
            if data == "babe":
                right = (
                    item["label"] == 1
                    if f.category == "loaded_language"
                    else item.get("label_opinion") == OPINION
                )
            elif f.category == "loaded_language":
                right = any(_overlaps(f, a, b) for a, b in spans)
            else:
                continue
            row = out.setdefault(f"{f.category} / {kind}", {"findings": 0, "right": 0})
            row["findings"] += 1
            row["right"] += int(right)
    for row in out.values():
        row["share_right"] = rounded(row["right"] / row["findings"])
    return dict(sorted(out.items()))
