"""Playground's extra input features: columns computed from x1 and x2, the same in the data, the
decision boundary's plane, the hidden units' maps, a saved session and predictions."""
import json
import re

import numpy as np
import pytest

from workbench.cli import main
from workbench.core.config import Config, ConfigError
from workbench.core.data import DataError, load_dataset, same_samples
from workbench.core.datasets_builtin import BUILTIN_DATASETS, extra_features_in
from workbench.core.experiment import Experiment
from workbench.core.extra_features import EXTRA_FEATURES, extra_features_of, with_extra_features
from workbench.core.inspection import inspect
from workbench.core.plane_grid import plane_grid
from workbench.core.seeding import streams
from workbench.core.tabular import Dataset
from workbench.core.trainer import Trainer
from workbench.core.unit_maps import MAP_SIZE, unit_maps
from workbench.io.predictions_csv import predict_csv
from workbench.io.session import load_session, save_session

ALL = tuple(EXTRA_FEATURES)


def circle(extra=(), layers=(), epochs=60, **data):
    return Config().updated({"data.dataset": "circle", "data.extra_features": tuple(extra), **{
        f"data.{key}": value for key, value in data.items()}, "layers": list(layers),
        "training.epochs": epochs, "training.seed": 1})


def test_each_feature_is_its_formula_of_the_coordinates():
    X = np.array([[0.5, -2.0], [3.0, 1.5], [-1.0, 0.0]])
    out = with_extra_features(X, ["sin(x2)", "x1^2", "x1*x2", "sin(x1)", "x2^2"])   # any order given
    x1, x2 = X[:, 0], X[:, 1]
    np.testing.assert_array_equal(out, np.column_stack([x1, x2, x1 ** 2, x2 ** 2, x1 * x2, np.sin(x1), np.sin(x2)]))
    np.testing.assert_array_equal(with_extra_features(X, []), X)


def test_config_keeps_them_in_column_order_and_refuses_bad_lists():
    config = Config.from_dict({"data": {"extra_features": ["sin(x1)", "x1^2"]}})
    assert config.data.extra_features == ("x1^2", "sin(x1)")
    assert Config.from_json(config.to_json()) == config
    assert config.to_dict()["data"]["extra_features"] == ["x1^2", "sin(x1)"]
    assert "extra_features" not in Config().to_dict()["data"]       # older readers refuse keys they do not know
    for bad, message in ((["x1^3"], "'x1^3' is not one of x1^2"), (["x1^2", "x1^2"], "twice"),
                         ("x1^2", "expected a list"), ([2], "2 is not one of")):
        with pytest.raises(ConfigError, match=re.escape(message)) as err:
            Config.from_dict({"data": {"extra_features": bad}})
        assert err.value.field == "data.extra_features"


@pytest.mark.parametrize("name", [n for n, spec in BUILTIN_DATASETS.items() if spec.n_features == 2])
def test_every_generated_set_adds_the_columns_after_its_coordinates(name):
    plain = load_dataset(Config().updated({"data.dataset": name}).data, streams(3).data)
    extended = load_dataset(Config().updated({"data.dataset": name, "data.extra_features": ALL}).data,
                            streams(3).data)
    assert extended.feature_names == ["x1", "x2", *ALL] and extra_features_in(extended) == ALL
    np.testing.assert_array_equal(extended.X, with_extra_features(plain.X, ALL))
    np.testing.assert_array_equal(extended.y, plain.y)
    assert extra_features_in(plain) == ()


def test_tables_and_files_keep_their_own_columns_with_a_note(tmp_path):
    iris = load_dataset(Config().updated({"data.dataset": "iris", "data.extra_features": ("x1^2",)}).data,
                        streams(0).data)
    assert iris.X.shape[1] == 4 and extra_features_in(iris) == ()
    assert iris.notes[-1] == "the extra features (x1^2) are for the generated 2-D sets; iris keeps its own features"
    # a person's file whose columns carry the names means whatever it means: nothing is computed
    path = tmp_path / "named.csv"
    path.write_text("x1,x2,x1^2,label\n1,2,7,a\n2,1,0,b\n3,3,5,a\n0,1,2,b\n")
    dataset = load_dataset(Config().updated({"data.path": str(path)}).data, streams(0).data)
    assert dataset.feature_names == ["x1", "x2", "x1^2"] and extra_features_in(dataset) == ()
    assert extra_features_of(["x1", "x2", "sin(x1)", "x1^2"]) == ()        # not the columns' order


def test_toggling_a_feature_loads_other_samples_changing_the_split_does_not():
    a, b = circle(), circle(["x1^2"])
    assert not same_samples(a.data, b.data, same_seed=True)
    assert same_samples(b.data, circle(["x1^2"], val_split=0.3).data, same_seed=True)


def test_a_linear_model_separates_circle_with_the_squares_and_not_without():
    """Playground's lesson: the right inputs replace hidden layers."""
    scores = {}
    for extra in ((), ("x1^2", "x2^2")):
        experiment = Experiment.create(circle(extra))
        *_, last = Trainer(experiment).run()
        scores[extra] = last.val_metric
    assert scores[("x1^2", "x2^2")] >= 0.97 and scores[()] <= 0.7


def test_the_plane_computes_them_from_its_coordinates():
    experiment = Experiment.create(circle(ALL, epochs=1))
    grid = plane_grid(experiment.data, (2, 4), 7)          # another pair asked: x1 and x2 it is
    assert grid.features == (0, 1) and grid.held == 0
    gx, gy = np.meshgrid(grid.xs, grid.ys)
    raw = with_extra_features(np.column_stack([gx.ravel(), gy.ravel()]), ALL)
    np.testing.assert_allclose(grid.inputs, experiment.data.scaler.transform(raw, np.float32), rtol=1e-6)
    boundary = inspect(experiment).boundary
    assert boundary.features == (0, 1) and boundary.held == 0
    np.testing.assert_array_equal(boundary.train_points, experiment.data.dataset.X[experiment.data.split == 0][:, :2])


def test_a_hidden_unit_reading_x1_squared_draws_a_parabola():
    experiment = Experiment.create(circle(["x1^2"], layers=[{"units": 1, "activation": "linear"}],
                                          epochs=1).updated({"training.dtype": "float64"}))
    weights = experiment.network.get_weights()
    weights["dense_0/weight"] = np.array([[0.0], [0.0], [1.0]])
    weights["dense_0/bias"] = np.zeros(1)
    experiment.network.set_weights(weights)
    maps = unit_maps(experiment.network, experiment.data, ("linear",))
    scaler = experiment.data.scaler
    expected = (maps.xs ** 2 - scaler.mean[2]) / scaler.scale[2]
    np.testing.assert_allclose(maps.tile(0, 0), np.tile(expected / np.abs(expected).max(), (MAP_SIZE, 1)), atol=1e-9)


def test_a_saved_session_knows_its_columns_and_predicts_from_x1_and_x2(tmp_path):
    experiment = Experiment.create(circle(["x1^2", "x2^2"], epochs=40))
    list(Trainer(experiment).run())
    save_session(tmp_path / "circle.h5", experiment)
    reopened = load_session(tmp_path / "circle.h5")
    assert reopened.config.data.extra_features == ("x1^2", "x2^2")
    assert extra_features_in(reopened.data.dataset) == ("x1^2", "x2^2")
    assert plane_grid(reopened.data, (0, 1), 5).held == 0
    rows = tmp_path / "points.csv"
    rows.write_text("x2,x1\n0,0\n0,4.5\n-4.2,0\n,1\n")       # another order, a missing x2
    predictions = predict_csv(reopened, rows)
    labels = [line.split(",")[1] for line in predictions.text.splitlines()[1:]]
    assert labels == ["positive", "negative", "negative", "positive"]


def test_a_dataset_with_a_foreign_source_has_none():
    dataset = Dataset(np.zeros((4, 3)) + np.arange(3), np.array([0, 1, 0, 1]), "classification",
                      "csv:points.csv", ["x1", "x2", "x1^2"], ["a", "b"], "label")
    assert extra_features_in(dataset) == ()


def test_cli_trains_with_them_and_refuses_an_unknown_one(tmp_path, capsys):
    session = tmp_path / "run.h5"
    assert main(["train", "--dataset", "xor", "--extra-features", "x1*x2", "--layers", "", "--epochs", "40",
                 "--seed", "2", "--save", str(session), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["val_accuracy"] >= 0.95
    assert main(["info", str(session), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert json.dumps(info).count("x1*x2") >= 1
    assert main(["train", "--dataset", "xor", "--extra-features", "x1*x3", "--epochs", "1"]) == 2
    assert "--extra-features: 'x1*x3' is not one of x1^2, x2^2, x1*x2, sin(x1), sin(x2)" in capsys.readouterr().err
    with pytest.raises(DataError):       # an unknown set still says so, extra features or not
        load_dataset(Config().updated({"data.dataset": "nope", "data.extra_features": ("x1^2",)}).data,
                     streams(0).data)
