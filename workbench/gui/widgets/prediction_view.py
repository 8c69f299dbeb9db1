"""Predicted against actual values (regression): points on the dashed identity line are perfect."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from workbench.core.metrics import r2_score
from workbench.gui.widgets.view_base import (
    TRAIN_COLOR, GridLines, PlotInspectionView, faded, label_axis, set_title, style_canvas, style_plot,
    text_color)

POINT_ALPHA = 150


class PredictionView(PlotInspectionView):
    """A scatter of (actual, predicted) on the validation rows (training rows without any)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        self.grid = GridLines(self.plot)
        self.points = pg.ScatterPlotItem(size=6, pen=None, brush=pg.mkBrush(faded(TRAIN_COLOR, POINT_ALPHA)))
        self.identity = pg.PlotCurveItem()
        self.plot.addItem(self.identity)
        self.plot.addItem(self.points)
        self._apply_palette()

    def _redraw(self) -> None:
        inspection = self._inspection
        if inspection is None or inspection.predictions is None:
            self.points.clear()
            self.identity.setData([], [])
            set_title(self.plot, self, "Predicted vs actual (regression only)")
            return
        actual, predicted = (np.ravel(a) for a in inspection.predictions)
        keep = np.isfinite(actual) & np.isfinite(predicted)
        actual, predicted = actual[keep], predicted[keep]
        self.points.setData(actual, predicted)
        both = np.concatenate([actual, predicted])
        lo, hi = (float(both.min()), float(both.max())) if both.size else (0.0, 1.0)
        self.identity.setData([lo, hi], [lo, hi])
        # the title stays short; which rows were scored goes on the axis below
        name = " ".join(filter(None, ("actual", inspection.target_name)))
        actual_label = f"{name} ({inspection.evaluated_on} set, {actual.size} values)"
        if self.plot.getAxis("bottom").labelText != actual_label:
            label_axis(self.plot, "bottom", actual_label, self)
        set_title(self.plot, self, f"R² {r2_score(actual, predicted):.3f}")

    def _apply_palette(self) -> None:
        style_canvas(self.plot_widget, self)
        self.identity.setPen(pg.mkPen(text_color(self), width=1, style=Qt.PenStyle.DashLine))
        self.grid.set_color(text_color(self))
        label_axis(self.plot, "left", "predicted", self)
        style_plot(self.plot, self, self.plot.titleLabel.text or "Predicted vs actual")

