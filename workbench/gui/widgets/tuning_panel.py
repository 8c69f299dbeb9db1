"""The Tuning panel: build a search space from the current configuration, run the search off the
GUI thread with Stop, follow the trials in a table and plots, and apply the best configuration.

The main window gives the current configuration and data set with `set_base`, shows a saved
search with `show_record`, stores the record that `record_changed` carries in the experiment, and
makes `apply_config` undoable.
"""
from __future__ import annotations

import os
import threading
from typing import Any

from PySide6.QtCore import QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import (QApplication, QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout,
                               QLabel, QProgressBar, QPushButton, QScrollArea, QSpinBox, QSplitter,
                               QTabWidget, QVBoxLayout, QWidget)

from workbench.core.config import Config
from workbench.core.data import Dataset
from workbench.core.search_space import SearchSpace, SpaceError
from workbench.core.tuning import (PRUNERS, SAMPLERS, TuningError, TuningSettings, best_config,
                                   best_trial, best_trial_number, describe_params, trial_counts)
from workbench.gui.widgets.tuning_plots import (ImportancePlot, OptimizationHistoryPlot,
                                                ParallelCoordinatesPlot)
from workbench.gui.widgets.tuning_space_editor import SearchSpaceEditor
from workbench.gui.widgets.tuning_table import TrialTable
from workbench.gui.widgets.tuning_workers import ImportanceWorker, TuningWorker, start_worker

REDRAW_MS = 200   # trials take seconds; redrawing the table and plots is not free


class TuningPanel(QWidget):
    """Search hyperparameters around the current configuration and apply the best one."""

    apply_config = Signal(object)      # the best Config
    record_changed = Signal(object)    # the tuning record of a search that finished (or stopped)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._base: Config | None = None
        self._dataset: Dataset | None = None
        self._record: dict[str, Any] | None = None
        self._trials: list[dict[str, Any]] = []
        self._space: dict[str, Any] = {}
        self._stop = threading.Event()
        self._thread: QThread | None = None
        self._importance_thread: QThread | None = None
        self._worker: TuningWorker | None = None              # kept alive while its thread runs
        self._importance_worker: ImportanceWorker | None = None
        self._build()
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # --- layout -------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.space_editor = SearchSpaceEditor()
        space_scroll = QScrollArea()
        space_scroll.setWidgetResizable(True)
        space_scroll.setWidget(self.space_editor)

        self.method = QComboBox()
        self.method.addItems(list(SAMPLERS))
        self.method.setCurrentText("bayes")
        self.method.setToolTip("grid: every combination; random: independent draws; "
                               "bayes: TPE, proposes near the best trials so far")
        self.folds = QSpinBox(minimum=0, maximum=20, value=0)
        self.folds.setToolTip("0 scores on the validation split; k ≥ 2 is the mean over k folds")
        self.trials = QSpinBox(minimum=1, maximum=100_000, value=20)
        self.timeout = QDoubleSpinBox(minimum=0, maximum=7 * 24 * 3600, value=0, decimals=0, suffix=" s")
        self.timeout.setSpecialValueText("no limit")
        self.jobs = QSpinBox(minimum=1, maximum=256, value=os.cpu_count() or 1)
        self.jobs.setToolTip("trials in parallel processes")
        self.pruner = QComboBox()
        self.pruner.addItems(list(PRUNERS))
        self.pruner.setToolTip("stop hopeless trials early from their per-epoch validation score")
        form = QFormLayout()
        for label, widget in (("Method", self.method), ("Folds", self.folds), ("Trials", self.trials),
                              ("Time budget", self.timeout), ("Jobs", self.jobs), ("Pruning", self.pruner)):
            form.addRow(label, widget)

        self.start_button = QPushButton("Start search")
        self.stop_button = QPushButton("Stop")
        self.apply_button = QPushButton("Apply best")
        self.apply_button.setToolTip("Make the best trial's hyperparameters the current ones")
        self.stop_button.setEnabled(False)
        self.apply_button.setEnabled(False)
        self.start_button.clicked.connect(self._on_start_clicked)
        self.stop_button.clicked.connect(self._on_stop_clicked)
        self.apply_button.clicked.connect(self._on_apply_clicked)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.stop_button, self.apply_button):
            buttons.addWidget(button)
        self.progress = QProgressBar()
        self.status = QLabel("Tick the hyperparameters to search, then Start.")
        self.status.setWordWrap(True)

        # the space list gets the dock's whole height; the search settings stand beside it
        settings = QVBoxLayout()
        settings.addLayout(form)
        settings.addLayout(buttons)
        settings.addWidget(self.progress)
        settings.addWidget(self.status)
        settings.addStretch(1)
        controls = QWidget()
        row = QHBoxLayout(controls)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(space_scroll, 3)
        row.addLayout(settings, 2)

        self.table = TrialTable()
        self.history_plot = OptimizationHistoryPlot()
        self.parallel_plot = ParallelCoordinatesPlot()
        self.importance_plot = ImportancePlot()
        self.views = QTabWidget()
        for widget, title in ((self.table, "Trials"), (self.history_plot, "History"),
                              (self.parallel_plot, "Parallel coordinates"),
                              (self.importance_plot, "Importance")):
            self.views.addTab(widget, title)

        splitter = QSplitter()
        splitter.addWidget(controls)
        splitter.addWidget(self.views)
        splitter.setStretchFactor(1, 1)
        QVBoxLayout(self).addWidget(splitter)

        self._redraw_timer = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._redraw_timer.timeout.connect(self._redraw)

    # --- inputs from the main window -----------------------------------------------------------------
    def set_base(self, config: Config, dataset: Dataset | None) -> None:
        """The configuration the search varies, and the data it is scored on."""
        self._base, self._dataset = config, dataset
        self.space_editor.set_base(config)
        self._update_buttons()

    def show_record(self, record: dict[str, Any]) -> None:
        """Show a saved search: its settings, space, trials and plots."""
        settings = record.get("settings", {})
        self.method.setCurrentText(settings.get("method", "bayes"))
        self.folds.setValue(int(settings.get("folds") or 0))
        self.pruner.setCurrentText(settings.get("pruner", "none"))
        self.space_editor.set_space(record.get("space", {}))
        self._record = record
        self._space = dict(record.get("space", {}))
        self._trials = list(record.get("trials", []))
        self.importance_plot.set_importances({})
        self._redraw()
        self._compute_importances(record)
        self.status.setText(self._summary())
        self._update_buttons()

    # --- running -------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None

    def settings(self) -> TuningSettings:
        """The search settings the controls describe (TuningError if they do not fit together)."""
        timeout = self.timeout.value() or None
        return TuningSettings(method=self.method.currentText(), trials=self.trials.value(),
                              timeout=timeout, folds=self.folds.value(), jobs=self.jobs.value(),
                              seed=self._base.training.seed if self._base else 0,
                              pruner=self.pruner.currentText())

    @Slot()
    def _on_start_clicked(self) -> None:
        if self.running or self._base is None or self._dataset is None:
            return
        try:
            space = SearchSpace.from_dict(self.space_editor.space_dict())
            space.validate(self._base)
            settings = self.settings()
        except (SpaceError, TuningError) as err:
            self.status.setText(f"Cannot start: {err}")
            return
        self._space, self._trials, self._record = space.to_dict(), [], None
        self.importance_plot.set_importances({})
        budget = space.grid_size() if settings.method == "grid" else settings.trials
        self.progress.setRange(0, min(budget, settings.trials or budget))
        self.progress.setValue(0)
        self._redraw()
        self._stop.clear()
        worker = TuningWorker(self._base, self._dataset, space, settings, self._stop)
        worker.trial_finished.connect(self._on_trial_finished)
        worker.search_finished.connect(self._on_search_finished)
        worker.search_failed.connect(self._on_search_failed)
        self._thread = start_worker(worker, ("search_finished", "search_failed"))
        self._thread.finished.connect(self._on_thread_finished)
        self._worker = worker
        self.status.setText(f"Searching with {settings.jobs} job(s)…")
        self._update_buttons()

    @Slot()
    def _on_stop_clicked(self) -> None:
        self._stop.set()
        self.status.setText("Stopping: abandoning the running trials…")

    @Slot(object)
    def _on_trial_finished(self, trial: dict[str, Any]) -> None:
        self._trials.append(trial)
        self.progress.setValue(min(self.progress.maximum(), self.progress.value() + 1))
        best = best_trial_number(self._trials)
        if best is not None:
            top = next(t for t in self._trials if t["number"] == best)
            self.status.setText(f"{len(self._trials)} trials; best #{best}: {top['score']:.4f} "
                                f"({describe_params(top['params'])})")
        if not self._redraw_timer.isActive():   # at most one redraw per interval, however fast trials finish
            self._redraw_timer.start()

    @Slot(object, object)
    def _on_search_finished(self, record: dict[str, Any], importances: dict[str, float]) -> None:
        self._record = record
        self._trials = list(record["trials"])
        self.importance_plot.set_importances(importances)
        self._redraw()
        self.status.setText(self._summary())
        self.record_changed.emit(record)

    @Slot(str)
    def _on_search_failed(self, message: str) -> None:
        self.status.setText(f"The search failed: {message}")

    @Slot()
    def _on_thread_finished(self) -> None:
        _join(self._thread)     # the OS thread may still be winding down after `finished`
        self._thread = None
        self._worker = None
        self._update_buttons()

    @Slot()
    def _on_apply_clicked(self) -> None:
        if self._record is None or self._base is None:
            return
        try:
            config = best_config(self._record, self._base)
        except (SpaceError, ValueError) as err:
            self.status.setText(f"Cannot apply the best trial here: {err}")
            return
        if config is not None:
            self.apply_config.emit(config)

    # --- importances of a saved record ----------------------------------------------------------------
    def _compute_importances(self, record: dict[str, Any]) -> None:
        if self._importance_thread is not None:
            return          # one at a time; the result is dropped if the record changed meanwhile
        worker = ImportanceWorker(record)
        worker.importances_ready.connect(self._on_importances_ready)
        self._importance_thread = start_worker(worker, ("importances_ready",))
        self._importance_thread.finished.connect(self._on_importance_thread_finished)
        self._importance_worker = worker

    @Slot(object, object)
    def _on_importances_ready(self, record: dict[str, Any], importances: dict[str, float]) -> None:
        if record is self._record:
            self.importance_plot.set_importances(importances)

    @Slot()
    def _on_importance_thread_finished(self) -> None:
        _join(self._importance_thread)
        self._importance_thread = None
        self._importance_worker = None

    # --- views ---------------------------------------------------------------------------------------
    @Slot()
    def _redraw(self) -> None:
        best = best_trial_number(self._trials)
        names = list(SearchSpace.from_dict(self._space).varying) if self._space else []
        self.table.set_trials(self._trials, names, best)
        self.history_plot.set_trials(self._trials)
        self.parallel_plot.set_trials(self._trials, self._space)

    def _summary(self) -> str:
        if self._record is None:
            return ""
        best = best_trial(self._record)
        counts = ", ".join(f"{n} {state}" for state, n in trial_counts(self._record).items() if n)
        if best is None:
            return f"No trial completed ({counts or 'no trials'})."
        spread = f" ± {best['score_std']:.4f}" if best["score_std"] is not None else ""
        return (f"Best: trial {best['number']}, {self._record['settings']['metric']} "
                f"{best['score']:.4f}{spread} ({describe_params(best['params'])}). Trials: {counts}.")

    def _update_buttons(self) -> None:
        self.start_button.setEnabled(not self.running and self._base is not None
                                     and self._dataset is not None)
        self.stop_button.setEnabled(self.running)
        self.apply_button.setEnabled(not self.running and self._record is not None
                                     and self._record.get("best_trial") is not None)

    # --- lifetime ------------------------------------------------------------------------------------
    @Slot()
    def shutdown(self) -> None:
        """Stop a running search and wait for the worker threads (call before closing the window)."""
        self._stop.set()
        for thread in (self._thread, self._importance_thread):
            if thread is not None:
                thread.quit()
                thread.wait()
        self._thread = self._importance_thread = None

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt naming
        self.shutdown()
        super().closeEvent(event)


def _join(thread: QThread | None) -> None:
    """Wait for a finished thread to end before its last reference goes (else Qt may crash)."""
    if thread is not None:
        thread.wait()
