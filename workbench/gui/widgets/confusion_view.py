"""Confusion matrix: how often each actual class (rows) was predicted as each class (columns).

Cells hold counts; their shade is the row's fraction, so a rare class that is always wrong stands
out as much as a common one. Class names label both axes.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QWidget

from workbench.gui.widgets.view_base import PlotInspectionView, label_axis, set_title, style_canvas, style_plot

MAX_CELL_TEXTS = 25          # more classes than this: shades only (numbers would not fit)
MAX_NAME = 14
CELL_POINT_SIZE = 11
SHADES = pg.ColorMap([0.0, 1.0], [(247, 251, 255), (8, 69, 148)])
DARK_TEXT, LIGHT_TEXT = QColor(20, 20, 20), QColor(255, 255, 255)


class ConfusionView(PlotInspectionView):
    """Counts per (actual, predicted) pair on the validation rows (training rows without any)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        self._cells: list[list[pg.TextItem]] = []
        self._names: tuple[str, ...] = ()

        self.plot.invertY(True)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(SHADES)
        self.plot.addItem(self.image)
        self._apply_palette()

    # --- public API -------------------------------------------------------------------------------
    def cell_text(self, actual: int, predicted: int) -> str:
        return self._cells[actual][predicted].toPlainText()

    # --- drawing -------------------------------------------------------------------------------------
    def _redraw(self) -> None:
        inspection = self._inspection
        matrix = None if inspection is None else inspection.confusion
        if matrix is None:
            self.image.clear()
            self._build(())
            set_title(self.plot, self, "Classification only")
            return
        n = matrix.shape[0]
        names = tuple(inspection.class_names)
        names = names if len(names) == n else tuple(map(str, range(n)))
        if names != self._names:
            self._build(names)
        totals = matrix.sum(axis=1, keepdims=True)
        fractions = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
        self.image.setImage(fractions, autoLevels=False, levels=(0.0, 1.0))
        self.image.setRect(QRectF(0, 0, n, n))
        if n <= MAX_CELL_TEXTS:
            for i in range(n):
                for j in range(n):
                    cell = self._cells[i][j]
                    cell.setText(str(int(matrix[i, j])))
                    cell.setColor(LIGHT_TEXT if fractions[i, j] > 0.5 else DARK_TEXT)
        total = int(matrix.sum())
        accuracy = np.trace(matrix) / total if total else float("nan")
        # the title stays short (it sits over the cells only); which rows were counted goes below
        set_title(self.plot, self, f"{accuracy:.1%} correct")
        predicted = f"predicted ({inspection.evaluated_on} set, {total} samples)"
        if self.plot.getAxis("bottom").labelText != predicted:
            label_axis(self.plot, "bottom", predicted, self)

    def _build(self, names: tuple[str, ...]) -> None:
        """Axis ticks and one text item per cell, made again only when the classes change."""
        for row in self._cells:
            for cell in row:
                self.plot.removeItem(cell)
        n = len(names)
        self._cells = []
        font = QFont(self.font())
        font.setPointSize(CELL_POINT_SIZE if n <= 10 else CELL_POINT_SIZE - 2)
        if n <= MAX_CELL_TEXTS:
            for i in range(n):
                row = []
                for j in range(n):
                    cell = pg.TextItem("", anchor=(0.5, 0.5))
                    cell.setFont(font)
                    cell.setPos(j + 0.5, i + 0.5)
                    self.plot.addItem(cell)
                    row.append(cell)
                self._cells.append(row)
        ticks = [[(k + 0.5, name[:MAX_NAME]) for k, name in enumerate(names)]]
        self.plot.getAxis("bottom").setTicks(ticks)
        left = self.plot.getAxis("left")
        left.setTicks(ticks)
        # room for the longest class name (pyqtgraph skips tick labels that do not fit)
        metrics = QFontMetrics(self.font())
        left.setWidth(max((metrics.horizontalAdvance(name[:MAX_NAME]) for name in names), default=0) + 40)
        if n:
            self.plot.setRange(xRange=(0, n), yRange=(0, n), padding=0.02)
        self._names = names

    def _apply_palette(self) -> None:
        style_canvas(self.plot_widget, self)
        label_axis(self.plot, "bottom", self.plot.getAxis("bottom").labelText or "predicted", self)
        label_axis(self.plot, "left", "actual", self)
        style_plot(self.plot, self, self.plot.titleLabel.text or "Confusion matrix")
