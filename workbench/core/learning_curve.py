"""Learning curve: the training and validation score against the number of training rows. It
answers "would more data help?" (scikit-learn's `learning_curve`, on the session's own split).

Each point trains a fresh run of the configuration (its seed's initial weights) on a share of the
training rows, drawn per class so that every class keeps its proportion, and nested: a larger
share holds every row of a smaller one. The validation rows are the session's, the same for every
point. Each point gets as many updates as the full run (epochs / share, at most `MAX_EPOCH_FACTOR`
times the epochs, and within the configuration's limit), so that a small share is not also a
short training. The session itself is not touched; the test rows take no part.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from workbench.core.config import MAX_EPOCHS
from workbench.core.data import TRAIN, VALIDATION, Dataset
from workbench.core.experiment import Experiment
from workbench.core.metrics import METRIC_LABELS, METRIC_NAMES
from workbench.core.progress import ProgressCallback, RunsProgress
from workbench.core.seeding import streams
from workbench.core.trainer import Trainer, evaluate_split

DEFAULT_SHARES = (0.1, 0.25, 0.5, 0.75, 1.0)
MAX_POINTS = 20
MAX_EPOCH_FACTOR = 10      # a share of 5 % trains 10 times the epochs, not 20
STILL_RISING = 0.01        # the last point beat every smaller share by more than this: more data helps
LARGE_GAP = 0.1            # training minus validation score beyond this at full size: overfitting
LOW_SCORE = 0.7            # a training score below this at full size: underfitting


class NoValidationRows(ValueError):
    """A learning curve needs validation rows to score each point on."""


@dataclass(frozen=True)
class LearningCurve:
    """Scores of fresh runs on growing shares of the training rows."""

    shares: np.ndarray           # of the training rows
    rows: np.ndarray             # training rows used at each point
    epochs: np.ndarray           # epochs each point trained (more for small shares)
    train_metric: np.ndarray     # accuracy or R² on the rows it trained on
    val_metric: np.ndarray       # on the session's validation rows
    train_loss: np.ndarray
    val_loss: np.ndarray
    metric_name: str             # "accuracy" or "r2"
    val_rows: int                # the validation rows every point is scored on

    def advice(self) -> str:
        """One or two sentences for a person: is the validation score still rising at the largest
        share (by more than one validation row's worth of accuracy), and how far is it from the
        training score there."""
        label = METRIC_LABELS[self.metric_name]
        train, val = float(self.train_metric[-1]), float(self.val_metric[-1])
        if not np.isfinite(np.r_[self.train_metric, self.val_metric]).all():
            return "a run diverged, so the curve says nothing: lower the learning rate and try again"
        gain = val - float(np.max(self.val_metric[:-1]))
        one_row = 1.0 / self.val_rows if self.metric_name == "accuracy" else 0.0
        if gain > max(STILL_RISING, one_row):
            return (f"the validation {label} was still rising at the largest share (+{gain:.3f} over "
                    "every smaller one): more rows of the same kind would likely help")
        if train - val > LARGE_GAP:
            return (f"the curve has levelled off with a gap of {train - val:.3f} between training and "
                    f"validation {label}: the model overfits; more data helps less than regularisation "
                    "(L2, dropout, early stopping) or a smaller network")
        if train < LOW_SCORE:
            return (f"both scores are low ({label} {train:.3f} on training rows) and level: the model "
                    "underfits; a larger network, another activation or longer training should help "
                    "more than data")
        return (f"the curve has levelled off, training and validation close ({train:.3f} and "
                f"{val:.3f}): more rows of the same kind would change little")


def check_shares(shares: Sequence[float]) -> np.ndarray:
    """Shares as an increasing array in (0, 1]; ValueError naming what is wrong."""
    values = np.asarray(shares, dtype=np.float64)
    if values.ndim != 1 or not 2 <= values.size <= MAX_POINTS:
        raise ValueError(f"a learning curve takes 2 to {MAX_POINTS} shares, got {values.size}")
    if not ((values > 0) & (values <= 1)).all() or (np.diff(values) <= 0).any():
        raise ValueError("shares must grow, each above 0 and at most 1 (e.g. 0.1,0.5,1)")
    return values


def learning_curve(experiment: Experiment, shares: Sequence[float] = DEFAULT_SHARES,
                   stop: threading.Event | None = None,
                   on_progress: ProgressCallback | None = None) -> LearningCurve:
    """Train a fresh run per share of the experiment's training rows and score it (see the module
    docstring). `stop`, once set, ends the work with InterruptedError between two epochs;
    `on_progress` hears how far it is after every epoch."""
    values = check_shares(shares)
    data = experiment.data
    split = data.split
    train_rows, val_rows = np.flatnonzero(split == TRAIN), np.flatnonzero(split == VALIDATION)
    if val_rows.size == 0:
        raise NoValidationRows("a learning curve scores every point on the validation rows, and this "
                               "session has none: set a validation split")
    config = experiment.config
    dataset = data.dataset
    ranked = _nested_order(dataset, train_rows, streams(config.training.seed).split)
    epochs = [point_epochs(config.training.epochs, share) for share in values]
    stages = [f"{share * 100:.3g}% of the training rows ({index} of {values.size})"
              for index, share in enumerate(values, start=1)]
    progress = RunsProgress(on_progress, epochs, stages)
    points = []
    for index, share in enumerate(values):
        progress.epoch(index, 0)
        chosen = np.sort(ranked(share))
        rows = np.concatenate([chosen, val_rows])
        subset = Dataset(dataset.X[rows], dataset.y[rows], dataset.task, dataset.source,
                         list(dataset.feature_names), list(dataset.class_names), dataset.target_name)
        subset_split = np.r_[np.full(chosen.size, TRAIN), np.full(val_rows.size, VALIDATION)].astype(np.int8)
        run = Experiment.create(config.updated({"training.epochs": epochs[index]}), subset, split=subset_split)
        for report in Trainer(run).run(stop=stop):
            progress.epoch(index, report.epoch)
        if stop is not None and stop.is_set():
            raise InterruptedError("stopped before every point was trained")
        points.append((chosen.size, run.epochs_trained, *evaluate_split(run, "train"), *evaluate_split(run, "val")))
    rows_used, epochs_run, train_loss, train_metric, val_loss, val_metric = (np.array(c) for c in zip(*points))
    return LearningCurve(values, rows_used.astype(np.int64), epochs_run.astype(np.int64), train_metric,
                         val_metric, train_loss, val_loss, METRIC_NAMES[dataset.task], int(val_rows.size))


def point_epochs(epochs: int, share: float) -> int:
    """Epochs of the run on `share` of the training rows: as many updates as the full run's, within
    the limits (see the module docstring)."""
    return min(math.ceil(epochs / share), MAX_EPOCH_FACTOR * epochs, MAX_EPOCHS)


def _nested_order(dataset: Dataset, train_rows: np.ndarray, rng: np.random.Generator):
    """A function share -> training rows, nested across shares; per class (in proportion, at least
    one row each) for classification, one shuffled order for regression."""
    if dataset.task != "classification":
        order = rng.permutation(train_rows)
        return lambda share: order[:max(2, math.ceil(share * order.size))]
    y = np.asarray(dataset.y)[train_rows]
    per_class = [rng.permutation(train_rows[y == c]) for c in np.unique(y)]
    return lambda share: np.concatenate([rows[:max(1, math.ceil(share * rows.size))] for rows in per_class])
