"""Activation functions, computed in place into preallocated arrays.

Each `Activation` has `forward(Z, A)` (write f(Z) into A) and `backward(delta, Z, A, scratch)`
(multiply `delta`, which holds dL/dA, by f'(Z) so that it becomes dL/dZ). They call ufuncs with an
explicit output, given by position (`np.multiply(delta, s, delta)`), rather than `delta *= s`,
whose operator dispatch costs more than the arithmetic on the tiny arrays of a small network. Most
derivatives are cheapest to compute from the output A; `needs_input` marks the ones that also read
Z, so the network keeps Z in its own buffer only for those and otherwise runs the activation in
place (Z is A).

`softmax` and `linear` are the output activations (`OUTPUT_ACTIVATIONS`); their backward is the
vector-Jacobian product, used when a loss other than cross-entropy follows a softmax.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

LEAKY_RELU_SLOPE = 0.01
# ELU's alpha. The in-place formulas below (max(expm1(min(z, 0)), z) and min(A + 1, 1)) rely on
# alpha = 1, the usual choice and the one the ONNX export writes.
ELU_ALPHA = 1.0

_SQRT_HALF = math.sqrt(0.5)
# 0 and 1 as 0-d arrays per dtype: a ufunc takes them as they are, where a Python float costs a
# conversion on every call (more than the arithmetic on a small layer)
_ZERO = {np.dtype(t): np.zeros((), dtype=t) for t in (np.float32, np.float64)}
_ONE = {np.dtype(t): np.ones((), dtype=t) for t in (np.float32, np.float64)}
_SLOPE = {np.dtype(t): np.array(LEAKY_RELU_SLOPE, dtype=t) for t in (np.float32, np.float64)}
_KEEP = {np.dtype(t): np.array(1.0 - LEAKY_RELU_SLOPE, dtype=t) for t in (np.float32, np.float64)}


@dataclass(frozen=True)
class Activation:
    """One activation function: forward into A, backward into delta, both in place."""

    name: str
    forward: Callable[[np.ndarray, np.ndarray], None]
    backward: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]
    needs_input: bool = False   # True: Z must survive the forward pass (Z and A are different arrays)
    # bound(Z, A): a forward for these two arrays only, faster where `forward` pays for generality
    bound: Callable[[np.ndarray, np.ndarray], Callable[[np.ndarray, np.ndarray], None]] | None = None
    # bound_backward(A): the backward to use on arrays of A's shape, where the fastest depends on it
    bound_backward: Callable[[np.ndarray], Callable[..., None]] | None = None

    def forward_for(self, Z: np.ndarray, A: np.ndarray) -> Callable[[np.ndarray, np.ndarray], None]:
        """The forward to call on these arrays again and again (a workspace's)."""
        return self.forward if self.bound is None else self.bound(Z, A)

    def backward_for(self, A: np.ndarray) -> Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]:
        """The backward to call again and again on arrays shaped like A (a workspace's)."""
        return self.backward if self.bound_backward is None else self.bound_backward(A)


# --- relu and friends ------------------------------------------------------------------------
# Elements from which a layer's relu derivative is faster as a comparison than as a sign (below).
RELU_COMPARE_FROM = 4096


def _relu(Z: np.ndarray, A: np.ndarray) -> None:
    np.maximum(Z, _ZERO[Z.dtype], out=A)


def _zeros_like(X: np.ndarray) -> np.ndarray:
    """Read-only zeros shaped like X, for the bound forms below: NumPy's maximum and minimum run
    their vectorised loops for two arrays but go element by element against a 0-d zero (2-3x
    slower from a few thousand elements). On a large layer the zeros usually remain the kernel's
    shared zero page, which takes no memory."""
    zeros = np.zeros_like(X)
    zeros.flags.writeable = False
    return zeros


def _bound_relu(Z: np.ndarray, A: np.ndarray) -> Callable[[np.ndarray, np.ndarray], None]:
    """relu as the maximum with an array of zeros."""
    zeros, maximum = _zeros_like(Z), np.maximum
    return lambda Z, A: maximum(Z, zeros, out=A)


def _relu_backward(delta, Z, A, scratch) -> None:
    # A >= 0, so sign(A) is the 0/1 mask (on a small layer faster than the comparison, whose
    # result NumPy casts from bool)
    np.sign(A, scratch)
    np.multiply(delta, scratch, delta)


def _relu_backward_compare(delta, Z, A, scratch) -> None:
    # A > 0 as 0/1 floats: NumPy's sign has no vectorised loop, the comparison has (2x faster on
    # a large layer)
    np.greater(A, _ZERO[A.dtype], scratch)
    np.multiply(delta, scratch, delta)


def _bound_relu_backward(A: np.ndarray) -> Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]:
    return _relu_backward_compare if A.size >= RELU_COMPARE_FROM else _relu_backward


def _leaky_relu(Z: np.ndarray, A: np.ndarray) -> None:
    np.multiply(Z, _SLOPE[Z.dtype], A)
    np.maximum(A, Z, out=A)


def _leaky_relu_backward(delta, Z, A, scratch) -> None:
    # 1 where A > 0, else the slope (at 0 too, as PyTorch): (A > 0) (1 - slope) + slope, which is
    # exactly 1 and exactly the slope in both dtypes (a comparison, not `sign`: see relu)
    np.greater(A, _ZERO[A.dtype], scratch)
    np.multiply(scratch, _KEEP[A.dtype], scratch)
    np.add(scratch, _SLOPE[A.dtype], scratch)
    np.multiply(delta, scratch, delta)


def _elu(Z: np.ndarray, A: np.ndarray) -> None:
    # expm1(z) >= z for z <= 0, and expm1(0) = 0, so the maximum picks the right branch.
    np.minimum(Z, 0, out=A)
    np.expm1(A, out=A)
    np.maximum(A, Z, out=A)


def _bound_elu(Z: np.ndarray, A: np.ndarray) -> Callable[[np.ndarray, np.ndarray], None]:
    """`_elu` with the minimum taken against an array of zeros."""
    zeros, minimum, expm1, maximum = _zeros_like(Z), np.minimum, np.expm1, np.maximum

    def forward(Z: np.ndarray, A: np.ndarray) -> None:
        minimum(Z, zeros, out=A)
        expm1(A, A)
        maximum(A, Z, out=A)

    return forward


def _elu_backward(delta, Z, A, scratch) -> None:
    # f'(z) = 1 for z > 0 and exp(z) = A + 1 for z <= 0: both are min(A + 1, 1).
    np.add(A, 1.0, out=scratch)
    np.minimum(scratch, 1.0, out=scratch)
    np.multiply(delta, scratch, delta)


def _bound_elu_backward(A: np.ndarray) -> Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]:
    """`_elu_backward` as min(A, 0) + 1 (the same values) against an array of zeros."""
    zeros, one, minimum, add, multiply = _zeros_like(A), _ONE[A.dtype], np.minimum, np.add, np.multiply

    def backward(delta: np.ndarray, Z: np.ndarray, A: np.ndarray, scratch: np.ndarray) -> None:
        minimum(A, zeros, out=scratch)
        add(scratch, one, scratch)
        multiply(delta, scratch, delta)

    return backward


# --- gelu ---------------------------------------------------------------------------------------
# gelu(z) = z * Phi(z), with the exact normal CDF Phi(z) = erfc(-z / sqrt 2) / 2 (as PyTorch's default
# and the ONNX export). NumPy has no erf, so erfc uses the Chebyshev fit of Numerical Recipes
# ("erfcc", fractional error below 1.2e-7 everywhere); the backward pass differentiates that same fit
# exactly, so gradients agree with the forward pass to rounding, in float64 too.
_ERFC_COEFFS = (-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
                0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277)


def _erfc_fit(x: np.ndarray, derivative: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """erfc(x) (and d/dx erfc(x) when asked) from the Chebyshev fit; new arrays, any sign of x."""
    ax = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * ax)
    poly = np.full_like(t, _ERFC_COEFFS[-1])
    dpoly = np.zeros_like(t)
    for c in reversed(_ERFC_COEFFS[:-1]):
        if derivative:
            dpoly = dpoly * t + poly
        poly = poly * t + c
    tail = t * np.exp(poly - ax * ax)              # erfc(|x|)
    positive = x >= 0
    erfc = np.where(positive, tail, 2.0 - tail)
    if not derivative:
        return erfc, None
    dt = -0.5 * t * t                              # dt/d|x|
    dtail = tail * (dt / t + dpoly * dt - 2.0 * ax)  # d erfc(|x|) / d|x|
    return erfc, dtail   # erfc(-a) = 2 - erfc(a), so the slope in x is the slope in |x|


def _gelu(Z: np.ndarray, A: np.ndarray) -> None:
    erfc, _ = _erfc_fit(-_SQRT_HALF * Z, derivative=False)
    np.multiply(erfc, 0.5, out=A)
    A *= Z


def _gelu_backward(delta, Z, A, scratch) -> None:
    # d/dz [z * erfc(-z/sqrt2)/2] = erfc(-z/sqrt2)/2 - z * erfc'(-z/sqrt2) / (2 sqrt2)
    erfc, slope = _erfc_fit(-_SQRT_HALF * Z, derivative=True)
    slope *= Z
    slope *= -0.5 * _SQRT_HALF
    np.multiply(erfc, 0.5, out=scratch)
    scratch += slope
    np.multiply(delta, scratch, delta)


# --- squashing functions ------------------------------------------------------------------------
def _tanh(Z: np.ndarray, A: np.ndarray) -> None:
    np.tanh(Z, A)


def _tanh_backward(delta, Z, A, scratch) -> None:
    np.multiply(A, A, scratch)
    np.subtract(_ONE[A.dtype], scratch, scratch)
    np.multiply(delta, scratch, delta)


def _sigmoid(Z: np.ndarray, A: np.ndarray) -> None:
    # 1/(1+exp(-z)) as (1 + tanh(z/2)) / 2: no overflow for very negative z.
    np.multiply(Z, 0.5, out=A)
    np.tanh(A, out=A)
    A *= 0.5
    A += 0.5


def _sigmoid_backward(delta, Z, A, scratch) -> None:
    np.subtract(_ONE[A.dtype], A, scratch)
    np.multiply(scratch, A, scratch)
    np.multiply(delta, scratch, delta)


def _linear(Z: np.ndarray, A: np.ndarray) -> None:
    if A is not Z:
        np.copyto(A, Z)


def _linear_backward(delta, Z, A, scratch) -> None:
    """The identity's derivative is 1: delta is already dL/dZ."""


# --- softmax (output only) ----------------------------------------------------------------------
def _softmax(Z: np.ndarray, A: np.ndarray) -> None:
    """Row-wise softmax, shifted by the row maximum so that huge logits cannot overflow.

    Calls the ufunc reductions directly: for small batches their overhead is most of the cost.
    """
    np.subtract(Z, np.maximum.reduce(Z, 1, None, None, True), out=A)     # axis 1, keepdims
    np.exp(A, out=A)
    np.divide(A, np.add.reduce(A, 1, None, None, True), out=A)


def _bound_softmax(Z: np.ndarray, A: np.ndarray) -> Callable[[np.ndarray, np.ndarray], None]:
    """`_softmax` for these (rows, k) arrays, with what small batches pay for removed: scratch for
    the row maxima and sums allocated once, sums as a matrix product instead of a reduction along
    the short rows, and with two classes the maximum as one elementwise maximum of the columns."""
    rows, k = Z.shape
    column = np.empty((rows, 1), dtype=Z.dtype)
    ones = np.ones((k, 1), dtype=Z.dtype)
    subtract, exp, divide, row_sums = np.subtract, np.exp, np.divide, A.dot
    if k == 2:
        first, second, top = Z[:, 0], Z[:, 1], column[:, 0]
        row_max = (lambda: np.maximum(first, second, out=top))
    else:
        row_max = (lambda: np.maximum.reduce(Z, 1, None, column, True))

    def forward(_Z: np.ndarray, _A: np.ndarray) -> None:
        row_max()
        subtract(Z, column, A)
        exp(A, A)
        row_sums(ones, column)
        divide(A, column, A)

    return forward


def _softmax_backward(delta, Z, A, scratch) -> None:
    """Vector-Jacobian product of softmax: dZ = A * (dA - sum(dA * A, axis=1))."""
    np.multiply(delta, A, out=scratch)
    delta -= np.add.reduce(scratch, axis=1, keepdims=True)
    delta *= A


ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation("relu", _relu, _relu_backward, bound=_bound_relu, bound_backward=_bound_relu_backward),
    "leaky_relu": Activation("leaky_relu", _leaky_relu, _leaky_relu_backward, needs_input=True),
    "elu": Activation("elu", _elu, _elu_backward, needs_input=True, bound=_bound_elu,
                      bound_backward=_bound_elu_backward),
    "gelu": Activation("gelu", _gelu, _gelu_backward, needs_input=True),
    "tanh": Activation("tanh", _tanh, _tanh_backward),
    "sigmoid": Activation("sigmoid", _sigmoid, _sigmoid_backward),
    "linear": Activation("linear", _linear, _linear_backward),
}

OUTPUT_ACTIVATIONS: dict[str, Activation] = {
    "softmax": Activation("softmax", _softmax, _softmax_backward, bound=_bound_softmax),
    "linear": ACTIVATIONS["linear"],
}
