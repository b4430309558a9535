"""The figures a head is judged by: ROC-AUC, macro-F1 at a decision, the threshold with
the best macro-F1, and a reliability table (is a score of p right p of the time?).

numpy only (the ``heads`` extra); nothing here runs when a check applies a head.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np


def rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


def auc(y: np.ndarray, scores: np.ndarray) -> float | None:
    """ROC-AUC by the rank-sum (Mann-Whitney) statistic, tied scores sharing their rank;
    ``None`` when one class is absent."""
    y = np.asarray(y).astype(bool)
    pos, n = int(y.sum()), len(y)
    if pos == 0 or pos == n:
        return None
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(n)
    s = np.asarray(scores)[order]
    i = 0
    while i < n:  # average rank over a run of ties
        j = i
        while j + 1 < n and s[j + 1] == s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[y].sum() - pos * (pos + 1) / 2) / (pos * (n - pos)))


def decided(y: np.ndarray, scores: np.ndarray, flagged: np.ndarray) -> dict[str, Any]:
    """Figures for scores with a yes/no decision per row (the decision may come from a
    different threshold per fold)."""
    y, flagged = np.asarray(y).astype(bool), np.asarray(flagged).astype(bool)
    tp, fp = int((flagged & y).sum()), int((flagged & ~y).sum())
    fn, tn = int((~flagged & y).sum()), int((~flagged & ~y).sum())

    def f1(a: int, b: int, c: int) -> float:
        return 2 * a / (2 * a + b + c) if a else 0.0

    return {
        "n": len(y),
        "positives": int(y.sum()),
        "auc": rounded(auc(y, scores)),
        "macro_f1": rounded((f1(tp, fp, fn) + f1(tn, fn, fp)) / 2),
        "precision": rounded(tp / (tp + fp) if tp + fp else 0.0),
        "recall": rounded(tp / (tp + fn) if tp + fn else 0.0),
        "flagged_share": rounded(flagged.mean() if len(y) else 0.0),
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
    }


def at_threshold(y: np.ndarray, scores: np.ndarray, threshold: float) -> dict[str, Any]:
    out = decided(y, scores, np.asarray(scores) >= threshold)
    out["threshold"] = round(float(threshold), 4)
    return out


def choose_threshold(y: np.ndarray, scores: np.ndarray) -> float:
    """The score threshold with the best macro-F1 on these (out-of-fold) scores, halfway
    between two neighbouring scores so that it does not sit on one row's score."""
    order = np.argsort(-np.asarray(scores), kind="mergesort")
    s, t = np.asarray(scores)[order], np.asarray(y)[order].astype(float)
    pos, n = t.sum(), len(t)
    tp = np.cumsum(t)  # flagging the top k+1
    fp = np.arange(1, n + 1) - tp
    fn, tn = pos - tp, (n - pos) - fp
    f1_pos = 2 * tp / np.maximum(2 * tp + fp + fn, 1)
    f1_neg = 2 * tn / np.maximum(2 * tn + fn + fp, 1)
    macro = (f1_pos + f1_neg) / 2
    # Cut only where the score changes, so tied scores fall on the same side.
    valid = np.append(s[:-1] > s[1:], True)
    k = int(np.argmax(np.where(valid, macro, -1)))
    return float((s[k] + s[k + 1]) / 2) if k + 1 < n else float(s[k] / 2)


def reliability(
    y: np.ndarray, probability: np.ndarray, bins: int = 10, *, edges: list[float] | None = None
) -> list[dict[str, Any]]:
    """Rows of (probability bin, rows in it, mean probability, share positive): a
    calibrated score has the last two close. Empty bins are left out."""
    y, p = np.asarray(y).astype(float), np.asarray(probability, dtype=float)
    cuts = np.array(edges if edges is not None else np.linspace(0, 1, bins + 1))
    rows = []
    for i, (lo, hi) in enumerate(pairwise(cuts)):
        last = i == len(cuts) - 2
        mask = (p >= lo) & ((p <= hi) if last else (p < hi))
        if mask.any():
            rows.append(
                {
                    "bin": f"{lo:.1f}-{hi:.1f}",
                    "n": int(mask.sum()),
                    "mean_confidence": rounded(p[mask].mean()),
                    "share_right": rounded(y[mask].mean()),
                }
            )
    return rows


def expected_calibration_error(rows: list[dict[str, Any]]) -> float | None:
    """The rows' |confidence - share right|, weighted by how many rows each bin holds."""
    n = sum(r["n"] for r in rows)
    if not n:
        return None
    gap = sum(r["n"] * abs(r["mean_confidence"] - r["share_right"]) for r in rows)
    return round(gap / n, 3)
