"""Gradient flow: core/gradient_flow.py's root-mean-square weight gradient of every layer at each
replay snapshot, computed in the background and drawn on a log scale against the epoch, one line
per layer from the first (dark) to the output layer (bright), with what they say ("vanishing",
"exploding", "reaches every layer").

The session is not touched; a long computation shows a progress dialog with Cancel.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Slot
from PySide6.QtWidgets import QWidget

from workbench.core.gradient_flow import GradientFlow, gradient_flow
from workbench.gui.widgets.plot_dialog import PlotDialog
from workbench.gui.widgets.plot_legends import BandLegend
from workbench.gui.widgets.view_base import base_color, label_axis, set_title, style_plot

LAYER_COLORS = pg.colormap.get("viridis")     # dark: the first layer; bright: the output layer
# the part of the map that reads on the background: its darkest end vanishes on a dark palette,
# its brightest on a light one
LIGHT_RANGE, DARK_RANGE = (0.0, 0.8), (0.25, 1.0)
NAMED_LAYERS = 5                                # a deeper network names only its first and last layers
EXPLANATION = ("How large each layer's weight gradient was at every replay snapshot, from the "
               "initial weights on: the size of the steps that layer's weights can take. Lines that "
               "fall apart, the first layers' far below the output layer's, are vanishing gradients "
               "(deep sigmoid or tanh stacks): those layers hardly learn. The session itself is not "
               "changed.")


class GradientFlowDialog(PlotDialog):
    """A line per layer over the snapshots, and the advice."""

    def __init__(self, experiment: Any, parent: QWidget | None = None):
        super().__init__("Gradient flow", EXPLANATION, parent)
        self._experiment = experiment
        self.flow: GradientFlow | None = None
        self.lines: list[pg.PlotDataItem] = []
        self.add_settings()
        plot = self.plot_widget.getPlotItem()
        plot.showGrid(x=True, y=True, alpha=0.15)
        plot.setMouseEnabled(x=False, y=False)
        plot.setLogMode(y=True)
        self.legend = BandLegend(plot, columns=NAMED_LAYERS)
        label_axis(plot, "bottom", "epoch", self)
        label_axis(plot, "left", "gradient RMS (log scale)", self)
        style_plot(plot, self, "Gradient flow")
        self.legend.unbox()

    @Slot()
    def run(self) -> bool:
        """Measure every snapshot; False when there is nothing to measure or on Cancel."""
        flow = self.compute("Measuring the gradients…", gradient_flow, self._experiment)
        if flow is None:
            return False
        self.show_flow(flow)
        return True

    def show_flow(self, flow: GradientFlow) -> None:
        self.flow = flow
        plot = self.plot_widget.getPlotItem()
        for line in self.lines:
            plot.removeItem(line)
        self.legend.clear()
        count = len(flow.layers)
        named = set(range(count)) if count <= NAMED_LAYERS else {0, count - 2, count - 1}
        # zero (a dead layer) and NaN have no place on a log scale: the line breaks there
        shown = np.where(flow.rms > 0, flow.rms, np.nan)
        self.lines = []
        low, high = LIGHT_RANGE if base_color(self).lightness() > 127 else DARK_RANGE
        for k, layer in enumerate(flow.layers):
            color = LAYER_COLORS.map(low + (high - low) * k / max(count - 1, 1), mode="qcolor")
            line = plot.plot(flow.epochs.astype(np.float64), shown[:, k], pen=pg.mkPen(color, width=2),
                             connect="finite", symbol="o" if flow.epochs.size < 30 else None, symbolSize=5,
                             symbolBrush=color)
            if k in named:
                self.legend.addItem(line, f"{layer} (output)" if k == count - 1 else layer)
            self.lines.append(line)
        self.legend.unbox()
        set_title(plot, self, f"Gradient flow: {count} layers, {flow.epochs.size} snapshots")
        self.outcome_label.setText(flow.advice())
