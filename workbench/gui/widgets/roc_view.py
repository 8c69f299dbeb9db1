"""The ROC curve (two classes): the true against the false positive rate as the threshold on the
probability of class 1 falls, with its area in the title. The dashed diagonal is a coin toss; a
curve that hugs the top left corner ranks every positive above every negative."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from workbench.gui.widgets.view_base import (
    TRAIN_COLOR, GridLines, PlotInspectionView, label_axis, set_title, style_canvas, style_plot, text_color)


class RocView(PlotInspectionView):
    """The ROC curve on the validation rows (training rows without any), for two-class data."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        # rates run from 0 to 1; the padding leaves room for the last tick label ("1.0")
        self.plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0.05)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.grid = GridLines(self.plot)
        self.chance = pg.PlotCurveItem([0, 1], [0, 1])
        self.curve = pg.PlotCurveItem(pen=pg.mkPen(TRAIN_COLOR, width=2))
        self.plot.addItem(self.chance)
        self.plot.addItem(self.curve)
        self._apply_palette()

    def _redraw(self) -> None:
        inspection = self._inspection
        roc = None if inspection is None else inspection.roc
        if roc is None:
            self.curve.setData([], [])
            if inspection is None or inspection.task != "classification":
                set_title(self.plot, self, "ROC curve (two classes only)")
            else:
                n = len(inspection.class_names)
                set_title(self.plot, self, f"ROC curve: two classes only, this data has {n}"
                          if n != 2 else "ROC curve: the rows hold one class only")
            return
        self.curve.setData(roc.fpr, roc.tpr)
        positive = inspection.class_names[1] if len(inspection.class_names) == 2 else "class 1"
        label = f"false positive rate ({inspection.evaluated_on} set)"
        if self.plot.getAxis("bottom").labelText != label:
            label_axis(self.plot, "bottom", label, self)
        set_title(self.plot, self, f"ROC of {positive}, AUC {roc.auc:.3f}")

    def _apply_palette(self) -> None:
        style_canvas(self.plot_widget, self)
        self.chance.setPen(pg.mkPen(text_color(self), width=1, style=Qt.PenStyle.DashLine))
        self.grid.set_color(text_color(self))
        label_axis(self.plot, "left", "true positive rate", self)
        label_axis(self.plot, "bottom", self.plot.getAxis("bottom").labelText or "false positive rate", self)
        style_plot(self.plot, self, self.plot.titleLabel.text or "ROC curve")
