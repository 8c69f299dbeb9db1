"""Cross-validation: core/cross_validation.py's fresh runs of the session's settings, one per fold,
trained in the background and drawn as each fold's training and validation score, with their mean
and the range where one split's score is no surprise (`CrossValidation.fair_range`), the session's
own validation score beside them, and what they say ("a fair
estimate", "an unlucky split", "the folds disagree", "the model overfits").

The session is not touched; a long computation shows a progress dialog with Cancel.
"""
from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QSpinBox, QWidget

from workbench.core.cross_validation import DEFAULT_FOLDS, CrossValidation, cross_validate
from workbench.core.metrics import METRIC_LABELS
from workbench.core.progress import ProgressCallback
from workbench.core.trainer import evaluate_split
from workbench.gui.widgets.plot_dialog import PlotDialog
from workbench.gui.widgets.plot_legends import BandLegend
from workbench.gui.widgets.view_base import TRAIN_COLOR, VAL_COLOR, faded, label_axis, set_title, style_plot

MAX_FOLDS = 20
SESSION_COLOR = "#2ca02c"
EXPLANATION = ("Splits the rows not held out for testing into folds (each class in proportion) and "
               "trains a fresh copy of the network once per fold, on the other folds, scoring it on "
               "the fold it did not see: the spread of those scores says how far one validation split "
               "can be trusted. The folds are those of the Tuning panel's Folds. The session itself "
               "is not trained.")


def folds_and_own_score(experiment: Any, folds: int, stop: threading.Event | None = None,
                        on_progress: ProgressCallback | None = None) -> tuple[CrossValidation, float | None]:
    """The folds' scores, and the session's own validation score if it has trained weights and
    validation rows (None otherwise)."""
    result = cross_validate(experiment.config, experiment.data.dataset, folds, stop=stop,
                            on_progress=on_progress)
    trained = experiment.epochs_trained > 0 and experiment.data.X_val.shape[0] > 0
    return result, float(evaluate_split(experiment, "val")[1]) if trained else None


class CrossValidationDialog(PlotDialog):
    """The number of folds, each fold's scores, the mean with its spread, and the advice."""

    def __init__(self, experiment: Any, parent: QWidget | None = None):
        super().__init__("Cross-validation", EXPLANATION, parent)
        self._experiment = experiment
        self.result: CrossValidation | None = None
        self.own_score: float | None = None
        self.folds = QSpinBox(minimum=2, maximum=MAX_FOLDS, value=DEFAULT_FOLDS)
        self.folds.setToolTip("How many folds: each trains on the others and is scored on itself "
                              "(5 or 10 are usual; more folds train more runs on more rows)")
        self.add_settings(("Folds", self.folds))
        self._build_plot()

    def _build_plot(self) -> None:
        plot = self.plot_widget.getPlotItem()
        plot.showGrid(x=False, y=True, alpha=0.15)
        plot.setMouseEnabled(x=False, y=False)
        self.legend = BandLegend(plot, columns=4)
        self.spread = pg.LinearRegionItem(orientation="horizontal", movable=False,
                                          brush=pg.mkBrush(faded(VAL_COLOR, 40)), pen=pg.mkPen(None))
        plot.addItem(self.spread)
        self.mean_line = pg.InfiniteLine(angle=0, pen=pg.mkPen(VAL_COLOR, width=1, style=Qt.PenStyle.DashLine))
        plot.addItem(self.mean_line)
        self.own_line = plot.plot(pen=pg.mkPen(SESSION_COLOR, width=2, style=Qt.PenStyle.DotLine),
                                  name="this session")
        self.train_points = plot.plot(pen=None, symbol="o", symbolSize=8, symbolBrush=TRAIN_COLOR,
                                      name="training")
        self.val_points = plot.plot(pen=None, symbol="t", symbolSize=10, symbolBrush=VAL_COLOR,
                                    name="held-out fold")
        self.legend.addItem(pg.BarGraphItem(x=[0], height=[1], width=1, brush=faded(VAL_COLOR, 40),
                                            pen=pg.mkPen(None)), "what the folds expect")
        for item in (self.spread, self.mean_line):
            item.setVisible(False)
        label_axis(plot, "bottom", "fold", self)
        style_plot(plot, self, "Cross-validation")
        self.legend.unbox()

    @Slot()
    def run(self) -> bool:
        """Compute with the folds shown; False when the data cannot give them or on Cancel."""
        answer = self.compute("Training one run per fold…", folds_and_own_score, self._experiment,
                              self.folds.value(), reports_progress=True)
        if answer is None:
            return False
        self.show_result(*answer)
        return True

    def show_result(self, result: CrossValidation, own_score: float | None) -> None:
        self.result, self.own_score = result, own_score
        folds = np.arange(1, result.val_metric.size + 1, dtype=np.float64)
        self.train_points.setData(folds, result.train_metric)
        self.val_points.setData(folds, result.val_metric)
        finite = bool(np.isfinite(result.val_metric).all())
        self.spread.setRegion(result.fair_range())
        self.mean_line.setPos(result.mean)
        for item in (self.spread, self.mean_line):
            item.setVisible(finite)
        if own_score is not None:
            self.own_line.setData([0.5, folds[-1] + 0.5], [own_score, own_score])
        else:
            self.own_line.setData([], [])
        plot = self.plot_widget.getPlotItem()
        plot.getAxis("bottom").setTicks([[(f, str(int(f))) for f in folds]])
        plot.setXRange(0.5, folds[-1] + 0.5, padding=0.02)
        label = METRIC_LABELS[result.metric_name]
        label_axis(plot, "left", label, self)
        set_title(plot, self, f"Cross-validation: {label} on {result.val_metric.size} folds")
        summary = result.summary()
        self.outcome_label.setText(f"{summary[0].upper()}{summary[1:]}. {result.advice(own_score)}")
