"""Inspection: the numbers the views draw, computed without touching the experiment."""
import time

import numpy as np
import pytest

from workbench.core.config import Config
from workbench.core.data import Dataset
from workbench.core.experiment import Experiment
from workbench.core.inspection import (GRID_SIZE, OUTPUT_SAMPLES, WIDE_FEATURES, WIDE_GRID_SIZE, N_BINS,
                                       UnitStats, histogram_edges, inspect)
from workbench.core.trainer import Trainer


def trained(changes, epochs=3):
    exp = Experiment.create(Config().updated({"data.samples": 200, "training.epochs": epochs, **changes}))
    list(Trainer(exp).run())
    return exp


@pytest.fixture(scope="module")
def spiral():
    return trained({"data.dataset": "spiral"})


def test_layers_and_histograms_have_the_network_shapes(spiral):
    found = inspect(spiral)
    assert found.epoch == 3 and found.task == "classification"
    assert [layer.name for layer in found.layers] == ["dense_0", "dense_1", "dense_2"]
    assert [layer.weight.shape for layer in found.layers] == [(2, 8), (8, 8), (8, 2)]
    assert [layer.activation for layer in found.layers] == ["tanh", "tanh", "softmax"]
    kinds = ("weight", "bias", "weight_grad", "bias_grad", "output")
    expected = {f"dense_{i}/{kind}" for i in range(3) for kind in kinds}
    assert set(found.histograms) == expected
    rows = spiral.data.X_train.shape[0]
    for key, histogram in found.histograms.items():
        assert histogram.edges.shape == (N_BINS + 1,) and histogram.counts.shape == (N_BINS,)
        if key.endswith("/output"):                          # each unit's output on every training row
            units = found.layers[int(key[6])].units
            assert histogram.counts.sum() == rows * units and histogram.nonfinite == 0
            continue
        values = found.weights[key] if not key.endswith("_grad") else spiral.network.params[key[:-5]]
        assert histogram.counts.sum() == values.size and histogram.nonfinite == 0


def test_statistics_equal_numpys(spiral):
    found = inspect(spiral)
    for layer in found.layers:
        for tensor in ("weight", "bias"):
            values = spiral.network.params[f"{layer.name}/{tensor}"].astype(np.float64)
            stats = getattr(layer, tensor)
            assert stats.count == values.size
            assert stats.mean == pytest.approx(values.mean())
            assert stats.std == pytest.approx(values.std())
            assert (stats.min, stats.max) == (values.min(), values.max())
            assert stats.norm == pytest.approx(np.sqrt((values ** 2).sum()))
        key = f"{layer.name}/weight"
        np.testing.assert_array_equal(found.weights[key], spiral.network.params[key])


def test_histogram_counts_equal_numpys_over_the_same_edges(spiral):
    found = inspect(spiral)
    for key in ("dense_0/weight", "dense_1/bias"):
        h = found.histograms[key]
        np.testing.assert_array_equal(h.counts, np.histogram(found.weights[key], bins=h.edges)[0])


def test_inspection_leaves_the_experiment_untouched(spiral):
    params, grads = spiral.network.flat_params.copy(), spiral.network.flat_grads.copy()
    rng_state = spiral.rng.bit_generator.state
    found = inspect(spiral)
    found.weights["dense_0/weight"][:] = 99.0  # copies: changing them changes nothing
    assert np.array_equal(spiral.network.flat_params, params)
    assert np.array_equal(spiral.network.flat_grads, grads)
    assert spiral.rng.bit_generator.state == rng_state


def test_nan_and_constant_values_do_not_break_histograms(spiral):
    params = spiral.network.get_weights()
    params["dense_0/weight"][0, :3] = np.nan
    params["dense_0/weight"][1, 0] = np.inf
    params["dense_1/bias"][:] = 0.25
    found = inspect(spiral, params)
    weight = found.histograms["dense_0/weight"]
    assert weight.nonfinite == 4 and weight.counts.sum() == params["dense_0/weight"].size - 4
    bias = found.histograms["dense_1/bias"]
    assert bias.edges[-1] > bias.edges[0] and bias.counts.sum() == 8
    everything_nan = {k: np.full_like(v, np.nan) for k, v in params.items()}
    assert inspect(spiral, everything_nan).histograms["dense_2/bias"].nonfinite == 2


def test_fixed_edges_are_kept_and_doubled_only_when_outgrown(spiral):
    edges = histogram_edges(spiral)
    assert set(edges) == set(inspect(spiral).histograms)
    for name in ("dense_0", "dense_1"):  # biases get room of at least their layer's weights
        assert edges[f"{name}/bias"][-1] >= edges[f"{name}/weight"][-1] > 0
    found = inspect(spiral, bin_edges=edges)
    np.testing.assert_array_equal(found.histograms["dense_0/weight"].edges, edges["dense_0/weight"])
    narrow = {"dense_0/weight": np.linspace(-1e-3, 1e-3, N_BINS + 1)}
    widened = inspect(spiral, bin_edges=narrow).histograms["dense_0/weight"].edges
    reach = np.abs(spiral.network.params["dense_0/weight"]).max()
    assert widened[-1] >= reach and widened[-1] < 2 * reach + 1e-12
    assert np.log2(widened[-1] / 1e-3) == pytest.approx(round(np.log2(widened[-1] / 1e-3)))


def test_a_snapshot_is_inspected_as_it_was(spiral):
    found = inspect(spiral, spiral.snapshots[0], epoch=0)
    assert found.epoch == 0
    np.testing.assert_array_equal(found.weights["dense_1/weight"], spiral.snapshots[0]["dense_1/weight"])
    assert not np.array_equal(found.weights["dense_1/weight"], spiral.network.params["dense_1/weight"])


def test_boundary_covers_the_raw_data_for_two_features(spiral):
    boundary = inspect(spiral).boundary
    assert boundary.kind == "probability"
    assert boundary.values.shape == (GRID_SIZE, GRID_SIZE) and boundary.confidence is None
    assert 0.0 <= boundary.values.min() and boundary.values.max() <= 1.0
    X = spiral.data.dataset.X
    assert boundary.xs[0] < X[:, 0].min() and boundary.xs[-1] > X[:, 0].max()
    assert boundary.ys[0] < X[:, 1].min() and boundary.ys[-1] > X[:, 1].max()
    np.testing.assert_array_equal(boundary.train_points, X[spiral.data.split == 0])
    np.testing.assert_array_equal(boundary.val_targets, spiral.data.dataset.y[spiral.data.split == 1])
    # the grid's middle row and column agree with predicting the raw points directly
    probe = np.array([[boundary.xs[7], boundary.ys[40]]])
    expected = spiral.network.predict(spiral.data.scaler.transform(probe, spiral.data.dtype))[0, 1]
    assert boundary.values[40, 7] == pytest.approx(expected, rel=1e-5)


def test_with_more_features_the_boundary_is_a_slice_through_the_training_mean():
    iris = trained({"data.dataset": "iris"}, epochs=5)
    boundary = inspect(iris, plane=(2, 3)).boundary           # petal length against petal width
    assert boundary.features == (2, 3) and boundary.held == 2 and boundary.kind == "class"
    X = iris.data.dataset.X
    assert boundary.xs[0] < X[:, 2].min() and boundary.xs[-1] > X[:, 2].max()
    assert boundary.ys[0] < X[:, 3].min() and boundary.ys[-1] > X[:, 3].max()
    np.testing.assert_array_equal(boundary.train_points, X[iris.data.split == 0][:, [2, 3]])
    probe = np.array(iris.data.scaler.mean, dtype=np.float64)[None, :].copy()   # sepals at their mean
    probe[0, 2], probe[0, 3] = boundary.xs[11], boundary.ys[60]
    out = iris.network.predict(iris.data.scaler.transform(probe, iris.data.dtype))[0]
    assert boundary.values[60, 11] == out.argmax() and boundary.confidence[60, 11] == pytest.approx(out.max(), rel=1e-5)
    assert inspect(iris, plane=(3, 0)).boundary.features == (3, 0)
    for foreign in ((0, 0), (1, 7), (-1, 2)):                # not a pair of this data: the first two
        assert inspect(iris, plane=foreign).boundary.features == (0, 1)


def test_wide_data_slices_on_a_coarser_grid():
    digits = trained({"data.dataset": "digits"}, epochs=1)
    assert inspect(digits, plane=(20, 36)).boundary.values.shape == (GRID_SIZE, GRID_SIZE)   # 64 features
    n = WIDE_FEATURES + 1
    rng = np.random.default_rng(3)
    wide = Dataset(X=rng.normal(size=(80, n)), y=np.arange(80) % 2, task="classification", source="test",
                   feature_names=[f"f{k}" for k in range(n)], class_names=["p", "q"], target_name="label")
    boundary = inspect(Experiment.create(Config(), wide), plane=(5, 9)).boundary
    assert boundary.values.shape == (WIDE_GRID_SIZE, WIDE_GRID_SIZE) and boundary.held == n - 2


def test_boundary_kinds_follow_the_task():
    assert inspect(trained({"data.dataset": "multi_gauss"}, epochs=1)).boundary.kind == "value"
    rng = np.random.default_rng(1)
    three = Dataset(X=rng.normal(size=(90, 2)) * 3, y=np.arange(90) % 3, task="classification", source="test",
                    feature_names=["a", "b"], class_names=["p", "q", "r"], target_name="label")
    multi = inspect(Experiment.create(Config(), three)).boundary
    assert multi.kind == "class" and multi.confidence.shape == (GRID_SIZE, GRID_SIZE)
    assert set(np.unique(multi.values)) <= {0, 1, 2}
    assert multi.confidence.min() >= 1 / 3 - 1e-6


def test_boundary_leaves_out_points_with_a_missing_coordinate():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 2))
    X[[0, 5, 9], [0, 1, 0]] = np.nan
    data = Dataset(X=X, y=np.arange(60) % 2, task="classification", source="test", feature_names=["a", "b"],
                   class_names=["p", "q"], target_name="label")
    experiment = Experiment.create(Config().updated({"data.val_split": 0.0}), data)
    boundary = inspect(experiment).boundary
    assert np.isfinite(boundary.values).all() and np.isfinite(boundary.xs).all() and np.isfinite(boundary.ys).all()
    assert len(boundary.train_points) == 57 and np.isfinite(boundary.train_points).all()
    assert boundary.xs[0] < np.nanmin(X[:, 0]) and boundary.ys[-1] > np.nanmax(X[:, 1])


def test_confusion_counts_every_validation_sample(spiral):
    found = inspect(spiral)
    data = spiral.data
    assert found.evaluated_on == "validation" and found.predictions is None
    assert found.confusion.sum() == data.X_val.shape[0]
    predicted = spiral.network.predict(data.X_val).argmax(axis=1)
    assert np.trace(found.confusion) == (predicted == data.y_val).sum()
    np.testing.assert_array_equal(found.confusion.sum(axis=1), np.bincount(data.y_val, minlength=2))


def test_confusion_falls_back_to_training_rows_without_validation():
    found = inspect(trained({"data.dataset": "xor", "data.val_split": 0.0}, epochs=1))
    assert found.evaluated_on == "training" and found.confusion.sum() == 200


def test_regression_gives_actual_and_predicted_in_raw_units():
    exp = trained({"data.dataset": "plane"}, epochs=2)
    found = inspect(exp)
    assert found.confusion is None and found.boundary.kind == "value"
    actual, predicted = found.predictions
    np.testing.assert_allclose(actual.ravel(), exp.data.y_val.ravel())
    np.testing.assert_allclose(predicted, exp.network.predict(exp.data.X_val), rtol=1e-6)


def test_inspect_is_fast_on_the_default_network():
    exp = Experiment.create(Config())
    inspect(exp)
    times = []
    for _ in range(5):
        began = time.perf_counter()
        inspect(exp)
        times.append(time.perf_counter() - began)
    # the worker calls it several times per second; a few ms normally, generous for a busy machine
    assert sorted(times)[2] < 0.05


def test_two_classes_get_the_roc_curve_of_the_validation_rows(spiral):
    from workbench.core.metrics import roc_auc, roc_curve

    roc = inspect(spiral).roc
    data = spiral.data
    fpr, tpr = roc_curve(data.y_val, spiral.network.predict(data.X_val)[:, 1])
    np.testing.assert_array_equal(roc.fpr, fpr)
    np.testing.assert_array_equal(roc.tpr, tpr)
    assert roc.auc == roc_auc(fpr, tpr) and 0.0 <= roc.auc <= 1.0
    assert inspect(trained({"data.dataset": "iris"}, epochs=1)).roc is None          # three classes
    assert inspect(trained({"data.dataset": "plane"}, epochs=1)).roc is None         # regression


def test_layer_outputs_are_what_each_layer_passes_on(spiral):
    found = inspect(spiral)
    weights = spiral.network.get_weights()
    A = spiral.data.X_train.astype(np.float64)
    for i in range(3):
        Z = A @ weights[f"dense_{i}/weight"] + weights[f"dense_{i}/bias"]
        A = np.tanh(Z) if i < 2 else np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
        counts, _ = np.histogram(A, bins=found.histograms[f"dense_{i}/output"].edges)
        assert np.abs(counts - found.histograms[f"dense_{i}/output"].counts).sum() <= 2   # float32 at an edge
    assert set(found.units) == {"dense_0", "dense_1"}                # hidden layers only


def hand_set(activation, W0, b0):
    """Two features, one hidden layer of two units with the weights given, on 400 training rows."""
    exp = Experiment.create(Config().updated({"data.samples": 500, "layers": [{"units": 2, "activation": activation}]}))
    weights = exp.network.get_weights()
    weights["dense_0/weight"], weights["dense_0/bias"] = np.array(W0, dtype=np.float32), np.array(b0, dtype=np.float32)
    exp.network.set_weights(weights)
    return inspect(exp).units["dense_0"]


def test_a_relu_unit_below_zero_for_every_row_is_dead():
    # standardised inputs stay within about ±3: a bias of -100 keeps the first unit's input negative
    assert hand_set("relu", [[1.0, 1.0], [1.0, -1.0]], [-100.0, 0.0]) == UnitStats(units=2, dead=1, saturated=None)
    assert hand_set("relu", [[1.0, 1.0], [1.0, -1.0]], [0.0, 0.0]).dead == 0
    assert hand_set("leaky_relu", [[1.0, 1.0], [1.0, -1.0]], [-100.0, 0.0]).dead == 0   # its slope lives on


def test_tanh_and_sigmoid_units_on_their_flat_ends_are_saturated():
    flat = hand_set("tanh", [[50.0, 0.0], [0.0, 0.0]], [0.0, 0.0])
    assert flat.dead == 1                                   # the second unit outputs tanh(0) for every row
    assert 0.4 < flat.saturated < 0.5                       # the first: |z| > 3 except near x1 = 0; half the outputs
    assert hand_set("sigmoid", [[0.1, 0.1], [0.1, 0.1]], [0.0, 0.0]).saturated == 0.0
    assert hand_set("sigmoid", [[0.0, 0.0], [0.0, 0.0]], [20.0, -20.0]) == UnitStats(2, 2, 1.0)


def test_outputs_use_a_bounded_number_of_training_rows_and_none_without_them():
    wide = trained({"data.dataset": "digits"}, epochs=1)
    found = inspect(wide)
    assert found.histograms["dense_0/output"].counts.sum() == OUTPUT_SAMPLES * 8
    none = Experiment.create(Config())
    none.data.X_train = none.data.X_train[:0]               # (a configuration cannot ask for this)
    found = inspect(none)
    assert found.units == {} and not any(key.endswith("/output") for key in found.histograms)


def test_relu_outputs_get_edges_over_their_range_and_keep_them_while_they_fit():
    exp = trained({"layers.activation": "relu"}, epochs=1)
    edges = histogram_edges(exp)["dense_0/output"]
    found = inspect(exp, bin_edges={"dense_0/output": edges})
    assert edges[0] < 0 < edges[-1] and -edges[0] < edges[-1]   # not centred on zero
    np.testing.assert_array_equal(found.bin_edges["dense_0/output"], edges)
