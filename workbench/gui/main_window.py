"""The main window: panels and views in docks, menus, shortcuts, toolbar, status bar.

It wires three non-visual parts together: the `SessionController` (config, undo, experiment, file),
the `TrainingRunner` (the training thread) and the `Inspector` (inspections off the GUI thread).
Views only receive snapshots: epoch reports and `Inspection`s. The file operations (new, open,
save, export, recent files, recovery, drops) are the `FileMenu` mixin in `gui/file_menu.py`; the
status bar's account of a run is `RunStatus` in `gui/run_status.py`.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QKeyCombination, QObject, QSettings, Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QApplication, QDockWidget, QMainWindow, QMessageBox, QScrollArea,
                               QStackedWidget, QToolBar, QVBoxLayout, QWidget)

from workbench.core.inspection import Inspection
from workbench.core.target_summary import target_summary
from workbench.gui.app import collect_garbage_on_gui_thread
from workbench.gui.file_menu import USER_ERRORS, FileMenu
from workbench.gui.help_menu import HelpMenu
from workbench.gui.session_controller import SessionController
from workbench.gui.training_menu import TrainingMenu
from workbench.gui.inspector import InspectionChoices, Inspector
from workbench.gui.run_status import RunStatus
from workbench.gui.training_runner import TrainingRunner
from workbench.gui.widgets.architecture_editor import ArchitectureEditor
from workbench.gui.widgets.confusion_view import ConfusionView
from workbench.gui.widgets.data_panel import DataPanel
from workbench.gui.widgets.decision_boundary import DecisionBoundaryView
from workbench.gui.widgets.histogram_view import HistogramView
from workbench.gui.widgets.hyperparameter_form import HyperparameterForm
from workbench.gui.widgets.loss_plot import LossPlotWidget
from workbench.gui.widgets.metric_plot import MetricPlotWidget
from workbench.gui.widgets.network_diagram import NetworkDiagramView
from workbench.gui.widgets.parameters_view import ParametersView
from workbench.gui.widgets.prediction_view import PredictionView
from workbench.gui.widgets.replay_bar import ReplayBar
from workbench.gui.widgets.roc_view import RocView
from workbench.gui.widgets.runs_table import RunsTable
from workbench.gui.widgets.tuning_panel import TuningPanel
from workbench.gui.widgets.unit_maps_view import UnitMapsView
from workbench.gui.widgets.view_base import CURVE_REDRAW_MS, RedrawGroup, ThrottledView

# dock areas and their tabs, the first of each raised
DOCK_LAYOUT = (
    (Qt.DockWidgetArea.LeftDockWidgetArea, ("Data", "Architecture", "Hyperparameters")),
    (Qt.DockWidgetArea.RightDockWidgetArea, ("Decision boundary", "Network", "Predictions", "ROC")),
    (Qt.DockWidgetArea.BottomDockWidgetArea, ("Accuracy / R²", "Histograms", "Units",
                                              "Parameters vs hyperparameters", "Runs", "Tuning")),
)


class UndoKeysToWindow(QObject):
    """Lets Ctrl+Z / Ctrl+Shift+Z reach the window's configuration undo from inside an editor.

    A spin box or line edit would take the keys for its own text undo; but the panels commit every
    edit to the configuration at once, so there the configuration's undo is the field's undo.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.ShortcutOverride and (
                event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo)
                or event.keyCombination() == QKeyCombination(Qt.KeyboardModifier.ControlModifier
                                                              | Qt.KeyboardModifier.ShiftModifier, Qt.Key.Key_Z)):
            return True         # left unaccepted, so the shortcut goes to the window's actions
        return False


class MainWindow(FileMenu, TrainingMenu, HelpMenu, QMainWindow):
    """Workbench's window: edit hyperparameters on the left, watch parameters learn on the right."""

    def __init__(self, controller: SessionController | None = None, settings: QSettings | None = None):
        super().__init__()
        self.settings = settings or QSettings("Workbench", "Workbench")
        self.controller = controller or SessionController()
        # owned by the window: deleted with it on the GUI thread, never by Python's garbage
        # collector on whichever thread (the training thread, say) happens to run it
        self.controller.setParent(self)
        collect_garbage_on_gui_thread()      # before the first thread that could set one off
        self.inspection_choices = InspectionChoices()      # shared: the run's inspections and the idle ones
        self.runner = TrainingRunner(self, self.inspection_choices)
        self.inspector = Inspector(self, self.inspection_choices)
        self._live_inspection: Inspection | None = None
        self._plane_features: tuple[str, ...] = ()    # the data the boundary's feature pair was chosen for
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)
        self._build_views()
        self._build_actions()
        self.run_status = RunStatus(self.statusBar())
        self._connect()
        self._restore_settings()
        self._undo_keys = UndoKeysToWindow(self)
        QApplication.instance().focusChanged.connect(self._on_focus_changed)
        self._on_runner_state("idle")
        self._on_experiment_changed(self.controller.experiment)
        self._on_path_changed(self.controller.path or "")

    # --- construction -------------------------------------------------------------------------------
    def _build_views(self) -> None:
        self.data_panel = DataPanel()
        self.architecture_editor = ArchitectureEditor()
        self.hyperparameter_form = HyperparameterForm()
        self.loss_plot = LossPlotWidget()
        self.metric_plot = MetricPlotWidget()
        # every report reaches both: they take turns, half a curve interval apart
        self.loss_plot.redraw_group = self.metric_plot.redraw_group = RedrawGroup(CURVE_REDRAW_MS / 2000)
        self.histogram_view = HistogramView()
        self.boundary_view = DecisionBoundaryView()
        self.network_view = NetworkDiagramView()
        self.confusion_view = ConfusionView()
        self.prediction_view = PredictionView()
        self.roc_view = RocView()
        self.unit_maps_view = UnitMapsView()
        self.outcome_stack = QStackedWidget()
        self.outcome_stack.addWidget(self.confusion_view)
        self.outcome_stack.addWidget(self.prediction_view)
        self.parameters_view = ParametersView()
        self.runs_table = RunsTable()
        self.tuning_panel = TuningPanel()
        self.replay_bar = ReplayBar()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.loss_plot, 1)
        column.addWidget(self.replay_bar)
        self.setCentralWidget(central)
        self.inspection_views = (self.histogram_view, self.boundary_view, self.network_view,
                                 self.confusion_view, self.prediction_view, self.roc_view, self.parameters_view,
                                 self.unit_maps_view)
        self.docks: dict[str, QDockWidget] = {}
        widgets = {"Data": self.data_panel, "Architecture": self.architecture_editor,
                   "Hyperparameters": self.hyperparameter_form, "Decision boundary": self.boundary_view,
                   "Network": self.network_view, "Predictions": self.outcome_stack, "ROC": self.roc_view,
                   "Units": self.unit_maps_view,
                   "Accuracy / R²": self.metric_plot, "Histograms": self.histogram_view,
                   "Parameters vs hyperparameters": self.parameters_view, "Runs": self.runs_table,
                   "Tuning": _scrolling(self.tuning_panel)}
        for area, titles in DOCK_LAYOUT:
            for title in titles:
                self._add_dock(title, widgets[title], area)
        self.restoreState(default_dock_state())
        self._sized = False

    def _add_dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> None:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks[title] = dock
        dock.visibilityChanged.connect(self._on_dock_visibility)

    @Slot(bool)
    def _on_dock_visibility(self, visible: bool) -> None:
        """A dock's tab was raised (or the dock shown): its views draw what they skipped while hidden."""
        dock = self.sender()
        if visible and isinstance(dock, QDockWidget):
            for view in dock.findChildren(ThrottledView):
                view.catch_up()

    @Slot(QWidget, QWidget)
    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        """An editor control got the focus: route the undo keys past it (installing twice is a no-op)."""
        if new is not None and any(panel.isAncestorOf(new) for panel in
                                   (self.data_panel, self.architecture_editor, self.hyperparameter_form)):
            new.installEventFilter(self._undo_keys)

    def _action(self, text: str, slot: Any, shortcut: QKeySequence | str | None = None,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip or text)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        std = QKeySequence.StandardKey
        self.new_action = self._action("&New", self.new_session, std.New)
        self.open_action = self._action("&Open…", self.open_dialog, std.Open)
        self.save_action = self._action("&Save", self.save, "Ctrl+S")
        self.save_as_action = self._action("Save &As…", self.save_as, "Ctrl+Shift+S")
        self.export_action = self._action("&Export weights…", self.export_dialog, "Ctrl+E",
                                          "Export the learned weights as .npz, .safetensors or .onnx")
        self.history_action = self._action("Export &history as CSV…", self.export_history_dialog, None,
                                           "Every run's losses, metrics, learning rate and seconds, "
                                           "one row per epoch, for a spreadsheet or pandas")
        self.report_action = self._action(
            "Export report (HTM&L)…", self.export_report_dialog, None,
            "The session as one web page: hyperparameters, learned parameters, outcome, curves")
        self.export_config_action = self._action(
            "Export hyperpara&meters…", self.export_config_dialog, None,
            "Save the hyperparameters as JSON, for `workbench train --config` or another session")
        self.import_config_action = self._action(
            "Import hyperparame&ters…", self.import_config_dialog, None,
            "Take every hyperparameter from a JSON file (undoable)")
        self.predict_action = self._action("Pre&dict a CSV…", self.predict_dialog, None,
                                           "Predict the rows of a CSV with the trained model and save "
                                           "the predictions (label and class probabilities, or the value)")
        self.import_action = self._action("&Import data…", self.import_dialog, None,
                                          "Use your own CSV or .npz data")
        self.quit_action = self._action("&Quit", self.close, "Ctrl+Q")
        self.undo_action = self.controller.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo_action = self.controller.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.train_action = self._action("Train", self.train, "F5", "Train or resume (F5)")
        self.pause_action = self._action("Pause", self.pause, None, "Pause after this epoch")
        self.step_action = self._action("Step", self.step, "F10", "Train one epoch (F10)")
        self.stop_action = self._action("Stop", self.stop, "Shift+F5", "Stop training (Shift+F5)")
        self.find_lr_action = self._action("Find a &learning rate…", self.find_learning_rate, "Ctrl+L",
                                           "A learning-rate range test on a fresh copy of the network")
        self.importance_action = self._action(
            "Feature &importance…", self.show_feature_importance, "Ctrl+I",
            "Which input features the trained model relies on: the score's fall when each is shuffled")
        self.learning_curve_action = self._action(
            "Learning &curve…", self.show_learning_curve, None,
            "Would more data help? Fresh runs on growing shares of the training rows, scored on validation")
        self.cross_validation_action = self._action(
            "Cross-&validate…", self.show_cross_validation, None,
            "How far can one validation split be trusted? Fresh runs on k folds, each scored on its own fold")
        self.gradient_flow_action = self._action(
            "&Gradient flow…", self.show_gradient_flow, None,
            "Each layer's weight gradient over the run: do the first layers still learn (vanishing gradients)?")
        self.test_action = self._action(
            "&Evaluate on the test split…", self.evaluate_on_test_split, "Ctrl+T",
            "The current weights on the test rows, which nothing else looks at: once, at the end")
        self.reset_action = self._action("Reset", self.reset, None,
                                         "Re-initialise the weights with the same seed; the run "
                                         "is kept for comparison")

        file_menu = self.menuBar().addMenu("&File")
        for action in (self.new_action, self.open_action):
            file_menu.addAction(action)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        file_menu.addSeparator()
        for action in (self.save_action, self.save_as_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.import_config_action)
        file_menu.addSeparator()
        file_menu.addAction(self.export_action)
        file_menu.addAction(self.export_config_action)
        file_menu.addAction(self.history_action)
        file_menu.addAction(self.report_action)
        file_menu.addAction(self.predict_action)
        plot_menu = file_menu.addMenu("Export plot as &PNG")
        for title, view in self._exportable_views().items():
            plot_menu.addAction(self._action(f"{title}…", lambda _=False, v=view, t=title:
                                             self.export_plot_dialog(v, t)))
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = self.menuBar().addMenu("&Edit")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        train_menu = self.menuBar().addMenu("&Training")
        toolbar = QToolBar("Training")
        toolbar.setObjectName("toolbar_training")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.train_action, self.pause_action, self.step_action, self.stop_action,
                       self.reset_action):
            train_menu.addAction(action)
            toolbar.addAction(action)
        # before training; what the trained model does; what the settings and data would do; the end
        for group in ((self.find_lr_action,), (self.importance_action, self.gradient_flow_action),
                      (self.learning_curve_action, self.cross_validation_action), (self.test_action,)):
            train_menu.addSeparator()
            for action in group:
                train_menu.addAction(action)
        self.addToolBar(toolbar)
        view_menu = self.menuBar().addMenu("&View")
        for dock in self.docks.values():
            view_menu.addAction(dock.toggleViewAction())
        help_menu = self.menuBar().addMenu("&Help")
        self.shortcuts_action = self._action("&Keyboard shortcuts", self.show_shortcuts)
        self.about_action = self._action("&About Workbench", self.show_about)
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.about_action)

    def _exportable_views(self) -> dict[str, QWidget]:
        return {"Loss": self.loss_plot, "Accuracy / R²": self.metric_plot,
                "Histograms": self.histogram_view, "Decision boundary": self.boundary_view,
                "Network": self.network_view, "Confusion matrix": self.confusion_view,
                "Predicted vs actual": self.prediction_view, "ROC curve": self.roc_view,
                "Hidden units": self.unit_maps_view}

    def _connect(self) -> None:
        c = self.controller
        # after the actions' own connections (createUndoAction's), so that this has the last word
        c.undo_stack.canUndoChanged.connect(self._update_undo_actions)
        c.undo_stack.canRedoChanged.connect(self._update_undo_actions)
        c.config_changed.connect(self._on_config_changed)
        c.experiment_changed.connect(self._on_experiment_changed)
        c.path_changed.connect(self._on_path_changed)
        c.modified_changed.connect(self.setWindowModified)
        c.autosave_failed.connect(self._on_autosave_failed)
        c.undo_shortened.connect(self._on_undo_shortened)
        c.file_written.connect(self._on_file_written)
        c.file_failed.connect(self._on_file_failed)
        c.predictions_written.connect(self._on_predictions_written)
        c.attach_runner(self.runner)         # saves and autosaves copy a running session between epochs
        for editor in (self.data_panel, self.architecture_editor, self.hyperparameter_form):
            editor.config_edited.connect(self._on_config_edited)
        self.data_panel.import_requested.connect(self.import_dialog)
        self.hyperparameter_form.find_lr_requested.connect(self.find_lr_action.trigger)
        self.runner.reports_ready.connect(self._on_reports)
        self.runner.run_finished.connect(self._on_run_finished)
        self.runner.run_failed.connect(self._on_run_failed)
        self.runner.state_changed.connect(self._on_runner_state)
        self.replay_bar.epoch_selected.connect(self._on_replay_epoch)
        self.boundary_view.plane_changed.connect(self._on_plane_changed)
        self.inspector.inspection_ready.connect(self._on_inspection_ready)
        self.runs_table.overlays_changed.connect(self._on_overlays)
        self.runs_table.restore_requested.connect(self._on_restore_run)
        self.loss_plot.rule_changed.connect(self.runs_table.set_rule)
        self.loss_plot.convergence_changed.connect(self._on_convergence)
        self.tuning_panel.apply_config.connect(self._on_apply_tuned)
        self.tuning_panel.record_changed.connect(self._on_tuning_record)

    # --- configuration ------------------------------------------------------------------------------
    @Slot(object, str, str)
    def _on_config_edited(self, changes: dict, text: str, merge_key: str) -> None:
        try:
            self.controller.edit(changes, text, merge_key or None)
        except USER_ERRORS as err:
            QMessageBox.warning(self, "Cannot apply this change", str(err))
            self._on_config_changed(self.controller.config)

    @Slot(object)
    def _on_config_changed(self, config: Any) -> None:
        exp = self.controller.experiment
        dataset = exp.data.dataset
        self.data_panel.set_config(config, _data_summary(exp))
        self.architecture_editor.set_config(config, dataset.n_features, dataset.n_outputs, dataset.task)
        self.hyperparameter_form.set_config(config)
        self.parameters_view.set_config(config)
        for plot in (self.loss_plot, self.metric_plot):
            plot.set_planned_epochs(config.training.epochs)
        self.tuning_panel.set_base(config, dataset)
        if not self.runner.is_running:
            self._refresh_runs()
            self.run_status.show_epochs(exp.epochs_trained, config.training.epochs)

    @Slot(object)
    def _on_experiment_changed(self, experiment: Any) -> None:
        for view in (self.loss_plot, self.metric_plot, *self.inspection_views):
            view.clear()
        if tuple(experiment.data.dataset.feature_names) != self._plane_features:   # other data: its first two
            self._plane_features = tuple(experiment.data.dataset.feature_names)
            self.inspection_choices.plane = (0, 1)
        self.metric_plot.set_task(experiment.task)
        self.outcome_stack.setCurrentWidget(self.confusion_view if experiment.task == "classification"
                                            else self.prediction_view)
        self.loss_plot.set_history(experiment.history, experiment.status)
        self.metric_plot.set_history(experiment.history)
        self.replay_bar.replay_epoch = None
        self.replay_bar.set_epochs(experiment.snapshots.keys())
        self._live_inspection = self.inspector.request_live(experiment)   # or later: _on_inspection_ready
        if self._live_inspection is not None:
            self._show_inspection(self._live_inspection)
        self._on_config_changed(self.controller.config)
        # another session (New, Open, Recover): the panel clears, stops an old search, shows this
        # session's saved search if any; the same session again (a reset) leaves the panel alone
        self.tuning_panel.show_session(experiment, experiment.tuning)
        self._show_idle_status(experiment)

    def _show_idle_status(self, experiment: Any) -> None:
        self.run_status.show_idle(experiment)
        self._on_convergence()

    @Slot(object)
    def _show_inspection(self, inspection: Any) -> None:
        for view in self.inspection_views:
            view.set_inspection(inspection)

    def _refresh_runs(self) -> None:
        exp = self.controller.experiment
        self.runs_table.set_runs(exp.runs, self.controller.config, exp.history, exp.status)

    @Slot(object)
    def _on_overlays(self, overlays: list) -> None:
        self.loss_plot.set_overlays(overlays)
        self.metric_plot.set_overlays(overlays)

    @Slot(int)
    def _on_restore_run(self, index: int) -> None:
        try:
            self.controller.restore_run_config(index)
        except USER_ERRORS as err:
            QMessageBox.warning(self, "Cannot restore this run", str(err))

    @Slot(object)
    def _on_apply_tuned(self, config: Any) -> None:
        try:
            self.controller.set_config(config, "Apply tuned hyperparameters")
        except USER_ERRORS as err:
            QMessageBox.warning(self, "Cannot apply these hyperparameters", str(err))

    @Slot(object)
    def _on_tuning_record(self, record: Any) -> None:
        self.controller.experiment.tuning = record
        self.controller.mark_trained()

    @Slot(int)
    def _on_convergence(self, _epoch: int = -1) -> None:
        self.run_status.show_convergence(self.loss_plot.convergence())

    @Slot(str)
    def _on_autosave_failed(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)

    @Slot(int)
    def _on_undo_shortened(self, count: int) -> None:
        steps = "step" if count == 1 else f"{count} steps"
        self.statusBar().showMessage(
            f"Undo forgot its oldest {steps}: it keeps at most {self.controller.undo_samples_budget / 2**20:,.0f} MiB "
            "of earlier data in memory", 10000)

    # --- replay -------------------------------------------------------------------------------------
    @Slot(object)
    def _on_replay_epoch(self, epoch: Any) -> None:
        self.loss_plot.set_replay_epoch(epoch)
        self.metric_plot.set_replay_epoch(epoch)
        if epoch is None:
            if self._live_inspection is not None:
                self._show_inspection(self._live_inspection)
            return
        self.inspector.request_replay(self.controller.experiment, int(epoch))

    @Slot(object)
    def _on_plane_changed(self, plane: Any) -> None:
        """Another pair of features for the decision boundary: inspect again now, or (while a run
        trains) let its next inspection, within a second, draw them."""
        self.inspection_choices.plane = tuple(plane)
        experiment = self.controller.experiment
        if self.replay_bar.replay_epoch is not None:
            self.inspector.request_replay(experiment, int(self.replay_bar.replay_epoch))
        elif not self.runner.is_running:
            inspection = self.inspector.request_live(experiment)
            if inspection is not None:
                self._live_inspection = inspection
                self._show_inspection(inspection)

    @Slot(object, bool)
    def _on_inspection_ready(self, inspection: Any, live: bool) -> None:
        if not live:
            if self.replay_bar.replay_epoch is not None:
                self._show_inspection(inspection)
            return
        if self.runner.is_running:           # the run's own inspections are newer
            return
        self._live_inspection = inspection
        if self.replay_bar.replay_epoch is None:
            self._show_inspection(inspection)

    # --- layout (QSettings: read with explicit types, bad values ignored) --------------------------
    def _restore_settings(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            self.resize(1280, 800)
        if isinstance(state, QByteArray) and self.restoreState(state):
            self._sized = True
        self._rebuild_recent_menu()

    def _save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())

    def _size_docks(self) -> None:
        """Default proportions: setup on the left, plots in the middle and right, curves below."""
        width, height = self.width(), self.height()
        self.resizeDocks([self.docks["Data"], self.docks["Decision boundary"]],
                         [max(375, width * 27 // 100), max(380, width * 31 // 100)],
                         Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["Accuracy / R²"]], [max(220, height * 32 // 100)],
                         Qt.Orientation.Vertical)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt naming
        super().showEvent(event)
        if not self._sized:          # first showing without a saved layout
            self._sized = True
            self._size_docks()

    # --- closing ------------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt naming
        if not self.confirm_discard():
            event.ignore()
            return
        self._stop_training()
        self.inspector.shutdown(self)
        self.tuning_panel.shutdown(self)
        self._save_settings()
        self.controller.discard_autosave()
        event.accept()


def default_dock_state() -> QByteArray:
    """The default dock layout (DOCK_LAYOUT) as saved state, built in a scratch window.

    Tabifying docks of a second area directly leaves stale tab bars on screen (Qt 6.11); a layout
    restored from state has none.
    """
    scratch = QMainWindow()
    scratch.setCentralWidget(QWidget())
    for area, group in DOCK_LAYOUT:
        docks = []
        for title in group:
            dock = QDockWidget(title, scratch)
            dock.setObjectName(f"dock_{title}")
            dock.setWidget(QWidget())
            scratch.addDockWidget(area, dock)
            docks.append(dock)
        for dock in docks[1:]:
            scratch.tabifyDockWidget(docks[0], dock)
        docks[0].raise_()
    state = scratch.saveState()
    scratch.deleteLater()
    return state


def _scrolling(widget: QWidget) -> QScrollArea:
    """A tall panel in a scroll area, so its dock does not force the whole dock area's height."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area


def _data_summary(experiment: Any) -> str:
    d = experiment.data
    split = d.split
    counts = [int((split == k).sum()) for k in (0, 1, 2)]
    dataset = d.dataset
    return (f"{dataset.n_samples} samples × {dataset.n_features} features ({dataset.task}); "
            f"train {counts[0]}, validation {counts[1]}, test {counts[2]}.\n"
            + target_summary(dataset.task, dataset.y, dataset.class_names, dataset.target_name))
