"""The search-space editor of the Tuning panel: tick a hyperparameter, then give a range or choices.

One row per hyperparameter of `HYPERPARAMETERS`. Unticked rows keep the current configuration's
value. The proposals filled in when the base configuration changes are centred on its values; a
row the person ticked or edited keeps what they gave (a configuration change must not undo it).
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from PySide6.QtWidgets import (QCheckBox, QComboBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit,
                               QSizePolicy, QWidget)

from workbench.core.config import Config
from workbench.core.search_space import HYPERPARAMETERS, SpaceError

RANGE, CHOICES = "range", "choices"


def _units(config: Config) -> int:
    return config.layers[0].units if config.layers else 8


def _lr_range(lr: float) -> dict[str, Any]:
    """A decade either side of `lr`, capped at 1 above unless `lr` itself is at least 1: the range
    always holds `lr` and low < high (a cap below `lr` would give low > high for lr >= 10)."""
    return {"low": lr / 10, "high": min(lr * 10, max(1.0, lr)), "log": True}


# name -> proposal built from the current configuration (a range dict or a list of choices)
PROPOSALS: dict[str, Callable[[Config], Any]] = {
    "hidden_layers": lambda c: [1, 2, 3],
    "units": lambda c: {"low": max(1, _units(c) // 4), "high": max(2, _units(c) * 4), "log": True},
    "activation": lambda c: ["relu", "tanh"],
    "init": lambda c: ["he", "xavier"],
    "dropout": lambda c: {"low": 0.0, "high": 0.5},
    "lr": lambda c: _lr_range(c.optimizer.lr),
    "optimizer": lambda c: ["adam", "sgd", "momentum"],
    "momentum": lambda c: {"low": 0.5, "high": 0.99},
    "batch_size": lambda c: [16, 32, 64],
    "epochs": lambda c: [max(1, c.training.epochs // 2), c.training.epochs, c.training.epochs * 2],
    "l1": lambda c: {"low": 1e-6, "high": 1e-2, "log": True},
    "l2": lambda c: {"low": 1e-6, "high": 1e-2, "log": True},
    "class_weight": lambda c: ["none", "balanced"],
}


def _number_text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _parse_number(text: str, kind: type, name: str) -> int | float:
    try:
        return kind(text) if kind is int else float(text)
    except ValueError:
        raise SpaceError(f"{name}: {text!r} is not {'a whole number' if kind is int else 'a number'}") from None


class SpaceRow:
    """The editors of one hyperparameter: tick, mode, then low/high/log or a comma-separated list.

    `touched` is set when the person ticks the row, changes its mode or types in it (user-only
    signals: `clicked`, `activated`, `textEdited`), so a new proposal never overwrites their work.
    """

    def __init__(self, name: str, grid: QGridLayout, row: int):
        self.name = name
        self.kind = HYPERPARAMETERS[name].kind
        self.numeric = self.kind in (int, float)
        self.touched = False
        self.tick = QCheckBox(name)
        self.tick.setToolTip(HYPERPARAMETERS[name].description)
        self.mode = QComboBox()
        self.mode.addItems([RANGE, CHOICES] if self.numeric else [CHOICES])
        self.mode.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.low, self.high = QLineEdit(), QLineEdit()
        for edit, text in ((self.low, "low"), (self.high, "high")):
            edit.setPlaceholderText(text)
            edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("0.00001") + 12)
        self.log = QCheckBox("log")
        self.log.setToolTip("sample on a log scale (for rates and penalties spanning decades)")
        self.choices = QLineEdit()
        self.choices.setPlaceholderText("comma-separated, e.g. 8, 16, 32" if self.numeric else "relu, tanh")
        self.choices.setMinimumWidth(self.choices.fontMetrics().horizontalAdvance("adam, sgd, momentum") + 12)
        # a range and a list are never shown together: they share one cell, so neither is squeezed
        values = QWidget()
        values.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        line = QHBoxLayout(values)
        line.setContentsMargins(0, 0, 0, 0)
        for widget in (self.low, self.high):
            line.addWidget(widget, 1)
        line.addWidget(self.log)
        line.addWidget(self.choices, 2)
        self.values = values
        grid.addWidget(self.tick, row, 0)
        grid.addWidget(self.mode, row, 1)
        grid.addWidget(values, row, 2)
        self.mode.currentTextChanged.connect(self._show_mode)
        self.tick.toggled.connect(self._show_mode)
        self.tick.clicked.connect(self._on_touched)
        self.mode.activated.connect(self._on_touched)
        self.log.clicked.connect(self._on_touched)
        for edit in (self.low, self.high, self.choices):
            edit.textEdited.connect(self._on_touched)
        self._show_mode()

    def _on_touched(self, *_args: Any) -> None:
        self.touched = True

    @property
    def kept(self) -> bool:
        """The person's own row: ticked, or edited (a new base configuration leaves it alone)."""
        return self.touched or self.tick.isChecked()

    def _show_mode(self) -> None:
        ranged = self.mode.currentText() == RANGE
        enabled = self.tick.isChecked()
        for widget in (self.low, self.high, self.log):
            widget.setVisible(ranged)
            widget.setEnabled(enabled)
        self.choices.setVisible(not ranged)
        self.choices.setEnabled(enabled)
        self.mode.setEnabled(enabled and self.numeric)

    def set_spec(self, spec: Any) -> None:
        """Fill the editors from a JSON spec (range dict, list of choices or a single value)."""
        if isinstance(spec, Mapping):
            self.mode.setCurrentText(RANGE)
            self.low.setText(_number_text(spec["low"]))
            self.high.setText(_number_text(spec["high"]))
            self.log.setChecked(bool(spec.get("log", False)))
        else:
            self.mode.setCurrentText(CHOICES)
            values = spec if isinstance(spec, list) else [spec]
            self.choices.setText(", ".join(_number_text(v) for v in values))
        self._show_mode()

    def spec(self) -> Any:
        """The JSON spec the editors describe; SpaceError naming the hyperparameter if unreadable."""
        if self.mode.currentText() == RANGE:
            low = _parse_number(self.low.text().strip(), self.kind, self.name)
            high = _parse_number(self.high.text().strip(), self.kind, self.name)
            return {"low": low, "high": high, "log": self.log.isChecked()}
        parts = [p.strip() for p in self.choices.text().split(",") if p.strip()]
        if not parts:
            raise SpaceError(f"{self.name}: give at least one choice")
        return [_parse_number(p, self.kind, self.name) if self.numeric else p for p in parts]


class SearchSpaceEditor(QWidget):
    """Edits the JSON search space; `space_dict()` gives it for `SearchSpace.from_dict`."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 4, 0)
        grid.setVerticalSpacing(2)
        for column, title in enumerate(("tune", "as", "range (low, high) or choices")):
            grid.addWidget(QLabel(f"<b>{title}</b>"), 0, column)
        self.rows = {name: SpaceRow(name, grid, i + 1)
                     for i, name in enumerate(HYPERPARAMETERS)}
        grid.setColumnStretch(2, 1)
        grid.setRowStretch(len(self.rows) + 1, 1)
        self._config: Config | None = None

    def set_base(self, config: Config) -> None:
        """Propose ranges around the configuration's values, in the rows the person left alone."""
        self._config = config
        for name, row in self.rows.items():
            if not row.kept:
                row.set_spec(PROPOSALS[name](config))

    def reset(self, config: Config | None = None) -> None:
        """Forget the person's rows: all unticked, untouched, and proposed afresh (a new session)."""
        for row in self.rows.values():
            row.tick.setChecked(False)
            row.touched = False
        if config is not None or self._config is not None:
            self.set_base(config or self._config)

    def set_space(self, space: Mapping[str, Any]) -> None:
        """Tick and fill the rows of a saved space (they count as the person's); the other rows are
        unticked and proposed from the base configuration."""
        for name, row in self.rows.items():
            row.tick.setChecked(name in space)
            row.touched = name in space
            if name in space:
                row.set_spec(space[name])
            elif self._config is not None:
                row.set_spec(PROPOSALS[name](self._config))

    def space_dict(self) -> dict[str, Any]:
        return {name: row.spec() for name, row in self.rows.items() if row.tick.isChecked()}
