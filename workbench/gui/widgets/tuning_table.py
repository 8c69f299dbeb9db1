"""The sortable table of trials: number, score ± std, state, duration, then the parameters.

The score and state come first so they stay in sight however many hyperparameters vary (the
parameters scroll sideways in a narrow dock)."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from workbench.gui.widgets.table_rows import compact_rows

LEADING_COLUMNS = ("#", "score", "± std", "state", "seconds")


def _item(value: Any) -> QTableWidgetItem:
    """A cell that sorts by its value (numbers as numbers), shown compactly."""
    item = QTableWidgetItem()
    if value is None:
        item.setData(Qt.ItemDataRole.DisplayRole, "")
    elif isinstance(value, float):
        item.setData(Qt.ItemDataRole.DisplayRole, float(f"{value:.5g}"))
    else:
        item.setData(Qt.ItemDataRole.DisplayRole, value)
    return item


class TrialTable(QTableWidget):
    """One row per trial; click a header to sort. The best trial is bold."""

    def __init__(self, parent: Any = None):
        super().__init__(0, 0, parent)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)   # fitted to contents on change
        compact_rows(self)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setAlternatingRowColors(True)
        self.setSortingEnabled(True)
        self.param_names: list[str] = []

    def set_trials(self, trials: Sequence[Mapping[str, Any]], param_names: Sequence[str],
                   best: int | None) -> None:
        """Show `trials` (the current sort order is kept)."""
        self.setSortingEnabled(False)
        self.param_names = list(param_names)
        headers = list(LEADING_COLUMNS) + self.param_names
        self.setColumnCount(len(headers))
        self.setHorizontalHeaderLabels(headers)
        self.setRowCount(len(trials))
        bold = QFont()
        bold.setBold(True)
        for row, trial in enumerate(trials):
            seconds = None if trial["duration"] is None else round(float(trial["duration"]), 2)
            values = ([trial["number"], trial["score"], trial["score_std"], trial["state"], seconds]
                      + [trial["params"].get(n) for n in self.param_names])
            for column, value in enumerate(values):
                item = _item(value)
                if trial["message"]:
                    item.setToolTip(trial["message"])
                if trial["number"] == best:
                    item.setFont(bold)
                self.setItem(row, column, item)
        self.setSortingEnabled(True)
        self.resizeColumnsToContents()

    def column_names(self) -> list[str]:
        return [self.horizontalHeaderItem(c).text() for c in range(self.columnCount())]

    def column_values(self, name: str) -> list[Any]:
        """The shown values of one column, top to bottom (what a person sees after sorting)."""
        column = self.column_names().index(name)
        return [self.item(row, column).data(Qt.ItemDataRole.DisplayRole) for row in range(self.rowCount())]
