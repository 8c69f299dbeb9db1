"""What every dialog that computes in the background on opening must do (Training → Feature
importance, Learning curve, Cross-validate, Gradient flow): its work runs off the GUI thread, its
Cancel stops the work, it is off while a run trains, and a failure in it does not leave it on screen."""
import re
import threading
import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog

from gui_helpers import assert_off_while_training, cancel_while_computing, edit, open_dialog
from workbench.gui.widgets import (cross_validation_dialog, feature_importance_dialog, gradient_flow_dialog,
                                   learning_curve_dialog)

# dialog class, its action and the window's slot, the module and name of its work, what it shows
DIALOGS = {
    "importance": (feature_importance_dialog.FeatureImportanceDialog, "importance_action",
                   "show_feature_importance", feature_importance_dialog, "permutation_importance", "importance"),
    "learning curve": (learning_curve_dialog.LearningCurveDialog, "learning_curve_action", "show_learning_curve",
                       learning_curve_dialog, "learning_curve", "curve"),
    "cross-validation": (cross_validation_dialog.CrossValidationDialog, "cross_validation_action",
                         "show_cross_validation", cross_validation_dialog, "cross_validate", "result"),
    "gradient flow": (gradient_flow_dialog.GradientFlowDialog, "gradient_flow_action", "show_gradient_flow",
                      gradient_flow_dialog, "gradient_flow", "flow"),
}
each_dialog = pytest.mark.parametrize("case", list(DIALOGS))
# the dialogs whose work trains runs (seconds to minutes): their progress bar fills, naming the run
FILLING = {"learning curve": ("Training on shares of the data…", r"\d+% of the training rows \([1-5] of 5\)"),
           "cross-validation": ("Training one run per fold…", r"fold [1-5] of 5")}


@each_dialog
def test_the_work_runs_off_the_gui_thread(window, monkeypatch, case):
    dialog_class, action, _, module, work, shown = DIALOGS[case]
    threads, real = [], getattr(module, work)

    def recorded(*args, **kwargs):
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(module, work, recorded)
    dialog = open_dialog(monkeypatch, dialog_class, getattr(window, action))
    assert threads and threads[0] is not threading.main_thread() and getattr(dialog, shown) is not None


@each_dialog
def test_cancel_stops_the_work_and_shows_nothing(window, monkeypatch, case):
    dialog_class, action, _, module, work, shown = DIALOGS[case]
    dialog, stops = cancel_while_computing(monkeypatch, module, work, lambda: open_dialog(
        monkeypatch, dialog_class, getattr(window, action)))
    assert getattr(dialog, shown) is None and stops[0].is_set()


@pytest.mark.parametrize("case", list(FILLING))
def test_the_progress_bar_fills_and_names_the_run_training(window, monkeypatch, case):
    dialog_class, action, _, module, work, shown = DIALOGS[case]
    text, stage = FILLING[case]
    real, seen = getattr(module, work), []

    def slowed(*args, on_progress, **kwargs):        # each epoch's report a moment later
        return real(*args, on_progress=lambda *report: time.sleep(0.02) or on_progress(*report), **kwargs)

    def look():
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QProgressDialog):
            seen.append((modal.maximum(), modal.value(), modal.labelText()))
        QTimer.singleShot(50, look)

    edit(window, {"training.epochs": 8})
    monkeypatch.setattr(module, work, slowed)
    QTimer.singleShot(0, look)
    dialog = open_dialog(monkeypatch, dialog_class, getattr(window, action))
    assert getattr(dialog, shown) is not None
    values = [value for maximum, value, _ in seen if maximum == 1000]
    assert len(values) >= 3 and values == sorted(values) and 0 < values[1] < 1000   # it filled, not flashed
    labels = [label for *_, label in seen if label != text]     # the first look may come before a report
    assert labels and all(re.fullmatch(f"{re.escape(text)}\n{stage}", label) for label in labels)
    runs = [int(re.search(r"([1-5]) of 5\)?$", label).group(1)) for label in labels]
    assert runs == sorted(runs)                                    # the runs in order


@each_dialog
def test_it_is_off_while_training(qtbot, window, monkeypatch, case):
    dialog_class, action, *_ = DIALOGS[case]
    assert_off_while_training(qtbot, window, monkeypatch, dialog_class, getattr(window, action))


@each_dialog
def test_an_unexpected_error_does_not_leave_the_dialog_on_screen(window, monkeypatch, case):
    dialog_class, _, slot, *_ = DIALOGS[case]

    def broken(dialog):
        raise RuntimeError("broken")

    monkeypatch.setattr(dialog_class, "run", broken)
    with pytest.raises(RuntimeError):
        getattr(window, slot)()
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, dialog_class) and w.isVisible()]
