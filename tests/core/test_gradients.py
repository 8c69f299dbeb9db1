"""Finite-difference checks (float64) of every gradient the network computes.

Each combination of hidden activation, loss (with its output activation) and regulariser is
checked on a small 2-hidden-layer net, with dropout on the first hidden layer: a freshly seeded
generator for every evaluation draws the same mask each time, so the loss is a fixed function.
"""
import numpy as np
import pytest

from workbench.core.activations import ACTIVATIONS
from workbench.core.config import LayerConfig
from workbench.core.network import Network

REGULARISERS = {"none": (0.0, 0.0), "l1": (0.01, 0.0), "l2": (0.0, 0.05), "elastic": (0.01, 0.05)}
LOSS_PAIRS = [("cross_entropy", "softmax"), ("mse", "softmax"), ("mae", "softmax"), ("huber", "softmax"),
              ("mse", "linear"), ("mae", "linear"), ("huber", "linear")]
MASK_SEED = 11


def _problem(activation, output_activation, dropout=0.3):
    rng = np.random.default_rng(3)
    layers = [LayerConfig(5, activation, dropout=dropout), LayerConfig(4, activation)]
    net = Network(3, layers, 3, output_activation, "float64")
    net.initialize(rng)
    # non-zero biases, and weights away from 0 so that |w| has a derivative at every weight
    for name in net.layer_names:
        bias = net.params[f"{name}/bias"]
        bias[...] = rng.normal(0.0, 0.2, bias.shape)
    for W in net.weight_arrays:
        W[np.abs(W) < 0.02] += 0.05
    X = rng.normal(size=(6, 3))
    y = rng.integers(0, 3, 6) if output_activation == "softmax" else rng.normal(0.0, 2.0, (6, 3))
    return net, X, y


def _numeric_gradient(loss_at, params, h=1e-6):
    numeric = np.empty_like(params)
    for j in range(params.size):
        original = params[j]
        params[j] = original + h
        up = loss_at()
        params[j] = original - h
        down = loss_at()
        params[j] = original
        numeric[j] = (up - down) / (2 * h)
    return numeric


@pytest.mark.parametrize("regulariser", list(REGULARISERS))
@pytest.mark.parametrize("loss,output_activation", LOSS_PAIRS)
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_backward_matches_finite_differences(activation, loss, output_activation, regulariser):
    net, X, y = _problem(activation, output_activation)
    l1, l2 = REGULARISERS[regulariser]
    loss_at = (lambda: net.train_step_grads(X, y, loss, l1, l2, np.random.default_rng(MASK_SEED)))
    loss_at()
    analytic = net.flat_grads.copy()
    numeric = _numeric_gradient(loss_at, net.flat_params)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)
    assert np.abs(analytic).max() > 1e-3   # the check is not vacuous


CLASS_LOSSES = [pair for pair in LOSS_PAIRS if pair[1] == "softmax"]
CLASS_WEIGHTS = np.array([0.5, 2.0, 1.25])


@pytest.mark.parametrize("regulariser", ["none", "elastic"])
@pytest.mark.parametrize("loss,output_activation", CLASS_LOSSES)
@pytest.mark.parametrize("activation", ["relu", "tanh", "gelu"])
def test_class_weighted_losses_match_finite_differences(activation, loss, output_activation, regulariser):
    net, X, y = _problem(activation, output_activation)
    l1, l2 = REGULARISERS[regulariser]
    loss_at = (lambda: net.train_step_grads(X, y, loss, l1, l2, np.random.default_rng(MASK_SEED), CLASS_WEIGHTS))
    weighted = loss_at()
    analytic = net.flat_grads.copy()
    numeric = _numeric_gradient(loss_at, net.flat_params)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)
    plain = net.train_step_grads(X, y, loss, l1, l2, np.random.default_rng(MASK_SEED))
    assert weighted != pytest.approx(plain) and not np.allclose(analytic, net.flat_grads)   # the weights act


def test_weights_of_one_change_nothing():
    net, X, y = _problem("tanh", "softmax")
    for loss in ("cross_entropy", "mse"):
        plain = net.train_step_grads(X, y, loss, 0.0, 0.0, np.random.default_rng(MASK_SEED))
        grads = net.flat_grads.copy()
        ones = net.train_step_grads(X, y, loss, 0.0, 0.0, np.random.default_rng(MASK_SEED), np.ones(3))
        assert ones == pytest.approx(plain, rel=1e-12)
        np.testing.assert_allclose(net.flat_grads, grads, rtol=1e-12, atol=1e-15)


def test_dropout_mask_is_the_one_the_generator_draws():
    net, X, y = _problem("tanh", "softmax", dropout=0.5)
    first = net.train_step_grads(X, y, "cross_entropy", 0.0, 0.0, np.random.default_rng(1))
    again = net.train_step_grads(X, y, "cross_entropy", 0.0, 0.0, np.random.default_rng(1))
    other = net.train_step_grads(X, y, "cross_entropy", 0.0, 0.0, np.random.default_rng(2))
    assert first == again and first != other


def test_last_partial_batch_uses_its_own_rows_only():
    """A smaller batch (row views of the big workspace) gives the same gradients as a fresh network."""
    net, X, y = _problem("relu", "softmax", dropout=0.0)
    net.train_step_grads(X, y, "cross_entropy", 0.0, 0.0, None)
    net.train_step_grads(X[:4], y[:4], "cross_entropy", 0.0, 0.0, None)
    fresh, _, _ = _problem("relu", "softmax", dropout=0.0)
    fresh.train_step_grads(X[:4], y[:4], "cross_entropy", 0.0, 0.0, None)
    np.testing.assert_array_equal(net.flat_grads, fresh.flat_grads)
