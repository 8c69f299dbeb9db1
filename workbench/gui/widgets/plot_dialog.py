"""The shape shared by the dialogs that compute something in the background and plot it (the
learning-rate range test, feature importance, the learning curve): an explanation, a row of
settings ending in Run, the plot, a line on the outcome, and the buttons; and how they compute."""
from __future__ import annotations

import threading
from typing import Any, Callable

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout,
                               QWidget)

from workbench.gui.background import Cancelled, Progress, wait_for
from workbench.gui.widgets.view_base import style_canvas

PLOT_SIZE = (560, 340)     # the smallest plot that still reads


class PlotDialog(QDialog):
    """Subclasses add their settings (`add_settings`), build their items on `plot_widget`, and
    implement `run`, which the Run button calls; `outcome_label` takes the advice or summary."""

    def __init__(self, title: str, explanation: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        text = QLabel(explanation)
        text.setWordWrap(True)
        self.run_button = QPushButton("Run")
        self.run_button.clicked.connect(self.run)
        self.settings = QHBoxLayout()
        self.plot_widget = pg.PlotWidget()
        self.plot_widget.setMinimumSize(*PLOT_SIZE)
        style_canvas(self.plot_widget, self)
        self.outcome_label = QLabel()
        self.outcome_label.setWordWrap(True)
        self.outcome_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(self.settings)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.outcome_label)
        layout.addWidget(self.buttons)

    def add_settings(self, *pairs: tuple[str, QWidget], widen_last: bool = False) -> None:
        """Each (label, control) in a row, then Run at the right; `widen_last` lets the last
        control take the spare width (a text field), else the row keeps it between them and Run."""
        for index, (text, widget) in enumerate(pairs):
            self.settings.addWidget(QLabel(text))
            self.settings.addWidget(widget, 1 if widen_last and index == len(pairs) - 1 else 0)
        if not widen_last:
            self.settings.addStretch(1)
        self.settings.addWidget(self.run_button)

    def compute(self, text: str, function: Callable[..., Any], *args: Any,
                failure: str = "Cannot run", reports_progress: bool = False) -> Any | None:
        """`function(*args, stop=event)` off the GUI thread, with progress and a Cancel that sets
        the event (the work ends early); None when cancelled, or when it raised ValueError or
        OSError (settings a run cannot take, data that cannot be read), which the outcome line
        then states: "Cannot run: …". With `reports_progress`, the function also takes
        `on_progress` (a core ProgressCallback), and the progress bar fills as it reports."""
        stop = threading.Event()
        progress = Progress() if reports_progress else None
        extra = {"on_progress": progress.report} if progress is not None else {}
        try:
            return wait_for(self, text, function, *args, stop=stop, on_cancel=stop.set,
                            progress=progress, **extra)
        except Cancelled:
            return None
        except (ValueError, OSError) as err:
            self.outcome_label.setText(f"{failure}: {str(err).rstrip('.')}.")
            return None

    def run(self) -> bool:
        """Compute with the settings shown and draw the result; False when nothing was drawn."""
        raise NotImplementedError
