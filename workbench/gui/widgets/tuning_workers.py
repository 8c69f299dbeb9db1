"""Off-GUI-thread work of the Tuning panel: the search itself, and hyperparameter importances.

Qt's worker-object pattern (DESIGN.md): a parentless QObject moved to a QThread; `started` runs
it, its last signal quits the thread, and `thread.finished` deletes both. Stop is a
`threading.Event` that the GUI thread sets directly (a queued slot would never run while the
search occupies the worker's thread).
"""
from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from workbench.core.config import Config
from workbench.core.data import Dataset
from workbench.core.search_space import SearchSpace
from workbench.core.tuning import TuningSettings, param_importances, run_search


class TuningWorker(QObject):
    """Runs one search; reports every finished trial, then the record and its importances.

    Every signal carries the search's number, so the panel drops what a search it has let go
    (a session replaced mid-search) still reports.
    """

    trial_finished = Signal(int, object)            # search number, one trial's record entry (a dict)
    search_finished = Signal(int, object, object)   # search number, the tuning record, {name: importance}
    search_failed = Signal(int, str)                # search number, a one-line message

    def __init__(self, base: Config, dataset: Dataset, space: SearchSpace, settings: TuningSettings,
                 stop: threading.Event, number: int = 0):
        super().__init__()
        self.base, self.dataset, self.space, self.settings = base, dataset, space, settings
        self.stop = stop
        self.number = number

    def _on_trial(self, trial: dict[str, Any]) -> None:
        self.trial_finished.emit(self.number, trial)

    @Slot()
    def run(self) -> None:
        try:
            record = run_search(self.base, self.dataset, self.space, self.settings,
                                on_trial=self._on_trial, stop=self.stop)
            importances = param_importances(record)
        except Exception as err:  # noqa: BLE001 - shown to the person as one line
            self.search_failed.emit(self.number, str(err) or type(err).__name__)
            return
        self.search_finished.emit(self.number, record, importances)


class ImportanceWorker(QObject):
    """Computes the importances of a saved record (PED-ANOVA takes a moment)."""

    importances_ready = Signal(object, object)   # the record it was computed for, {name: importance}

    def __init__(self, record: dict[str, Any]):
        super().__init__()
        self.record = record

    @Slot()
    def run(self) -> None:
        try:
            importances = param_importances(self.record)
        except Exception:  # noqa: BLE001 - no importances is a fine answer for an odd record
            importances = {}
        self.importances_ready.emit(self.record, importances)


def start_worker(worker: QObject, run_signal_names: tuple[str, ...]) -> QThread:
    """Move `worker` to a new thread and start it; the thread ends after any of the named signals.

    The caller deletes the thread (`deleteLater`) once it has waited for it: a deletion scheduled
    here, on `finished`, could run before the caller's own `finished` slot reached the thread
    (it did inside a dialog's nested event loop), which then touched a deleted QThread."""
    thread = QThread()
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    for name in run_signal_names:
        getattr(worker, name).connect(thread.quit)
    thread.finished.connect(worker.deleteLater)
    thread.start()
    return thread
