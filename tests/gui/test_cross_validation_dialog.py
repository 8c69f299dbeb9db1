"""Training → Cross-validate: fresh runs on k folds, trained off the GUI thread and drawn as each
fold's scores with what the folds expect and the session's own validation score."""
import numpy as np
import pytest

from gui_helpers import edit, open_dialog, train_to_end
from workbench.core.cross_validation import cross_validate
from workbench.core.trainer import evaluate_split
from workbench.gui.widgets.cross_validation_dialog import CrossValidationDialog


def open_folds(window, monkeypatch, act=lambda dialog: None):
    return open_dialog(monkeypatch, CrossValidationDialog, window.cross_validation_action, act)


def test_the_folds_are_drawn_against_the_sessions_own_score(qtbot, window, monkeypatch):
    edit(window, {"data.dataset": "iris", "training.epochs": 10})
    train_to_end(qtbot, window)
    dialog = open_folds(window, monkeypatch)
    experiment = window.controller.experiment
    expected = cross_validate(experiment.config, experiment.data.dataset, 5)
    np.testing.assert_array_equal(dialog.result.val_metric, expected.val_metric)
    x, y = dialog.val_points.getData()
    np.testing.assert_array_equal(x, [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(y, expected.val_metric)
    np.testing.assert_array_equal(dialog.train_points.getData()[1], expected.train_metric)
    own = evaluate_split(experiment, "val")[1]
    assert dialog.own_score == own and set(dialog.own_line.getData()[1]) == {own}
    assert dialog.spread.getRegion() == pytest.approx(expected.fair_range())
    plot = dialog.plot_widget.getPlotItem()
    assert plot.titleLabel.text == "Cross-validation: accuracy on 5 folds"
    summary = expected.summary()
    assert dialog.outcome_label.text() == f"{summary[0].upper()}{summary[1:]}. {expected.advice(own)}"
    assert experiment.epochs_trained == 10 and len(experiment.runs) == 0       # the session is not changed


def test_other_folds_can_be_run_and_folds_the_data_cannot_give_are_explained(window, monkeypatch):
    edit(window, {"data.dataset": "plane", "data.samples": 30, "training.epochs": 3})

    def rerun(dialog):
        assert dialog.own_score is None and dialog.own_line.getData()[0] is None   # nothing trained yet
        dialog.folds.setValue(3)
        dialog.run_button.click()
        assert list(dialog.result.val_rows) == [10, 10, 10] and dialog.result.metric_name == "r2"
        assert dialog.plot_widget.getPlotItem().getAxis("left").labelText == "R²"
        kept = dialog.result
        edit(window, {"data.samples": 10})
        dialog._experiment = window.controller.experiment
        dialog.folds.setValue(20)
        assert not dialog.run() and dialog.result is kept
        assert dialog.outcome_label.text() == "Cannot run: folds: 20 folds but only 10 samples to share among them."

    open_folds(window, monkeypatch, rerun)
