"""Accuracy (classification) or R² (regression) over epochs, for training and validation."""
from __future__ import annotations

from PySide6.QtWidgets import QWidget

from workbench.core.metrics import METRIC_LABELS, METRIC_NAMES
from workbench.gui.widgets.loss_plot import HistoryPlot
from workbench.gui.widgets.view_base import label_axis


class MetricPlotWidget(HistoryPlot):
    """The task's metric per epoch; higher is better (1 is perfect for both)."""

    def __init__(self, parent: QWidget | None = None):
        # the legend prefers the lower right: rising curves leave it free; both metrics are at most 1
        super().__init__("train_metric", "val_metric", METRIC_LABELS["accuracy"], "Accuracy",
                         (1, 1), ceiling=1.0, parent=parent)
        self._apply_palette()

    def set_task(self, task: str) -> None:
        """Name the axis and title after the task's metric: accuracy or R²."""
        name = METRIC_LABELS[METRIC_NAMES[task]]
        self._title = name[0].upper() + name[1:]
        label_axis(self.plot, "left", name, self)
        self._apply_palette()

    def metric_name(self) -> str:
        return self.plot.getAxis("left").labelText
