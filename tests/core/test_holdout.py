"""The test split's verdict: the figures of the current weights on the test rows only."""
import numpy as np
import pytest

from workbench.core.config import Config
from workbench.core.experiment import Experiment
from workbench.core.holdout import NoTestSplit, evaluate_test_split
from workbench.core.losses import loss_value
from workbench.core.metrics import accuracy, r2_score
from workbench.core.trainer import Trainer


def trained(**changes):
    experiment = Experiment.create(Config().updated({"training.epochs": 20, **changes}))
    for _ in Trainer(experiment).run():
        pass
    return experiment


def test_classification_figures_are_those_of_the_test_rows():
    experiment = trained(**{"data.dataset": "iris", "data.test_split": 0.2, "layers.units": 16})
    data = experiment.data
    score = evaluate_test_split(experiment)
    out = experiment.network.predict(data.X_test)
    assert score.samples == data.X_test.shape[0] == 30 and score.epoch == 20
    assert score.metric_name == "accuracy" and score.metric == accuracy(data.y_test, out)
    assert score.loss == pytest.approx(loss_value("cross_entropy", out, data.y_test))
    assert score.confusion.shape == (3, 3) and score.confusion.sum() == 30
    assert np.trace(score.confusion) == round(score.metric * 30)
    assert score.metric != evaluate_test_split(trained(**{"data.dataset": "iris", "data.test_split": 0.2,
                                                          "training.epochs": 1})).metric


def test_regression_has_r2_and_no_confusion_matrix():
    experiment = trained(**{"data.dataset": "plane", "data.test_split": 0.25})
    score = evaluate_test_split(experiment)
    out = experiment.network.predict(experiment.data.X_test)
    assert score.metric_name == "r2" and score.confusion is None
    assert score.metric == pytest.approx(r2_score(experiment.data.y_test, out))


def test_a_session_without_test_rows_says_how_to_get_them():
    with pytest.raises(NoTestSplit, match="no test split: set one"):
        evaluate_test_split(Experiment.create(Config()))
