"""Permutation feature importance: how far the score falls when one feature's values are shuffled
among the rows (Breiman 2001; scikit-learn's `permutation_importance`).

Shuffling breaks a feature's link to the target and keeps its distribution, so the fall in
accuracy or R² is what the trained model loses without it. It is measured on rows the model did
not train on (the validation split, or the training rows when there is none, which says what the
model relies on rather than what generalises). It describes the model, not the data: two
correlated features share the credit, and each alone may look unimportant.

A text column one-hot encoded as `column=value` features is shuffled as one (its features move
together, row by row), so it is ranked as the column a person knows. Work is bounded: at most
`MAX_ROWS` rows, fewer when features x repeats x rows would exceed `ROW_BUDGET` rows evaluated.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from workbench.core.experiment import Experiment
from workbench.core.inspection import computing, private_network
from workbench.core.metrics import METRIC_LABELS, METRIC_NAMES, score

DEFAULT_REPEATS = 5
MAX_REPEATS = 100
MAX_ROWS = 2000
MIN_ROWS = 200             # the budget never thins the rows below this many
ROW_BUDGET = 2_000_000     # rows put through the network in all, before rows are thinned
SPLITS = {"val": "validation", "train": "training", "test": "test"}


class NothingToPermute(ValueError):
    """The split asked for holds no rows."""


class NotFinite(ValueError):
    """The model's score on the rows as they are is not finite."""


@dataclass(frozen=True)
class FeatureImportance:
    """The fall in the metric when each feature (or one-hot column) is shuffled, over `repeats`
    shuffles of `samples` rows of the `split` ("val", "train" or "test")."""

    names: tuple[str, ...]               # a feature, or a text column whose one-hot features moved together
    columns: tuple[tuple[int, ...], ...]  # the input columns each name shuffled
    mean: np.ndarray                      # (len(names),) mean fall in the metric; near 0: not relied on
    std: np.ndarray                       # spread of the fall over the repeats
    baseline: float                       # the metric on the rows as they are
    metric_name: str                      # "accuracy" or "r2"
    split: str
    samples: int
    repeats: int
    epoch: int

    def ranked(self) -> list[int]:
        """Indices of `names` from the most to the least important (ties in feature order)."""
        return sorted(range(len(self.names)), key=lambda i: -self.mean[i])


def feature_groups(feature_names: Sequence[str]) -> list[tuple[str, tuple[int, ...]]]:
    """Features with the column they came from: a run of neighbouring `column=value` features with
    the same `column` (how a CSV's text column is one-hot encoded) is one group, every other
    feature its own."""
    groups: list[tuple[str, list[int]]] = []
    previous = None
    for index, name in enumerate(feature_names):
        head = name.split("=", 1)[0] if "=" in name else None
        if head is not None and head == previous:
            groups[-1][1].append(index)
        else:
            groups.append((head if head is not None else name, [index]))
        previous = head
    # a lone `a=b` is a numeric column with "=" in its name, or a one-hot column of one value
    return [(name if len(cols) > 1 else feature_names[cols[0]], tuple(cols)) for name, cols in groups]


def default_split(experiment: Experiment) -> str:
    """The validation split, or the training rows when it is empty."""
    return "val" if experiment.data.X_val.shape[0] else "train"


def permutation_importance(experiment: Experiment, split: str | None = None,
                           repeats: int = DEFAULT_REPEATS, seed: int = 0,
                           stop: threading.Event | None = None) -> FeatureImportance:
    """Each feature group's importance for the current weights on `split` (default_split when
    None). The shuffles come from `seed` alone, so the result repeats; `stop`, once set, ends the
    work between two features with InterruptedError."""
    split = default_split(experiment) if split is None else split
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    if not 1 <= repeats <= MAX_REPEATS:
        raise ValueError(f"repeats must be between 1 and {MAX_REPEATS}, got {repeats}")
    data = experiment.data
    X, y = getattr(data, f"X_{split}"), getattr(data, f"y_{split}")
    if X.shape[0] == 0:
        raise NothingToPermute(f"the {SPLITS[split]} split has no rows")
    groups = feature_groups(data.dataset.feature_names)
    rng = np.random.default_rng(seed)
    rows = _rows(X.shape[0], len(groups) * repeats, rng)
    X, y = np.array(X[rows]), y[rows]
    task = experiment.task
    network = private_network(experiment, experiment.network.get_weights())
    falls = np.zeros((len(groups), repeats))
    with computing(experiment):
        baseline = score(task, y, network.predict(X))
        if not np.isfinite(baseline):
            raise NotFinite(f"the model's {METRIC_LABELS[METRIC_NAMES[task]]} on these rows is not a "
                            "finite number (its outputs overflow): there is nothing to measure a fall from")
        shuffled = X.copy()
        for g, (_, columns) in enumerate(groups):
            if stop is not None and stop.is_set():
                raise InterruptedError("stopped before every feature was shuffled")
            cols = list(columns)
            for r in range(repeats):
                shuffled[:, cols] = X[np.ix_(rng.permutation(X.shape[0]), cols)]
                falls[g, r] = baseline - score(task, y, network.predict(shuffled))
            shuffled[:, cols] = X[:, cols]
    return FeatureImportance(tuple(name for name, _ in groups), tuple(cols for _, cols in groups),
                             falls.mean(axis=1), falls.std(axis=1), float(baseline),
                             METRIC_NAMES[task], split, int(X.shape[0]), repeats, experiment.epochs_trained)


def rows_evaluated(experiment: Experiment, split: str | None = None, repeats: int = DEFAULT_REPEATS) -> int:
    """How many rows `permutation_importance` puts through the network, to weigh its cost first."""
    split = default_split(experiment) if split is None else split
    passes = len(feature_groups(experiment.data.dataset.feature_names)) * repeats
    n = getattr(experiment.data, f"X_{split}").shape[0]
    return _kept(n, passes) * (passes + 1)


def _kept(n: int, passes: int) -> int:
    return min(n, MAX_ROWS, max(MIN_ROWS, ROW_BUDGET // max(passes, 1)))


def _rows(n: int, passes: int, rng: np.random.Generator) -> np.ndarray:
    """The rows to use, in order: all of them, or a random subset within MAX_ROWS and the budget."""
    keep = _kept(n, passes)
    if keep >= n:
        return np.arange(n)
    return np.sort(rng.choice(n, size=keep, replace=False))
