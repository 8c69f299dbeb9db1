"""The Tuning panel: build a search space from the current configuration, run the search off the
GUI thread with Stop, follow the trials in a table and plots, and apply the best configuration.

The main window gives the current configuration and data set with `set_base`, shows each session's
saved search with `show_session` (which clears the panel when the session is replaced), stores the
record that `record_changed` carries in the experiment, and makes `apply_config` undoable.

A search still running when the session is replaced is stopped, and what it still reports is
dropped (every worker signal carries its search's number): its record never reaches the new session.
"""
from __future__ import annotations

import os
import threading
from typing import Any

from PySide6.QtCore import QThread, QTimer, Qt, Signal, Slot
from PySide6.QtWidgets import (QApplication, QComboBox, QDockWidget, QDoubleSpinBox, QFormLayout,
                               QHBoxLayout, QLabel, QMainWindow, QProgressBar, QPushButton, QScrollArea,
                               QSizePolicy, QSpinBox, QSplitter, QTabWidget, QVBoxLayout, QWidget)

from workbench.core.config import Config
from workbench.core.data import Dataset
from workbench.core.search_space import SearchSpace, SpaceError
from workbench.core.tuning import (METRICS, PRUNERS, SAMPLERS, TuningError, TuningSettings, best_config,
                                   best_trial, best_trial_number, describe_params, trial_counts)
from workbench.gui.background import finish
from workbench.gui.widgets.tuning_plots import (ImportancePlot, OptimizationHistoryPlot,
                                                ParallelCoordinatesPlot)
from workbench.gui.widgets.tuning_space_editor import SearchSpaceEditor
from workbench.gui.widgets.tuning_table import TrialTable
from workbench.gui.widgets.tuning_workers import ImportanceWorker, TuningWorker, start_worker

REDRAW_MS = 200   # trials take seconds; redrawing the table and plots is not free
IDLE_TEXT = "Tick the hyperparameters to search, then Start."
# the core's message for an empty space speaks of JSON (the CLI's --space); here nothing is ticked
NOTHING_TICKED = "Cannot start: tick at least one hyperparameter to search (the list on the left)."
DEFAULTS = {"method": "bayes", "folds": 0, "trials": 20, "timeout": 0, "pruner": "none"}
MIN_DOCK_HEIGHT = 360       # the settings column, the Best line and ~10 trial rows in sight
MAX_DOCK_SHARE = 0.5        # ... but never more than half the window's height


def default_jobs() -> int:
    return os.cpu_count() or 1


class TuningPanel(QWidget):
    """Search hyperparameters around the current configuration and apply the best one."""

    apply_config = Signal(object)      # the best Config
    record_changed = Signal(object)    # the tuning record of a search that finished (or stopped)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._base: Config | None = None
        self._dataset: Dataset | None = None
        self._session: Any = None                      # whose search is shown (see show_session)
        self._record: dict[str, Any] | None = None
        self._trials: list[dict[str, Any]] = []
        self._space: dict[str, Any] = {}
        self._stop = threading.Event()
        self._search = 0                               # number of the search whose reports count
        self._thread: QThread | None = None
        self._importance_thread: QThread | None = None
        self._worker: TuningWorker | None = None              # kept alive while its thread runs
        self._importance_worker: ImportanceWorker | None = None
        self._dock: QDockWidget | None = None
        self._asked_for_room = False
        self._laid_out = False
        self._build()
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # --- layout -------------------------------------------------------------------------------------
    def _build(self) -> None:
        """Three panes side by side in a splitter: the space (a list that scrolls on its own), the
        search settings and buttons, and the trial views; the summary line spans the panel below.
        Side by side keeps every pane the dock's full height, which is the scarce direction in a
        bottom dock."""
        self.space_editor = SearchSpaceEditor()
        self.space_scroll = QScrollArea()
        self.space_scroll.setWidgetResizable(True)
        self.space_scroll.setWidget(self.space_editor)
        self.space_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.space_scroll.setMinimumWidth(self.space_editor.minimumSizeHint().width()
                                          + self.space_scroll.verticalScrollBar().sizeHint().width() + 4)

        self.method = QComboBox()
        self.method.addItems(list(SAMPLERS))
        self.method.setToolTip("grid: every combination; random: independent draws; "
                               "bayes: TPE, proposes near the best trials so far")
        self.folds = QSpinBox(minimum=0, maximum=20)
        self.folds.setSpecialValueText("validation split")
        self.folds.setToolTip("0 scores on the validation split; k ≥ 2 is the mean over k folds")
        self.trials = QSpinBox(minimum=0, maximum=100_000)
        self.trials.setSpecialValueText("no limit")
        self.trials.setToolTip("trials to run (no limit: until the time budget is spent)")
        self.timeout = QDoubleSpinBox(minimum=0, maximum=7 * 24 * 3600, decimals=0, suffix=" s")
        self.timeout.setSpecialValueText("no limit")
        self.jobs = QSpinBox(minimum=1, maximum=256, value=default_jobs())
        self.jobs.setToolTip("trials in parallel processes")
        self.pruner = QComboBox()
        self.pruner.addItems(list(PRUNERS))
        self.pruner.setToolTip("stop hopeless trials early from their per-epoch validation score")
        self._reset_settings()
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for label, widget in (("Method", self.method), ("Folds", self.folds), ("Trials", self.trials),
                              ("Time budget", self.timeout), ("Jobs", self.jobs), ("Pruning", self.pruner)):
            form.addRow(label, widget)

        self.start_button = QPushButton("Start search")
        self.stop_button = QPushButton("Stop")
        self.apply_button = QPushButton("Apply best")
        self.apply_button.setToolTip("Make the best trial's hyperparameters the current ones (undoable)")
        self.stop_button.setEnabled(False)
        self.apply_button.setEnabled(False)
        self.start_button.clicked.connect(self._on_start_clicked)
        self.stop_button.clicked.connect(self._on_stop_clicked)
        self.apply_button.clicked.connect(self._on_apply_clicked)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.stop_button):
            buttons.addWidget(button)
        self.progress = QProgressBar()
        self._show_progress(0, 0)

        self.settings_pane = QWidget()
        settings = QVBoxLayout(self.settings_pane)
        settings.setContentsMargins(4, 0, 4, 0)
        settings.addLayout(form)
        settings.addLayout(buttons)
        settings.addWidget(self.progress)
        settings.addWidget(self.apply_button)
        settings.addStretch(1)

        self.table = TrialTable()
        self.history_plot = OptimizationHistoryPlot()
        self.parallel_plot = ParallelCoordinatesPlot()
        self.importance_plot = ImportancePlot()
        self.views = QTabWidget()
        self.views.setDocumentMode(True)
        for widget, title in ((self.table, "Trials"), (self.history_plot, "History"),
                              (self.parallel_plot, "Parallel coordinates"),
                              (self.importance_plot, "Importance")):
            widget.setMinimumSize(240, 120)
            self.views.addTab(widget, title)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        for pane in (self.space_scroll, self.settings_pane, self.views):
            self.splitter.addWidget(pane)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setStretchFactor(2, 1)

        self.status = StatusLine(IDLE_TEXT)
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        column.addWidget(self.splitter, 1)
        column.addWidget(self.status)

        self._redraw_timer = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._redraw_timer.timeout.connect(self._redraw)

    def _show_progress(self, done: int, total: int | None) -> None:
        """`done` of `total` trials; total None: busy (a time budget only); 0: nothing to show."""
        if total is None:
            self.progress.setRange(0, 0)
            return
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setTextVisible(total > 0)
        self.progress.setFormat("%v / %m trials")

    def _reset_settings(self) -> None:
        self.method.setCurrentText(DEFAULTS["method"])
        self.folds.setValue(DEFAULTS["folds"])
        self.trials.setValue(DEFAULTS["trials"])
        self.timeout.setValue(DEFAULTS["timeout"])
        self.jobs.setValue(default_jobs())
        self.pruner.setCurrentText(DEFAULTS["pruner"])

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt naming
        super().showEvent(event)
        if not self._laid_out:          # first showing: the space and settings at their natural width
            self._laid_out = True
            space = min(self.space_scroll.sizeHint().width(), self.space_scroll.minimumWidth() + 30)
            settings = self.settings_pane.sizeHint().width()
            total = max(self.splitter.width(), space + settings + 300)
            self.splitter.setSizes([space, settings, total - space - settings])
        if self._dock is None:
            self._dock = _ancestor(self, QDockWidget)
            if self._dock is not None:
                self._dock.visibilityChanged.connect(self._on_dock_visibility)
                if self._dock.isVisible() and not self._dock.visibleRegion().isEmpty():
                    QTimer.singleShot(0, self.ask_for_room)

    @Slot(bool)
    def _on_dock_visibility(self, visible: bool) -> None:
        if visible:
            QTimer.singleShot(0, self.ask_for_room)

    @Slot()
    def ask_for_room(self) -> None:
        """The first time the Tuning dock comes into sight: make it tall enough to read (its
        settings, the Best line and several trial rows), within half the window. Once only, so a
        person who makes it smaller again keeps their layout."""
        dock, window = self._dock, self.window()
        if self._asked_for_room or dock is None or dock.isFloating() or not isinstance(window, QMainWindow):
            return
        self._asked_for_room = True
        wanted = min(max(MIN_DOCK_HEIGHT, self.minimumSizeHint().height() + 40),
                     int(window.height() * MAX_DOCK_SHARE))
        if dock.height() < wanted and window.dockWidgetArea(dock) in (
                Qt.DockWidgetArea.BottomDockWidgetArea, Qt.DockWidgetArea.TopDockWidgetArea):
            window.resizeDocks([dock], [wanted], Qt.Orientation.Vertical)

    # --- inputs from the main window -----------------------------------------------------------------
    def set_base(self, config: Config, dataset: Dataset | None) -> None:
        """The configuration the search varies, and the data it is scored on. The rows of the space
        the person ticked or edited stay as they are; the others are proposed around `config`."""
        self._base, self._dataset = config, dataset
        self.space_editor.set_base(config)
        self._update_buttons()

    def show_session(self, session: Any, record: dict[str, Any] | None) -> None:
        """The main window shows `session` (an experiment; compared by identity only): when it is
        another session than the one shown, stop a running search, clear the panel and show the
        session's saved search, if any. The same session again (a reset, a new run) changes nothing:
        the panel already shows its search, and the person's edits of the space stay."""
        if session is self._session:
            return
        self._session = session
        self.clear()
        if record:
            self.show_record(record)

    def clear(self) -> None:
        """Back to a fresh panel: no trials, no best, Apply best disabled, default settings and a
        space proposed afresh around the base configuration. A running search is stopped and
        whatever it still reports is dropped."""
        if self.running:
            self._stop.set()
        self._search += 1                       # late reports of the old search no longer count
        self._redraw_timer.stop()
        self._record, self._trials, self._space = None, [], {}
        self._reset_settings()
        self.space_editor.reset(self._base)
        self.importance_plot.set_importances({})
        self._show_progress(0, 0)
        self._redraw()
        self.status.setText("Stopping the previous session's search…" if self.running else IDLE_TEXT)
        self._update_buttons()

    def show_record(self, record: dict[str, Any]) -> None:
        """Show a saved search: its settings, space, trials and plots."""
        settings = record.get("settings", {})
        self.method.setCurrentText(settings.get("method") or DEFAULTS["method"])
        self.folds.setValue(int(settings.get("folds") or 0))
        self.trials.setValue(int(settings.get("trials") or 0))          # None: no limit
        self.timeout.setValue(float(settings.get("timeout") or 0))      # None: no limit
        self.jobs.setValue(max(1, min(int(settings.get("jobs") or default_jobs()), default_jobs())))
        self.pruner.setCurrentText(settings.get("pruner") or DEFAULTS["pruner"])
        self.space_editor.set_space(record.get("space", {}))
        self._record = record
        self._space = dict(record.get("space", {}))
        self._trials = list(record.get("trials", []))
        self._show_progress(len(self._trials), len(self._trials))
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
        return TuningSettings(method=self.method.currentText(), trials=self.trials.value() or None,
                              timeout=self.timeout.value() or None, folds=self.folds.value(),
                              jobs=self.jobs.value(), seed=self._base.training.seed if self._base else 0,
                              pruner=self.pruner.currentText())

    @Slot()
    def _on_start_clicked(self) -> None:
        if self.running or self._base is None or self._dataset is None:
            return
        try:
            chosen = self.space_editor.space_dict()
            if not chosen:
                self.status.setText(NOTHING_TICKED)
                return
            space = SearchSpace.from_dict(chosen)
            space.validate(self._base)
            settings = self.settings()
        except (SpaceError, TuningError) as err:
            self.status.setText(f"Cannot start: {err}")
            return
        self._space, self._trials, self._record = space.to_dict(), [], None
        self.importance_plot.set_importances({})
        budgets = [b for b in (space.grid_size() if settings.method == "grid" else None, settings.trials)
                   if b is not None]
        self._show_progress(0, min(budgets) if budgets else None)
        self.history_plot.set_metric(METRICS.get(self._dataset.task, "score"))
        self._redraw()
        self._search += 1
        self._stop = threading.Event()          # one per search: stopping an old one stops only it
        worker = TuningWorker(self._base, self._dataset, space, settings, self._stop, self._search)
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

    @Slot(int, object)
    def _on_trial_finished(self, search: int, trial: dict[str, Any]) -> None:
        if search != self._search:
            return                              # a search of a session no longer shown
        self._trials.append(trial)
        if self.progress.maximum():
            self.progress.setValue(min(self.progress.maximum(), self.progress.value() + 1))
        best = best_trial_number(self._trials)
        if best is not None:
            top = next(t for t in self._trials if t["number"] == best)
            self.status.setText(f"{len(self._trials)} trials; best #{best}: {top['score']:.4f} "
                                f"({describe_params(top['params'])})")
        if not self._redraw_timer.isActive():   # at most one redraw per interval, however fast trials finish
            self._redraw_timer.start()

    @Slot(int, object, object)
    def _on_search_finished(self, search: int, record: dict[str, Any], importances: dict[str, float]) -> None:
        if search != self._search:
            return
        self._record = record
        self._trials = list(record["trials"])
        self.importance_plot.set_importances(importances)
        self._show_progress(len(self._trials), len(self._trials))
        self._redraw()
        self.status.setText(self._summary())
        self.record_changed.emit(record)

    @Slot(int, str)
    def _on_search_failed(self, search: int, message: str) -> None:
        if search == self._search:
            self.status.setText(f"The search failed: {message}")

    @Slot()
    def _on_thread_finished(self) -> None:
        if self.sender() is not self._thread:
            return              # a search `shutdown` already joined (a new one may be running)
        _join(self._thread)     # the OS thread may still be winding down after `finished`
        self._thread = None
        self._worker = None
        if self._record is None and not self._trials:
            self.status.setText(IDLE_TEXT)      # the old session's search has wound down
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
        if self.sender() is not self._importance_thread:
            return
        _join(self._importance_thread)
        self._importance_thread = None
        self._importance_worker = None

    # --- views ---------------------------------------------------------------------------------------
    @Slot()
    def _redraw(self) -> None:
        best = best_trial_number(self._trials)
        names = list(SearchSpace.from_dict(self._space).varying) if self._space else []
        self.table.set_trials(self._trials, names, best)
        if self._record is not None:
            self.history_plot.set_metric(self._record.get("settings", {}).get("metric", "score"))
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
    def shutdown(self, window: QWidget | None = None) -> None:
        """Stop a running search and wait for the worker threads (call before closing the window):
        with `window`, off the GUI thread while it keeps painting (the trials under way finish
        their epoch first, which on a large data set takes a second or more)."""
        self._stop.set()
        threads = [t for t in (self._thread, self._importance_thread) if t is not None]
        # forgotten first: their `finished` signals, delivered while waiting, find them not current
        self._thread = self._importance_thread = None
        for thread in threads:
            thread.quit()
            finish(window, "Stopping the search…", thread.wait)
            thread.deleteLater()

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt naming
        self.shutdown()
        super().closeEvent(event)


class StatusLine(QLabel):
    """The summary under the panel ("Best: trial 3, accuracy 0.9667 ..."): wraps to at most
    `LINES` lines, the whole text in its tooltip. It reports no height-for-width, which would make
    the panel in its dock's scroll area as tall as the sum of its panes' preferred heights."""

    LINES = 2

    def __init__(self, text: str = ""):
        super().__init__()
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.fontMetrics().lineSpacing() * self.LINES + 4)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming
        super().setText(text)
        self.setToolTip(text)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt naming
        return False


def _ancestor(widget: QWidget, kind: type) -> Any:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, kind):
        parent = parent.parentWidget()
    return parent


def _join(thread: QThread | None) -> None:
    """Wait for a finished thread to end, then delete it (its last reference must not go before
    the OS thread has ended, else Qt may crash; `start_worker` leaves the deletion to this)."""
    if thread is not None:
        thread.wait()
        thread.deleteLater()
