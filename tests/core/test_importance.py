"""Permutation feature importance: the fall in the score when a feature is shuffled."""
import threading

import numpy as np
import pytest

from workbench.core import importance
from workbench.core.config import Config
from workbench.core.data import Dataset
from workbench.core.experiment import Experiment
from workbench.core.importance import (NothingToPermute, default_split, feature_groups,
                                       permutation_importance)
from workbench.core.tabular import read_csv
from workbench.core.trainer import Trainer


def trained(config: Config, dataset: Dataset | None = None) -> Experiment:
    experiment = Experiment.create(config, dataset)
    for _ in Trainer(experiment).run():
        pass
    return experiment


def linear_experiment(n: int = 2000) -> Experiment:
    """No hidden layer, weights set by hand so that the prediction is 3 x1 + 0 x2, the target
    exactly that (R² 1). Shuffling x1 replaces 3 x1 by 3 x1' (independent of it), whose expected
    squared error is 9 * 2 var(x1) = 2 var(y): R² falls by 2. Shuffling x2 changes nothing."""
    X = np.random.default_rng(1).normal(size=(n, 2))
    config = Config().updated({"layers": [], "data.val_split": 0.5, "training.dtype": "float64"})
    dataset = Dataset(X, 3.0 * X[:, 0], "regression", "test", ["x1", "x2"], [], "y")
    experiment = Experiment.create(config, dataset)
    scaler = experiment.data.scaler                   # the network sees (x - mean) / scale
    experiment.network.set_weights({"dense_0/weight": np.array([[3.0 * scaler.scale[0]], [0.0]]),
                                    "dense_0/bias": np.array([3.0 * scaler.mean[0]])})
    return experiment


def test_a_feature_the_model_ignores_scores_zero_and_the_one_it_uses_its_expected_fall():
    result = permutation_importance(linear_experiment(), repeats=20)
    assert result.metric_name == "r2" and result.baseline == pytest.approx(1.0)
    assert result.names == ("x1", "x2") and result.split == "val" and result.samples == 1000
    assert result.mean[0] == pytest.approx(2.0, abs=0.15)
    assert result.mean[1] == 0.0 and result.std[1] == 0.0
    assert result.std[0] > 0 and result.ranked() == [0, 1]


def test_a_trained_classifier_ranks_the_informative_feature_first():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 3))
    y = (X[:, 1] > 0).astype(np.int64)           # only the second feature decides the class
    dataset = Dataset(X, y, "classification", "test", ["noise_a", "signal", "noise_b"], ["no", "yes"], "c")
    result = permutation_importance(trained(Config().updated({"training.epochs": 40}), dataset))
    assert result.metric_name == "accuracy" and result.baseline > 0.9
    assert result.ranked()[0] == 1 and result.mean[1] > 0.3
    assert abs(result.mean[0]) < 0.05 and abs(result.mean[2]) < 0.05


def test_iris_is_told_apart_by_its_petals():
    experiment = trained(Config().updated({"data.dataset": "iris", "training.epochs": 60, "layers.units": 16}))
    result = permutation_importance(experiment)
    top_two = {result.names[i] for i in result.ranked()[:2]}
    assert top_two == {"petal_length_cm", "petal_width_cm"}
    assert result.epoch == 60 and result.repeats == 5


def test_the_seed_fixes_the_result_and_the_session_is_untouched():
    experiment = trained(Config().updated({"data.dataset": "wine", "training.epochs": 5}))
    weights = {k: v.copy() for k, v in experiment.network.get_weights().items()}
    rng_state = experiment.rng_state()
    first = permutation_importance(experiment, seed=3)
    assert np.array_equal(first.mean, permutation_importance(experiment, seed=3).mean)
    assert not np.array_equal(first.mean, permutation_importance(experiment, seed=4).mean)
    assert experiment.rng_state() == rng_state and experiment.epochs_trained == 5
    for name, value in experiment.network.get_weights().items():
        assert np.array_equal(value, weights[name])


def test_a_text_columns_one_hot_features_are_shuffled_as_one(tmp_path):
    rng = np.random.default_rng(2)
    colours = rng.choice(["red", "green", "blue"], size=300)
    size = rng.normal(size=300)
    lines = ["size,colour,label"] + [f"{s:.3f},{c},{'warm' if c == 'red' else 'cool'}"
                                      for s, c in zip(size, colours)]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    dataset = read_csv(str(tmp_path / "t.csv"))
    assert dataset.feature_names == ["size", "colour=blue", "colour=green", "colour=red"]
    experiment = trained(Config().updated({"training.epochs": 30}), dataset)
    seen = []
    real_predict = type(experiment.network).predict

    def recording_predict(network, X, *args, **kwargs):
        seen.append(np.array(X))
        return real_predict(network, X, *args, **kwargs)

    type(experiment.network).predict = recording_predict
    try:
        result = permutation_importance(experiment, repeats=2)
    finally:
        type(experiment.network).predict = real_predict
    assert result.names == ("size", "colour") and result.columns == ((0,), (1, 2, 3))
    assert result.ranked()[0] == 1 and result.mean[1] > 0.3
    unscaled = [experiment.data.scaler.mean + X * experiment.data.scaler.scale for X in seen]
    for X in unscaled:                       # every shuffled row still has exactly one colour
        assert np.allclose(X[:, 1:].sum(axis=1), 1.0)


def test_feature_groups_join_neighbouring_one_hot_features_only():
    names = ["a", "colour=red", "colour=blue", "b=1", "size", "colour=x"]
    assert feature_groups(names) == [("a", (0,)), ("colour", (1, 2)), ("b=1", (3,)), ("size", (4,)),
                                     ("colour=x", (5,))]
    assert feature_groups([]) == []


def test_without_a_validation_split_the_training_rows_are_used():
    experiment = trained(Config().updated({"data.dataset": "iris", "data.val_split": 0.0,
                                           "training.epochs": 3}))
    assert default_split(experiment) == "train"
    result = permutation_importance(experiment)
    assert result.split == "train" and result.samples == 150


def test_bad_requests_say_what_is_wrong():
    experiment = Experiment.create(Config().updated({"data.dataset": "iris"}))
    with pytest.raises(NothingToPermute, match="the test split has no rows"):
        permutation_importance(experiment, split="test")
    with pytest.raises(ValueError, match="split must be one of val, train, test"):
        permutation_importance(experiment, split="holdout")
    with pytest.raises(ValueError, match="repeats must be between 1 and 100, got 0"):
        permutation_importance(experiment, repeats=0)


def test_a_stop_ends_the_work_between_features():
    stop = threading.Event()
    stop.set()
    with pytest.raises(InterruptedError):
        permutation_importance(Experiment.create(Config().updated({"data.dataset": "digits"})), stop=stop)


def test_wide_data_is_thinned_to_the_row_budget(monkeypatch):
    monkeypatch.setattr(importance, "ROW_BUDGET", 64 * 5 * 50)
    monkeypatch.setattr(importance, "MIN_ROWS", 20)
    experiment = Experiment.create(Config().updated({"data.dataset": "digits"}))
    result = permutation_importance(experiment)
    assert result.samples == 50 < experiment.data.X_val.shape[0]
    monkeypatch.setattr(importance, "MIN_ROWS", 100)
    assert permutation_importance(experiment).samples == 100


def test_outputs_that_overflow_give_a_clear_error():
    experiment = linear_experiment(200)
    experiment.network.set_weights({"dense_0/weight": np.array([[1e308], [1e308]]), "dense_0/bias": np.zeros(1)})
    with pytest.raises(importance.NotFinite, match="is not a finite number"):
        permutation_importance(experiment)
