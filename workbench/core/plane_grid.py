"""A grid over two of the raw input features, the others held at their training mean: the plane
on which the decision boundary and the hidden units' maps are drawn.

With two features it is the whole input space; with more, a slice through it. A standardised
input of 0 is the training mean, so the held features are simply 0 in the network's inputs. A
generated set's extra features (x1^2, sin(x1), ...) are no slice: they are computed from x1 and x2,
which are always the plane.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.core.data import PreparedData
from workbench.core.datasets_builtin import extra_features_in
from workbench.core.extra_features import with_extra_features

GRID_MARGIN = 0.1          # the grid extends this fraction of the data range on each side


@dataclass(frozen=True)
class PlaneGrid:
    """`inputs[k]` is the network input at (`xs[k % size]`, `ys[k // size]`) in raw units."""

    features: tuple[int, int]    # the columns on the x and y axes
    xs: np.ndarray               # (size,) raw values of the x feature
    ys: np.ndarray               # (size,) raw values of the y feature
    inputs: np.ndarray           # (size * size, n_features), scaled and in the data's dtype
    held: int                    # how many other features are held at their mean


def plane_grid(data: PreparedData, plane: tuple[int, int], size: int) -> PlaneGrid | None:
    """A `size` x `size` grid around the data in the `plane` features (a pair the data does not
    have falls back to the first two); None for data with fewer than two features."""
    X_raw = data.dataset.X
    if X_raw.ndim != 2 or X_raw.shape[1] < 2 or X_raw.shape[0] == 0:
        return None
    n_features = X_raw.shape[1]
    extra = extra_features_in(data.dataset)
    usable = plane[0] != plane[1] and all(0 <= f < n_features for f in plane) and not extra
    i, j = plane if usable else (0, 1)
    pair = X_raw[:, [i, j]]
    lo, hi = np.nanmin(pair, axis=0), np.nanmax(pair, axis=0)     # every feature has a value
    pad = np.where(hi > lo, (hi - lo) * GRID_MARGIN, 1.0)
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], size)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], size)
    gx, gy = np.meshgrid(xs, ys)
    if extra:
        grid = with_extra_features(np.column_stack([gx.ravel(), gy.ravel()]), extra)
        return PlaneGrid((0, 1), xs, ys, data.scaler.transform(grid, data.dtype), 0)
    grid = np.tile(np.asarray(data.scaler.mean, dtype=np.float64), (gx.size, 1))
    grid[:, i], grid[:, j] = gx.ravel(), gy.ravel()
    return PlaneGrid((i, j), xs, ys, data.scaler.transform(grid, data.dtype), n_features - 2)
