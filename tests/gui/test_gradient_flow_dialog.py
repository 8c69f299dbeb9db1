"""Training → Gradient flow: every layer's gradient over the replay snapshots, measured off the GUI
thread and drawn on a log scale, a line per layer; the session is not changed."""
import numpy as np

from gui_helpers import edit, open_dialog, train_to_end
from workbench.core.gradient_flow import gradient_flow
from workbench.gui.widgets.gradient_flow_dialog import GradientFlowDialog


def open_flow(window, monkeypatch, act=lambda dialog: None):
    return open_dialog(monkeypatch, GradientFlowDialog, window.gradient_flow_action, act)


def test_a_line_per_layer_over_the_snapshots(qtbot, window, monkeypatch):
    edit(window, {"training.epochs": 5, "layers": [{"units": 8, "activation": "sigmoid"}] * 6})
    train_to_end(qtbot, window)
    dialog = open_flow(window, monkeypatch)
    expected = gradient_flow(window.controller.experiment)
    assert len(dialog.lines) == 7 and dialog.plot_widget.getPlotItem().ctrl.logYCheck.isChecked()
    x, y = dialog.lines[0].getData()                     # the first hidden layer (log10 drawn)
    np.testing.assert_array_equal(x, expected.epochs)
    np.testing.assert_allclose(10 ** y, expected.rms[:, 0])
    names = [label.text for _, label in dialog.legend.items]
    assert names == ["dense_0", "dense_5", "dense_6 (output)"]            # a deep network: first and last
    assert dialog.plot_widget.getPlotItem().titleLabel.text == "Gradient flow: 7 layers, 6 snapshots"
    assert dialog.outcome_label.text() == expected.advice()
    assert window.controller.experiment.epochs_trained == 5


def test_a_shallow_network_names_every_layer_and_runs_again(window, monkeypatch):
    def rerun(dialog):
        assert [label.text for _, label in dialog.legend.items] == ["dense_0", "dense_1", "dense_2 (output)"]
        dialog.run_button.click()
        assert len(dialog.lines) == 3 and len(dialog.legend.items) == 3     # drawn anew, not added to
    open_flow(window, monkeypatch, rerun)
