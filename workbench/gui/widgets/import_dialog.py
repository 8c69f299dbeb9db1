"""Importing a person's data: a preview table, the target column and the task, checked as they change.

The file is read with the same core readers as the CLI, so what the dialog accepts trains, and a
bad file gives the reader's one-line message (file, row, column) instead of a traceback. A choice
of target or task that the data cannot serve (a column of IDs as the target, say) is shown in the
dialog, where the person picks another.

Reading a large CSV takes seconds (60,000 x 785: about 10 s), so `read_file` reads on a pool
thread (`workbench.gui.background.wait_for`): the window keeps painting, and a read that lasts
longer than a moment shows a progress dialog whose Cancel abandons it. The file is read once:
each choice makes its data set from the cells read (`DataFile`; 1.3 s for that file).
"""
from __future__ import annotations

import csv
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Slot
from PySide6.QtGui import QFontMetricsF, QPalette
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QComboBox, QDialog, QDialogButtonBox,
                               QFormLayout, QLabel, QTableView, QVBoxLayout, QWidget)

from workbench.core.data import DataError, DataFile, Dataset, open_data_file
from workbench.gui.background import Cancelled, wait_for
from workbench.gui.widgets.table_rows import compact_rows

PREVIEW_ROWS = 20
PREVIEW_BYTES = 64 * 1024
AUTOMATIC = "automatic"
TARGET, LEFT_OUT = "target", "left out"     # the marks of a column in the preview


@dataclass(frozen=True)
class Opened:
    """A data file read for import, and what its default choice (the last column, the task
    inferred) gives: a data set, or the reason there is none, which the dialog shows while the
    person picks another target or task."""

    source: DataFile
    dataset: Dataset | None
    problem: str = ""


def open_for_import(path: str, stop: threading.Event | None = None) -> Opened:
    """Read `path` once (slow for a large file) and try the default choice on it."""
    source = open_data_file(path, stop)
    try:
        return Opened(source, source.dataset())
    except DataError as err:
        return Opened(source, None, str(err))


def read_file(parent: QWidget, path: str) -> Opened:
    """`open_for_import` off the GUI thread (see `wait_for`); raises DataError for a file that no
    choice can use, OSError for one that cannot be read, and Cancelled when the person cancels."""
    stop = threading.Event()                # set on Cancel: the read ends within a few ms
    return wait_for(parent, f"Reading {Path(path).name}…", open_for_import, path, stop, on_cancel=stop.set)


def csv_preview(path: str, rows: int = PREVIEW_ROWS) -> list[list[str]]:
    """The header and first rows of a CSV as text cells (only the start of the file is read)."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        sample = handle.read(PREVIEW_BYTES)
    lines = sample.splitlines()[: rows + 1]
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    return [row for row in csv.reader(lines, delimiter=delimiter)]


def dataset_preview(dataset: Dataset, rows: int = PREVIEW_ROWS) -> list[list[str]]:
    """Header and first rows of a loaded data set (features then target)."""
    header = list(dataset.feature_names) + [dataset.target_name or "y"]
    y = dataset.y.reshape(dataset.n_samples, -1)
    body = [[f"{v:g}" for v in x] + [" ".join(_target_text(dataset, t) for t in ys)]
            for x, ys in zip(dataset.X[:rows], y[:rows])]
    return [header] + body


def _target_text(dataset: Dataset, value: Any) -> str:
    if dataset.task == "classification":
        return dataset.class_names[int(value)]
    return f"{float(value):g}"


def describe(dataset: Dataset) -> str:
    what = (f"classification into {len(dataset.class_names)} classes ({', '.join(dataset.class_names[:8])}"
            f"{', …' if len(dataset.class_names) > 8 else ''})" if dataset.task == "classification"
            else f"regression of {dataset.n_outputs} value(s)")
    notes = "".join(f"\nNote: {note}" for note in dataset.notes)
    return f"{dataset.n_samples} samples, {dataset.n_features} features; task: {what}.{notes}"


class PreviewModel(QAbstractTableModel):
    """The preview's text cells, read-only, with the target column and the columns left out marked
    in their headers (those columns' cells greyed). A model over the lists costs nothing per cell,
    where a QTableWidget item per cell took 40-50 ms for a 785-column file."""

    def __init__(self, rows: list[list[str]], parent: QObject | None = None):
        super().__init__(parent)
        self.header, self.body = (rows[0], rows[1:]) if rows else ([], [])
        self.marks: dict[int, str] = {}     # column -> "target" or "left out"
        self.tip = ""                        # the headers' tooltip

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.body)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.header)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            cells = self.body[index.row()]
            return cells[index.column()] if index.column() < len(cells) else None   # a short row
        if role == Qt.ItemDataRole.ForegroundRole and self.marks.get(index.column()) == LEFT_OUT:
            return QApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        if role == Qt.ItemDataRole.DisplayRole:
            mark = self.marks.get(section)
            return self.header[section] + (f" ({mark})" if mark else "")
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tip or None
        return None

    def mark(self, marks: dict[int, str]) -> list[int]:
        """Show these marks (beyond the preview's columns: ignored); returns the columns whose header
        changed (their width may have to)."""
        marks = {c: mark for c, mark in marks.items() if c < len(self.header)}
        changed = sorted(c for c in set(marks) | set(self.marks) if marks.get(c) != self.marks.get(c))
        self.marks = marks
        for column in changed:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, column, column)
            self.dataChanged.emit(self.index(0, column), self.index(max(0, len(self.body) - 1), column))
        return changed


def fit_columns(table: QTableView, model: PreviewModel, columns: Sequence[int] | None = None) -> None:
    """Every column (or these) as wide as its header and cells (no cut "sepal_length_cm"): the
    header's own size hint, and the cells' texts measured with the font plus the margin Qt gives
    the first column's. `resizeColumnsToContents` would ask the model for every role of every
    cell: 0.2 s for 785 columns."""
    if not model.header:
        return
    header, advance = table.horizontalHeader(), QFontMetricsF(table.font()).horizontalAdvance
    measured: dict[str, float] = {}     # cells repeat (pixel values, classes): measure each text once

    def widest(column: int) -> int:     # rounded up, as Qt lays out text
        texts = {cells[column] for cells in model.body if column < len(cells)}
        return math.ceil(max((measured[text] if text in measured else measured.setdefault(text, advance(text))
                              for text in texts), default=0.0))

    margin = table.sizeHintForColumn(0) - widest(0) if model.body else 0
    for column in range(len(model.header)) if columns is None else columns:
        header.resizeSection(column, max(header.sectionSizeHint(column), widest(column) + margin))


class ImportDialog(QDialog):
    """Preview a file, pick the target column and the task, and leave columns out of the features
    (a click on a column's header: an ID or a name would be noise, or too many categories to
    encode); OK gives the data settings to apply."""

    def __init__(self, opened: Opened, parent: QWidget | None = None):
        super().__init__(parent)
        path = opened.source.path
        self.setWindowTitle(f"Import {Path(path).name}")
        self.path = path
        self.source = opened.source
        self.dataset: Dataset | None = opened.dataset
        self.is_csv = opened.source.table is not None
        self.preview = PreviewModel(csv_preview(path) if self.is_csv else dataset_preview(opened.source.archive),
                                    self)
        self.left_out: set[int] = set()     # columns of the file's header, by index
        self.table = QTableView()
        self.table.setModel(self.preview)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)   # a header click marks
        compact_rows(self.table)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)  # the last column takes the rest
        self.target_box = QComboBox()
        if self.is_csv:                     # the names as the reader has them (spaces stripped)
            names = opened.source.table.header
            self.target_box.addItems(names)
            self.target_box.setCurrentIndex(len(names) - 1)
            self.preview.tip = "Click to leave this column out of the features (an ID, a name), or to use it again"
            header.sectionClicked.connect(self._on_header_clicked)
        else:
            self.target_box.addItem("y (the archive's y array)")
            self.target_box.setEnabled(False)
        self.task_box = QComboBox()
        for task in (AUTOMATIC, "classification", "regression"):
            self.task_box.addItem(task)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Target column", self.target_box)
        form.addRow("Task", self.task_box)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"First rows of {path}" + (
            ". Click a column's header to leave it out of the features, or to use it again:" if self.is_csv else ":")))
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.result_label)
        layout.addWidget(self.buttons)
        self.resize(760, 520)
        self.preview.mark(self._marks())
        fit_columns(self.table, self.preview)
        self._show_outcome(opened.problem)
        self.target_box.currentIndexChanged.connect(self._on_choice_changed)
        self.task_box.currentIndexChanged.connect(self._on_choice_changed)

    def target(self) -> str | None:
        return self.target_box.currentText() if self.is_csv else None

    def task(self) -> str | None:
        text = self.task_box.currentText()
        return None if text == AUTOMATIC else text

    def excluded(self) -> tuple[str, ...]:
        """The columns left out, in the file's order."""
        names = self.source.table.header if self.is_csv else []
        return tuple(names[c] for c in sorted(self.left_out))

    def data_changes(self) -> dict[str, Any]:
        """The config edit this import makes."""
        return {"data.path": self.path, "data.target": self.target(), "data.task": self.task(),
                "data.exclude": self.excluded(), "data.samples": None}

    @Slot(int)
    def _on_header_clicked(self, column: int) -> None:
        if column >= len(self.source.table.header) or column == self.target_box.currentIndex():
            return                          # the target is never a feature
        self.left_out ^= {column}
        self._on_choice_changed()

    @Slot()
    def _on_choice_changed(self) -> None:
        """The data set of the new choice, made from the cells read already (not the file)."""
        problem = ""
        if self.is_csv:
            self.left_out.discard(self.target_box.currentIndex())      # a new target is used again
            fit_columns(self.table, self.preview, self.preview.mark(self._marks()))
        try:
            self.dataset = None
            self.dataset = wait_for(self, f"Reading the columns of {Path(self.path).name}…",
                                    self.source.dataset, self.target(), self.task(), self.excluded())
        except (DataError, OSError) as err:
            problem = str(err)
        except Cancelled:
            problem = "cancelled; choose again to try this target and task"
        self._show_outcome(problem)

    def _marks(self) -> dict[int, str]:
        marks = {c: LEFT_OUT for c in self.left_out}
        if self.is_csv:
            marks[self.target_box.currentIndex()] = TARGET
        return marks

    def _show_outcome(self, problem: str) -> None:
        self.result_label.setText(describe(self.dataset) if self.dataset is not None
                                  else f"Cannot use this choice: {problem}")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.dataset is not None)

