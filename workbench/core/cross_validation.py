"""Scoring one configuration: on the validation split, or as the mean over k folds.

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
        experiment = Experiment.create(config, dataset, split=split)
        for report in Trainer(experiment).run(stop=stop):
            if report.status in ("diverged", "stopped"):
                where = f" (fold {index + 1})" if len(splits) > 1 else ""
                raise TrialFailed(f"{report.status}{where}: {report.message}")
            if index == 0 and on_epoch is not None and math.isfinite(report.val_metric):
                on_epoch(report.epoch, float(report.val_metric))
        value = float(evaluate_split(experiment, "val")[1])
        if not math.isfinite(value):
            raise TrialFailed(f"the validation score is {value}")
        scores.append(value)
    if len(scores) == 1:  # k-fold has at least two folds: one split is the validation split
        return Score(scores[0], None, ())
    return Score(float(np.mean(scores)), float(np.std(scores)), tuple(scores))
