"""Fitting a head: L2 logistic regression on standardised embeddings, its strength and
threshold chosen by cross-validation inside the data it is fitted on, its logit
calibrated (Platt scaling) on out-of-fold scores.

numpy only, the ``heads`` extra (about 45 MB installed): scikit-learn with scipy would add
about 165 MB more for one regression, so the regression is solved here by Newton's method
with conjugate-gradient steps (the same objective as scikit-learn's ``LogisticRegression(C=c)``;
``bench/heads.py --compare-sklearn`` checks the two agree). The standardisation is folded
into the weights (w / sd, b - w . mean / sd), so a head is one weight vector and a bias
over the raw embedding.

With ``groups`` (BABE: the topic), every split keeps a group on one side, so that what is
chosen and measured is how the head does on topics it never saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from copydesk.errors import ConfigError

try:
    import numpy as np
except ImportError as exc:  # pragma: no cover - depends on the install
    raise ConfigError(
        "fitting a head needs numpy, which the default install leaves out",
        "pip install 'copydesk[heads]'",
    ) from exc

from .measures import auc, choose_threshold, decided, reliability

#: L2 strengths tried (scikit-learn's C: larger is weaker). On ~1,500 standardised
#: dimensions and ~1,800 sentences the best lay inside this range in every trial.
C_GRID = (0.0003, 0.001, 0.003, 0.01, 0.03)
FOLDS = 5


# the regression ---------------------------------------------------------------------------


def _objective(theta: np.ndarray, x1: np.ndarray, y: np.ndarray, c: float) -> float:
    z = x1 @ theta
    w = theta[:-1]
    return float(c * np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * w @ w)


def _cg(hess_vec: Any, b: np.ndarray, iters: int, tol: float) -> np.ndarray:
    """Conjugate gradients for H s = b, H given as a function (never formed)."""
    s = np.zeros_like(b)
    r = b.copy()
    p = r.copy()
    rr = r @ r
    stop = tol * tol * rr
    for _ in range(iters):
        hp = hess_vec(p)
        alpha = rr / (p @ hp)
        s += alpha * p
        r -= alpha * hp
        new = r @ r
        if new <= stop:
            break
        p = r + (new / rr) * p
        rr = new
    return s


def fit_logistic(
    xs: np.ndarray, y: np.ndarray, c: float, start: np.ndarray | None = None
) -> np.ndarray:
    """Minimise c * sum(log-loss) + |w|^2 / 2 over (w, b), b unpenalised; returns the
    vector (w..., b). ``xs`` should be standardised."""
    n, d = xs.shape
    x1 = np.hstack([xs, np.ones((n, 1))])
    y = y.astype(float)
    penal = np.ones(d + 1)
    penal[-1] = 0.0
    theta = np.zeros(d + 1) if start is None else start.copy()
    f = _objective(theta, x1, y, c)
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(x1 @ theta)))
        grad = c * (x1.T @ (p - y)) + penal * theta
        if np.linalg.norm(grad) <= 1e-5 * max(1.0, c * n):
            break
        weight = c * p * (1.0 - p)

        def hess_vec(v: np.ndarray, weight: np.ndarray = weight) -> np.ndarray:
            return x1.T @ (weight * (x1 @ v)) + penal * v + 1e-10 * v

        step = _cg(hess_vec, -grad, iters=100, tol=0.1)
        t = 1.0
        while True:  # backtracking: the full Newton step nearly always holds
            trial = theta + t * step
            f_new = _objective(trial, x1, y, c)
            if f_new <= f + 1e-4 * t * (grad @ step) or t < 1e-6:
                break
            t /= 2
        if f - f_new <= 1e-10 * max(1.0, abs(f)):
            theta, f = trial, f_new
            break
        theta, f = trial, f_new
    return theta


@dataclass
class Linear:
    """Weights and bias over the raw (unstandardised) embedding."""

    weights: np.ndarray
    bias: float

    def logits(self, x: np.ndarray) -> np.ndarray:
        return x @ self.weights + self.bias


def fit_linear(x: np.ndarray, y: np.ndarray, c: float) -> Linear:
    mean, sd = x.mean(axis=0), x.std(axis=0)
    sd[sd == 0] = 1.0
    theta = fit_logistic((x - mean) / sd, y, c)
    w = theta[:-1] / sd
    return Linear(w, float(theta[-1] - w @ mean))


def platt(logits: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling: (scale, shift) with sigmoid(scale * logit + shift) calibrated on
    these out-of-fold logits (a tiny L2 keeps it finite on separable data)."""
    theta = fit_logistic(logits.reshape(-1, 1), y, c=1e4)
    return float(theta[0]), float(theta[1])


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


# splits -----------------------------------------------------------------------------------


Split = tuple[np.ndarray, np.ndarray]


def stratified_splits(y: np.ndarray, folds: int, seed: int) -> list[Split]:
    """``folds`` folds, each with the same share of positives, in a seeded order."""
    rng = np.random.default_rng(seed)
    fold_of = np.empty(len(y), dtype=int)
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        rng.shuffle(rows)
        fold_of[rows] = np.arange(len(rows)) % folds
    return [(np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)) for k in range(folds)]


def grouped_splits(groups: np.ndarray, folds: int) -> list[Split]:
    """``folds`` folds with every group wholly in one, the largest groups dealt first to
    the emptiest fold (so the folds come out about the same size)."""
    names, counts = np.unique(groups, return_counts=True)
    folds = min(folds, len(names))
    sizes = np.zeros(folds, dtype=int)
    fold_of_group: dict[Any, int] = {}
    for i in np.lexsort((names, -counts)):  # by size, then by name: the same every run
        k = int(np.argmin(sizes))
        fold_of_group[names[i]] = k
        sizes[k] += counts[i]
    fold_of = np.array([fold_of_group[g] for g in groups])
    return [(np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)) for k in range(folds)]


def splits_for(y: np.ndarray, groups: np.ndarray | None, folds: int, seed: int) -> list[Split]:
    """Grouped splits when there are groups, unless a training part would then hold one
    class only (a group that is all one label): stratified splits then."""
    if groups is not None and len(np.unique(groups)) >= 2:
        splits = grouped_splits(groups, folds)
        if all(len(np.unique(y[train])) == 2 for train, _ in splits):
            return splits
    return stratified_splits(y, folds, seed)


# a head -----------------------------------------------------------------------------------


@dataclass
class Fitted:
    linear: Linear
    c: float
    scale: float
    shift: float
    threshold: float  # on the calibrated probability
    #: Out-of-fold figures of the data it was fitted on (the choice of C, the calibration).
    inner_auc: dict[float, float] = field(default_factory=dict)
    oof_probability: np.ndarray | None = None

    def probability(self, x: np.ndarray) -> np.ndarray:
        return sigmoid(self.scale * self.linear.logits(x) + self.shift)


def _oof_logits(x: np.ndarray, y: np.ndarray, splits: list[Split], c: float) -> np.ndarray:
    out = np.zeros(len(y))
    for train, test in splits:
        out[test] = fit_linear(x[train], y[train], c).logits(x[test])
    return out


def fit_head(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray | None = None, seed: int = 14
) -> Fitted:
    """C by out-of-fold ROC-AUC, then on the chosen C's out-of-fold logits the Platt
    calibration and the macro-F1-best threshold, then the weights fitted on all of ``x``."""
    y = np.asarray(y).astype(int)
    if len(np.unique(y)) < 2:
        raise ConfigError("a head needs labelled examples of both classes (0 and 1)")
    splits = splits_for(y, groups, FOLDS, seed)
    logits = {c: _oof_logits(x, y, splits, c) for c in C_GRID}
    aucs = {c: auc(y, s) or 0.5 for c, s in logits.items()}
    best = max(C_GRID, key=lambda c: (aucs[c], -c))
    scale, shift = platt(logits[best], y)
    probability = sigmoid(scale * logits[best] + shift)
    return Fitted(
        linear=fit_linear(x, y, best),
        c=best,
        scale=scale,
        shift=shift,
        threshold=choose_threshold(y, probability),
        inner_auc={c: round(a, 4) for c, a in aucs.items()},
        oof_probability=probability,
    )


def cross_validate(
    x: np.ndarray,
    y: np.ndarray,
    splits: list[Split],
    groups: np.ndarray | None = None,
    seed: int = 14,
) -> dict[str, Any]:
    """Each held-out fold scored once by a head fitted (C, calibration, threshold and all)
    on the other folds only; the figures pooled over the folds, and per fold."""
    y = np.asarray(y).astype(int)
    probability, flagged = np.zeros(len(y)), np.zeros(len(y), dtype=bool)
    folds = []
    for train, test in splits:
        head = fit_head(x[train], y[train], None if groups is None else groups[train], seed)
        probability[test] = head.probability(x[test])
        flagged[test] = probability[test] >= head.threshold
        fold = decided(y[test], probability[test], flagged[test])
        fold.update(c=head.c, threshold=round(head.threshold, 4))
        folds.append(fold)
    out = decided(y, probability, flagged)
    fold_aucs = [f["auc"] for f in folds if f["auc"] is not None]
    out["fold_auc_mean"] = round(float(np.mean(fold_aucs)), 3) if fold_aucs else None
    out["fold_macro_f1_mean"] = round(float(np.mean([f["macro_f1"] for f in folds])), 3)
    out["reliability"] = reliability(y, probability)
    out["folds"] = folds
    return out
