"""The architecture editor: hidden layers in a table (add, remove, reorder, edit), the output layer
following the task, and a live count of parameters per layer and in total with their memory."""
from __future__ import annotations

from functools import partial
from typing import Any, Callable

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDoubleSpinBox, QHBoxLayout,
                               QLabel, QPushButton, QSpinBox, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from workbench.core.config import (MAX_HIDDEN_LAYERS, MAX_UNITS, Config, LayerConfig,
                                   output_activation, registry_names)
from workbench.core.sizes import format_bytes
from workbench.gui.widgets.exact_spin_box import ExactSpinBox
from workbench.gui.widgets.tooltips import tooltip

COLUMNS = ("Layer", "Units", "Activation", "Dropout", "Init", "Params")
COLUMN_SAMPLES = ("dense_0", "8888", "sigmoid", "Dropout", "uniform", "8888")   # initial widths
UNITS, ACTIVATION, DROPOUT, INIT, PARAMETERS = 1, 2, 3, 4, 5


def layer_parameter_counts(config: Config, n_features: int, n_outputs: int) -> list[int]:
    """Learned values per layer (weights + biases), hidden layers first, then the output layer."""
    widths = [n_features] + [layer.units for layer in config.layers] + [n_outputs]
    return [fan_in * fan_out + fan_out for fan_in, fan_out in zip(widths[:-1], widths[1:])]


class ArchitectureEditor(QWidget):
    """Edits `config.layers`; emits the whole new layer list as one edit."""

    config_edited = Signal(object, str, str)     # {"layers": [...]}, undo text, merge key

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(40)
        for column, sample in enumerate(COLUMN_SAMPLES):   # compact, so the table fits a side dock
            extra = 26 if column in (ACTIVATION, INIT) else 12     # room for a combo box's arrow
            header.resizeSection(column, self.fontMetrics().horizontalAdvance(sample) + extra)
        header.setStretchLastSection(True)
        for column, key in ((UNITS, "layer.units"), (ACTIVATION, "layer.activation"),
                            (DROPOUT, "layer.dropout"), (INIT, "layer.init")):
            self.table.horizontalHeaderItem(column).setToolTip(tooltip(key))
        self.add_button = QPushButton("Add layer")
        self.remove_button = QPushButton("Remove")
        self.up_button = QPushButton("Move up")
        self.down_button = QPushButton("Move down")
        self.add_button.clicked.connect(self._on_add)
        self.remove_button.clicked.connect(self._on_remove)
        self.up_button.clicked.connect(partial(self._on_move, -1))
        self.down_button.clicked.connect(partial(self._on_move, 1))
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.total_label = QLabel()
        self.total_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.total_label)
        self._config = Config()
        self._shape = (2, 2, "classification")

    # --- showing -------------------------------------------------------------------------------------
    def set_config(self, config: Config, n_features: int, n_outputs: int, task: str) -> None:
        """Show the layers; widgets are rebuilt only when the number of layers changed (keeps focus)."""
        self._config, self._shape = config, (n_features, n_outputs, task)
        rows = len(config.layers) + 1
        if self.table.rowCount() != rows:
            self._rebuild(rows)
        for row, layer in enumerate(config.layers):
            self._show_layer(row, layer)
        self._show_output(rows - 1)
        self._show_counts()

    def _rebuild(self, rows: int) -> None:
        self.table.setRowCount(0)
        self.table.setRowCount(rows)
        for row in range(rows - 1):
            self.table.setItem(row, 0, _fixed_item(f"dense_{row}"))
            self.table.setCellWidget(row, UNITS, self._editor(row, "units", _units_box))
            self.table.setCellWidget(row, ACTIVATION, self._editor(row, "activation",
                                                                   partial(_names_box, "activation")))
            self.table.setCellWidget(row, DROPOUT, self._editor(row, "dropout", _dropout_box))
            self.table.setCellWidget(row, INIT, self._editor(row, "init", partial(_names_box, "init")))
        for column in range(len(COLUMNS)):
            self.table.setItem(rows - 1, column, _fixed_item(""))

    def _editor(self, row: int, key: str, make: Callable[[], QWidget]) -> QWidget:
        widget = make()
        widget.setToolTip(tooltip(f"layer.{key}"))
        signal = widget.currentIndexChanged if isinstance(widget, QComboBox) else widget.valueChanged
        signal.connect(partial(self._on_cell_edited, row, key))
        return widget

    def _show_layer(self, row: int, layer: LayerConfig) -> None:
        for column, value in ((UNITS, layer.units), (ACTIVATION, layer.activation),
                              (DROPOUT, layer.dropout), (INIT, layer.init)):
            widget = self.table.cellWidget(row, column)
            widget.blockSignals(True)
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(widget.findText(value))
            else:
                widget.setValue(value)
            widget.blockSignals(False)

    def _show_output(self, row: int) -> None:
        _, n_outputs, task = self._shape
        values = {0: f"dense_{row}", UNITS: str(n_outputs),
                  ACTIVATION: output_activation(task), DROPOUT: "-", INIT: "(output)"}
        for column, text in values.items():
            self.table.item(row, column).setText(text)
        self.table.item(row, 0).setToolTip("The output layer follows the task: one unit per class "
                                           "(softmax) or per target (linear).")
        self.table.item(row, INIT).setToolTip(f"Task: {task}")

    def _show_counts(self) -> None:
        n_features, n_outputs, _ = self._shape
        counts = layer_parameter_counts(self._config, n_features, n_outputs)
        for row, count in enumerate(counts):
            if self.table.item(row, PARAMETERS) is None:
                self.table.setItem(row, PARAMETERS, _fixed_item(""))
            self.table.item(row, PARAMETERS).setText(f"{count:,}")
        total = sum(counts)
        itemsize = np.dtype(self._config.training.dtype).itemsize
        hidden = len(self._config.layers)
        self.total_label.setText(
            f"{_count(n_features, 'input')} → {_count(hidden, 'hidden layer') if hidden else 'no hidden layer'}"
            f" → {_count(n_outputs, 'output')}. Total: {_count(total, 'parameter')}, "
            f"{format_bytes(total * itemsize)} ({self._config.training.dtype}).")
        self.remove_button.setEnabled(bool(self._config.layers))
        self.add_button.setEnabled(len(self._config.layers) < MAX_HIDDEN_LAYERS)

    # --- editing --------------------------------------------------------------------------------------
    def _layers(self) -> list[dict[str, Any]]:
        return [dict(units=l.units, activation=l.activation, dropout=l.dropout, init=l.init)
                for l in self._config.layers]

    def _emit(self, layers: list[dict[str, Any]], text: str, merge_key: str = "") -> None:
        self.config_edited.emit({"layers": layers}, text, merge_key)

    def _on_cell_edited(self, row: int, key: str, *_value: Any) -> None:
        widget = self.table.cellWidget(row, {"units": UNITS, "activation": ACTIVATION,
                                             "dropout": DROPOUT, "init": INIT}[key])
        layers = self._layers()
        layers[row][key] = widget.currentText() if isinstance(widget, QComboBox) else widget.value()
        self._emit(layers, f"Change {key} of dense_{row}", f"layers.{row}.{key}")

    def selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else None
        return row if row is not None and row < len(self._config.layers) else None

    def _on_add(self) -> None:
        layers = self._layers()
        row = self.selected_row()
        template = dict(layers[row if row is not None else -1]) if layers else dict(
            units=8, activation="relu", dropout=0.0, init="he")
        position = len(layers) if row is None else row + 1
        layers.insert(position, template)
        self._emit(layers, f"Add layer dense_{position}")

    def _on_remove(self) -> None:
        layers = self._layers()
        row = self.selected_row()
        row = len(layers) - 1 if row is None else row
        if row < 0:
            return
        del layers[row]
        self._emit(layers, f"Remove layer dense_{row}")

    def _on_move(self, offset: int) -> None:
        layers = self._layers()
        row = self.selected_row()
        if row is None or not 0 <= row + offset < len(layers):
            return
        layers[row], layers[row + offset] = layers[row + offset], layers[row]
        self._emit(layers, f"Move layer dense_{row}")
        self.table.selectRow(row + offset)


def _fixed_item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


def _units_box() -> QSpinBox:
    box = QSpinBox()
    box.setRange(1, MAX_UNITS)
    box.setKeyboardTracking(False)
    box.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)   # narrow; arrows keys and wheel step
    return box


def _dropout_box() -> QDoubleSpinBox:
    box = ExactSpinBox(0.0, 0.95, step=0.05)
    box.setButtonSymbols(QDoubleSpinBox.ButtonSymbols.NoButtons)
    return box


def _names_box(registry: str) -> QComboBox:
    box = QComboBox()
    box.addItems(registry_names(registry))
    return box


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
