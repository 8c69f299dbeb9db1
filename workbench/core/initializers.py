"""Weight initialisers: how a layer's (fan_in, fan_out) weight matrix is first drawn.

Each draws into a preallocated array from the `init` random stream, so the same seed gives the
same network. Biases always start at zero (the network does that).
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

Initializer = Callable[[np.ndarray, np.random.Generator], None]

NORMAL_STD = 0.05
UNIFORM_LIMIT = 0.05


def _fans(W: np.ndarray) -> tuple[int, int]:
    fan_in, fan_out = W.shape
    return fan_in, fan_out


def _fill_normal(W: np.ndarray, rng: np.random.Generator, std: float) -> None:
    W[...] = rng.standard_normal(W.shape) * std


def _fill_uniform(W: np.ndarray, rng: np.random.Generator, limit: float) -> None:
    W[...] = rng.uniform(-limit, limit, W.shape)


def he(W: np.ndarray, rng: np.random.Generator) -> None:
    """Normal with std sqrt(2 / fan_in): keeps the variance of ReLU layers steady (He et al. 2015)."""
    _fill_normal(W, rng, math.sqrt(2.0 / _fans(W)[0]))


def xavier(W: np.ndarray, rng: np.random.Generator) -> None:
    """Glorot uniform, limit sqrt(6 / (fan_in + fan_out)): for tanh and sigmoid layers."""
    fan_in, fan_out = _fans(W)
    _fill_uniform(W, rng, math.sqrt(6.0 / (fan_in + fan_out)))


def lecun(W: np.ndarray, rng: np.random.Generator) -> None:
    """Normal with std sqrt(1 / fan_in): for SELU-like and linear layers."""
    _fill_normal(W, rng, math.sqrt(1.0 / _fans(W)[0]))


def normal(W: np.ndarray, rng: np.random.Generator) -> None:
    """Normal with a fixed std of 0.05, whatever the layer's size."""
    _fill_normal(W, rng, NORMAL_STD)


def uniform(W: np.ndarray, rng: np.random.Generator) -> None:
    """Uniform in [-0.05, 0.05], whatever the layer's size."""
    _fill_uniform(W, rng, UNIFORM_LIMIT)


INITIALIZERS: dict[str, Initializer] = {
    "he": he,
    "xavier": xavier,
    "lecun": lecun,
    "normal": normal,
    "uniform": uniform,
}
