"""Metrics on inputs whose answers are known by hand."""
import numpy as np
import pytest

from workbench.core.metrics import accuracy, confusion_matrix, r2_score, score


def test_accuracy_takes_the_most_probable_class():
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    assert accuracy(np.array([0, 1, 1, 1]), proba) == 0.75


def test_r2_single_output():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    assert r2_score(y, y) == 1.0
    assert r2_score(y, np.full(4, 2.5)) == pytest.approx(0.0)
    assert r2_score(y, np.array([1.0, 2.0, 3.0, 5.0])) == pytest.approx(1 - 1 / 5)


def test_r2_multi_output_is_the_mean_over_outputs():
    y = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])
    pred = np.array([[1.0, 20.0], [2.0, 20.0], [3.0, 20.0]])    # perfect, then the mean
    assert r2_score(y, pred) == pytest.approx(0.5)
    assert r2_score(y[:, 0], pred[:, :1]) == 1.0                # (n,) against (n, 1)


def test_r2_of_constant_targets_does_not_divide_by_zero():
    y = np.full(3, 2.0)
    assert r2_score(y, y) == 1.0 and r2_score(y, y + 1) == 0.0


def test_confusion_matrix_rows_are_true_classes():
    cm = confusion_matrix(np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2]), 3)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert cm.dtype == np.int64


def test_score_picks_the_task_metric():
    assert score("classification", np.array([1]), np.array([[0.4, 0.6]])) == 1.0
    assert score("regression", np.array([1.0, 3.0]), np.array([[1.0], [3.0]])) == 1.0


def test_empty_inputs_give_nan():
    assert np.isnan(accuracy(np.array([], dtype=int), np.empty((0, 2))))
    assert np.isnan(r2_score(np.array([]), np.array([])))
