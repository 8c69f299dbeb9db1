"""Class weights: balanced weights as scikit-learn computes them, and what they change in training."""
import numpy as np
import pytest

from workbench.core.class_weights import class_weights
from workbench.core.config import Config, ConfigError
from workbench.core.data import Dataset
from workbench.core.experiment import Experiment
from workbench.core.losses import loss_value
from workbench.core.metrics import class_scores, confusion_matrix
from workbench.core.trainer import Trainer, evaluate_split


def test_balanced_weights_are_scikit_learns():
    utils = pytest.importorskip("sklearn.utils")
    y = np.array([0] * 90 + [1] * 8 + [2] * 2)
    expected = utils.compute_class_weight("balanced", classes=np.arange(3), y=y)
    np.testing.assert_allclose(class_weights("balanced", y, 3, "float64"), expected)
    assert np.mean(class_weights("balanced", y, 3, "float64")[y]) == pytest.approx(1.0)   # the loss keeps its scale
    assert class_weights("none", y, 3, "float32") is None


def test_a_class_without_training_rows_weighs_one():
    weights = class_weights("balanced", np.array([0, 0, 2]), 3, "float32")
    assert weights.dtype == np.float32 and weights[1] == 1.0 and weights[2] == pytest.approx(2 * weights[0])


def test_the_setting_is_validated_and_written_only_when_used():
    assert "class_weight" not in Config().to_dict()["training"]            # older readers still read it
    config = Config().updated({"training.class_weight": "balanced"})
    assert config.to_dict()["training"]["class_weight"] == "balanced"
    assert Config.from_dict(config.to_dict()) == config
    with pytest.raises(ConfigError, match="training.class_weight.*'heavy'"):
        Config().updated({"training.class_weight": "heavy"})


def imbalanced(n=600, rare=0.06):
    """Two overlapping classes, the second rare: unweighted training all but ignores it."""
    rng = np.random.default_rng(4)
    y = (rng.random(n) < rare).astype(np.int64)
    X = rng.normal(size=(n, 2)) + np.c_[1.2 * y, 1.2 * y]
    return Dataset(X, y, "classification", "test", ["a", "b"], ["common", "rare"], "c")


def rare_recall(class_weight):
    experiment = Experiment.create(Config().updated({"training.class_weight": class_weight, "training.epochs": 40,
                                                     "data.val_split": 0.3}), imbalanced())
    for _ in Trainer(experiment).run():
        pass
    data = experiment.data
    predicted = experiment.network.predict(data.X_val).argmax(axis=1)
    return experiment, class_scores(confusion_matrix(data.y_val, predicted, 2))["recall"][1]


def test_balanced_weights_find_the_rare_class_that_plain_training_misses():
    _, plain = rare_recall("none")
    experiment, balanced = rare_recall("balanced")
    assert plain < 0.4 and balanced > plain + 0.3
    data = experiment.data
    weights = experiment.class_weights()
    out = experiment.network.predict(data.X_val)
    loss, _ = evaluate_split(experiment, "val")                         # the validation loss is weighted too
    assert loss == pytest.approx(loss_value("cross_entropy", out, data.y_val, weights))
    assert loss != pytest.approx(loss_value("cross_entropy", out, data.y_val))
    assert experiment.history.val_loss[-1] == pytest.approx(loss, rel=1e-5)


def test_regression_ignores_the_setting():
    experiment = Experiment.create(Config().updated({"data.dataset": "plane", "training.class_weight": "balanced"}))
    assert experiment.class_weights() is None


@pytest.mark.parametrize("name", ["cross_entropy", "mse", "mae", "huber"])
def test_each_losss_per_sample_values_average_to_its_value(name):
    from workbench.core.losses import LOSSES, as_targets

    rng = np.random.default_rng(0)
    A = rng.dirichlet(np.ones(3), size=20) if name == "cross_entropy" else rng.normal(0, 2, (20, 3))
    Y = as_targets(rng.integers(0, 3, 20), 3, np.float64) if name == "cross_entropy" else rng.normal(0, 2, (20, 3))
    assert LOSSES[name].rows(A, Y).mean() == pytest.approx(LOSSES[name].value(A, Y), rel=1e-12)
