"""Optimizers: each update against its textbook formula; state round trips; bad states."""

import numpy as np
import pytest

from workbench.core.config import LayerConfig, OptimizerConfig
from workbench.core.network import Network
from workbench.core.optimizers import CHUNK_BYTES, OPTIMIZERS, OptimizerStateError, make_optimizer

CFG = dict(lr=0.05, momentum=0.8, beta1=0.85, beta2=0.99, rho=0.7, eps=1e-6, weight_decay=0.1)
LRS = [0.05, 0.02, 0.03]          # a different rate each step, as schedules do


def _network(dtype="float64", units=4):
    net = Network(3, [LayerConfig(units, "tanh")], 2, "softmax", dtype)
    net.initialize(np.random.default_rng(0))
    for name in net.layer_names:
        net.params[f"{name}/bias"][...] = 0.1
    return net


def _weight_mask(net):
    """1 where the flat buffer holds a weight, 0 where a bias."""
    mask = np.zeros_like(net.flat_params)
    for name, view in net.param_views(mask).items():
        view[...] = name.endswith("/weight")
    return mask


def _gradients(steps, size):
    return np.random.default_rng(1).normal(size=(steps, size))


def _reference(name, p, grads, weights, c=CFG):
    """The plain formulas, one step at a time; `weights` marks decayable entries (adamw)."""
    state = {k: np.zeros_like(p) for k in ("vel", "sq", "m", "v")}
    for t, (g, lr) in enumerate(zip(grads, LRS), start=1):
        if name == "sgd":
            p = p - lr * g
        elif name == "momentum":
            state["vel"] = c["momentum"] * state["vel"] + g
            p = p - lr * state["vel"]
        elif name == "nesterov":
            state["vel"] = c["momentum"] * state["vel"] + g
            p = p - lr * (g + c["momentum"] * state["vel"])
        elif name == "adagrad":
            state["sq"] = state["sq"] + g * g
            p = p - lr * g / (np.sqrt(state["sq"]) + c["eps"])
        elif name == "rmsprop":
            state["sq"] = c["rho"] * state["sq"] + (1 - c["rho"]) * g * g
            state["vel"] = c["momentum"] * state["vel"] + g / (np.sqrt(state["sq"]) + c["eps"])
            p = p - lr * state["vel"]
        else:  # adam, adamw
            if name == "adamw":
                p = p - lr * c["weight_decay"] * p * weights
            state["m"] = c["beta1"] * state["m"] + (1 - c["beta1"]) * g
            state["v"] = c["beta2"] * state["v"] + (1 - c["beta2"]) * g * g
            m_hat = state["m"] / (1 - c["beta1"] ** t)
            v_hat = state["v"] / (1 - c["beta2"] ** t)
            p = p - lr * m_hat / (np.sqrt(v_hat) + c["eps"])
    return p


@pytest.mark.parametrize("units", [4, CHUNK_BYTES // 8 // 5], ids=["one chunk", "several chunks"])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_update_matches_the_formula(name, units):
    net = _network(units=units)
    assert (len(make_optimizer(OptimizerConfig(name=name), net).chunks) > 1) == (units > 4)
    optimizer = make_optimizer(OptimizerConfig(name=name, **CFG), net)
    start = net.flat_params.copy()
    grads = _gradients(3, start.size)
    weights = _weight_mask(net)
    for g, lr in zip(grads, LRS):
        net.flat_grads[...] = g
        optimizer.step(lr)
    expected = _reference(name, start, grads, weights)
    np.testing.assert_allclose(net.flat_params, expected, rtol=1e-12, atol=1e-14)
    assert not np.allclose(net.flat_params, start)


def test_rmsprop_without_momentum_has_no_velocity():
    net = _network()
    optimizer = make_optimizer(OptimizerConfig(name="rmsprop", momentum=0.0, rho=0.9, eps=1e-8), net)
    start = net.flat_params.copy()
    g = _gradients(1, start.size)[0]
    net.flat_grads[...] = g
    optimizer.step(0.1)
    expected = start - 0.1 * g / (np.sqrt(0.1 * g * g) + 1e-8)
    np.testing.assert_allclose(net.flat_params, expected, rtol=1e-12)
    assert set(optimizer.state_dict()["slots"]["dense_0/weight"]) == {"sq_avg"}


def test_adamw_never_decays_biases():
    net = _network()
    optimizer = make_optimizer(OptimizerConfig(name="adamw", weight_decay=0.5), net)
    biases = _weight_mask(net) == 0
    before = net.flat_params.copy()
    net.flat_grads[...] = 0.0
    optimizer.step(0.1)
    np.testing.assert_array_equal(net.flat_params[biases], before[biases])
    assert np.all(np.abs(net.flat_params[~biases]) < np.abs(before[~biases])) and optimizer.steps == 1


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_updates_keep_the_dtype(dtype):
    net = _network(dtype)
    optimizer = make_optimizer(OptimizerConfig(name="adam"), net)
    net.flat_grads[...] = 1.0
    optimizer.step(0.1)
    assert net.flat_params.dtype == dtype and optimizer.slots["m"].dtype == dtype


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_state_dict_round_trip_continues_bit_identically(name):
    grads = _gradients(6, _network().flat_params.size)
    net = _network("float32")
    optimizer = make_optimizer(OptimizerConfig(name=name, **CFG), net)
    for g in grads[:3]:
        net.flat_grads[...] = g
        optimizer.step(0.01)
    state, params = optimizer.state_dict(), net.flat_params.copy()

    resumed = _network("float32")
    resumed.flat_params[...] = params
    again = make_optimizer(OptimizerConfig(name=name, **CFG), resumed)
    again.load_state_dict(state)
    for g in grads[3:]:
        for n, o in ((net, optimizer), (resumed, again)):
            n.flat_grads[...] = g
            o.step(0.01)
    assert np.array_equal(net.flat_params, resumed.flat_params)
    assert again.steps == optimizer.steps == 6


def test_state_dict_is_named_per_parameter_and_copied():
    net = _network()
    optimizer = make_optimizer(OptimizerConfig(name="adam"), net)
    net.flat_grads[...] = 1.0
    optimizer.step(0.1)
    state = optimizer.state_dict()
    assert state["name"] == "adam" and state["step"] == 1
    assert list(state["slots"]) == list(net.params)
    m = state["slots"]["dense_0/weight"]["m"]
    assert m.shape == (3, 4)
    np.testing.assert_allclose(m, 0.1)       # (1 - beta1) * g
    m[...] = 7.0
    assert optimizer.slots["m"].max() < 1.0  # a copy, not a view
    assert make_optimizer(OptimizerConfig(name="sgd"), net).state_dict()["slots"] == {}


@pytest.mark.parametrize("change,message", [
    (lambda s: s.update(name="sgd"), "is for 'sgd', not 'adam'"),
    (lambda s: s.update(step=-1), "step must be"),
    (lambda s: s["slots"].pop("dense_1/bias"), "dense_1/bias: expected slots ['m', 'v'], got []"),
    (lambda s: s["slots"]["dense_0/bias"].pop("v"), "dense_0/bias: expected slots"),
    (lambda s: s["slots"].update({"dense_9/weight": {}}), "dense_9/weight is not a parameter"),
    (lambda s: s["slots"]["dense_0/weight"].update(m=np.zeros((3, 5))),
     "dense_0/weight/m: expected (3, 4), got (3, 5)"),
])
def test_bad_states_are_refused_with_a_clear_message(change, message):
    net = _network()
    optimizer = make_optimizer(OptimizerConfig(name="adam"), net)
    net.flat_grads[...] = 1.0
    optimizer.step(0.1)
    before = {k: v.copy() for k, v in optimizer.slots.items()}
    state = optimizer.state_dict()
    change(state)
    with pytest.raises(OptimizerStateError) as err:
        optimizer.load_state_dict(state)
    assert message in str(err.value)
    assert all(np.array_equal(before[k], optimizer.slots[k]) for k in before)  # nothing half-loaded
    assert optimizer.steps == 1
