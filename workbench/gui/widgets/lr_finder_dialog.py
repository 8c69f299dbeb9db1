"""Find a learning rate: the range test of core/lr_finder.py, run in the background and drawn as
loss against learning rate (log axis), with the suggested rate marked and one button to use it.

The sweep trains a fresh copy of the network (the session is not touched); it runs through
`wait_for`, so the window keeps painting and a long sweep shows a progress dialog with Cancel.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QDialogButtonBox, QSpinBox, QWidget

from workbench.core.config import Config
from workbench.core.lr_finder import (DEFAULT_MAX_LR, DEFAULT_MIN_LR, DEFAULT_STEPS, MAX_STEPS, LRSweep,
                                      find_learning_rate, sweep_rates)
from workbench.gui.widgets.exact_spin_box import ScientificSpinBox
from workbench.gui.widgets.plot_dialog import PlotDialog
from workbench.gui.widgets.view_base import TRAIN_COLOR, VAL_COLOR, faded, label_axis, style_plot, text_color

RAW_ALPHA = 90             # the batch losses, faint behind their smoothed curve
CURRENT_COLOR = "#7f7f7f"
EXPLANATION = ("Trains a fresh copy of the network for a few mini-batches while the learning rate "
               "grows from the first value to the last, and watches the loss. Where it falls fastest "
               "the rate is useful; where it turns upwards the rate is too high. The session itself "
               "is not trained.")


class LearningRateFinderDialog(PlotDialog):
    """The sweep's settings, its plot and advice; `chosen_lr` is set when the person takes a rate."""

    def __init__(self, experiment: Any, config: Config, parent: QWidget | None = None):
        super().__init__("Find a learning rate", EXPLANATION, parent)
        self._experiment, self._config = experiment, config
        self.sweep: LRSweep | None = None
        self.chosen_lr: float | None = None
        # a suggestion is a tenth of a rate tried above the first: with these bounds it falls
        # within the learning-rate control's range (1e-6 to 10)
        self.min_spin = ScientificSpinBox(1e-5, 10.0)
        self.min_spin.setValue(DEFAULT_MIN_LR)
        self.max_spin = ScientificSpinBox(1e-4, 100.0)
        self.max_spin.setValue(DEFAULT_MAX_LR)
        self.steps_spin = QSpinBox()
        self.steps_spin.setRange(5, MAX_STEPS)
        self.steps_spin.setValue(DEFAULT_STEPS)
        self.add_settings(("From", self.min_spin), ("to", self.max_spin), ("mini-batches", self.steps_spin))
        self._build_plot()
        self.use_button = self.buttons.addButton("Use the suggestion", QDialogButtonBox.ButtonRole.AcceptRole)
        self.use_button.setEnabled(False)
        self.buttons.accepted.connect(self._use_suggestion)

    def _build_plot(self) -> None:
        plot = self.plot_widget.getPlotItem()
        plot.setLogMode(x=True, y=False)
        plot.showGrid(x=True, y=True, alpha=0.15)
        plot.addLegend(offset=(10, -10))       # bottom left: the curve starts high and falls to the right
        self.raw_curve = plot.plot(pen=pg.mkPen(faded(TRAIN_COLOR, RAW_ALPHA), width=1), name="batch loss")
        self.smooth_curve = plot.plot(pen=pg.mkPen(TRAIN_COLOR, width=2), name="smoothed")
        self.current_line = pg.InfiniteLine(angle=90, pen=pg.mkPen(CURRENT_COLOR, width=1,
                                                                   style=Qt.PenStyle.DashLine))
        self.suggestion_line = pg.InfiniteLine(angle=90, pen=pg.mkPen(VAL_COLOR, width=2))
        for line in (self.current_line, self.suggestion_line):
            line.setVisible(False)
            plot.addItem(line, ignoreBounds=True)
        self.suggestion_label = pg.TextItem(color=VAL_COLOR, anchor=(0, 0))
        self.current_label = pg.TextItem(color=text_color(self), anchor=(0, 1))
        for label in (self.suggestion_label, self.current_label):
            label.setVisible(False)
            plot.addItem(label, ignoreBounds=True)
        label_axis(plot, "bottom", "learning rate", self)
        label_axis(plot, "left", "training loss", self)
        settings = self._config
        style_plot(plot, self, f"Loss against learning rate ({settings.optimizer.name}, "
                               f"batch {settings.training.batch_size})")

    @Slot()
    def run(self) -> bool:
        """Sweep with the settings shown; False when they are invalid or the sweep was cancelled."""
        low, high, steps = self.min_spin.value(), self.max_spin.value(), self.steps_spin.value()
        try:
            sweep_rates(low, high, steps)
        except ValueError as err:
            self.outcome_label.setText(f"Cannot run: {err}.")
            return False
        sweep = self.compute("Sweeping learning rates…", find_learning_rate, self._experiment, self._config,
                             low, high, steps)
        if sweep is None:
            return False
        self.show_sweep(sweep)
        return True

    def show_sweep(self, sweep: LRSweep) -> None:
        self.sweep = sweep
        self.raw_curve.setData(sweep.lrs, sweep.losses)
        self.smooth_curve.setData(sweep.lrs, sweep.smoothed)
        self._mark(self.current_line, self.current_label, self._config.optimizer.lr,
                   f"current {self._config.optimizer.lr:.3g}", sweep)
        self._mark(self.suggestion_line, self.suggestion_label, sweep.suggestion,
                   f"suggested {sweep.suggestion:.3g}" if sweep.suggestion else "", sweep)
        self._frame(sweep)
        ending = {"diverged": " The sweep ended where the loss ran away.",
                  "stopped": " The sweep was stopped."}.get(sweep.ended, "")
        self.outcome_label.setText(f"{sweep.advice()[0].upper()}{sweep.advice()[1:]}.{ending}")
        self.use_button.setEnabled(sweep.suggestion is not None)
        self.use_button.setText(f"Use {sweep.suggestion:.3g}" if sweep.suggestion else "Use the suggestion")

    def _mark(self, line: pg.InfiniteLine, label: pg.TextItem, lr: float | None, text: str,
              sweep: LRSweep) -> None:
        """A vertical line at `lr` (in the log axis' units), hidden when outside the rates tried."""
        shown = bool(lr is not None and len(sweep.lrs) > 0 and sweep.lrs[0] <= lr <= sweep.lrs[-1])
        line.setVisible(shown)
        label.setVisible(shown)
        if shown:
            line.setValue(math.log10(lr))
            label.setText(text)

    def _frame(self, sweep: LRSweep) -> None:
        """The rates tried across, a tick at each power of ten; the smoothed loss from just below
        its lowest to a little above its highest before it (the runaway end would squash the
        useful part); the labels at the top and bottom."""
        if not len(sweep.lrs):
            return
        plot = self.plot_widget.getPlotItem()
        first, last = math.log10(sweep.lrs[0]), math.log10(sweep.lrs[-1])
        plot.setXRange(first, last, padding=0.02)
        decades = range(math.ceil(first), math.floor(last) + 1)
        plot.getAxis("bottom").setTicks([[(d, f"{10.0 ** d:g}") for d in decades], []])
        lowest = int(np.argmin(sweep.smoothed))
        low, high = float(sweep.smoothed[lowest]), float(np.max(sweep.smoothed[:lowest + 1]))
        top = high + 0.15 * (high - low) if high > low else float(np.max(sweep.smoothed))
        bottom = low - 0.1 * max(top - low, 1e-6)
        plot.setYRange(bottom, top, padding=0)
        self.suggestion_label.setPos(self.suggestion_line.value(), top)
        self.current_label.setPos(self.current_line.value(), bottom)

    @Slot()
    def _use_suggestion(self) -> None:
        if self.sweep is not None and self.sweep.suggestion is not None:
            self.chosen_lr = float(f"{self.sweep.suggestion:.3g}")
            self.accept()
