"""Compare runs: a table of every training run in the session, where each converged, the
hyperparameters that differ highlighted, check boxes to overlay earlier curves on the plots, and a
button to restore a run's configuration."""
from __future__ import annotations

import math
from typing import Any, Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from workbench.core.config import Config
from workbench.core.config_summary import differing_settings, flat_settings
from workbench.core.convergence import DEFAULT_PATIENCE, DEFAULT_TOLERANCE, find_convergence
from workbench.core.durations import format_duration
from workbench.core.experiment import RunRecord
from workbench.core.history import History
from workbench.gui.widgets.table_rows import compact_rows

FIXED_COLUMNS = ("Overlay", "Run", "Status", "Epochs", "Converged", "Train loss", "Val loss", "Val metric")
CONVERGED = FIXED_COLUMNS.index("Converged")
HIGHLIGHT = QColor(255, 200, 60, 110)


def _last(values: list[float]) -> str:
    finite = [v for v in values if math.isfinite(v)]
    return f"{finite[-1]:.4g}" if finite else "-"


def _converged(history: History, tolerance: float, patience: int) -> str:
    found = find_convergence(history, tolerance, patience)
    return f"epoch {found.epoch}, {format_duration(found.seconds)}" if found else "-"


class RunsTable(QWidget):
    """The session's runs: earlier ones from `experiment.runs`, and the current one last.

    The Converged column follows the loss plot's rule (`set_rule`), so that runs compare by the
    epochs and seconds they took to converge.
    """

    overlays_changed = Signal(object)      # [(label, History), ...] of the checked earlier runs
    restore_requested = Signal(int)        # index into experiment.runs

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = QTableWidget(0, len(FIXED_COLUMNS))
        self.table.verticalHeader().setVisible(False)
        compact_rows(self.table)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.restore_button = QPushButton("Restore configuration")
        self.restore_button.setToolTip("Make the selected run's hyperparameters the current ones "
                                       "(undoable); train to repeat or vary it.")
        self.restore_button.clicked.connect(self._on_restore)
        self.note = QLabel("Each training run is kept. Tick runs to overlay their curves; highlighted "
                           "cells differ from the current run.")
        self.note.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._runs: list[RunRecord] = []
        self._histories: list[History] = []
        self._rule = (DEFAULT_TOLERANCE, DEFAULT_PATIENCE)
        self._update_buttons()

    def set_runs(self, runs: Sequence[RunRecord], current: Config, history: History, status: str) -> None:
        checked = set(self.checked_rows())
        self._runs = list(runs)
        rows = [(r.config, r.history, r.status) for r in self._runs] + [(current, history, status)]
        self._histories = [row[1] for row in rows]
        keys = differing_settings([row[0] for row in rows])
        current_flat = flat_settings(current)
        self.table.blockSignals(True)
        self.table.clear()
        self.table.setColumnCount(len(FIXED_COLUMNS) + len(keys))
        self.table.setHorizontalHeaderLabels(list(FIXED_COLUMNS) + keys)
        self.table.setRowCount(len(rows))
        for row, (config, hist, run_status) in enumerate(rows):
            is_current = row == len(rows) - 1
            overlay = QTableWidgetItem()
            if not is_current:
                overlay.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled |
                                 Qt.ItemFlag.ItemIsSelectable)
                overlay.setCheckState(Qt.CheckState.Checked if row in checked else Qt.CheckState.Unchecked)
            cells = [f"{row + 1}" + (" (current)" if is_current else ""), run_status, str(len(hist)),
                     _converged(hist, *self._rule), _last(hist.train_loss), _last(hist.val_loss),
                     _last(hist.val_metric)]
            self.table.setItem(row, 0, overlay)
            for column, text in enumerate(cells, start=1):
                self.table.setItem(row, column, QTableWidgetItem(text))
            flat = flat_settings(config)
            for column, key in enumerate(keys, start=len(FIXED_COLUMNS)):
                item = QTableWidgetItem(flat.get(key, ""))
                if flat.get(key, "") != current_flat.get(key, ""):
                    item.setBackground(QBrush(HIGHLIGHT))
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        self._describe_rule()
        self.table.blockSignals(False)
        self._update_buttons()
        self.overlays_changed.emit(self.overlays())

    def set_rule(self, tolerance: float, patience: int) -> None:
        """The convergence rule of the Converged column: `tolerance` a fraction, `patience` epochs."""
        self._rule = (tolerance, patience)
        self.table.blockSignals(True)
        for row, history in enumerate(self._histories):
            self.table.setItem(row, CONVERGED, QTableWidgetItem(_converged(history, tolerance, patience)))
        self._describe_rule()
        self.table.blockSignals(False)

    def _describe_rule(self) -> None:
        tolerance, patience = self._rule
        self.table.horizontalHeaderItem(CONVERGED).setToolTip(
            f"Where the run converged under the loss plot's rule: from this epoch on, the validation "
            f"loss improved by less than {tolerance:.2%} of the run's whole improvement, for at least "
            f"{patience} epochs.")

    def checked_rows(self) -> list[int]:
        rows = []
        for row in range(min(self.table.rowCount(), len(self._runs))):
            item = self.table.item(row, 0)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                rows.append(row)
        return rows

    def overlays(self) -> list[tuple[str, History]]:
        return [(f"run {row + 1}", self._runs[row].history) for row in self.checked_rows()]

    def set_checked(self, row: int, checked: bool) -> None:
        self.table.item(row, 0).setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _selected_run(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows and rows[0].row() < len(self._runs) else None

    @Slot()
    def _update_buttons(self) -> None:
        self.restore_button.setEnabled(self._selected_run() is not None)

    @Slot(QTableWidgetItem)
    def _on_item_changed(self, item: Any) -> None:
        if item.column() == 0:
            self.overlays_changed.emit(self.overlays())

    @Slot()
    def _on_restore(self) -> None:
        row = self._selected_run()
        if row is not None:
            self.restore_requested.emit(row)
