"""Learning curve: core/learning_curve.py's fresh runs on growing shares of the training rows,
trained in the background and drawn as the training and validation score against the rows used,
with the advice read off the curve ("more data would help", "the model overfits", ...).

The session is not touched; a long computation shows a progress dialog with Cancel.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLineEdit, QWidget

from workbench.core.learning_curve import DEFAULT_SHARES, LearningCurve, check_shares, learning_curve
from workbench.core.metrics import METRIC_LABELS
from workbench.gui.widgets.plot_dialog import PlotDialog
from workbench.gui.widgets.plot_legends import BandLegend
from workbench.gui.widgets.view_base import TRAIN_COLOR, VAL_COLOR, label_axis, set_title, style_plot

EXPLANATION = ("Trains a fresh copy of the network on a share of the training rows (each class in "
               "proportion), then on larger shares, and scores each on the same validation rows. A "
               "validation score still rising at the right says more data would help; a wide gap "
               "below the training score, that the model overfits. Small shares train more epochs, "
               "so that every point gets as many updates. The session itself is not trained.")


class LearningCurveDialog(PlotDialog):
    """The shares to try, the curve and the advice."""

    def __init__(self, experiment: Any, parent: QWidget | None = None):
        super().__init__("Learning curve", EXPLANATION, parent)
        self._experiment = experiment
        self.curve: LearningCurve | None = None
        self.shares_edit = QLineEdit(", ".join(f"{s:g}" for s in DEFAULT_SHARES))
        self.shares_edit.setToolTip("Shares of the training rows, growing, each above 0 and at most 1")
        self.add_settings(("Shares of the training rows", self.shares_edit), widen_last=True)
        self._build_plot()

    def _build_plot(self) -> None:
        plot = self.plot_widget.getPlotItem()
        plot.showGrid(x=True, y=True, alpha=0.15)
        plot.setMouseEnabled(x=False, y=False)
        self.legend = BandLegend(plot, columns=2)      # points can sit in every corner
        self.train_curve = plot.plot(pen=pg.mkPen(TRAIN_COLOR, width=2), symbol="o", symbolSize=7,
                                     symbolBrush=TRAIN_COLOR, name="training rows")
        self.val_curve = plot.plot(pen=pg.mkPen(VAL_COLOR, width=2), symbol="t", symbolSize=8,
                                   symbolBrush=VAL_COLOR, name="validation rows")
        label_axis(plot, "bottom", "training rows used", self)
        style_plot(plot, self, "Learning curve")
        self.legend.unbox()

    @Slot()
    def run(self) -> bool:
        """Compute with the shares given; False when they are invalid or the work was cancelled."""
        try:
            shares = check_shares([float(part) for part in self.shares_edit.text().replace(";", ",").split(",")])
        except ValueError as err:
            message = str(err) if "shares" in str(err) else "shares must be numbers, e.g. 0.25, 0.5, 1"
            self.outcome_label.setText(f"Cannot run: {message}.")
            return False
        curve = self.compute("Training on shares of the data…", learning_curve, self._experiment, shares,
                             reports_progress=True)
        if curve is None:
            return False
        self.show_curve(curve)
        return True

    def show_curve(self, curve: LearningCurve) -> None:
        self.curve = curve
        rows = curve.rows.astype(np.float64)
        self.train_curve.setData(rows, curve.train_metric)
        self.val_curve.setData(rows, curve.val_metric)
        plot = self.plot_widget.getPlotItem()
        label = METRIC_LABELS[curve.metric_name]
        label_axis(plot, "left", label, self)
        set_title(plot, self, f"Learning curve: {label} against training rows ({curve.val_rows:,} "
                              "validation rows)")
        advice = curve.advice()
        self.outcome_label.setText(f"{advice[0].upper()}{advice[1:]}.")
