"""Feature importance: core/importance.py's permutation importance of the current weights, computed
in the background and drawn as horizontal bars (the fall in accuracy or R² when each feature is
shuffled, with its spread over the shuffles), the most important at the top.

The session is not changed. Wide data shows its `SHOWN_FEATURES` most important features; the
`workbench importance` command lists them all.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Slot
from PySide6.QtWidgets import QComboBox, QSpinBox, QWidget

from workbench.core.importance import (DEFAULT_REPEATS, MAX_REPEATS, SPLITS, FeatureImportance,
                                       permutation_importance)
from workbench.core.metrics import METRIC_LABELS
from workbench.gui.widgets.plot_dialog import PlotDialog
from workbench.gui.widgets.view_base import TRAIN_COLOR, label_axis, style_plot, text_color

SHOWN_FEATURES = 20
BAR_HEIGHT = 0.6
EXPLANATION = ("Shuffles one feature's values among the rows, keeping the others, and measures how "
               "far the score falls: the model relies most on the features whose shuffling costs "
               "most. A feature near zero is one the model does without; two features that carry the "
               "same information share the credit. The session is not changed.")


class FeatureImportanceDialog(PlotDialog):
    """The rows and shuffles to use, the bar chart, and a line on what was measured."""

    def __init__(self, experiment: Any, parent: QWidget | None = None):
        super().__init__("Feature importance", EXPLANATION, parent)
        self._experiment = experiment
        self.importance: FeatureImportance | None = None
        self.split_box = QComboBox()
        data = experiment.data
        for split in ("val", "train"):             # the test split is looked at once, at the end
            if getattr(data, f"X_{split}").shape[0]:
                self.split_box.addItem(f"{SPLITS[split]} rows", split)
        self.repeats_spin = QSpinBox()
        self.repeats_spin.setRange(1, MAX_REPEATS)
        self.repeats_spin.setValue(DEFAULT_REPEATS)
        self.repeats_spin.setToolTip("Each feature is shuffled this many times; more shuffles give "
                                     "a steadier mean and a truer spread, and take longer")
        self.add_settings(("Shuffle on the", self.split_box), ("shuffles per feature", self.repeats_spin))
        self._build_plot()

    def _build_plot(self) -> None:
        plot = self.plot_widget.getPlotItem()
        plot.showGrid(x=True, y=False, alpha=0.15)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        self.bars = pg.BarGraphItem(x0=[], y=[], width=[], height=BAR_HEIGHT, brush=TRAIN_COLOR, pen=None)
        self.spread = pg.ErrorBarItem(x=np.zeros(0), y=np.zeros(0), pen=pg.mkPen(text_color(self), width=1))
        self.zero_line = pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen(text_color(self), width=1))
        for item in (self.bars, self.spread, self.zero_line):
            plot.addItem(item)
        style_plot(plot, self, "Feature importance")

    @Slot()
    def run(self) -> bool:
        """Compute with the settings shown; False when cancelled or there are no rows to shuffle."""
        split = self.split_box.currentData()
        if split is None:
            self.outcome_label.setText("This data has neither validation nor training rows to shuffle.")
            return False
        result = self.compute("Shuffling features…", permutation_importance, self._experiment, split,
                              self.repeats_spin.value(), failure="Cannot measure")
        if result is None:
            return False
        self.show_result(result)
        return True

    def show_result(self, result: FeatureImportance) -> None:
        self.importance = result
        shown = result.ranked()[:SHOWN_FEATURES][::-1]          # the most important at the top
        y = np.arange(len(shown), dtype=float)
        mean, std = result.mean[shown], result.std[shown]
        self.bars.setOpts(x0=np.minimum(mean, 0), y=y, width=np.abs(mean), height=BAR_HEIGHT)
        self.spread.setData(x=mean, y=y, left=std, right=std, height=BAR_HEIGHT / 2)
        plot = self.plot_widget.getPlotItem()
        plot.getAxis("left").setTicks([[(float(i), result.names[k]) for i, k in zip(y, shown)]])
        low, high = float(np.min(mean - std, initial=0)), float(np.max(mean + std, initial=0))
        plot.setXRange(low, high if high > low else low + 1, padding=0.05)
        plot.setYRange(-0.6, len(shown) - 0.4, padding=0)
        label = METRIC_LABELS[result.metric_name]
        label_axis(plot, "bottom", f"fall in {SPLITS[result.split]} {label} when shuffled", self)
        weights = f"the weights of epoch {result.epoch}" if result.epoch else "the untrained network"
        more = (f" The {SHOWN_FEATURES} most important of {len(result.names)} features are shown; "
                f"workbench importance lists them all." if len(result.names) > SHOWN_FEATURES else "")
        self.outcome_label.setText(
            f"{SPLITS[result.split].capitalize()} {label} with nothing shuffled: {result.baseline:.4f}, "
            f"{weights}; {result.samples:,} rows, {result.repeats} shuffles per feature (the whisker "
            f"is one standard deviation).{more}")
