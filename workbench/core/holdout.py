"""The test split's verdict: loss, metric and (classification) confusion matrix of the current
weights on rows that neither training nor the choice of epoch or hyperparameters has seen.

Nothing evaluates the test split during training; this is asked for once a model is chosen
(`workbench train --json` at the end of a run, `workbench info`, the app's Evaluate on the test
split). Looking at it to choose hyperparameters would make it a second validation split.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.core.experiment import Experiment
from workbench.core.metrics import METRIC_NAMES, confusion_matrix
from workbench.core.trainer import evaluate_split


class NoTestSplit(ValueError):
    """The session holds no test rows."""


@dataclass(frozen=True)
class HoldoutScore:
    """The figures of one evaluation on the test split."""

    samples: int
    loss: float
    metric: float
    metric_name: str                    # "accuracy" or "r2"
    epoch: int                          # the epochs the evaluated weights had trained
    confusion: np.ndarray | None        # classification: rows actual, columns predicted


def evaluate_test_split(experiment: Experiment) -> HoldoutScore:
    """Evaluate the experiment's current weights on its test rows (NoTestSplit when it has none)."""
    data = experiment.data
    if data.X_test.shape[0] == 0:
        raise NoTestSplit("this session has no test split: set one (Test split in the Data panel, "
                          "or --test-split) and train again")
    loss, metric = evaluate_split(experiment, "test")
    confusion = None
    if experiment.task == "classification":
        predicted = experiment.network.predict(data.X_test).argmax(axis=1)
        confusion = confusion_matrix(data.y_test, predicted, len(data.dataset.class_names))
    return HoldoutScore(int(data.X_test.shape[0]), loss, metric, METRIC_NAMES[experiment.task],
                        experiment.epochs_trained, confusion)
