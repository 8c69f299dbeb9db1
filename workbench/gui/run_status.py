"""The status bar's account of a run: state, epoch, progress, speed, time left, convergence."""
from __future__ import annotations

import math
from collections import deque
from typing import Any, Iterable

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

from workbench.core.convergence import Convergence
from workbench.core.history import EpochReport
from workbench.core.durations import format_duration

ETA_EPOCHS = 20             # the ETA extrapolates the mean of this many recent epochs
STATUS_TEXT = {"running": "training", "completed": "done", "early_stopped": "done (early stop)",
               "diverged": "diverged", "stopped": "stopped", "new": "idle"}
MESSAGE_MS = 15_000         # how long a run's closing message stays


class StatusField(QLabel):
    """A status-bar item with a separator line on its left; it takes no room while it is empty."""

    def __init__(self, text: str = "", first: bool = False):
        super().__init__()
        self.setStyleSheet("QLabel { padding: 0 6px; }" if first else
                           "QLabel { padding: 0 6px; border-left: 1px solid palette(mid); }")
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming
        super().setText(text)
        self.setVisible(bool(text))


class RunStatus:
    """The permanent items of the window's status bar, and what they show of a run."""

    def __init__(self, bar: QStatusBar):
        self._bar = bar
        self.state = StatusField("idle", first=True)
        self.epoch = StatusField()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(False)
        self.speed = StatusField()
        self.eta = StatusField()
        self.convergence = StatusField()
        for widget in (self.state, self.epoch, self.progress, self.speed, self.eta, self.convergence):
            bar.addPermanentWidget(widget)
        self._epoch_times: deque[float] = deque(maxlen=ETA_EPOCHS)
        self._converged: Convergence | None = None
        self._epochs_done = 0

    def start_run(self) -> None:
        self._epoch_times.clear()
        self._bar.clearMessage()             # the last run's outcome is no longer news

    def add_epoch_times(self, reports: Iterable[EpochReport]) -> None:
        self._epoch_times.extend(report.seconds for report in reports if report.seconds > 0)

    def show_report(self, report: EpochReport, running_state: str | None) -> None:
        """Where a run is; `running_state` is what the runner says while it goes (None: it has ended)."""
        self.state.setText(STATUS_TEXT.get(report.status, report.status)
                           if report.finished or running_state is None else running_state)
        self.show_epochs(report.epoch, report.total_epochs)
        if report.samples_per_second > 0 and math.isfinite(report.samples_per_second):
            self.speed.setText(f"{report.samples_per_second:,.0f} samples/s")
        recent = self._epoch_times
        remaining = report.total_epochs - report.epoch
        if recent and remaining > 0 and not report.finished:
            self.eta.setText(f"ETA {format_duration(remaining * sum(recent) / len(recent))}")
        else:
            self.eta.setText("")
        if report.finished and report.message:
            # the first clause fits beside the permanent items; the whole message is the tooltip
            self._bar.showMessage(report.message.split("; ")[0], MESSAGE_MS)
            self._bar.setToolTip(report.message)

    def show_idle(self, experiment: Any) -> None:
        """A session no run is training: its status and the epochs trained so far."""
        self.state.setText(STATUS_TEXT.get(experiment.status, experiment.status))
        self.show_epochs(experiment.epochs_trained, experiment.config.training.epochs)
        self.speed.setText("")
        self.eta.setText("")

    def show_convergence(self, found: Convergence | None) -> None:
        self._converged = found
        self._show_convergence()

    def show_epochs(self, done: int, total: int) -> None:
        """Epochs trained of those planned (also when an edit of the epochs changes the plan)."""
        self.epoch.setText(f"epoch {done}/{total}")
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        self._epochs_done = done
        self._show_convergence()

    def _show_convergence(self) -> None:
        """Where the run converged; nothing before its first epoch (it has not begun to)."""
        found, done = self._converged, self._epochs_done
        if not done:
            self.convergence.setText("")
        elif found and found.epoch <= done:      # (a later epoch: the last run's, until the plot redraws)
            self.convergence.setText(f"converged at epoch {found.epoch} ({format_duration(found.seconds)})")
        else:
            self.convergence.setText("not converged yet")
