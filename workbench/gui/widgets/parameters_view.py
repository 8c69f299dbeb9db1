"""Hyperparameters beside parameters: what the person set, next to what training learned.

Left, the hyperparameters from the `Config` (choices made before training). Right, per layer, the
learned weights and biases: shapes, counts and summary statistics, updated live as training runs.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QHeaderView, QLabel, QSplitter, QTableWidget, QTableWidgetItem, QTreeWidget,
    QTreeWidgetItem, QVBoxLayout, QWidget)

from workbench.core.config import Config
from workbench.core.config_summary import hyperparameter_rows
from workbench.core.inspection import Inspection
from workbench.gui.widgets.view_base import InspectionView
from workbench.gui.widgets.table_rows import compact_rows

EXPLANATION = ("Hyperparameters (left) are the choices you make before training; parameters (right) are "
               "the weights and biases that training learns from the data.")
COLUMNS = ("layer", "tensor", "shape", "count", "mean", "std", "min", "max", "norm")
STAT_FIELDS = ("mean", "std", "min", "max", "norm")
def parameter_rows(inspection: Inspection) -> list[tuple[str, ...]]:
    """One row of texts per layer and tensor, in COLUMNS order."""
    rows = []
    for layer in inspection.layers:
        for tensor, stats in (("weight", layer.weight), ("bias", layer.bias)):
            rows.append((layer.name, tensor, " × ".join(map(str, stats.shape)), f"{stats.count:,}")
                        + tuple(_number(getattr(stats, name)) for name in STAT_FIELDS))
    return rows


def _number(value: float) -> str:
    return f"{value:.4g}"


class ParametersView(InspectionView):
    """A tree of hyperparameters beside a live table of learned parameter statistics."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        self._config: Config | None = None

        explanation = QLabel(EXPLANATION)
        explanation.setWordWrap(True)
        self.hyperparameters = QTreeWidget()
        self.hyperparameters.setHeaderLabels(["Hyperparameter (you set)", "value"])
        self.hyperparameters.setRootIsDecorated(False)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        compact_rows(self.table)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.summary = QLabel()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("<b>Parameters (training learned)</b>")
        right_layout.addWidget(title)
        right_layout.addWidget(self.table, 1)
        right_layout.addWidget(self.summary)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.hyperparameters)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(explanation)
        layout.addWidget(splitter, 1)
        self.summary.setText("No network yet.")

    # --- public API -------------------------------------------------------------------------------
    def set_config(self, config: Config) -> None:
        """Show the hyperparameters of `config` (changes in the editors show up here at once)."""
        self._config = config
        self.hyperparameters.clear()
        for section, rows in hyperparameter_rows(config):
            parent = QTreeWidgetItem([section])
            font = parent.font(0)
            font.setBold(True)
            parent.setFont(0, font)
            parent.addChildren([QTreeWidgetItem([name, value]) for name, value in rows])
            self.hyperparameters.addTopLevelItem(parent)
        self.hyperparameters.expandAll()
        self.hyperparameters.resizeColumnToContents(0)

    def cell_text(self, row: int, column: str) -> str:
        return self.table.item(row, COLUMNS.index(column)).text()

    # --- drawing -------------------------------------------------------------------------------------
    def _redraw(self) -> None:
        inspection = self._inspection
        rows = [] if inspection is None else parameter_rows(inspection)
        if self.table.rowCount() != len(rows):
            self.table.setRowCount(len(rows))
            for r in range(len(rows)):
                for c in range(len(COLUMNS)):
                    item = QTableWidgetItem()
                    numeric = c >= COLUMNS.index("count")
                    side = Qt.AlignmentFlag.AlignRight if numeric else Qt.AlignmentFlag.AlignLeft
                    item.setTextAlignment(side | Qt.AlignmentFlag.AlignVCenter)
                    self.table.setItem(r, c, item)
        for r, texts in enumerate(rows):
            for c, text in enumerate(texts):
                item = self.table.item(r, c)
                if item.text() != text:     # each change re-measures the column (resize to contents)
                    item.setText(text)
        if inspection is None:
            self.summary.setText("No network yet.")
            return
        learned = sum(layer.weight.count + layer.bias.count for layer in inspection.layers)
        self.summary.setText(f"Epoch {inspection.epoch}: {learned:,} parameters learned in "
                             f"{len(inspection.layers)} layers; norm is the L2 norm "
                             "(root of the sum of squares).")
