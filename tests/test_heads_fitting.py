"""Fitting heads (numpy, the ``heads`` extra): the regression, the splits, the measures,
and a fitted head written as a file that scores as the fit does."""

from __future__ import annotations

from pathlib import Path

import pytest

np = pytest.importorskip("numpy", reason="fitting needs the heads extra (numpy)")

from copydesk.plugins.heads.fitting import (  # noqa: E402
    cross_validate,
    fit_head,
    fit_logistic,
    grouped_splits,
    platt,
    sigmoid,
    stratified_splits,
)
from copydesk.plugins.heads.head_file import EmbeddingSpace, read_head, write_head  # noqa: E402
from copydesk.plugins.heads.making import head_body  # noqa: E402
from copydesk.plugins.heads.measures import (  # noqa: E402
    auc,
    choose_threshold,
    expected_calibration_error,
    reliability,
)


def linear_data(n: int = 400, d: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = (x[:, 0] - x[:, 1] + 0.5 * rng.normal(size=n) > 0).astype(int)
    return x, y


def test_the_regression_reaches_the_minimum_of_its_objective():
    x, y = linear_data()
    c = 0.1
    theta = fit_logistic(x, y, c)
    p = sigmoid(x @ theta[:-1] + theta[-1])
    grad_w = c * x.T @ (p - y) + theta[:-1]
    grad_b = c * np.sum(p - y)
    assert np.abs(grad_w).max() < 1e-4
    assert abs(grad_b) < 1e-4
    assert theta[0] > 0 > theta[1]  # the two dimensions that decide the label


def test_platt_scaling_recovers_the_logistic_the_labels_were_drawn_from():
    rng = np.random.default_rng(1)
    z = rng.normal(size=20_000)
    y = (rng.random(20_000) < sigmoid(2.0 * z - 1.0)).astype(int)
    scale, shift = platt(z, y)
    assert scale == pytest.approx(2.0, abs=0.1)
    assert shift == pytest.approx(-1.0, abs=0.1)


def test_grouped_splits_keep_each_group_in_one_fold_and_cover_every_row_once():
    groups = np.array(["a"] * 5 + ["b"] * 3 + ["c"] * 3 + ["d"] * 2 + ["e"])
    splits = grouped_splits(groups, 3)
    held_out = np.concatenate([test for _, test in splits])
    assert sorted(held_out) == list(range(len(groups)))
    for train, test in splits:
        assert not set(groups[train]) & set(groups[test])
    assert sorted(len(test) for _, test in splits) == [4, 5, 5]


def test_stratified_splits_give_every_fold_the_same_share_of_positives():
    y = np.array([1] * 10 + [0] * 40)
    splits = stratified_splits(y, 5, seed=3)
    assert [int(y[test].sum()) for _, test in splits] == [2, 2, 2, 2, 2]
    assert [len(test) for _, test in splits] == [10, 10, 10, 10, 10]


def test_auc_counts_a_tie_as_half_a_pair():
    assert auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.5, 0.5, 0.9])) == 0.875
    assert auc(np.array([1, 1]), np.array([0.1, 0.2])) is None


def test_the_threshold_falls_between_the_classes_when_they_separate():
    y = np.array([0, 0, 0, 1, 1])
    assert choose_threshold(y, np.array([0.1, 0.2, 0.3, 0.7, 0.9])) == pytest.approx(0.5)


def test_a_reliability_table_gives_confidence_beside_the_share_right():
    y = np.array([0, 1, 1, 1, 0, 0])
    p = np.array([0.95, 0.95, 0.92, 0.91, 0.05, 0.02])
    rows = reliability(y, p)
    assert rows == [
        {"bin": "0.0-0.1", "n": 2, "mean_confidence": 0.035, "share_right": 0.0},
        {"bin": "0.9-1.0", "n": 4, "mean_confidence": 0.932, "share_right": 0.75},
    ]
    assert expected_calibration_error(rows) == round((2 * 0.035 + 4 * 0.182) / 6, 3)


def test_cross_validation_scores_each_row_once_from_a_head_that_never_saw_it():
    x, y = linear_data(300)
    groups = np.array([f"topic{i % 6}" for i in range(300)])
    figures = cross_validate(x, y, grouped_splits(groups, 3), groups)
    assert figures["n"] == 300
    assert sum(f["n"] for f in figures["folds"]) == 300
    assert figures["auc"] > 0.9  # the label is nearly a linear rule
    assert figures["macro_f1"] > 0.8


def test_a_fitted_head_written_as_a_file_scores_as_the_fit_does(tmp_path: Path):
    x, y = linear_data(200)
    fitted = fit_head(x, y)
    body = head_body(
        fitted,
        name="toy",
        category="loaded_language",
        description="a toy",
        space=EmbeddingSpace("toy-model", None, "mean", 8),
        fitted_on={"data": "linear_data", "licence": "CC0-1.0"},
        figures={},
    )
    head = read_head(write_head(tmp_path / "toy.head.json", body))
    expected = fitted.probability(x[:5])
    got = [head.score(row.tolist()) for row in x[:5]]
    # the file keeps 7 significant digits of each weight
    assert got == pytest.approx(expected.tolist(), abs=1e-5)
    assert head.threshold == round(fitted.threshold, 4)
