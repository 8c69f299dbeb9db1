"""The window's training commands: Train, Step, Pause, Stop, Reset, Find a learning rate, Feature
importance, Learning curve, Cross-validate, Gradient flow and Evaluate on the test split, and what
the window does as a run starts, reports and ends.

A mixin of `MainWindow` (it uses the window's controller, runner, inspector, actions and views),
kept apart, as `FileMenu` is, so that the window's own module is about laying out and wiring the
panels. The run itself goes on the `TrainingRunner`'s thread; the test split, the range test, the
feature importance, the learning curve, the folds and the gradient flow are computed through
`wait_for`, off the GUI thread.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QMessageBox

from workbench.core.history import EpochReport
from workbench.core.holdout import NoTestSplit, evaluate_test_split
from workbench.gui.background import Cancelled, wait_for
from workbench.gui.file_menu import USER_ERRORS
from workbench.gui.holdout_report import holdout_html
from workbench.gui.widgets.cross_validation_dialog import CrossValidationDialog
from workbench.gui.widgets.feature_importance_dialog import FeatureImportanceDialog
from workbench.gui.widgets.gradient_flow_dialog import GradientFlowDialog
from workbench.gui.widgets.learning_curve_dialog import LearningCurveDialog
from workbench.gui.widgets.lr_finder_dialog import LearningRateFinderDialog


RANGE_TEST_HINT = ("Training → Find a learning rate runs a range test in a moment and suggests a "
                   "rate that trains without diverging.")


class TrainingMenu:
    """Training commands of the main window (see the module docstring)."""

    @Slot()
    def train(self) -> None:
        """Train or resume (F5); does nothing while a run is already going (Start twice)."""
        if self.runner.is_running:
            self.runner.resume()
            return
        self._begin_run(epochs=None)

    @Slot()
    def step(self) -> None:
        if self.runner.is_running:
            self.runner.step(self.controller.experiment)
        else:
            self._begin_run(epochs=1)

    @Slot()
    def pause(self) -> None:
        self.runner.pause()

    @Slot()
    def stop(self) -> None:
        self.runner.stop()

    @Slot()
    def reset(self) -> None:
        if not self.runner.is_running:
            self.controller.reset()

    @Slot()
    def find_learning_rate(self) -> None:
        """The range test's dialog (off while training); a rate taken from it is one undoable edit."""
        dialog = LearningRateFinderDialog(self.controller.experiment, self.controller.config, self)
        dialog.open()                        # shown first, so the sweep's progress has a parent on screen
        dialog.run()
        if dialog.exec() == LearningRateFinderDialog.DialogCode.Accepted and dialog.chosen_lr is not None:
            self._on_config_edited({"optimizer.lr": dialog.chosen_lr}, "Use the found learning rate", "")
        dialog.deleteLater()

    @Slot()
    def show_feature_importance(self) -> None:
        """The permutation importance of the current weights (off while training)."""
        self._run_dialog(FeatureImportanceDialog(self.controller.experiment, self))

    def _run_dialog(self, dialog: Any) -> None:
        """Show a dialog that computes on opening (`run`), then wait for the person to close it."""
        dialog.open()                        # shown first, so the work's progress has a parent on screen
        try:
            dialog.run()
            dialog.exec()
        finally:                             # an error in `run` must not leave the dialog on screen
            dialog.close()
            dialog.deleteLater()

    @Slot()
    def show_learning_curve(self) -> None:
        """Scores of fresh runs on shares of the training rows (off while training)."""
        self._run_dialog(LearningCurveDialog(self.controller.experiment, self))

    @Slot()
    def show_cross_validation(self) -> None:
        """Fresh runs of the settings on k folds, against the session's own score (off while training)."""
        self._run_dialog(CrossValidationDialog(self.controller.experiment, self))

    @Slot()
    def show_gradient_flow(self) -> None:
        """Each layer's gradient over the replay snapshots (off while training)."""
        self._run_dialog(GradientFlowDialog(self.controller.experiment, self))

    @Slot()
    def evaluate_on_test_split(self) -> None:
        """The test split's figures, computed off the GUI thread (off while training)."""
        experiment = self.controller.experiment
        try:
            score = wait_for(self, "Evaluating on the test split…", evaluate_test_split, experiment)
        except Cancelled:
            return
        except NoTestSplit as err:
            QMessageBox.information(self, "No test split", f"{str(err)[0].upper()}{str(err)[1:]}.")
            return
        QMessageBox.information(self, "Test split", holdout_html(score, experiment.data.dataset.class_names))

    def _begin_run(self, epochs: int | None) -> None:
        self.replay_bar.go_live()
        try:
            experiment = self.controller.prepare_training() if epochs is None else self.controller.experiment
        except USER_ERRORS as err:          # e.g. the data file went missing since it was loaded
            QMessageBox.warning(self, "Cannot start training", str(err))
            return
        self.controller.busy = True
        self.inspector.cancel()                  # the run inspects its own weights from now on
        self.run_status.start_run()
        self._set_editing(False)
        self.runner.start(experiment, epochs=epochs)

    def _set_editing(self, enabled: bool) -> None:
        for widget in (self.data_panel, self.architecture_editor, self.runs_table, self.replay_bar,
                       self.tuning_panel):
            widget.setEnabled(enabled)
        self.hyperparameter_form.set_training(not enabled)
        for action in (self.new_action, self.open_action, self.import_action, self.import_config_action,
                       self.reset_action, self.find_lr_action, self.importance_action,
                       self.learning_curve_action, self.cross_validation_action, self.gradient_flow_action,
                       self.test_action):
            action.setEnabled(enabled)
        self._update_undo_actions()

    @Slot()
    def _update_undo_actions(self) -> None:
        """Undo and redo are off while a run trains: the run keeps the configuration it started
        with (only a new learning rate reaches it), so stepping back through the edits would
        show settings the run does not have. Called after the undo stack's own updates too."""
        stack, busy = self.controller.undo_stack, self.controller.busy
        self.undo_action.setEnabled(stack.canUndo() and not busy)
        self.redo_action.setEnabled(stack.canRedo() and not busy)

    @Slot(object, object)
    def _on_reports(self, reports: list, inspection: Any) -> None:
        self.loss_plot.add_reports(reports)
        self.metric_plot.add_reports(reports)
        self.run_status.add_epoch_times(reports)
        self.controller.mark_trained()
        self._show_progress(reports[-1])
        if inspection is not None:
            self._live_inspection = inspection
            self._show_inspection(inspection)

    @Slot(object)
    def _on_run_finished(self, final: EpochReport | None) -> None:
        self.controller.busy = False
        self.controller.sync_after_run()
        self._set_editing(True)
        self._refresh_after_run()
        if final is None:
            self.run_status.state.setText("done")
            return
        self._show_progress(final)
        if final.status == "diverged":
            QMessageBox.warning(self, "Training diverged", f"{final.message}.\n\n{RANGE_TEST_HINT}")

    @Slot(str)
    def _on_run_failed(self, message: str) -> None:
        self.controller.busy = False
        self._set_editing(True)
        self._refresh_after_run()
        self.run_status.state.setText("failed")
        QMessageBox.critical(self, "Training failed", message)

    @Slot(str)
    def _on_runner_state(self, state: str) -> None:
        running = state != "idle"
        self.train_action.setText("Resume" if state == "paused" else "Train")
        self.train_action.setEnabled(state != "training")
        self.pause_action.setEnabled(state == "training")
        self.stop_action.setEnabled(running)
        if running:
            self.run_status.state.setText(state)

    def _show_progress(self, report: EpochReport) -> None:
        self.run_status.show_report(report, self.runner.state if self.runner.is_running else None)

    def _refresh_after_run(self) -> None:
        exp = self.controller.experiment
        self.replay_bar.set_epochs(exp.snapshots.keys())
        self._refresh_runs()
        self.loss_plot.set_history(exp.history, exp.status)
        self.metric_plot.set_history(exp.history)
