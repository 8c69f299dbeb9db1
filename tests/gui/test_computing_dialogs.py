"""What every dialog that computes in the background on opening must do (Training → Feature
importance, Learning curve, Cross-validate, Gradient flow): its work runs off the GUI thread, its
Cancel stops the work, it is off while a run trains, and a failure in it does not leave it on screen."""
import threading

import pytest
from PySide6.QtWidgets import QApplication

from gui_helpers import assert_off_while_training, cancel_while_computing, open_dialog
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
