"""The network: parameter layout and names, weights in and out, prediction, initialisers, losses
and regularisation helpers."""
import math

import numpy as np
import pytest

from workbench.core.config import LayerConfig
from workbench.core.initializers import INITIALIZERS
from workbench.core.losses import LOSSES, loss_value
from workbench.core.network import Network, WeightsError
from workbench.core.regularization import clip_grad_norm, draw_dropout_mask, penalty


def make(layers=((8, "relu"), (3, "tanh")), n_features=4, n_outputs=2, output="softmax", dtype="float32",
         dropout=0.0, seed=0):
    net = Network(n_features, [LayerConfig(u, a, dropout=dropout) for u, a in layers], n_outputs, output, dtype)
    net.initialize(np.random.default_rng(seed))
    return net


# --- layout -------------------------------------------------------------------------------------
def test_names_shapes_and_counts():
    net = make()
    assert net.layer_names == ["dense_0", "dense_1", "dense_2"]
    assert net.layer_shapes() == [(4, 8), (8, 3), (3, 2)]
    assert net.layer_parameter_counts() == [40, 27, 8]
    assert net.parameter_count() == 75 == net.flat_params.size
    assert list(net.params) == ["dense_0/weight", "dense_1/weight", "dense_2/weight",
                                "dense_0/bias", "dense_1/bias", "dense_2/bias"]
    assert net.params["dense_1/weight"].shape == (8, 3) and net.grads["dense_2/bias"].shape == (2,)


def test_params_and_grads_are_views_of_the_flat_buffers():
    net = make()
    net.flat_params[...] = 0.0
    net.params["dense_1/bias"][...] = 5.0
    assert net.flat_params.sum() == 15.0
    assert np.shares_memory(net.grads["dense_0/weight"], net.flat_grads)
    assert net.weight_count() == 4 * 8 + 8 * 3 + 3 * 2
    # each layer's bias follows its weights: one (fan_in + 1) x fan_out matrix, the bias last
    flat, weight, bias = net.flat_params, net.params["dense_1/weight"], net.params["dense_1/bias"]
    assert np.shares_memory(weight, flat) and np.shares_memory(bias, flat)
    assert bias.__array_interface__["data"][0] - weight.__array_interface__["data"][0] == weight.nbytes


def test_get_weights_copies_and_set_weights_copies_in():
    net = make()
    weights = net.get_weights()
    weights["dense_0/weight"][...] = 1.0
    assert not np.all(net.params["dense_0/weight"] == 1.0)
    other = make(seed=1)
    other.set_weights(net.get_weights())
    assert np.array_equal(other.flat_params, net.flat_params)


@pytest.mark.parametrize("change,message", [
    (lambda w: w.update({"dense_1/weight": np.zeros((8, 2))}), "dense_1/weight: expected (8, 3), got (8, 2)"),
    (lambda w: w.pop("dense_2/bias"), "dense_2/bias: missing"),
    (lambda w: w.update({"dense_7/weight": np.zeros(1)}), "dense_7/weight: not a parameter"),
])
def test_set_weights_refuses_what_does_not_fit(change, message):
    net = make()
    before = net.flat_params.copy()
    weights = net.get_weights()
    weights["dense_0/bias"] = np.full(8, 3.0)
    change(weights)
    with pytest.raises(WeightsError) as err:
        net.set_weights(weights)
    assert str(err.value).startswith(message)
    assert np.array_equal(net.flat_params, before)        # nothing was half-copied


# --- computing --------------------------------------------------------------------------------
def test_forward_is_the_textbook_computation():
    net = make(dtype="float64")
    X = np.random.default_rng(2).normal(size=(5, 4))
    p = net.params
    h = np.maximum(X @ p["dense_0/weight"] + p["dense_0/bias"], 0)
    h = np.tanh(h @ p["dense_1/weight"] + p["dense_1/bias"])
    z = h @ p["dense_2/weight"] + p["dense_2/bias"]
    expected = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(net.forward(X), expected, rtol=1e-12)
    np.testing.assert_allclose(net.predict(X, batch_size=2), expected, rtol=1e-12)


def test_predict_is_a_new_array_unaffected_by_later_calls():
    net = make()
    X = np.random.default_rng(0).normal(size=(6, 4))
    first = net.predict(X)
    net.predict(X * 10)
    np.testing.assert_array_equal(first, net.predict(X))


def test_dropout_only_while_training():
    net = make(dropout=0.5)
    X = np.random.default_rng(0).normal(size=(64, 4)).astype(np.float32)
    assert np.array_equal(net.forward(X), net.predict(X))
    trained = net.forward(X, training=True, rng=np.random.default_rng(0))
    assert not np.allclose(trained, net.predict(X))


def test_zero_hidden_layers_is_logistic_or_linear_regression():
    net = make(layers=(), n_features=3, n_outputs=1, output="linear", dtype="float64")
    X = np.random.default_rng(0).normal(size=(4, 3))
    np.testing.assert_allclose(net.predict(X), X @ net.params["dense_0/weight"], rtol=1e-12)
    y = np.ones(4)
    loss = net.train_step_grads(X, y, "mse", 0.0, 0.0, None)
    residual = X @ net.params["dense_0/weight"][:, 0] - y
    assert loss == pytest.approx(np.mean(residual ** 2))
    np.testing.assert_allclose(net.grads["dense_0/bias"], [2 * residual.mean()])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dtype_is_kept_everywhere(dtype):
    net = make(dtype=dtype, dropout=0.2)
    X = np.random.default_rng(0).normal(size=(7, 4))           # float64 input is cast
    loss = net.train_step_grads(X, np.array([0, 1, 0, 1, 1, 0, 1]), "cross_entropy", 0.1, 0.1,
                                np.random.default_rng(0))
    assert isinstance(loss, float) and math.isfinite(loss)
    assert net.flat_params.dtype == net.flat_grads.dtype == net.predict(X).dtype == dtype


def test_deep_and_wide_networks():
    deep = make(layers=[(2, "relu")] * 64, n_features=2)
    assert len(deep.layer_names) == 65
    assert np.isfinite(deep.predict(np.ones((3, 2)))).all()
    wide = make(layers=[(4096, "relu"), (1, "tanh")], n_features=3)
    loss = wide.train_step_grads(np.ones((2, 3), np.float32), np.array([0, 1]), "cross_entropy", 0.0, 0.0, None)
    assert math.isfinite(loss) and np.abs(wide.flat_grads).max() > 0


# --- initialisers -----------------------------------------------------------------------------
@pytest.mark.parametrize("name,check", [
    ("he", lambda W: abs(W.std() - math.sqrt(2 / 400)) < 0.004),
    ("xavier", lambda W: np.abs(W).max() <= math.sqrt(6 / 700) and W.std() > 0.8 * math.sqrt(2 / 700)),
    ("lecun", lambda W: abs(W.std() - math.sqrt(1 / 400)) < 0.003),
    ("normal", lambda W: abs(W.std() - 0.05) < 0.003),
    ("uniform", lambda W: np.abs(W).max() <= 0.05 and W.std() > 0.027),
])
def test_initialisers_draw_the_documented_spread(name, check):
    W = np.zeros((400, 300), dtype=np.float32)
    INITIALIZERS[name](W, np.random.default_rng(0))
    assert check(W) and abs(W.mean()) < 0.002


def test_initialize_is_seeded_and_zeroes_biases():
    a, b = make(seed=5), make(seed=5)
    assert np.array_equal(a.flat_params, b.flat_params)
    assert not any(a.params[f"{name}/bias"].any() for name in a.layer_names)
    assert not np.array_equal(a.flat_params, make(seed=6).flat_params)


# --- losses -----------------------------------------------------------------------------------
def test_loss_values_on_known_inputs():
    out = np.array([[0.5, 0.5], [0.9, 0.1]])
    assert loss_value("cross_entropy", out, np.array([0, 1])) == pytest.approx(-(math.log(0.5) + math.log(0.1)) / 2)
    pred, target = np.array([[1.0], [3.0]]), np.array([0.0, 0.5])
    assert loss_value("mse", pred, target) == pytest.approx((1 + 6.25) / 2)
    assert loss_value("mae", pred, target) == pytest.approx((1 + 2.5) / 2)
    assert loss_value("huber", pred, target) == pytest.approx((0.5 + 2.0) / 2)
    assert loss_value("mse", out, np.array([0, 1])) == pytest.approx((0.25 * 2 + 0.81 * 2) / 4)


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_losses_stay_finite_for_extreme_logits(loss, dtype):
    output = "softmax" if loss == "cross_entropy" else "linear"
    net = make(layers=(), n_features=2, n_outputs=2, output=output, dtype=dtype)
    net.params["dense_0/weight"][...] = [[1e4, -1e4], [-1e4, 1e4]]
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]], dtype=dtype)
    y = np.array([1, 1, 0]) if output == "softmax" else np.zeros((3, 2), dtype=dtype)
    with np.errstate(all="raise", under="ignore"):
        value = net.train_step_grads(X, y, loss, 0.0, 0.0, None)
        evaluated = loss_value(loss, net.predict(X), y)
    assert math.isfinite(value) and math.isfinite(evaluated) and value > 1
    assert np.isfinite(net.flat_grads).all()


def test_elementwise_losses_on_softmax_compare_with_one_hot_rows():
    net = make(dtype="float64")
    X = np.random.default_rng(1).normal(size=(5, 4))
    y = np.array([0, 1, 1, 0, 1])
    value = net.train_step_grads(X, y, "mse", 0.0, 0.0, None)
    assert value == pytest.approx(np.mean((net.predict(X) - np.eye(2)[y]) ** 2))


# --- regularisation -----------------------------------------------------------------------------
def test_penalty_counts_weights_not_biases():
    net = make(dtype="float64")
    net.flat_params[...] = 0.5
    n_weights = net.weight_count()
    assert penalty(net, 0.1, 0.0) == pytest.approx(0.1 * 0.5 * n_weights)
    assert penalty(net, 0.0, 0.2) == pytest.approx(0.5 * 0.2 * 0.25 * n_weights)
    X, y = np.zeros((1, 4)), np.array([0])
    plain = net.train_step_grads(X, y, "cross_entropy", 0.0, 0.0, None)
    assert net.train_step_grads(X, y, "cross_entropy", 0.1, 0.2, None) == pytest.approx(plain + penalty(net, 0.1, 0.2))


def test_dropout_mask_is_inverted():
    mask = np.empty((200, 50), dtype=np.float32)
    draw_dropout_mask(mask, 0.25, np.random.default_rng(0))
    assert set(np.unique(mask)) == {0.0, np.float32(1 / 0.75)}
    assert abs((mask == 0).mean() - 0.25) < 0.02 and abs(mask.mean() - 1.0) < 0.03


def test_clip_grad_norm_scales_the_global_norm():
    grads = np.array([3.0, 4.0, 0.0])
    assert clip_grad_norm(grads, 1.0) == 5.0
    np.testing.assert_allclose(grads, [0.6, 0.8, 0.0])
    small = np.array([0.3, 0.4])
    clip_grad_norm(small, 1.0)
    np.testing.assert_array_equal(small, [0.3, 0.4])


# --- workspaces ------------------------------------------------------------------------------------
def test_a_batch_written_into_batch_inputs_trains_as_a_batch_passed_in():
    """The trainer's path (gather into the network's own input array, no copy) and the plain call
    give the same gradients, for the full batch and a smaller last one."""
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(7, 4)).astype(np.float32), rng.integers(0, 2, 7)
    for rows in (7, 3):
        net, twin = make(dropout=0.3), make(dropout=0.3)
        buffer = net.batch_inputs(rows)
        assert buffer.shape == (rows, 4)
        np.take(X, np.arange(rows), axis=0, out=buffer)
        loss = net.train_step_grads(buffer, y[:rows], "cross_entropy", 0.01, 0.0, np.random.default_rng(1))
        twin_loss = twin.train_step_grads(X[:rows], y[:rows], "cross_entropy", 0.01, 0.0, np.random.default_rng(1))
        assert loss == twin_loss
        np.testing.assert_array_equal(net.flat_grads, twin.flat_grads)


def test_many_batch_sizes_keep_a_bounded_cache_and_right_answers():
    net = make(dtype="float64")
    X = np.random.default_rng(5).normal(size=(40, 4))
    expected = net.predict(X)
    for rows in range(1, 41):
        np.testing.assert_allclose(net.predict(X[:rows]), expected[:rows], rtol=1e-12)
        net.train_step_grads(X[:rows], np.zeros(rows, dtype=int), "cross_entropy", 0.0, 0.0, None)
    assert len(net._workspaces) <= 8
    np.testing.assert_allclose(net.predict(X), expected, rtol=1e-12)
