"""Cross-validating one configuration: fresh runs on the tuning searches' folds, each scored on the
fold it held out, and what the scores say for a person."""
import threading

import numpy as np
import pytest

from workbench.core.config import Config
from workbench.core.cross_validation import (HELD_OUT, TEST, CrossValidation, SplitError, cross_validate,
                                             evaluation_splits, score_config)
from workbench.core.experiment import Experiment, samples_for
from workbench.core.trainer import Trainer, evaluate_split


def iris(**changes):
    return Config().updated({"data.dataset": "iris", "training.epochs": 15, "training.seed": 3, **changes})


def test_each_fold_is_a_fresh_run_scored_on_the_fold_it_held_out():
    config = iris(**{"data.test_split": 0.2})
    dataset = samples_for(config)
    result = cross_validate(config, dataset, folds=4)
    splits = evaluation_splits(dataset, config, 4)
    for k, split in enumerate(splits):
        run = Experiment.create(config, dataset, split=split)
        list(Trainer(run).run())
        assert result.val_metric[k] == evaluate_split(run, "val")[1]
        assert result.train_metric[k] == evaluate_split(run, "train")[1]
    assert list(result.val_rows) == [int((s == HELD_OUT).sum()) for s in splits]
    assert result.val_rows.sum() == int((splits[0] != TEST).sum()) == 120       # the test rows take no part
    assert list(result.epochs) == [15] * 4 and result.metric_name == "accuracy"
    # the tuning searches score the same configuration on the same folds alike
    assert score_config(config, dataset, splits).mean == pytest.approx(result.mean)
    np.testing.assert_array_equal(cross_validate(config, dataset, folds=4).val_metric, result.val_metric)


def test_folds_the_data_cannot_give_are_refused():
    config = iris()
    dataset = samples_for(config)
    for folds, message in ((1, "at least 2 folds, not 1"), (0, "at least 2 folds, not 0"),
                           (500, "500 folds but only 150 samples")):
        with pytest.raises(SplitError, match=message) as err:
            cross_validate(config, dataset, folds)
        assert err.value.setting == "folds"


def test_a_stop_ends_the_work_between_epochs():
    stop = threading.Event()
    stop.set()
    with pytest.raises(InterruptedError):
        cross_validate(iris(), samples_for(iris()), 3, stop=stop)


def test_a_diverging_fold_scores_nan_and_the_advice_says_so():
    config = Config().updated({"data.dataset": "plane", "data.samples": 100, "optimizer.name": "sgd",
                               "optimizer.lr": 1e5, "training.epochs": 5})
    result = cross_validate(config, samples_for(config), 2)
    assert np.isnan(result.val_metric).all()
    assert result.advice(0.9).startswith("The run on fold 1 diverged, so the folds say nothing")


def folds(val, train=None, rows=30, metric="accuracy"):
    val = np.array(val, dtype=np.float64)
    train = val + 0.02 if train is None else np.array(train, dtype=np.float64)
    return CrossValidation(train, val, np.full(val.size, rows), np.full(val.size, 10), metric)


def test_the_session_score_is_fair_lucky_or_unlucky_against_the_folds_range():
    result = folds([0.90, 0.92, 0.94, 0.92])                # mean 0.92, spread 0.01414
    low, high = result.fair_range()
    assert (low, high) == pytest.approx((0.92 - 2 * 0.0141421 - 1 / 30, 0.92 + 2 * 0.0141421 + 1 / 30), abs=1e-6)
    assert result.summary() == "validation accuracy 0.920 ± 0.014 over 4 folds (from 0.900 to 0.940)"
    assert result.advice(0.93).startswith("The session's own validation split (0.930) is within what the "
                                          f"folds expect ({low:.3f} to {high:.3f}): a fair estimate.")
    assert "(0.990) is a lucky one, outside what the folds expect" in result.advice(0.99)
    assert "(0.800) is an unlucky one" in result.advice(0.80) and "expect about 0.920 on new data" in result.advice(0.8)
    assert result.advice() == ("The folds agree, so the validation split of one run is a fair judge of these "
                               "settings.")
    assert folds([0.99, 1.0, 1.0]).fair_range()[1] == 1.0           # accuracy has bounds
    assert folds([-0.1, 0.1], metric="r2").fair_range()[0] == pytest.approx(-0.2)   # R² has no bound below


def test_the_advice_names_a_noisy_judge_overfitting_and_underfitting():
    noisy = folds([0.70, 0.95, 0.80, 0.90])
    assert "The folds disagree (spread 0.096): one validation split is a noisy judge" in noisy.advice()
    overfit = folds([0.80, 0.82], train=[1.0, 1.0])
    assert "The training accuracy is 0.190 higher than the validation accuracy: the model overfits" in overfit.advice()
    underfit = folds([0.50, 0.52], train=[0.55, 0.56])
    assert "The training accuracy is low too (0.555): the model underfits" in underfit.advice()
    r2 = folds([0.3, 0.32], train=[0.6, 0.62], metric="r2")
    assert "The training R² is 0.300 higher than the validation R²" in r2.advice()
