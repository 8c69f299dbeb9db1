"""The search-space editor of the Tuning panel: tick a hyperparameter, then give a range or choices.

One row per hyperparameter of `HYPERPARAMETERS`. Unticked rows keep the current configuration's
value. The proposals filled in when the base configuration changes are centred on its values.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QLineEdit, QWidget

from workbench.core.config import Config
from workbench.core.search_space import HYPERPARAMETERS, SpaceError

RANGE, CHOICES = "range", "choices"


def _units(config: Config) -> int:
    return config.layers[0].units if config.layers else 8


# name -> proposal built from the current configuration (a range dict or a list of choices)
PROPOSALS: dict[str, Callable[[Config], Any]] = {
    "hidden_layers": lambda c: [1, 2, 3],
    "units": lambda c: {"low": max(1, _units(c) // 4), "high": max(2, _units(c) * 4), "log": True},
    "activation": lambda c: ["relu", "tanh"],
    "init": lambda c: ["he", "xavier"],
    "dropout": lambda c: {"low": 0.0, "high": 0.5},
    "lr": lambda c: {"low": c.optimizer.lr / 10, "high": min(c.optimizer.lr * 10, 1.0), "log": True},
    "optimizer": lambda c: ["adam", "sgd", "momentum"],
    "momentum": lambda c: {"low": 0.5, "high": 0.99},
    "batch_size": lambda c: [16, 32, 64],
    "epochs": lambda c: [max(1, c.training.epochs // 2), c.training.epochs, c.training.epochs * 2],
    "l1": lambda c: {"low": 1e-6, "high": 1e-2, "log": True},
    "l2": lambda c: {"low": 1e-6, "high": 1e-2, "log": True},
}


def _number_text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _parse_number(text: str, kind: type, name: str) -> int | float:
    try:
        return kind(text) if kind is int else float(text)
    except ValueError:
        raise SpaceError(f"{name}: {text!r} is not {'a whole number' if kind is int else 'a number'}") from None


class SpaceRow:
    """The editors of one hyperparameter: tick, mode, low/high/log or a comma-separated list."""

    def __init__(self, name: str, grid: QGridLayout, row: int):
        self.name = name
        self.kind = HYPERPARAMETERS[name].kind
        self.numeric = self.kind in (int, float)
        self.tick = QCheckBox(name)
        self.tick.setToolTip(HYPERPARAMETERS[name].description)
        self.mode = QComboBox()
        self.mode.addItems([RANGE, CHOICES] if self.numeric else [CHOICES])
        self.low, self.high = QLineEdit(), QLineEdit()
        self.log = QCheckBox("log")
        self.choices = QLineEdit()
        self.choices.setPlaceholderText("comma-separated, e.g. 8, 16, 32" if self.numeric else "relu, tanh")
        for column, widget in enumerate((self.tick, self.mode, self.low, self.high, self.log, self.choices)):
            grid.addWidget(widget, row, column)
        self.mode.currentTextChanged.connect(self._show_mode)
        self.tick.toggled.connect(self._show_mode)
        self._show_mode()

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
        grid.setContentsMargins(0, 0, 0, 0)
        for column, title in enumerate(("tune", "as", "low", "high", "", "choices")):
            grid.addWidget(QLabel(f"<b>{title}</b>"), 0, column)
        self.rows = {name: SpaceRow(name, grid, i + 1)
                     for i, name in enumerate(HYPERPARAMETERS)}

    def set_base(self, config: Config) -> None:
        """Propose ranges around the configuration's values (ticks are kept)."""
        for name, row in self.rows.items():
            row.set_spec(PROPOSALS[name](config))

    def set_space(self, space: Mapping[str, Any]) -> None:
        """Tick and fill the rows of a saved space; other rows are unticked."""
        for name, row in self.rows.items():
            row.tick.setChecked(name in space)
            if name in space:
                row.set_spec(space[name])

    def space_dict(self) -> dict[str, Any]:
        return {name: row.spec() for name, row in self.rows.items() if row.tick.isChecked()}
