"""Training → Find a learning rate: the range test runs off the GUI thread on a fresh copy, draws
loss against rate with the suggestion marked, and "Use" makes it the learning rate (undoable)."""
import math
import threading

import numpy as np
import pytest
from PySide6.QtWidgets import QDialog

from gui_helpers import edit
from gui_helpers import start_long_run, stop_run
from workbench.core import lr_finder
from workbench.core.lr_finder import find_learning_rate
from workbench.gui.widgets.lr_finder_dialog import LearningRateFinderDialog


def open_finder(window, monkeypatch, act):
    """Press the form's button; `act(dialog)` plays the person at the dialog and returns its answer."""
    seen = {}

    def exec_(dialog):
        seen["dialog"] = dialog
        return act(dialog)

    monkeypatch.setattr(LearningRateFinderDialog, "exec", exec_)
    window.hyperparameter_form.find_lr_button.click()
    return seen["dialog"]


def test_the_suggestion_is_drawn_and_used_as_one_undoable_edit(window, monkeypatch):
    edit(window, {"data.dataset": "iris", "layers.units": 16})
    weights = window.controller.experiment.network.get_weights()
    threads = []
    real = lr_finder.find_learning_rate
    monkeypatch.setattr("workbench.gui.widgets.lr_finder_dialog.find_learning_rate",
                        lambda *a, **k: threads.append(threading.current_thread()) or real(*a, **k))

    def use(dialog):
        sweep = dialog.sweep
        assert sweep is not None and sweep.suggestion is not None
        x, y = dialog.smooth_curve.getData()
        np.testing.assert_allclose(x, np.log10(sweep.lrs))            # drawn on a log axis
        np.testing.assert_allclose(y, sweep.smoothed)
        assert dialog.suggestion_line.isVisible()
        assert dialog.plot_widget.getPlotItem().titleLabel.text == "Loss against learning rate (adam, batch 16)"
        assert dialog.suggestion_line.value() == pytest.approx(math.log10(sweep.suggestion))  # log axis
        assert dialog.current_line.value() == pytest.approx(math.log10(0.01))      # the rate set now
        assert dialog.outcome_label.text().startswith(f"Suggested learning rate {sweep.suggestion:.3g}")
        assert dialog.use_button.text() == f"Use {sweep.suggestion:.3g}"
        dialog.use_button.click()
        return dialog.result()

    dialog = open_finder(window, monkeypatch, use)
    suggestion = float(f"{dialog.sweep.suggestion:.3g}")
    assert threads and threads[0] is not threading.main_thread()          # swept off the GUI thread
    expected = find_learning_rate(window.controller.experiment)           # the same curve from the seed
    np.testing.assert_array_equal(dialog.sweep.losses, expected.losses)
    assert window.controller.config.optimizer.lr == suggestion
    assert window.hyperparameter_form.control("optimizer.lr").value() == suggestion
    for name, value in window.controller.experiment.network.get_weights().items():   # not trained
        np.testing.assert_array_equal(value, weights[name])
    window.undo_action.trigger()
    assert window.controller.config.optimizer.lr == 0.01


def test_closing_the_dialog_changes_nothing_and_settings_can_be_rerun(window, monkeypatch):
    before = window.controller.config

    def rerun_then_close(dialog):
        first = dialog.sweep
        dialog.min_spin.setValue(1e-3)
        dialog.max_spin.setValue(1.0)
        dialog.steps_spin.setValue(20)
        dialog.run_button.click()
        assert len(dialog.sweep.lrs) <= 20 and dialog.sweep.lrs[0] == pytest.approx(1e-3)
        assert dialog.sweep is not first
        dialog.max_spin.setValue(1e-4)                       # below the first rate: refused
        assert not dialog.run()
        assert dialog.outcome_label.text().startswith("Cannot run: the learning rates must grow")
        dialog.reject()
        return dialog.result()

    open_finder(window, monkeypatch, rerun_then_close)
    assert window.controller.config == before and window.controller.undo_stack.count() == 0


def test_any_suggestion_the_dialog_can_make_fits_the_learning_rate_control(window, monkeypatch):
    control = window.hyperparameter_form.control("optimizer.lr").spin

    def widest(dialog):
        dialog.min_spin.setValue(1e-9)
        dialog.max_spin.setValue(1e9)
        assert (dialog.min_spin.value(), dialog.max_spin.value()) == (1e-5, 100.0)   # clamped
        lowest_possible = dialog.min_spin.value() * (dialog.max_spin.value() / dialog.min_spin.value()) ** (
            1 / (dialog.steps_spin.maximum() - 1)) / 10
        assert control.minimum() <= lowest_possible and dialog.max_spin.maximum() / 10 <= control.maximum()
        dialog.reject()
        return dialog.result()

    open_finder(window, monkeypatch, widest)


def test_a_sweep_where_the_loss_never_falls_offers_nothing_to_use(window, monkeypatch):
    edit(window, {"data.dataset": "plane", "optimizer.name": "sgd"})

    def too_high(dialog):
        dialog.min_spin.setValue(100.0)
        dialog.max_spin.setValue(1e4)
        dialog.run_button.click()
        assert not dialog.use_button.isEnabled() and not dialog.suggestion_line.isVisible()
        assert "did not fall at any rate tried" in dialog.outcome_label.text()
        dialog.reject()
        return dialog.result()

    open_finder(window, monkeypatch, too_high)
    assert window.controller.config.optimizer.lr == 0.01


def test_the_finder_is_off_while_training(qtbot, window, monkeypatch):
    monkeypatch.setattr(LearningRateFinderDialog, "exec", lambda dialog: pytest.fail("opened mid-run"))
    start_long_run(qtbot, window)
    assert not window.find_lr_action.isEnabled() and not window.hyperparameter_form.find_lr_button.isEnabled()
    assert not window.import_config_action.isEnabled()
    window.hyperparameter_form.find_lr_button.click()
    stop_run(qtbot, window)
    assert window.find_lr_action.isEnabled() and window.hyperparameter_form.find_lr_button.isEnabled()
    monkeypatch.setattr(LearningRateFinderDialog, "exec", lambda dialog: QDialog.DialogCode.Rejected)
    window.find_lr_action.trigger()                           # from the Training menu as well
