"""Hidden units: each unit's output over the decision boundary's plane, a row of small maps per
hidden layer (core/unit_maps.py computes them, one mosaic image), as TensorFlow Playground draws
on its neurons. Red is a high output, blue a low (negative) one, white zero; each layer has one
scale. A flat white map in a relu layer is a dead unit. Hovering a map names the unit and the
range of its output.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QWidget

from workbench.core.unit_maps import GAP, MAP_SIZE, MAX_UNITS, UnitMaps
from workbench.gui.widgets.view_base import (DIVERGING, PlotInspectionView, follow_hover, label_axis, set_title,
                                             style_canvas, style_plot)


class UnitMapsView(PlotInspectionView):
    """The mosaic of hidden-unit maps, layers as rows (the first at the top), units as columns."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        self.plot.setAspectLocked(True)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.showGrid(x=False, y=False)
        self.image = pg.ImageItem(axisOrder="row-major")     # NaN between the maps draws nothing
        self.image.setColorMap(DIVERGING)
        self.plot.addItem(self.image)
        self._maps: UnitMaps | None = None
        follow_hover(self.plot, self, self.hover_text)
        self._apply_palette()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self._maps is not None:
            self.plot.getViewBox().autoRange(padding=0.02)

    def _redraw(self) -> None:
        inspection = self._inspection
        maps = None if inspection is None else inspection.unit_maps
        self._maps = maps
        if maps is None:
            self.image.clear()
            self.plot.getAxis("left").setTicks([[]])
            self.plot.getAxis("bottom").setTicks([[]])
            reason = ("Hidden units appear once the network exists" if inspection is None else
                      "Hidden units: this network has no hidden layer" if len(inspection.layers) < 2 else
                      "Hidden units: the data needs two features or more")
            set_title(self.plot, self, reason)
            return
        self.image.setImage(maps.mosaic, autoLevels=False, levels=(-1.0, 1.0))
        rows, columns = maps.mosaic.shape
        self.image.setRect(QRectF(0, 0, columns, rows))
        self.plot.getAxis("left").setTicks([[(maps.origin(k, 0)[0] + MAP_SIZE / 2, _row_label(maps, k))
                                              for k in range(len(maps.layers))]])
        # units counted from 0, as the network diagram and the layer names count
        self.plot.getAxis("bottom").setTicks([[(u * (MAP_SIZE + GAP) + MAP_SIZE / 2, str(u))
                                               for u in range(min(MAX_UNITS, max(maps.units)))]])
        self.plot.getViewBox().autoRange(padding=0.02)       # the whole mosaic, whatever the dock's shape
        names = inspection.feature_names
        held = "; other features at their mean" if maps.held else ""
        label = f"unit (each map: {names[maps.features[0]]} →, {names[maps.features[1]]} ↑{held})"
        if self.plot.getAxis("bottom").labelText != label:
            label_axis(self.plot, "bottom", label, self)
        set_title(self.plot, self, f"Hidden units, epoch {inspection.epoch}")

    def hover_text(self, x: float, y: float) -> str | None:
        """The unit under (x, y) in mosaic units, with the range of its output on the plane."""
        maps = self._maps
        if maps is None:
            return None
        step = MAP_SIZE + GAP
        unit, row_block = int(x // step), int(y // step)
        layer = len(maps.layers) - 1 - row_block
        if not (0 <= layer < len(maps.layers) and 0 <= unit < min(MAX_UNITS, maps.units[layer])):
            return None
        if x - unit * step >= MAP_SIZE or y - row_block * step >= MAP_SIZE:
            return None                                   # in a gap
        values = maps.tile(layer, unit) * maps.scales[layer]
        low, high = float(np.min(values)), float(np.max(values))
        flat = " (flat: the unit passes nothing on)" if high - low <= 1e-6 else ""
        return (f"{maps.layers[layer]} unit {unit} ({maps.activations[layer]}): "
                f"output {low:.3g} to {high:.3g} on this plane{flat}")

    def _apply_palette(self) -> None:
        style_canvas(self.plot_widget, self)
        style_plot(self.plot, self, self.plot.titleLabel.text or "Hidden units")
        label_axis(self.plot, "bottom", self.plot.getAxis("bottom").labelText or "unit", self)


def _row_label(maps: UnitMaps, layer: int) -> str:
    units = maps.units[layer]
    count = f"{units}" if units <= MAX_UNITS else f"{MAX_UNITS} of {units}"
    return f"{maps.layers[layer]} {maps.activations[layer]} ({count})"
