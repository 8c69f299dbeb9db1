"""Training → Learning curve: fresh runs on shares of the training rows, trained off the GUI
thread and drawn as training and validation score against rows; the session is not changed."""
import numpy as np

from gui_helpers import edit, open_dialog
from workbench.core.learning_curve import learning_curve
from workbench.gui.widgets.learning_curve_dialog import LearningCurveDialog


def open_curve(window, monkeypatch, act=lambda dialog: None):
    return open_dialog(monkeypatch, LearningCurveDialog, window.learning_curve_action, act)


def test_the_curve_is_drawn_from_fresh_runs_off_the_gui_thread(window, monkeypatch):
    edit(window, {"data.dataset": "iris", "training.epochs": 10})
    dialog = open_curve(window, monkeypatch)
    expected = learning_curve(window.controller.experiment)
    np.testing.assert_array_equal(dialog.curve.val_metric, expected.val_metric)
    x, y = dialog.val_curve.getData()
    np.testing.assert_array_equal(x, expected.rows)
    np.testing.assert_array_equal(y, expected.val_metric)
    np.testing.assert_array_equal(dialog.train_curve.getData()[1], expected.train_metric)
    plot = dialog.plot_widget.getPlotItem()
    assert plot.titleLabel.text == "Learning curve: accuracy against training rows (30 validation rows)"
    assert plot.getAxis("left").labelText == "accuracy"
    assert dialog.outcome_label.text() == f"{expected.advice()[0].upper()}{expected.advice()[1:]}."
    assert window.controller.experiment.epochs_trained == 0                 # the session is not trained


def test_other_shares_can_be_run_and_bad_ones_are_explained(window, monkeypatch):
    edit(window, {"data.dataset": "plane", "data.samples": 200, "training.epochs": 3})

    def rerun(dialog):
        dialog.shares_edit.setText("0.5, 1")
        dialog.run_button.click()
        assert list(dialog.curve.rows) == [80, 160] and dialog.curve.metric_name == "r2"
        assert dialog.plot_widget.getPlotItem().getAxis("left").labelText == "R²"
        kept = dialog.curve
        dialog.shares_edit.setText("1, 0.5")
        assert not dialog.run() and dialog.curve is kept
        assert dialog.outcome_label.text() == "Cannot run: shares must grow, each above 0 and at most 1 (e.g. 0.1,0.5,1)."
        dialog.shares_edit.setText("half, 1")
        assert not dialog.run()
        assert dialog.outcome_label.text() == "Cannot run: shares must be numbers, e.g. 0.25, 0.5, 1."

    open_curve(window, monkeypatch, rerun)


def test_without_validation_rows_it_says_what_to_set(window, monkeypatch):
    edit(window, {"data.val_split": 0.0})
    dialog = open_curve(window, monkeypatch)
    assert dialog.curve is None and "set a validation split" in dialog.outcome_label.text()
