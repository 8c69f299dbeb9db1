"""How good the predictions are: accuracy, confusion matrix and ROC curve (classification), R²
(regression)."""
from __future__ import annotations

import numpy as np


def accuracy(y_true: np.ndarray, proba: np.ndarray) -> float:
    """Fraction of samples whose most probable class is the true class."""
    y_true = np.asarray(y_true)
    if y_true.shape[0] == 0:
        return float("nan")
    return float(np.mean(np.argmax(proba, axis=1) == y_true))


def r2_score(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Coefficient of determination, 1 - SS_res / SS_tot, averaged over output columns.

    A column whose targets are constant scores 1 when predicted exactly and 0 otherwise (as
    scikit-learn does), instead of dividing by zero.
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    n = y_true.shape[0]
    if n == 0:
        return float("nan")
    y_true = y_true.reshape(n, -1)
    y_pred = np.asarray(y_pred, dtype=np.float64).reshape(n, -1)
    residual = ((y_true - y_pred) ** 2).sum(axis=0)
    total = ((y_true - y_true.mean(axis=0)) ** 2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.where(total > 0, 1.0 - residual / total, np.where(residual == 0, 1.0, 0.0))
    return float(scores.mean())


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts (n_classes x n_classes), int64: row = true class, column = predicted class."""
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    counts = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes)


def class_scores(confusion: np.ndarray) -> dict[str, np.ndarray]:
    """Per class, from a confusion matrix (rows actual): precision (of the rows predicted as the
    class, the share that are), recall (of the rows that are, the share predicted), F1 (their
    harmonic mean) and support (how many rows are). NaN where a share has no rows to count."""
    confusion = np.asarray(confusion, dtype=np.float64)
    hits = np.diag(confusion)
    predicted, support = confusion.sum(axis=0), confusion.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, hits / predicted, np.nan)
        recall = np.where(support > 0, hits / support, np.nan)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    f1 = np.where(np.isnan(precision) | np.isnan(recall), np.nan, f1)
    return {"precision": precision, "recall": recall, "f1": f1, "support": support.astype(np.int64)}


def roc_curve(y_true: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(false positive rate, true positive rate) as the threshold on `score` (the probability of
    class 1) falls from above the highest score to the lowest: one point per distinct score, from
    (0, 0) to (1, 1). Empty arrays when one class is missing (no rate can be formed)."""
    y = np.asarray(y_true).astype(bool)
    score = np.asarray(score, dtype=np.float64)
    positives, negatives = int(y.sum()), int((~y).sum())
    if not positives or not negatives:
        return np.empty(0), np.empty(0)
    order = np.argsort(-score, kind="stable")
    score, y = score[order], y[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(score)), len(score) - 1]   # tied scores move together
    true_pos = np.cumsum(y)[last_of_tie]
    false_pos = (last_of_tie + 1) - true_pos
    return np.r_[0.0, false_pos / negatives], np.r_[0.0, true_pos / positives]


def roc_auc(fpr: np.ndarray, tpr: np.ndarray) -> float:
    """The area under a ROC curve (trapezoids): 0.5 is chance, 1 a perfect ranking."""
    if len(fpr) < 2:
        return float("nan")
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def score(task: str, y_true: np.ndarray, output: np.ndarray) -> float:
    """The task's metric for network outputs: accuracy for classification, R² for regression."""
    return SCORES[task](y_true, output)


SCORES = {"classification": accuracy, "regression": r2_score}
METRIC_NAMES = {"classification": "accuracy", "regression": "r2"}    # in JSON keys and table columns
METRIC_LABELS = {"accuracy": "accuracy", "r2": "R²"}                  # the same, for a person to read
