"""Regularisation: L1 / L2 / elastic-net penalties on weights, inverted dropout, gradient clipping.

Penalty convention: l1 * sum|w| + l2 / 2 * sum w^2 over every weight (never biases), so the
gradient is l1 * sign(w) + l2 * w; with both set it is the elastic net. The weights come as one
array per layer (`network.weight_arrays`), so each of these is a few vectorised calls per layer.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np


def penalty_value(weights: Sequence[np.ndarray], l1: float, l2: float) -> float:
    """The penalty of some weight arrays."""
    value = 0.0
    for W in weights:
        if l1:
            value += l1 * float(np.abs(W).sum())
        if l2:
            value += 0.5 * l2 * float(np.vdot(W, W))
    return value


def penalty(network, l1: float, l2: float) -> float:
    """The penalty of a network's current weights."""
    return penalty_value(network.weight_arrays, l1, l2)


def add_penalty_gradient(weights: Sequence[np.ndarray], grads: Sequence[np.ndarray], l1: float, l2: float,
                         scratch: Sequence[np.ndarray]) -> float:
    """Add the penalty's gradient to each of `grads` (shaped like `weights`, as is `scratch`) in
    place; return the penalty."""
    value = 0.0
    for W, dW, s in zip(weights, grads, scratch):
        if l1:
            np.sign(W, out=s)
            value += l1 * float(np.vdot(s, W))       # sign(w) . w = sum |w|
            s *= l1
            dW += s
        if l2:
            value += 0.5 * l2 * float(np.vdot(W, W))
            np.multiply(W, l2, out=s)
            dW += s
    return value


def draw_dropout_mask(mask: np.ndarray, rate: float, rng: np.random.Generator) -> None:
    """Fill `mask` (C-contiguous) with 0 (dropped, probability `rate`) or 1 / (1 - rate), in place.

    Inverted dropout: kept units are scaled up during training so nothing changes at evaluation.
    """
    rng.random(out=mask, dtype=mask.dtype)
    np.greater_equal(mask, rate, out=mask)
    mask *= 1.0 / (1.0 - rate)


def clip_grad_norm(flat_grads: np.ndarray, max_norm: float) -> float:
    """Scale all gradients together so their global L2 norm is at most `max_norm`; return the norm
    before clipping (a non-finite norm is returned as is and the gradients are left alone)."""
    norm = math.sqrt(float(np.vdot(flat_grads, flat_grads)))
    if math.isfinite(norm) and norm > max_norm:
        flat_grads *= max_norm / norm
    return norm
