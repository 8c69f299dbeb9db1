"""What each hidden unit computes: its output over the input plane of the decision boundary (as
TensorFlow Playground draws on every neuron).

The first layer's units draw lines (a tanh ramp, a relu hinge) across the plane; later layers
combine them into curves and regions; the output layer turns the last ones into the boundary.
A dead relu unit is a flat map. Each layer's maps share one colour scale, its largest |output|
on the grid, so that units of a layer compare; maps are laid out as one mosaic image, a row per
hidden layer, so that a view draws them with one image whatever the depth.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from workbench.core.data import PreparedData
from workbench.core.network import Network
from workbench.core.plane_grid import plane_grid

MAP_SIZE = 28              # grid points per side of one unit's map
MAX_UNITS = 16             # maps per layer: its first units (as the network diagram shows them)
GAP = 4                    # empty pixels between maps in the mosaic


@dataclass(frozen=True)
class UnitMaps:
    """Hidden units' outputs over a plane grid, scaled per layer into [-1, 1].

    `mosaic` (rows x columns, NaN in the gaps) is drawn with row 0 at the bottom, as the plane's
    y grows: the first hidden layer's maps are the top row of maps, unit u's in the columns from
    u * (MAP_SIZE + GAP), and each map's row 0 is its lowest y (see `tile`)."""

    features: tuple[int, int]
    xs: np.ndarray               # (MAP_SIZE,) raw values of the x feature
    ys: np.ndarray               # (MAP_SIZE,) raw values of the y feature
    held: int                    # other features held at their training mean
    layers: tuple[str, ...]      # hidden layer names, top row first
    activations: tuple[str, ...]
    units: tuple[int, ...]       # units per layer (the mosaic shows at most MAX_UNITS)
    scales: tuple[float, ...]    # per layer, the |output| that maps to 1
    mosaic: np.ndarray

    def origin(self, layer: int, unit: int) -> tuple[int, int]:
        """The mosaic row and column where the map of `unit` in hidden layer `layer` starts."""
        return (len(self.layers) - 1 - layer) * (MAP_SIZE + GAP), unit * (MAP_SIZE + GAP)

    def tile(self, layer: int, unit: int) -> np.ndarray:
        """One unit's map (MAP_SIZE x MAP_SIZE, rows along y) as stored in the mosaic."""
        row, column = self.origin(layer, unit)
        return self.mosaic[row:row + MAP_SIZE, column:column + MAP_SIZE]


def unit_maps(network: Network, data: PreparedData, activations: tuple[str, ...],
              plane: tuple[int, int] = (0, 1)) -> UnitMaps | None:
    """The maps of `network`'s hidden units (`activations` names each hidden layer's function);
    None without a hidden layer or with fewer than two features."""
    grid = plane_grid(data, plane, MAP_SIZE)
    n_hidden = len(network.layer_names) - 1
    if grid is None or n_hidden == 0:
        return None
    outputs = network.layer_outputs(grid.inputs)[:-1]
    columns = min(MAX_UNITS, max(A.shape[1] for A in outputs))
    step = MAP_SIZE + GAP
    mosaic = np.full((n_hidden * step - GAP, columns * step - GAP), np.nan, dtype=np.float32)
    maps = UnitMaps(grid.features, grid.xs, grid.ys, grid.held, tuple(network.layer_names[:-1]),
                    tuple(activations), tuple(A.shape[1] for A in outputs), (), mosaic)
    scales = []
    for k, A in enumerate(outputs):
        shown = np.asarray(A[:, :MAX_UNITS], dtype=np.float64)
        finite = np.abs(shown[np.isfinite(shown)])
        scale = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
        scales.append(scale)
        values = np.nan_to_num(shown / scale, nan=0.0, posinf=1.0, neginf=-1.0)
        for u in range(shown.shape[1]):
            maps.tile(k, u)[...] = values[:, u].reshape(MAP_SIZE, MAP_SIZE)
    return replace(maps, scales=tuple(scales))
