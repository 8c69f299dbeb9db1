"""Scoring one configuration: on the validation split, or as the mean over k folds; and
`cross_validate`, the per-fold scores of one configuration with what they say for a person.

Folds are drawn from the samples that are not held out for testing, stratified by class for
classification, and depend only on the seed, so every trial of a search (and every machine working
on one study) sees the same folds. Each fold is a split array like `split_indices` gives (0 train,
1 the held-out fold, 2 test), so `prepare` fits the input scaler on the fold's training part only.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Callable

import numpy as np

from workbench.core.config import Config
from workbench.core.data import Dataset, split_indices
from workbench.core.experiment import Experiment
from workbench.core.learning_curve import LARGE_GAP, LOW_SCORE
from workbench.core.metrics import METRIC_LABELS, METRIC_NAMES
from workbench.core.progress import ProgressCallback, RunsProgress
from workbench.core.seeding import streams
from workbench.core.trainer import Trainer, evaluate_split

TRAIN, HELD_OUT, TEST = 0, 1, 2
# The fold stream is a fifth child of the seed's SeedSequence, independent of the four in seeding.py.
_FOLD_STREAM = 4

EpochCallback = Callable[[int, float], None]   # (epoch, validation score) of the first split


class TrialFailed(Exception):
    """A configuration could not be scored (it diverged, failed or was stopped); says why."""


class SplitError(ValueError):
    """Folds or a validation split that the data cannot give. `setting` ("folds" or "val_split")
    lets the command line name its option; the message names the setting too."""

    def __init__(self, setting: str, reason: str):
        super().__init__(f"{setting}: {reason}")
        self.setting, self.reason = setting, reason


@dataclass(frozen=True)
class Score:
    """Validation score of one configuration: the mean over folds and their spread."""

    mean: float
    std: float | None            # None on a single validation split
    folds: tuple[float, ...]     # empty on a single validation split


def fold_assignment(y: np.ndarray, task: str, folds: int, rng: np.random.Generator) -> np.ndarray:
    """The fold (0..folds-1) of every sample; classes are dealt round-robin so each fold keeps
    the class proportions (stratified), regression samples are shuffled and cut evenly."""
    n = y.shape[0]
    if folds < 2:
        raise SplitError("folds", f"k-fold cross-validation needs at least 2 folds, not {folds} "
                                  "(0 scores on the validation split)")
    if folds > n:
        raise SplitError("folds", f"{folds} folds but only {n} samples to share among them")
    if task == "classification":
        order = np.concatenate([rng.permutation(np.flatnonzero(y == c)) for c in np.unique(y)])
    else:
        order = rng.permutation(n)
    assignment = np.empty(n, dtype=np.int64)
    assignment[order] = np.arange(n) % folds
    return assignment


def evaluation_splits(dataset: Dataset, config: Config, folds: int) -> list[np.ndarray]:
    """The split arrays a configuration is scored on: the validation split (folds=0) or k folds.

    The test samples are those `Experiment.create` holds out for this seed, so the finally trained
    best configuration is tested on samples no trial has seen.
    """
    data = config.data
    base = split_indices(dataset.y, dataset.task, data.val_split, data.test_split,
                         streams(config.training.seed).split)
    if folds == 0:
        if not (base == HELD_OUT).any():
            raise SplitError("val_split", "scoring on the validation split needs a validation split "
                                          "above 0 (or k-fold cross-validation)")
        return [base]
    pool = np.flatnonzero(base != TEST)
    rng = np.random.default_rng(np.random.SeedSequence(config.training.seed, spawn_key=(_FOLD_STREAM,)))
    assignment = fold_assignment(dataset.y[pool], dataset.task, folds, rng)
    splits = []
    for k in range(folds):
        split = np.full(dataset.y.shape[0], TEST, dtype=np.int8)
        split[pool] = np.where(assignment == k, HELD_OUT, TRAIN)
        splits.append(split)
    return splits


def score_config(config: Config, dataset: Dataset, splits: list[np.ndarray],
                 on_epoch: EpochCallback | None = None, stop: threading.Event | None = None) -> Score:
    """Train `config` once per split and score the held-out part (accuracy or R², higher is better).

    `on_epoch` sees every epoch's validation score of the first split (for pruning; it may raise to
    abandon the configuration). Raises TrialFailed when a run diverges, is stopped, or scores NaN.
    """
    scores = []
    for index, split in enumerate(splits):
        experiment, status, message = _fresh_run(config, dataset, split, stop, on_epoch if index == 0 else None)
        if status in ("diverged", "stopped"):
            where = f" (fold {index + 1})" if len(splits) > 1 else ""
            raise TrialFailed(f"{status}{where}: {message}")
        value = float(evaluate_split(experiment, "val")[1])
        if not math.isfinite(value):
            raise TrialFailed(f"the validation score is {value}")
        scores.append(value)
    if len(scores) == 1:  # k-fold has at least two folds: one split is the validation split
        return Score(scores[0], None, ())
    return Score(float(np.mean(scores)), float(np.std(scores)), tuple(scores))


def _fresh_run(config: Config, dataset: Dataset, split: np.ndarray, stop: threading.Event | None,
               on_epoch: EpochCallback | None,
               on_trained: Callable[[int], None] | None = None) -> tuple[Experiment, str, str]:
    """A new run of `config` trained on the split's training part: (run, last status, message).
    `on_trained` hears every epoch's number, `on_epoch` those with a finite validation score."""
    experiment = Experiment.create(config, dataset, split=split)
    status, message = "new", ""
    for report in Trainer(experiment).run(stop=stop):
        status, message = report.status, report.message
        if status in ("diverged", "stopped"):
            break
        if on_trained is not None:
            on_trained(report.epoch)
        if on_epoch is not None and math.isfinite(report.val_metric):
            on_epoch(report.epoch, float(report.val_metric))
    return experiment, status, message


# --- cross-validating one configuration (the app's Training menu, `workbench cross-validate`) ------
DEFAULT_FOLDS = 5
WIDE_SPREAD = 0.05        # folds' standard deviation beyond this: one validation split is a noisy judge


@dataclass(frozen=True)
class CrossValidation:
    """Fresh runs of one configuration, one per fold: each trains on the other folds and is
    scored on its own (NaN for a fold whose run diverged)."""

    train_metric: np.ndarray     # per fold, on the rows it trained on
    val_metric: np.ndarray       # per fold, on the fold it held out
    val_rows: np.ndarray         # rows in each held-out fold
    epochs: np.ndarray           # epochs each run trained (fewer with early stopping)
    metric_name: str             # "accuracy" or "r2"

    @property
    def mean(self) -> float:
        return float(np.mean(self.val_metric))

    @property
    def std(self) -> float:
        return float(np.std(self.val_metric))

    def fair_range(self) -> tuple[float, float]:
        """Where one validation split's score is no surprise: the mean ± two spreads, and one
        row's worth of accuracy more (a row more or less right is no luck); within the scores'
        bounds (accuracy 0 to 1, R² at most 1)."""
        accuracy = self.metric_name == "accuracy"
        margin = 2 * self.std + (1 / int(np.min(self.val_rows)) if accuracy else 0)
        low = self.mean - margin
        return max(low, 0.0) if accuracy else low, min(self.mean + margin, 1.0)

    def summary(self) -> str:
        """The estimate in one clause: mean ± spread over the folds, and their range."""
        label = METRIC_LABELS[self.metric_name]
        return (f"validation {label} {self.mean:.3f} ± {self.std:.3f} over {self.val_metric.size} folds "
                f"(from {np.min(self.val_metric):.3f} to {np.max(self.val_metric):.3f})")

    def advice(self, session_score: float | None = None) -> str:
        """What the folds say for a person: how far the session's own validation score
        (`session_score`, when it has one) is from theirs, how much they disagree, and whether
        the model overfits: a sentence for each that applies."""
        failed = np.flatnonzero(~np.isfinite(self.val_metric) | ~np.isfinite(self.train_metric))
        if failed.size:
            return (f"The run on fold {failed[0] + 1} diverged, so the folds say nothing: lower the "
                    "learning rate and try again.")
        label = METRIC_LABELS[self.metric_name]
        parts = []
        if session_score is not None and math.isfinite(session_score):
            low, high = self.fair_range()
            if low <= session_score <= high:
                parts.append(f"the session's own validation split ({session_score:.3f}) is within what the "
                             f"folds expect ({low:.3f} to {high:.3f}): a fair estimate")
            else:
                luck = "a lucky" if session_score > high else "an unlucky"
                parts.append(f"the session's own validation split ({session_score:.3f}) is {luck} one, "
                             f"outside what the folds expect ({low:.3f} to {high:.3f}): expect about "
                             f"{self.mean:.3f} on new data")
        if self.std > WIDE_SPREAD:
            parts.append(f"the folds disagree (spread {self.std:.3f}): one validation split is a noisy "
                         "judge, so compare settings by the k-fold mean (the Tuning panel's Folds)")
        train = float(np.mean(self.train_metric))
        gap = train - self.mean
        if gap > LARGE_GAP:
            parts.append(f"the training {label} is {gap:.3f} higher than the validation {label}: the model "
                         "overfits; regularise (L2, dropout, early stopping) or use a smaller network")
        elif train < LOW_SCORE:
            parts.append(f"the training {label} is low too ({train:.3f}): the model underfits; a larger "
                         "network, another activation or learning rate, or longer training should help")
        if not parts:
            parts.append("the folds agree, so the validation split of one run is a fair judge of these settings")
        return " ".join(f"{part[0].upper()}{part[1:]}." for part in parts)


def cross_validate(config: Config, dataset: Dataset, folds: int = DEFAULT_FOLDS,
                   stop: threading.Event | None = None,
                   on_progress: ProgressCallback | None = None) -> CrossValidation:
    """Train a fresh run of `config` per fold of the rows not held out for testing (the folds of
    `evaluation_splits`, which the tuning searches use too) and score each on its fold. Raises
    SplitError for folds the data cannot give; `stop`, once set, ends the work with
    InterruptedError between two epochs; `on_progress` hears how far it is after every epoch."""
    if folds < 2:          # evaluation_splits takes 0 for the validation split: no folds at all
        raise SplitError("folds", f"cross-validation needs at least 2 folds, not {folds}")
    progress = RunsProgress(on_progress, [config.training.epochs] * folds,
                            [f"fold {fold} of {folds}" for fold in range(1, folds + 1)])
    points = []
    for index, split in enumerate(evaluation_splits(dataset, config, folds)):
        progress.epoch(index, 0)
        experiment, status, _ = _fresh_run(config, dataset, split, stop, None,
                                           lambda epoch, index=index: progress.epoch(index, epoch))
        if status == "stopped" or (stop is not None and stop.is_set()):
            raise InterruptedError("stopped before every fold was trained")
        if status == "diverged":
            scores = (math.nan, math.nan)
        else:
            scores = (evaluate_split(experiment, "train")[1], evaluate_split(experiment, "val")[1])
        points.append((*scores, int((split == HELD_OUT).sum()), experiment.epochs_trained))
    train, val, rows, epochs = (np.array(column) for column in zip(*points))
    return CrossValidation(train.astype(np.float64), val.astype(np.float64), rows.astype(np.int64),
                           epochs.astype(np.int64), METRIC_NAMES[dataset.task])
