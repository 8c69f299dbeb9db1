"""Regularisation: L1 / L2 / elastic-net penalties on weights, inverted dropout, gradient clipping.

Penalty convention: l1 * sum|w| + l2 / 2 * sum w^2 over every weight (never biases), so the
gradient is l1 * sign(w) + l2 * w; with both set it is the elastic net. The network keeps all
weights in one contiguous slice of its flat buffer, so each of these is a few vectorised calls.
"""
from __future__ import annotations

import math

import numpy as np


def penalty_value(weights: np.ndarray, l1: float, l2: float) -> float:
    """The penalty of a flat weight vector."""
    value = 0.0
    if l1:
        value += l1 * float(np.abs(weights).sum())
    if l2:
        value += 0.5 * l2 * float(np.vdot(weights, weights))
    return value


def penalty(network, l1: float, l2: float) -> float:
    """The penalty of a network's current weights."""
    return penalty_value(network.flat_weights, l1, l2)


def add_penalty_gradient(weights: np.ndarray, grads: np.ndarray, l1: float, l2: float,
                         scratch: np.ndarray) -> float:
    """Add the penalty's gradient to `grads` (laid out like `weights`) in place; return the penalty."""
    value = 0.0
    if l1:
        np.sign(weights, out=scratch)
        value += l1 * float(np.vdot(scratch, weights))       # sign(w) . w = sum |w|
        scratch *= l1
        grads += scratch
    if l2:
        value += 0.5 * l2 * float(np.vdot(weights, weights))
        np.multiply(weights, l2, out=scratch)
        grads += scratch
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
