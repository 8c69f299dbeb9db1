"""Spin boxes that hold a hyperparameter exactly as the configuration has it.

A QDoubleSpinBox rounds the value it holds to its decimals: an L2 of 1e-06 from a JSON file showed
as 0.00000, and was 0 in the box, and a split of 0.125 showed as 0.13. These hold every digit (15
decimals), show the value in as few digits as it takes (0.125, 1e-06), and step by themselves:
by a fixed step, by one decade below the value (adaptive), or by decades (scientific).
"""
from __future__ import annotations

import math

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QWidget

SHOWN_DIGITS = 6           # significant digits shown; a value with more keeps them, the box rounds the text


class ExactSpinBox(QDoubleSpinBox):
    """`step` adds a fixed amount per arrow press; without one the step is adaptive (one decade
    below the value: 0.1 steps by 0.01), and `zero_step` from zero."""

    def __init__(self, lo: float, hi: float, step: float | None = None, zero_step: float = 1e-4,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setDecimals(15)
        self.setRange(lo, hi)
        self.setKeyboardTracking(False)
        self._step, self._zero_step = step, zero_step

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt naming
        return f"{value:.{SHOWN_DIGITS}g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt naming
        return float(text)

    def validate(self, text: str, pos: int) -> tuple:
        try:
            value = float(text)
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        state = (QValidator.State.Acceptable if self.minimum() <= value <= self.maximum()
                 else QValidator.State.Intermediate)
        return state, text, pos

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt naming
        value = self.value()
        if self._step is not None:
            unit = self._step
        else:
            unit = 10 ** (math.floor(math.log10(abs(value))) - 1) if value else self._zero_step
        self.setValue(float(f"{value + steps * unit:.10g}"))     # no float dust: 0.15, not 0.15000000000000002


class ScientificSpinBox(ExactSpinBox):
    """For values spread over decades (eps, a learning rate): 0.05 or 1e-08, arrows step by a
    quarter decade."""

    def __init__(self, lo: float, hi: float, parent: QWidget | None = None):
        super().__init__(lo, hi, parent=parent)

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt naming
        return f"{value:.4g}"

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt naming
        self.setValue(float(f"{self.value() * 10 ** (steps / 4):.3g}"))
