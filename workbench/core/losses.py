"""Losses: their value, and the gradient that starts backpropagation at the output layer.

Conventions (the same as PyTorch's defaults):
- `cross_entropy`: -sum_k Y log A per sample, averaged over samples. Probabilities are clipped at
  the dtype's eps before the log, so a confident wrong answer costs about 16 (float32), not inf.
- `mse`, `mae`, `huber` (delta 1): averaged over every element (samples x outputs).
- With class weights (`core/class_weights.py`), each sample's loss counts w[its class] times,
  still divided by the number of samples: the weighted mean of `rows`, the per-sample losses.

Classification targets are class indices; the elementwise losses compare probabilities with the
one-hot rows. `OutputHead` turns (loss, output activation) into dL/dZ for the output layer's
pre-activation Z: softmax + cross-entropy fuse to (A - Y) / n; any other pair computes dL/dA and
chains it through the activation's backward (the softmax Jacobian, or the identity).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from workbench.core.activations import OUTPUT_ACTIVATIONS

HUBER_DELTA = 1.0


@dataclass(frozen=True)
class Loss:
    """`value(A, Y)`: the mean loss; `gradient(A, Y, dA)`: write dL/dA into dA, return the value;
    `rows(A, Y)`: each sample's loss (n_samples,), whose mean is the value.

    A is the output (n_samples, n_outputs); Y the float targets of the same shape (one-hot rows
    for classification).
    """

    name: str
    value: Callable[[np.ndarray, np.ndarray], float]
    gradient: Callable[[np.ndarray, np.ndarray, np.ndarray], float]
    rows: Callable[[np.ndarray, np.ndarray], np.ndarray]


def _clipped_log(A: np.ndarray) -> np.ndarray:
    return np.log(np.maximum(A, np.finfo(A.dtype).eps))


def _cross_entropy(A: np.ndarray, Y: np.ndarray) -> float:
    return float(-np.vdot(Y, _clipped_log(A)) / A.shape[0])


def _cross_entropy_gradient(A: np.ndarray, Y: np.ndarray, dA: np.ndarray) -> float:
    """-Y / A / n (clipped like the value); the softmax pairing in `OutputHead` bypasses this."""
    np.maximum(A, np.finfo(A.dtype).eps, out=dA)
    np.divide(Y, dA, out=dA)
    dA *= -1.0 / A.shape[0]
    return _cross_entropy(A, Y)


def _mse(A: np.ndarray, Y: np.ndarray) -> float:
    diff = (A - Y).ravel()
    return float(np.vdot(diff, diff) / diff.size)


def _mse_gradient(A: np.ndarray, Y: np.ndarray, dA: np.ndarray) -> float:
    np.subtract(A, Y, out=dA)
    flat = dA.reshape(-1)
    value = float(np.vdot(flat, flat) / flat.size)
    dA *= 2.0 / flat.size
    return value


def _mae(A: np.ndarray, Y: np.ndarray) -> float:
    return float(np.abs(A - Y).mean())


def _mae_gradient(A: np.ndarray, Y: np.ndarray, dA: np.ndarray) -> float:
    np.subtract(A, Y, out=dA)
    value = float(np.abs(dA).mean())
    np.sign(dA, out=dA)
    dA *= 1.0 / dA.size
    return value


def _huber_terms(residual: np.ndarray) -> float:
    """Mean of 0.5 r^2 (|r| <= delta) or delta (|r| - delta/2) (beyond): with q = min(|r|, delta),
    both are q (|r| - q/2)."""
    size = np.abs(residual)
    q = np.minimum(size, HUBER_DELTA)
    return float(np.vdot(q, size - 0.5 * q) / residual.size)


def _huber(A: np.ndarray, Y: np.ndarray) -> float:
    return _huber_terms(A - Y)


def _huber_gradient(A: np.ndarray, Y: np.ndarray, dA: np.ndarray) -> float:
    np.subtract(A, Y, out=dA)
    value = _huber_terms(dA)
    np.clip(dA, -HUBER_DELTA, HUBER_DELTA, out=dA)
    dA *= 1.0 / dA.size
    return value


def _huber_rows(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    size = np.abs(A - Y)
    q = np.minimum(size, HUBER_DELTA)
    return (q * (size - 0.5 * q)).mean(axis=1)


LOSSES: dict[str, Loss] = {
    "cross_entropy": Loss("cross_entropy", _cross_entropy, _cross_entropy_gradient,
                          lambda A, Y: -(Y * _clipped_log(A)).sum(axis=1)),
    "mse": Loss("mse", _mse, _mse_gradient, lambda A, Y: ((A - Y) ** 2).mean(axis=1)),
    "mae": Loss("mae", _mae, _mae_gradient, lambda A, Y: np.abs(A - Y).mean(axis=1)),
    "huber": Loss("huber", _huber, _huber_gradient, _huber_rows),
}


def as_targets(y: np.ndarray, n_outputs: int, dtype: np.dtype) -> np.ndarray:
    """Float targets shaped like the output: one-hot rows for class indices, columns for values."""
    y = np.asarray(y)
    if y.dtype.kind in "iu":
        Y = np.zeros((y.shape[0], n_outputs), dtype=dtype)
        Y[np.arange(y.shape[0]), y] = 1
        return Y
    return y.reshape(y.shape[0], -1)


def loss_value(name: str, out: np.ndarray, y: np.ndarray, class_weights: np.ndarray | None = None) -> float:
    """The mean loss of outputs `out` (probabilities or values) against targets `y`; with
    `class_weights` (class indices `y`), each sample's loss weighted by its class's."""
    if out.shape[0] == 0:
        return float("nan")
    Y = as_targets(y, out.shape[1], out.dtype)
    if class_weights is None:
        return LOSSES[name].value(out, Y)
    return float(np.dot(class_weights[y], LOSSES[name].rows(out, Y)) / out.shape[0])


class OutputHead:
    """dL/dZ of the output layer for one batch size, bound to that workspace's arrays.

    `delta(loss_name, y, class_weights=None)` reads the output layer's Z and A, writes the
    gradient of the batch-mean loss with respect to Z into dZ and returns the loss value. `y` holds
    class indices (classification) or float targets (regression); `class_weights`, one per class,
    weighs each sample's loss by its class's. Buffers are allocated once, at construction.
    """

    def __init__(self, Z: np.ndarray, A: np.ndarray, dZ: np.ndarray, activation: str):
        n_samples, n_outputs = A.shape
        self.Z, self.A, self.dZ = Z, A, dZ
        self.A_flat, self.dZ_flat = A.reshape(-1), dZ.reshape(-1)
        self.activation = OUTPUT_ACTIVATIONS[activation]
        self.row_starts = np.arange(n_samples, dtype=np.intp) * n_outputs
        self.flat_index = np.empty(n_samples, dtype=np.intp)
        self.picked = np.empty(n_samples, dtype=A.dtype)
        self.ones = np.ones(n_samples, dtype=A.dtype)
        self.one_hot = np.zeros((n_samples, n_outputs), dtype=A.dtype)
        self.scratch = np.empty((n_samples, n_outputs), dtype=A.dtype)
        # 0-d arrays of the dtype, so that no call converts a Python float again
        self.eps = np.array(np.finfo(A.dtype).eps, dtype=A.dtype)
        self.inv_n = np.array(1.0 / n_samples, dtype=A.dtype)
        self.inv_n_value = 1.0 / n_samples

    def delta(self, loss_name: str, y: np.ndarray, class_weights: np.ndarray | None = None) -> float:
        if class_weights is not None:
            return self._weighted(loss_name, y, class_weights)
        if loss_name == "cross_entropy" and self.activation.name == "softmax":
            return self._softmax_cross_entropy(y)
        value = LOSSES[loss_name].gradient(self.A, self._targets(y), self.dZ)
        self.activation.backward(self.dZ, self.Z, self.A, self.scratch)
        return value

    def _weighted(self, loss_name: str, y: np.ndarray, class_weights: np.ndarray) -> float:
        """Each sample's loss times its class's weight: the mean loss is a sum over samples, so
        its gradient's row of each sample scales by that weight (dL/dA before the activation's
        backward, or the fused softmax delta, which is linear in the weights too)."""
        weights = class_weights.take(y)[:, None]
        Y = self._targets(y)
        value = float(np.dot(weights[:, 0], LOSSES[loss_name].rows(self.A, Y))) * self.inv_n_value
        if loss_name == "cross_entropy" and self.activation.name == "softmax":
            self._softmax_cross_entropy(y)
            self.dZ *= weights
            return value
        LOSSES[loss_name].gradient(self.A, Y, self.dZ)
        self.dZ *= weights
        self.activation.backward(self.dZ, self.Z, self.A, self.scratch)
        return value

    def _targets(self, y: np.ndarray) -> np.ndarray:
        if y.dtype.kind not in "iu":
            return y.reshape(y.shape[0], -1)
        self.one_hot.fill(0)
        np.add(self.row_starts, y, out=self.flat_index)
        self.one_hot.reshape(-1)[self.flat_index] = 1
        return self.one_hot

    def _softmax_cross_entropy(self, y: np.ndarray) -> float:
        """Value -mean(log A[y]) and dL/dZ = (A - onehot(y)) / n, without building the one-hot rows.

        Direct ufunc calls (no method wrappers): with small batches the call overhead dominates.
        """
        index = np.add(self.row_starts, y, self.flat_index)
        # mode "clip" writes straight into `picked` (the default mode buffers); an index past the
        # end still raises, at the subtraction below
        picked = self.A_flat.take(index, None, self.picked, "clip")
        np.maximum(picked, self.eps, out=picked)
        np.log(picked, picked)
        value = -float(picked.dot(self.ones)) * self.inv_n_value      # the sum, as a BLAS call
        np.multiply(self.A, self.inv_n, self.dZ)
        self.dZ_flat[index] -= self.inv_n
        return value
