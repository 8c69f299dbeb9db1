"""Training → Feature importance: the permutation importance of the current weights, computed off
the GUI thread and drawn as bars, the most important at the top; the session is not changed."""
import numpy as np

from gui_helpers import edit, open_dialog, train_to_end
from workbench.core.importance import permutation_importance
from workbench.gui.widgets import feature_importance_dialog
from workbench.gui.widgets.feature_importance_dialog import FeatureImportanceDialog


def open_importance(window, monkeypatch, act=lambda dialog: None):
    return open_dialog(monkeypatch, FeatureImportanceDialog, window.importance_action, act)


def drawn_bars(dialog):
    opts = dialog.bars.opts
    ticks = dialog.plot_widget.getPlotItem().getAxis("left")._tickLevels[0]
    return np.asarray(opts["width"]), [name for _, name in ticks]


def test_the_bars_are_the_importance_of_the_current_weights(qtbot, window, monkeypatch):
    edit(window, {"data.dataset": "iris", "layers.units": 16, "training.epochs": 40})
    train_to_end(qtbot, window)
    weights = window.controller.experiment.network.get_weights()
    dialog = open_importance(window, monkeypatch)
    expected = permutation_importance(window.controller.experiment, "val", 5)
    np.testing.assert_array_equal(dialog.importance.mean, expected.mean)
    widths, names = drawn_bars(dialog)
    order = expected.ranked()[::-1]                              # drawn bottom up
    np.testing.assert_allclose(widths, np.abs(expected.mean[order]))
    assert names == [expected.names[i] for i in order]
    assert set(names[-2:]) == {"petal_length_cm", "petal_width_cm"}  # at the top
    assert dialog.outcome_label.text().startswith(
        f"Validation accuracy with nothing shuffled: {expected.baseline:.4f}, the weights of epoch 40; "
        "30 rows, 5 shuffles per feature")
    assert dialog.plot_widget.getPlotItem().getAxis("bottom").labelText == \
        "fall in validation accuracy when shuffled"
    assert window.controller.experiment.epochs_trained == 40 and window.controller.undo_stack.count() == 1
    for name, value in window.controller.experiment.network.get_weights().items():
        np.testing.assert_array_equal(value, weights[name])


def test_other_rows_and_shuffles_can_be_rerun(window, monkeypatch):
    edit(window, {"data.dataset": "wine"})

    def rerun(dialog):
        assert [dialog.split_box.itemData(i) for i in range(dialog.split_box.count())] == ["val", "train"]
        first = dialog.importance
        dialog.split_box.setCurrentIndex(1)
        dialog.repeats_spin.setValue(2)
        dialog.run_button.click()
        assert dialog.importance is not first and dialog.importance.split == "train" and dialog.importance.repeats == 2
        assert dialog.importance.samples == window.controller.experiment.data.X_train.shape[0]
        assert "the untrained network" in dialog.outcome_label.text()

    open_importance(window, monkeypatch, rerun)


def test_without_validation_rows_the_training_rows_are_offered(window, monkeypatch):
    edit(window, {"data.dataset": "iris", "data.val_split": 0.0})
    dialog = open_importance(window, monkeypatch)
    assert dialog.split_box.count() == 1 and dialog.importance.split == "train"
    assert dialog.outcome_label.text().startswith("Training accuracy with nothing shuffled")


def test_wide_data_shows_its_most_important_features(window, monkeypatch):
    edit(window, {"data.dataset": "digits"})
    dialog = open_importance(window, monkeypatch)
    widths, names = drawn_bars(dialog)
    assert len(names) == feature_importance_dialog.SHOWN_FEATURES == 20
    assert names[-1] == dialog.importance.names[dialog.importance.ranked()[0]]
    assert "The 20 most important of 64 features are shown" in dialog.outcome_label.text()


def test_regression_measures_the_fall_in_r2(window, monkeypatch):
    edit(window, {"data.dataset": "diabetes"})
    dialog = open_importance(window, monkeypatch)
    assert dialog.importance.metric_name == "r2"
    assert dialog.plot_widget.getPlotItem().getAxis("bottom").labelText == "fall in validation R² when shuffled"


def test_a_model_whose_outputs_overflow_gets_a_message(window, monkeypatch):
    edit(window, {"data.dataset": "plane", "layers": [], "training.dtype": "float64"})
    network = window.controller.experiment.network
    network.set_weights({"dense_0/weight": np.full((2, 1), 1e308), "dense_0/bias": np.zeros(1)})
    dialog = open_importance(window, monkeypatch)
    assert dialog.importance is None
    assert dialog.outcome_label.text().startswith("Cannot measure: the model's R² on these rows is not a finite")
