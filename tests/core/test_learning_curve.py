"""Learning curves: fresh runs on nested, stratified shares of the training rows, scored on the
session's validation rows, with advice read off the curve."""
import threading

import numpy as np
import pytest

from workbench.core import learning_curve as lc
from workbench.core.config import Config
from workbench.core.experiment import Experiment
from workbench.core.learning_curve import LearningCurve, NoValidationRows, check_shares, learning_curve
from workbench.core.trainer import Trainer


def iris(**changes):
    return Experiment.create(Config().updated({"data.dataset": "iris", "training.epochs": 20, **changes}))


def test_points_train_on_growing_stratified_shares_with_as_many_updates(monkeypatch):
    seen = []
    real_create = Experiment.create

    def recording_create(config, dataset=None, split=None, prepared=None):
        seen.append((config, dataset, split))
        return real_create(config, dataset, split, prepared)

    monkeypatch.setattr(Experiment, "create", recording_create)
    experiment = iris()
    seen.clear()
    curve = learning_curve(experiment, shares=(0.2, 0.5, 1.0))
    assert list(curve.rows) == [24, 60, 120] and list(curve.epochs) == [100, 40, 20]
    assert curve.val_rows == 30 and curve.metric_name == "accuracy"
    val_X = experiment.data.dataset.X[experiment.data.split == 1]
    trained_rows = []
    for config, dataset, split in seen:
        assert np.array_equal(dataset.X[split == 1], val_X)               # the same validation rows each time
        assert np.bincount(dataset.y[split == 0]).tolist() == [len(dataset.y[split == 0]) // 3] * 3   # stratified
        trained_rows.append({tuple(row) for row in dataset.X[split == 0]})
    assert trained_rows[0] <= trained_rows[1] <= trained_rows[2]           # nested shares
    assert seen[-1][0].training.epochs == 20


def test_the_scores_are_those_of_the_runs_and_repeat_from_the_seed():
    experiment = iris()
    weights = experiment.network.get_weights()
    curve = learning_curve(experiment, shares=(0.5, 1.0))
    full = iris()
    for _ in Trainer(full).run():
        pass
    # the last point trains on every training row, as the session would: the same scores
    assert curve.val_metric[-1] == pytest.approx(full.history.val_metric[-1])
    again = learning_curve(experiment, shares=(0.5, 1.0))
    np.testing.assert_array_equal(curve.val_loss, again.val_loss)
    assert experiment.epochs_trained == 0                                   # the session is untouched
    for name, value in experiment.network.get_weights().items():
        np.testing.assert_array_equal(value, weights[name])


def make(train, val, metric="accuracy", val_rows=100):
    n = len(train)
    return LearningCurve(np.linspace(0.2, 1, n), np.arange(1, n + 1) * 10, np.full(n, 10), np.array(train),
                         np.array(val), np.zeros(n), np.zeros(n), metric, val_rows)


@pytest.mark.parametrize("train, val, expected", [
    ([1.0, 1.0, 1.0], [0.70, 0.80, 0.90], "still rising at the largest share (+0.100"),
    ([1.0, 1.0, 1.0], [0.70, 0.80, 0.80], "gap of 0.200 between training and validation accuracy: the model overfits"),
    ([0.5, 0.55, 0.55], [0.5, 0.54, 0.54], "both scores are low (accuracy 0.550 on training rows) and level"),
    ([0.99, 0.98, 0.97], [0.9, 0.95, 0.955], "levelled off, training and validation close (0.970 and 0.955)"),
    ([1.0, float("nan")], [0.9, 0.9], "a run diverged"),
])
def test_advice_reads_the_curve(train, val, expected):
    assert expected in make(train, val).advice()


def test_a_gain_of_one_validation_row_is_not_a_rise():
    assert "still rising" not in make([1.0, 1.0], [0.9, 0.933], val_rows=30).advice()
    assert "still rising" in make([1.0, 1.0], [0.9, 0.97], val_rows=30).advice()


def test_regression_scores_r2_and_small_shares_keep_two_rows():
    experiment = Experiment.create(Config().updated({"data.dataset": "plane", "data.samples": 100,
                                                     "training.epochs": 2}))
    curve = learning_curve(experiment, shares=(0.01, 1.0))
    assert curve.metric_name == "r2" and curve.rows[0] == 2 and curve.epochs[0] == 2 * lc.MAX_EPOCH_FACTOR


@pytest.mark.parametrize("shares, fragment", [
    ((1.0,), "2 to 20 shares, got 1"), ((0.5, 0.2), "shares must grow"), ((0.0, 1.0), "each above 0"),
    ((0.5, 1.5), "at most 1"),
])
def test_bad_shares_say_what_is_wrong(shares, fragment):
    with pytest.raises(ValueError, match=fragment):
        check_shares(shares)


def test_without_validation_rows_it_says_what_to_set():
    with pytest.raises(NoValidationRows, match="set a validation split"):
        learning_curve(iris(**{"data.val_split": 0.0}))


def test_a_stop_ends_the_work():
    stop = threading.Event()
    stop.set()
    with pytest.raises(InterruptedError):
        learning_curve(iris(), stop=stop)


def test_small_shares_keep_within_the_epoch_limit(monkeypatch):
    from workbench.core import config as config_module

    experiment = iris(**{"training.epochs": 5})
    monkeypatch.setattr(lc, "MAX_EPOCHS", 8)                # (the real limit is ten million epochs)
    curve = learning_curve(experiment, shares=(0.25, 1.0))
    assert list(curve.epochs) == [8, 5] and config_module.MAX_EPOCHS == 10_000_000
