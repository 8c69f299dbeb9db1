"""Per-layer histograms of weights and biases, beside the gradients training applied to them.

One row per layer: weights, biases, weight gradients, bias gradients. Counts and fixed bin edges
arrive computed (`workbench.core.inspection`); this view only draws them, a few times per second,
as step curves (`stepMode="center"`). Gradients shrinking towards zero in the early layers is
the vanishing-gradient problem made visible.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from workbench.core.inspection import Histogram, Inspection
from workbench.gui.widgets.view_base import (
    HISTOGRAM_REDRAW_MS, NEGATIVE_COLOR, POSITIVE_COLOR, TRAIN_COLOR, VAL_COLOR, ThrottledView, faded,
    label_axis, set_title, style_canvas, style_plot)

# (key suffix, column title, colour)
COLUMNS = (("weight", "weights", TRAIN_COLOR), ("bias", "biases", VAL_COLOR),
           ("weight_grad", "weight grads", NEGATIVE_COLOR), ("bias_grad", "bias grads", POSITIVE_COLOR))
ROW_HEIGHT = 150
FILL_ALPHA = 90


class HistogramView(ThrottledView):
    """A grid of step histograms, one row per layer; scrolls when there are many layers."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(HISTOGRAM_REDRAW_MS, parent)
        self._inspection: Inspection | None = None
        self._layer_names: tuple[str, ...] = ()
        self._plots: dict[str, pg.PlotItem] = {}
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._titles: dict[str, str] = {}

        self.canvas = pg.GraphicsLayoutWidget()
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.canvas)
        self.note = QLabel("Histograms appear once the network exists.")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.scroll, 1)
        self._apply_palette()

    # --- public API -------------------------------------------------------------------------------
    def clear(self) -> None:
        self._inspection = None
        self._mark_dirty()

    @Slot(object)
    def set_inspection(self, inspection: Inspection) -> None:
        self._inspection = inspection
        self._mark_dirty()

    def curve(self, key: str) -> pg.PlotDataItem:
        """The step curve drawn for a histogram key such as "dense_0/weight_grad"."""
        return self._curves[key]

    def export_target(self):
        return self.canvas.ci

    # --- drawing -------------------------------------------------------------------------------------
    def _redraw(self) -> None:
        inspection = self._inspection
        if inspection is None:
            for curve in self._curves.values():
                curve.setData([], [])
            self.note.setText("Histograms appear once the network exists.")
            return
        names = tuple(layer.name for layer in inspection.layers)
        if names != self._layer_names:
            self._build(names)
        has_grads = any(key.endswith("_grad") for key in inspection.histograms)
        self.note.setText(f"Epoch {inspection.epoch}: how each layer's values are spread, and the gradients "
                          "of the training loss with respect to them"
                          + ("." if has_grads else " (none: there are no training rows)."))
        for key, curve in self._curves.items():
            self._draw(key, curve, inspection.histograms.get(key))

    def _prepare(self) -> None:
        """Build the grid for a new architecture even while hidden: building is the slow part (about
        0.2 s), better done now (architectures change while idle) than when the tab is first raised
        in the middle of a run."""
        if self._inspection is not None:
            names = tuple(layer.name for layer in self._inspection.layers)
            if names != self._layer_names:
                self._build(names)

    def _draw(self, key: str, curve: pg.PlotDataItem, histogram: Histogram | None) -> None:
        if histogram is None:
            curve.setData([], [])
            return
        curve.setData(histogram.edges, histogram.counts, stepMode="center", fillLevel=0)
        title = self._titles[key] + (f"  ({histogram.nonfinite} NaN/inf)" if histogram.nonfinite else "")
        set_title(self._plots[key], self, title)

    def _build(self, names: tuple[str, ...]) -> None:
        """Create one plot per layer and column (only when the architecture changes)."""
        self.canvas.clear()
        self._plots.clear()
        self._curves.clear()
        self._titles.clear()
        for row, name in enumerate(names):
            for col, (suffix, title, color) in enumerate(COLUMNS):
                key = f"{name}/{suffix}"
                plot = self.canvas.addPlot(row=row, col=col)
                plot.setMouseEnabled(x=False, y=False)
                plot.hideButtons()
                curve = plot.plot([], [], pen=pg.mkPen(color, width=1.5), brush=faded(color, FILL_ALPHA))
                self._plots[key], self._curves[key] = plot, curve
                self._titles[key] = title
                style_plot(plot, self, title)
                if col == 0:
                    label_axis(plot, "left", name, self)
        self.canvas.setMinimumHeight(ROW_HEIGHT * len(names))
        self._layer_names = names

    def _apply_palette(self) -> None:
        style_canvas(self.canvas, self)
        for key, plot in self._plots.items():
            style_plot(plot, self, plot.titleLabel.text or self._titles[key])
