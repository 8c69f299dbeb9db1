"""Activation functions: values against textbook formulas, derivatives, extreme inputs."""
import math

import numpy as np
import pytest

from workbench.core.activations import (ACTIVATIONS, ELU_ALPHA, LEAKY_RELU_SLOPE, OUTPUT_ACTIVATIONS,
                                        RELU_COMPARE_FROM)

Z = np.linspace(-6.0, 6.0, 240).reshape(-1, 2)   # an even count never hits z = 0, where relu has no derivative

REFERENCE = {
    "relu": lambda z: np.maximum(z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, LEAKY_RELU_SLOPE * z),
    "elu": lambda z: np.where(z > 0, z, ELU_ALPHA * (np.exp(z) - 1.0)),
    "gelu": lambda z: z * 0.5 * (1.0 + np.vectorize(math.erf)(z / math.sqrt(2.0))),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "linear": lambda z: z,
}


def _forward(name, Z, registry=ACTIVATIONS):
    activation = registry[name]
    Z = Z.copy()
    A = np.empty_like(Z) if activation.needs_input else Z
    activation.forward(Z, A)
    return Z, A


def test_registries_hold_the_vocabulary():
    assert set(ACTIVATIONS) == {"relu", "leaky_relu", "elu", "gelu", "tanh", "sigmoid", "linear"}
    assert set(OUTPUT_ACTIVATIONS) == {"softmax", "linear"}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_forward_matches_the_formula(name):
    _, A = _forward(name, Z)
    # gelu's erf is a Chebyshev fit with relative error below 1.2e-7
    np.testing.assert_allclose(A, REFERENCE[name](Z), rtol=2e-7, atol=1e-12)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_backward_is_the_derivative(name):
    activation = ACTIVATIONS[name]
    h = 1e-6
    numeric = (REFERENCE[name](Z + h) - REFERENCE[name](Z - h)) / (2 * h)
    Zc, A = _forward(name, Z)
    delta = np.ones_like(Z)
    activation.backward(delta, Zc, A, np.empty_like(Z))
    np.testing.assert_allclose(delta, numeric, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_inputs_stay_finite_and_keep_dtype(name, dtype):
    Z = np.array([[-1e4, -100.0, 0.0, 100.0, 1e4]], dtype=dtype)
    with np.errstate(all="raise", under="ignore"):
        _, A = _forward(name, Z)
    assert A.dtype == dtype and np.isfinite(A).all()


def test_softmax_rows_sum_to_one_even_for_huge_logits():
    Z = np.array([[1e4, -1e4, 0.0], [3.0, 3.0, 3.0], [-1e4, -1e4 + 1.0, -1e4]], dtype=np.float32)
    _, A = _forward("softmax", Z, OUTPUT_ACTIVATIONS)
    np.testing.assert_allclose(A.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(A[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(A[1], [1 / 3] * 3, rtol=1e-6)
    assert A[2, 1] == pytest.approx(math.e / (math.e + 2), rel=1e-6)


def test_softmax_backward_is_the_jacobian_product():
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(1, 4))
    upstream = rng.normal(size=(1, 4))
    _, A = _forward("softmax", Z, OUTPUT_ACTIVATIONS)
    jacobian = np.diag(A[0]) - np.outer(A[0], A[0])
    delta = upstream.copy()
    OUTPUT_ACTIVATIONS["softmax"].backward(delta, Z, A, np.empty_like(Z))
    np.testing.assert_allclose(delta[0], jacobian @ upstream[0], rtol=1e-12)


@pytest.mark.parametrize("classes", [2, 3, 7])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_bound_to_a_workspace_equals_the_general_one(classes, dtype):
    """The network's softmax (scratch allocated once, row sums as a product, two classes by one
    elementwise maximum) gives the general function's values, huge logits included, call after call."""
    rng = np.random.default_rng(classes)
    Z = np.empty((9, classes), dtype=dtype)
    forward = OUTPUT_ACTIVATIONS["softmax"].forward_for(Z, Z)      # in place, as the network runs it
    for scale in (1.0, 50.0, 1e4):
        logits = (rng.normal(size=Z.shape) * scale).astype(dtype)
        logits[0] = 0.0                                             # a tie in the first row
        Z[...] = logits
        with np.errstate(all="raise", under="ignore"):
            forward(Z, Z)
        _, expected = _forward("softmax", logits, OUTPUT_ACTIVATIONS)
        np.testing.assert_allclose(Z, expected, rtol=1e-6 if dtype == np.float32 else 1e-13, atol=1e-30)
        assert np.isfinite(Z).all()


def test_activations_without_a_bound_form_use_their_forward_and_backward():
    Z = np.zeros((3, 4))
    unbound = [name for name in ACTIVATIONS if name not in ("relu", "elu")]
    assert all(ACTIVATIONS[name].forward_for(Z, Z) is ACTIVATIONS[name].forward for name in unbound)
    assert all(ACTIVATIONS[name].backward_for(Z) is ACTIVATIONS[name].backward for name in unbound)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(8, 10), (64, 128)])      # below and above RELU_COMPARE_FROM
def test_relu_bound_to_a_workspace_equals_the_general_one(shape, dtype):
    """The network's relu (maximum with an array of zeros; the derivative as a comparison on large
    layers) gives the general functions' values exactly, call after call, NaN passed on forward."""
    relu = ACTIVATIONS["relu"]
    rng = np.random.default_rng(shape[0])
    Z = np.empty(shape, dtype=dtype)
    forward = relu.forward_for(Z, Z)                 # in place, as the network runs it
    backward = relu.backward_for(Z)
    assert forward is not relu.forward
    assert (backward is relu.backward) == (Z.size < RELU_COMPARE_FROM)
    for _ in range(3):
        logits = rng.normal(size=shape).astype(dtype)
        logits[0, :3] = (0.0, np.nan, np.inf)
        Z[...] = logits
        forward(Z, Z)
        _, expected = _forward("relu", logits)
        np.testing.assert_array_equal(Z, expected)
        A = np.nan_to_num(Z, nan=1.0)
        upstream = rng.normal(size=shape).astype(dtype)
        delta, delta_general = upstream.copy(), upstream.copy()
        backward(delta, A, A, np.empty_like(A))
        relu.backward(delta_general, A, A, np.empty_like(A))
        np.testing.assert_array_equal(delta, delta_general)
        np.testing.assert_array_equal(delta, np.where(A > 0, upstream, 0.0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_elu_bound_to_a_workspace_equals_the_general_one(dtype):
    """The network's elu (minimum against an array of zeros; the derivative as min(A, 0) + 1) gives
    the general functions' values exactly, saturated, zero, NaN and infinite inputs included."""
    elu = ACTIVATIONS["elu"]
    rng = np.random.default_rng(7)
    Z, A = np.empty((64, 128), dtype=dtype), np.empty((64, 128), dtype=dtype)
    forward, backward = elu.forward_for(Z, A), elu.backward_for(A)
    assert forward is not elu.forward and backward is not elu.backward
    for _ in range(3):
        Z[...] = rng.normal(scale=4.0, size=Z.shape)
        Z[0, :5] = (0.0, -0.0, np.nan, np.inf, -np.inf)
        forward(Z, A)
        _, expected = _forward("elu", Z)
        np.testing.assert_array_equal(A, expected)
        upstream = rng.normal(size=A.shape).astype(dtype)
        delta, delta_general = upstream.copy(), upstream.copy()
        backward(delta, Z, A, np.empty_like(A))
        elu.backward(delta_general, Z, A, np.empty_like(A))
        np.testing.assert_array_equal(delta, delta_general)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_leaky_relu_derivative_is_exactly_one_or_the_slope(dtype):
    """1 where the output is positive, the slope elsewhere, z = 0 included (as PyTorch)."""
    leaky = ACTIVATIONS["leaky_relu"]
    Z = np.array([[-3.0, -1e-30, -0.0, 0.0, 1e-30, 2.0]], dtype=dtype)
    A = np.empty_like(Z)
    leaky.forward(Z, A)
    delta = np.ones_like(Z)
    leaky.backward(delta, Z, A, np.empty_like(Z))
    slope = dtype(LEAKY_RELU_SLOPE)
    np.testing.assert_array_equal(delta, np.array([[slope, slope, slope, slope, 1.0, 1.0]], dtype=dtype))
