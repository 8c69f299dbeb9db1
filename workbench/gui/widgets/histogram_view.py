"""Per-layer histograms of weights and biases, beside the gradients training applied to them.

One row per layer: weights, biases, weight gradients, bias gradients, and what the layer passes on
(its activations on training rows; the output layer's probabilities or values). Counts and fixed
bin edges arrive computed (`workbench.core.inspection`); this view only draws them, a few times
per second, as step curves (`stepMode="center"`). Gradients shrinking towards zero in the early
layers is the vanishing-gradient problem made visible; a relu layer's dead units (an output of 0
for every row, after too high a learning rate) and a tanh or sigmoid layer's saturated share (on
the flat ends, after too large an initialisation) are counted in its activations' title.

A pyqtgraph plot takes 10-20 ms to create, so a deep network's grid (16 hidden layers: 68 plots)
would freeze the window for a second if built at once. The grid is built one plot per turn of the
event loop instead, each plot drawn as it appears, and a new architecture keeps the rows of the
layers it shares with the old one (adding a layer builds one row).
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from workbench.core.inspection import Histogram, UnitStats
from workbench.gui.widgets.view_base import (
    CATEGORY_COLORS, HISTOGRAM_REDRAW_MS, NEGATIVE_COLOR, POSITIVE_COLOR, TRAIN_COLOR, VAL_COLOR,
    InspectionView, faded, label_axis, set_title, style_canvas, style_plot)

# (key suffix, column title, colour)
COLUMNS = (("weight", "weights", TRAIN_COLOR), ("bias", "biases", VAL_COLOR),
           ("weight_grad", "weight grads", NEGATIVE_COLOR), ("bias_grad", "bias grads", POSITIVE_COLOR),
           ("output", "activations", CATEGORY_COLORS[2]))
ROW_HEIGHT = 150
FILL_ALPHA = 90
PLOTS_PER_TURN = 1          # plots built per turn of the event loop (one is about a frame's work)


class HistogramView(InspectionView):
    """A grid of step histograms, one row per layer; scrolls when there are many layers."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(HISTOGRAM_REDRAW_MS, parent)
        self._layer_names: tuple[str, ...] = ()
        self._plots: dict[str, pg.PlotItem] = {}
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._titles: dict[str, str] = {}
        self._pending: list[tuple[int, str, int]] = []        # (row, layer name, column) still to build
        self._build_timer = QTimer(self, singleShot=True, interval=0)
        self._build_timer.timeout.connect(self._build_some)

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
    def curve(self, key: str) -> pg.PlotDataItem:
        """The step curve drawn for a histogram key such as "dense_0/weight_grad" (the grid is
        finished first if it is still being built)."""
        self.finish_building()
        return self._curves[key]

    def building(self) -> bool:
        """True while plots of the grid are still to be built."""
        return bool(self._pending)

    def redraw_pending(self) -> bool:
        """A grid still being built is not drawn yet either (screenshots wait for both)."""
        return super().redraw_pending() or self.building()

    def finish_building(self) -> None:
        """Build the rest of the grid now (an export or a caller that needs every plot)."""
        self._build_timer.stop()
        self._build_some(len(self._pending))

    def export_target(self):
        self.finish_building()
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
            self._set_rows(names)
        has_grads = any(key.endswith("_grad") for key in inspection.histograms)
        self.note.setText(f"Epoch {inspection.epoch}: how each layer's values are spread, the gradients "
                          "of the training loss with respect to them, and what each layer passes on"
                          + (" (on training rows)." if has_grads else " (none: there are no training rows).")
                          + dead_unit_advice(inspection.units))
        for key, curve in self._curves.items():
            self._draw(key, curve, inspection.histograms.get(key))

    def _prepare(self) -> None:
        """Start building the grid for a new architecture even while hidden, rather than when the
        tab is first raised in the middle of a run."""
        if self._inspection is not None:
            names = tuple(layer.name for layer in self._inspection.layers)
            if names != self._layer_names:
                self._set_rows(names)

    def _draw(self, key: str, curve: pg.PlotDataItem, histogram: Histogram | None) -> None:
        if histogram is None:
            curve.setData([], [])
            return
        curve.setData(histogram.edges, histogram.counts, stepMode="center", fillLevel=0)
        title = self._title(key) + (f"  ({histogram.nonfinite} NaN/inf)" if histogram.nonfinite else "")
        set_title(self._plots[key], self, title)

    def _title(self, key: str) -> str:
        """The column's title; a layer's outputs say how many of its units are dead or saturated."""
        layer, suffix = key.split("/")
        if suffix != "output":
            return self._titles[key]
        if self._layer_names and layer == self._layer_names[-1]:
            return "outputs"
        units = self._inspection.units.get(layer) if self._inspection is not None else None
        return "activations" + ("" if units is None else unit_summary(units))

    def _set_rows(self, names: tuple[str, ...]) -> None:
        """One row per layer: rows of layers that stay in place are kept, rows of layers that went
        away are removed, and the plots still missing (new rows, or rows not yet finished) are
        queued for building."""
        kept = {name for row, name in enumerate(names)
                if row < len(self._layer_names) and self._layer_names[row] == name}
        for key in [key for key in self._plots if key.split("/")[0] not in kept]:
            self.canvas.removeItem(self._plots.pop(key))
            del self._curves[key], self._titles[key]
        self._pending = [(row, name, col) for row, name in enumerate(names)
                         for col, (suffix, _, _) in enumerate(COLUMNS) if f"{name}/{suffix}" not in self._plots]
        self.canvas.setMinimumHeight(ROW_HEIGHT * len(names))
        self._layer_names = names
        if self._pending:
            self._build_timer.start()

    @Slot()
    def _build_some(self, count: int = PLOTS_PER_TURN) -> None:
        """Build the next `count` plots of the grid; each is drawn at once unless a redraw is due
        anyway (or the view has not been seen since the data came)."""
        for row, name, col in self._pending[:count]:
            suffix, title, color = COLUMNS[col]
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
            if not self._dirty and self._inspection is not None:
                self._draw(key, curve, self._inspection.histograms.get(key))
        del self._pending[:count]
        if self._pending:
            self._build_timer.start()

    def _apply_palette(self) -> None:
        style_canvas(self.canvas, self)
        for key, plot in self._plots.items():
            style_plot(plot, self, plot.titleLabel.text or self._titles[key])


DEAD_SHARE = 0.5            # a layer with this share of its units dead or more gets advice


def dead_unit_advice(units: dict[str, UnitStats]) -> str:
    """" Dead units in dense_0 (6 of 8) and dense_1 (8 of 8): …" for the layers where half the
    units or more are dead; "" when there are none."""
    layers = [f"{name} ({stats.dead} of {stats.units})" for name, stats in units.items()
              if stats.units > 1 and stats.dead >= DEAD_SHARE * stats.units]
    if not layers:
        return ""
    named = layers[0] if len(layers) == 1 else f"{', '.join(layers[:-1])} and {layers[-1]}"
    return (f" Dead units in {named}: they output the same for every row and pass nothing on. Too "
            "high a learning rate, or too large weights, push units where their output is constant "
            "(relu below zero, tanh and sigmoid on their flat ends): try a lower rate; for relu, "
            "leaky_relu or elu keep a slope there.")


def unit_summary(units: UnitStats) -> str:
    """", 3 of 8 dead, 41% saturated": the parts that round to more than zero."""
    parts = [f"{units.dead} of {units.units} dead"] if units.dead else []
    if units.saturated is not None and units.saturated >= 0.005:
        parts.append(f"{units.saturated:.0%} saturated")
    return "".join(f", {part}" for part in parts)
