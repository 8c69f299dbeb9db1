"""The editing panels: data set, layers, hyperparameters with tooltips, import, undo and redo."""
import threading
import time

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox

from workbench.core import experiment
from workbench.core.data import ReadStopped
from workbench.gui.widgets import import_dialog
from workbench.gui.widgets.architecture_editor import layer_parameter_counts
from workbench.gui.widgets.hyperparameter_form import AUTO, SECTIONS
from workbench.gui.widgets.import_dialog import ImportDialog
from workbench.core.config_summary import hyperparameter_rows

from gui_helpers import edit, press_cancel_when_progress_shows, start_long_run, stop_run, train_to_end, watch_event_loop


def test_choosing_a_data_set_rebuilds_the_experiment(window):
    box = window.data_panel.dataset_box
    box.setCurrentIndex(box.findData("iris"))
    exp = window.controller.experiment
    assert window.controller.config.data.dataset == "iris"
    assert exp.data.dataset.n_features == 4 and exp.task == "classification"
    assert window.architecture_editor.table.item(2, 1).text() == "3"      # output: 3 classes
    assert not window.data_panel.samples.isEnabled()
    assert window.data_panel.samples.text() == "all rows"            # not a made-up count
    assert "150 samples" in window.data_panel.summary.text()
    assert window.data_panel.summary.text().endswith("\nClasses: setosa: 50, versicolor: 50, virginica: 50.")
    assert "samples" not in dict(dict(hyperparameter_rows(window.controller.config))["Data"])
    window.boundary_view.flush()                       # four features: a slice, with the pair to pick
    assert window.boundary_view.shows_boundary() and not window.boundary_view.plane_bar.isHidden()
    box.setCurrentIndex(box.findData("diabetes"))
    assert "\nTarget progression: 25 to 346, mean 152" in window.data_panel.summary.text()
    box.setCurrentIndex(box.findData("spiral"))
    assert window.data_panel.samples.text() == "500"
    assert dict(dict(hyperparameter_rows(window.controller.config))["Data"])["samples"] == "500"


def test_the_2d_data_sets_have_thumbnails(window):
    box = window.data_panel.dataset_box
    assert not box.itemIcon(box.findData("spiral")).isNull()
    assert box.itemIcon(box.findData("iris")).isNull()


def test_samples_and_split_edits_change_the_data(window):
    window.data_panel.samples.setValue(300)
    window.data_panel.val_split.setValue(0.3)
    exp = window.controller.experiment
    assert exp.data.dataset.n_samples == 300
    assert int((exp.data.split == 1).sum()) == 90


def test_layers_can_be_added_edited_reordered_and_removed(window):
    editor = window.architecture_editor
    editor.add_button.click()
    assert len(window.controller.config.layers) == 3
    editor.table.cellWidget(0, 1).setValue(32)
    assert window.controller.config.layers[0].units == 32
    activation: QComboBox = editor.table.cellWidget(1, 2)
    activation.setCurrentIndex(activation.findText("relu"))
    editor.table.selectRow(1)
    editor.up_button.click()
    layers = window.controller.config.layers
    assert (layers[0].activation, layers[1].units) == ("relu", 32)
    editor.table.selectRow(0)
    editor.remove_button.click()
    assert [layer.units for layer in window.controller.config.layers] == [32, 8]
    exp = window.controller.experiment
    assert exp.network.params["dense_0/weight"].shape == (2, 32)


def test_parameter_counts_per_layer_and_total_with_memory(window):
    config = window.controller.config
    counts = layer_parameter_counts(config, 2, 2)
    assert counts == [2 * 8 + 8, 8 * 8 + 8, 8 * 2 + 2]
    editor = window.architecture_editor
    assert [editor.table.item(r, 5).text() for r in range(3)] == ["24", "72", "18"]
    assert editor.total_label.text() == ("2 inputs → 2 hidden layers → 2 outputs. Total: 114 parameters, "
                                         "456 bytes (float32).")
    assert sum(counts) == window.controller.experiment.network.parameter_count()
    window._on_config_edited({"layers": [], "training.dtype": "float64"}, "none", "")
    assert editor.total_label.text().startswith("2 inputs → no hidden layer → 2 outputs. Total: 6 parameters")
    window._on_config_edited({"layers": [{"units": 1024}] * 2}, "wide", "")
    total = 2 * 1024 + 1024 + 1024 * 1024 + 1024 + 1024 * 2 + 2      # 1,054,722 parameters
    assert editor.total_label.text() == (f"2 inputs → 2 hidden layers → 2 outputs. Total: {total:,} parameters, "
                                         f"{total * 8 / 2**20:.1f} MiB (float64).")


def _teaches(text: str) -> bool:
    """What it is, that it is a hyperparameter, typical values, and the symptom of too high/low."""
    return "Hyperparameter" in text and "typical" in text.lower() and "too " in text.lower()


def test_every_hyperparameter_control_has_a_tooltip_that_teaches_it(window):
    form = window.hyperparameter_form
    for _, fields in SECTIONS:
        for field in fields:
            assert _teaches(form.control(field.path).toolTip()), field.path
    for widget in window.data_panel._fields.values():
        assert _teaches(widget.toolTip())
    assert _teaches(window.data_panel.dataset_box.toolTip())
    editor = window.architecture_editor
    for column in range(1, editor.table.columnCount()):
        header = editor.table.horizontalHeaderItem(column).toolTip()
        assert not header or _teaches(header) or "parameter (learned" in header, column


def test_optimizer_knobs_follow_the_optimizer(window):
    form = window.hyperparameter_form
    form.control("optimizer.name").setCurrentIndex(form.control("optimizer.name").findData("sgd"))
    assert window.controller.config.optimizer.name == "sgd"
    assert not form.control("optimizer.beta1").isEnabled()
    form.control("optimizer.name").setCurrentIndex(form.control("optimizer.name").findData("momentum"))
    assert form.control("optimizer.momentum").isEnabled()


def test_class_weights_are_chosen_in_the_form_and_undone(window):
    box = window.hyperparameter_form.control("training.class_weight")
    assert [box.itemData(i) for i in range(box.count())] == ["none", "balanced"]
    box.setCurrentIndex(box.findData("balanced"))
    assert window.controller.config.training.class_weight == "balanced"
    assert window.controller.experiment.class_weights() is not None      # the run that starts weighs classes
    window.undo_action.trigger()
    assert window.controller.config.training.class_weight == "none" and box.currentData() == "none"


def test_the_learning_rate_has_a_log_slider_and_an_exact_entry(window):
    control = window.hyperparameter_form.control("optimizer.lr")
    control.slider.setValue(-60)          # 10^-3
    assert window.controller.config.optimizer.lr == 0.001
    control.spin.setValue(0.0035)
    assert window.controller.config.optimizer.lr == 0.0035
    edit(window, {"optimizer.lr": 50.0})    # beyond the slider (from a JSON file, say): shown as it is
    assert control.value() == 50.0 and control.slider.value() == control.slider.maximum()
    control.spin.setValue(20.0)                # and typed: a person may watch training diverge
    assert window.controller.config.optimizer.lr == 20.0


def test_undo_and_redo_configuration_edits(window):
    stack = window.controller.undo_stack
    edit(window, {"optimizer.lr": 0.05}, "lr")
    window.architecture_editor.add_button.click()
    assert len(window.controller.config.layers) == 3
    window.undo_action.trigger()
    assert len(window.controller.config.layers) == 2
    assert len(window.controller.experiment.network.layer_shapes()) == 3   # 2 hidden + output
    window.undo_action.trigger()
    assert window.controller.config.optimizer.lr == 0.01
    assert window.hyperparameter_form.control("optimizer.lr").value() == 0.01
    window.redo_action.trigger()
    assert window.controller.config.optimizer.lr == 0.05
    assert stack.count() == 2


def test_ctrl_z_in_the_control_just_edited_undoes_the_configuration_edit(qtbot, window):
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    spin = window.hyperparameter_form.control("training.epochs")
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    spin.selectAll()
    qtbot.keyClicks(spin, "40")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert window.controller.config.training.epochs == 40
    qtbot.keyClick(spin, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.controller.config.training.epochs == 200 and spin.value() == 200
    qtbot.keyClick(spin, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.controller.config.training.epochs == 40 and spin.value() == 40


def test_quick_edits_of_one_control_undo_as_one_step(window):
    spin = window.hyperparameter_form.control("training.batch_size")
    for value in (17, 18, 19):
        spin.setValue(value)
    assert window.controller.undo_stack.count() == 1
    window.undo_action.trigger()
    assert window.controller.config.training.batch_size == 16


def test_quick_noise_edits_undo_to_the_first_samples_and_redo_to_the_last(window):
    first = window.controller.experiment.data.dataset
    spin = window.data_panel._fields["data.noise"]
    for value in (0.1, 0.2, 0.3):                      # one undo step, each value new samples
        spin.setValue(value)
    last = window.controller.experiment.data.dataset
    assert window.controller.undo_stack.count() == 1 and last is not first
    window.undo_action.trigger()
    assert window.controller.experiment.data.dataset is first
    window.redo_action.trigger()
    assert window.controller.experiment.data.dataset is last


def test_an_invalid_combination_is_refused_with_a_message(window, dialogs):
    edit(window, {"data.dataset": "plane", "training.loss": "cross_entropy"})
    assert window.controller.config.data.dataset == "spiral"
    assert "cross_entropy" in dialogs.texts("warning")[-1]


def test_a_file_no_choice_can_use_gives_one_clear_dialog_naming_row_and_column(window, dialogs, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,label\n1,2,x\n3,4\n4,5,x\n", encoding="utf-8")
    assert not window.import_data(str(bad))
    message = dialogs.texts("warning")[-1]
    assert "bad.csv" in message and "row 3" in message and "2 values" in message
    assert window.controller.config.data.path is None


def test_a_choice_the_data_cannot_serve_is_shown_in_the_dialog_until_another_is_picked(
        window, dialogs, tmp_path, monkeypatch):
    path = tmp_path / "notes.csv"
    rows = "\n".join(f"{i % 7},{(i * 3) % 5},{'ab'[i % 2]}," for i in range(40))
    path.write_text("f1,f2,kind,notes\n" + rows + "\n", encoding="utf-8")
    reads = SlowReads(monkeypatch, 0.0)
    seen = []

    def choose(dialog):
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        seen.append((dialog.result_label.text(), ok.isEnabled()))
        dialog.target_box.setCurrentText("f2")          # a number column: not a class label here
        dialog.task_box.setCurrentText("classification")
        dialog.task_box.setCurrentText("regression")
        dialog.target_box.setCurrentText("kind")
        dialog.task_box.setCurrentText("automatic")
        seen.append((dialog.result_label.text(), ok.isEnabled()))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ImportDialog, "exec", choose)
    assert window.import_data(str(path))
    (first, first_ok), (last, last_ok) = seen
    assert first.startswith("Cannot use this choice:") and "column 4 ('notes')" in first
    assert "no values" in first and not first_ok
    assert last.startswith("40 samples") and "2 classes" in last and last_ok
    assert dialogs.texts("warning") == []
    assert len(reads.threads) == 1                      # five choices, one read of the file
    data = window.controller.config.data
    assert (data.path, data.target) == (str(path), "kind")
    assert window.controller.experiment.data.dataset.class_names == ["a", "b"]


def test_importing_a_csv_previews_it_and_uses_the_chosen_target(window, tmp_path, monkeypatch):
    good = tmp_path / "good.csv"
    rows = "\n".join(f"{i % 7}, {(i * 3) % 5}, {i % 3}, {'ab'[i % 2]}" for i in range(60))
    good.write_text("f1, f2, code, kind\n" + rows + "\n", encoding="utf-8")    # spaces after commas
    chosen = {}

    def accept(dialog):
        chosen["preview_rows"] = dialog.preview.rowCount()
        chosen["targets"] = [dialog.target_box.itemText(i) for i in range(dialog.target_box.count())]
        dialog.target_box.setCurrentText("code")
        chosen["description"] = dialog.result_label.text()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ImportDialog, "exec", accept)
    assert window.import_data(str(good))
    data = window.controller.config.data
    assert (data.path, data.target) == (str(good), "code")
    box = window.data_panel.dataset_box                 # no built-in set chosen: the box says so
    assert box.currentIndex() == -1 and box.placeholderText() == "your file (below)"
    assert chosen["preview_rows"] == 20
    assert chosen["targets"] == ["f1", "f2", "code", "kind"]     # as the reader names them
    assert "3 classes" in chosen["description"]
    assert window.controller.experiment.data.dataset.n_features >= 3


def test_a_click_on_a_column_header_leaves_it_out_of_the_import(qtbot, window, tmp_path, monkeypatch):
    people = tmp_path / "people.csv"
    people.write_text("id,name,a,b,label\n" + "".join(
        f"{1000 + i},person{i},{i % 7},{i % 5},{'yn'[i % 2]}\n" for i in range(150)))
    seen = {}

    def click_header(dialog, column):
        header = dialog.table.horizontalHeader()
        x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))

    def choose(dialog):
        dialog.show()
        qtbot.waitExposed(dialog)
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        seen["first"] = (ok.isEnabled(), dialog.result_label.text())
        click_header(dialog, 1)                          # name: too many texts to encode
        click_header(dialog, 0)                          # id: a number, but noise
        click_header(dialog, 4)                          # the target: never left out
        model = dialog.preview
        seen["headers"] = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)]
        seen["greyed"] = model.data(model.index(0, 1), Qt.ItemDataRole.ForegroundRole) is not None
        seen["chosen"] = (ok.isEnabled(), dialog.result_label.text())
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ImportDialog, "exec", choose)
    assert window.import_data(str(people))
    assert not seen["first"][0] and "'name'" in seen["first"][1] and "leave the column out" in seen["first"][1]
    assert seen["headers"] == ["id (left out)", "name (left out)", "a", "b", "label (target)"]
    assert seen["greyed"]
    assert seen["chosen"][0] and "150 samples, 2 features" in seen["chosen"][1]
    data = window.controller.config.data
    assert data.exclude == ("id", "name") and data.target == "label"
    assert window.controller.experiment.data.dataset.feature_names == ["a", "b"]
    assert "left out: id, name" in window.data_panel.file_label.text()
    rows = dict(dict(hyperparameter_rows(window.controller.config))["Data"])
    assert rows["target column"] == "label" and rows["columns left out"] == "id, name"
    box = window.data_panel.dataset_box
    box.setCurrentIndex(box.findData("iris"))           # a built-in set leaves nothing out
    assert window.controller.config.data.exclude == ()
    window.undo_action.trigger()
    assert window.controller.config.data.exclude == ("id", "name")


def test_a_left_out_column_chosen_as_the_target_is_used_again(qtbot, tmp_path):
    path = tmp_path / "small.csv"
    path.write_text("a,b,c,label\n" + "".join(f"{i},{i % 3},{i % 4},{i % 2}\n" for i in range(30)))
    dialog = ImportDialog(import_dialog.open_for_import(str(path)))
    qtbot.addWidget(dialog)
    dialog._on_header_clicked(0)
    dialog._on_header_clicked(1)
    assert dialog.excluded() == ("a", "b")
    dialog.target_box.setCurrentText("b")
    assert dialog.excluded() == ("a",) and dialog.data_changes()["data.target"] == "b"
    assert dialog.dataset.feature_names == ["c", "label"]
    dialog._on_header_clicked(0)                        # and a second click takes a column back
    assert dialog.excluded() == () and dialog.dataset.n_features == 3


class SlowReads:
    """`open_data_file` made slow, counting its calls, the threads they run on, and how they end."""

    def __init__(self, monkeypatch, seconds: float):
        self.threads, self.stops, self.endings, self.finished = [], [], [], 0
        real = import_dialog.open_data_file

        def slow(path, stop=None):
            self.threads.append(threading.current_thread())
            self.stops.append(stop)
            time.sleep(seconds)
            try:
                result = real(path, stop)
                self.endings.append("read")
                return result
            except ReadStopped:
                self.endings.append("stopped")
                raise
            finally:
                self.finished += 1
        monkeypatch.setattr(import_dialog, "open_data_file", slow)


def test_importing_reads_the_file_once_off_the_gui_thread_and_the_window_keeps_running(window, tmp_path,
                                                                                        monkeypatch):
    path = tmp_path / "blobs.csv"
    path.write_text("a,b,label\n" + "\n".join(f"{i % 5},{i % 3},{'xy'[i % 2]}" for i in range(40)) + "\n")
    reads = SlowReads(monkeypatch, 0.8)
    loads = []                                          # the experiment's own reading, when it applies
    real_load = experiment.load_dataset
    monkeypatch.setattr(experiment, "load_dataset", lambda *args: loads.append(args) or real_load(*args))
    opened = []
    monkeypatch.setattr(ImportDialog, "exec", lambda dialog: opened.append(dialog) or QDialog.DialogCode.Accepted)
    seen, timer = watch_event_loop()
    assert window.import_data(str(path))
    timer.stop()
    assert len(reads.threads) == 1 and reads.threads[0] is not threading.main_thread() and loads == []
    assert seen["ticks"] >= 10 and seen["progress"]       # it painted and showed progress
    assert len(opened) == 1 and window.controller.config.data.path == str(path)
    assert window.controller.experiment.data.dataset.n_samples == 40       # the samples read once
    window.controller.undo_stack.undo()                 # undo and redo keep the samples they had
    assert window.controller.experiment.data.dataset.source == "builtin:spiral"
    window.controller.undo_stack.redo()
    assert window.controller.experiment.data.dataset.n_samples == 40
    assert len(reads.threads) == 1 and loads == []


def test_undoing_back_to_a_file_uses_the_samples_it_had(window, tmp_path, monkeypatch):
    path = tmp_path / "blobs.csv"
    path.write_text("a,b,label\n" + "\n".join(f"{i % 5},{i % 3},{'xy'[i % 2]}" for i in range(40)) + "\n")
    monkeypatch.setattr(ImportDialog, "exec", lambda dialog: QDialog.DialogCode.Accepted)
    assert window.import_data(str(path))
    box = window.data_panel.dataset_box
    box.setCurrentIndex(box.findData("iris"))          # try a built-in set, then go back
    assert window.controller.experiment.data.dataset.source == "builtin:iris"
    loads = []
    real_load = experiment.load_dataset
    monkeypatch.setattr(experiment, "load_dataset", lambda *args: loads.append(args) or real_load(*args))
    window.controller.undo_stack.undo()
    assert window.controller.experiment.data.dataset.n_samples == 40
    window.controller.undo_stack.redo()
    assert window.controller.experiment.data.dataset.source == "builtin:iris"
    assert loads == []                                  # neither the file nor iris was read again


def test_cancelling_a_slow_read_leaves_the_session_as_it_was(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "blobs.csv"
    path.write_text("a,b,label\n" + "\n".join(f"{i % 5},{i % 3},{'xy'[i % 2]}" for i in range(40)) + "\n")
    reads = SlowReads(monkeypatch, 1.5)
    opened = []
    monkeypatch.setattr(ImportDialog, "exec", lambda dialog: opened.append(dialog) or QDialog.DialogCode.Accepted)

    QTimer.singleShot(400, press_cancel_when_progress_shows)
    before = window.controller.config
    assert not window.import_data(str(path))
    assert reads.finished == 0                          # it returned before the read ended
    assert reads.stops[0].is_set()                      # the read was told to stop ...
    qtbot.waitUntil(lambda: reads.finished == 1, timeout=5000)
    assert reads.endings == ["stopped"]                 # ... and did, instead of reading on
    qtbot.wait(50)                                      # the late answer arrives, and is dropped
    assert opened == [] and window.controller.config == before
    assert window.controller.experiment.data.dataset.source.startswith("builtin:")


def test_a_csv_with_missing_numbers_imports_trains_and_plots_the_complete_rows(qtbot, window, gappy_csv,
                                                                                monkeypatch):
    path = gappy_csv
    seen = {}

    def accept(dialog):
        seen["description"] = dialog.result_label.text()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ImportDialog, "exec", accept)
    assert window.import_data(str(path))
    assert "20 missing numbers (a: 12, b: 8) will take their column's mean over the training rows" in \
        seen["description"]
    report = train_to_end(qtbot, window, epochs=3)
    assert report.status == "completed" and np.isfinite(report.train_loss)
    window.boundary_view.flush()
    assert window.boundary_view.shows_boundary()
    drawn = len(window.boundary_view.train_points.data) + len(window.boundary_view.val_points.data)
    assert drawn == 80 - 18                      # rows 0 and 77 miss both numbers: 12 + 8 - 2 rows


@pytest.mark.parametrize("suffix", [".csv", ".npz"])
def test_dropping_a_data_file_opens_the_import_preview(window, tmp_path, monkeypatch, suffix):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)), np.arange(40) % 2
    path = tmp_path / f"dropped{suffix}"
    if suffix == ".csv":
        path.write_text("a,b,c,label\n" + "".join(f"{r[0]},{r[1]},{r[2]},{t}\n" for r, t in zip(X, y)))
    else:
        np.savez(path, X=X, y=y)
    previewed = []
    monkeypatch.setattr(ImportDialog, "exec", lambda dialog: previewed.append(dialog) or QDialog.DialogCode.Accepted)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    window.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                                Qt.KeyboardModifier.NoModifier))
    assert len(previewed) == 1
    assert window.controller.config.data.path == str(path)
    assert window.controller.experiment.data.dataset.n_features == 3


def test_applying_the_best_tuned_configuration_is_undoable(window):
    tuned = window.controller.config.updated({"optimizer.lr": 0.003, "training.batch_size": 32})
    window.tuning_panel.apply_config.emit(tuned)
    assert window.controller.config == tuned
    assert window.hyperparameter_form.control("training.batch_size").value() == 32
    window.undo_action.trigger()
    assert window.controller.config.optimizer.lr == 0.01
    assert window.controller.config.training.batch_size == 16


def test_a_loss_the_task_cannot_use_is_refused_and_reset_still_works(window, dialogs):
    edit(window, {"data.dataset": "diabetes"})
    box = window.hyperparameter_form.control("training.loss")
    box.setCurrentIndex(box.findData("cross_entropy"))        # a choice the form offers for every task
    (kind, title, text), = dialogs.shown
    assert (kind, title) == ("warning", "Cannot apply this change") and "cross_entropy needs a classification" in text
    assert window.controller.config.training.loss is None and box.currentData() == AUTO
    window.reset_action.trigger()                             # raised ConfigError from the slot before
    assert window.controller.experiment.config.training.loss is None


def test_undo_and_redo_are_off_while_training_and_back_after(qtbot, window):
    edit(window, {"data.dataset": "iris"})
    start_long_run(qtbot, window)
    assert not window.undo_action.isEnabled() and not window.redo_action.isEnabled()
    window.hyperparameter_form.control("optimizer.lr").spin.setValue(0.02)   # allowed mid-run: pushes a step
    assert window.controller.undo_stack.canUndo() and not window.undo_action.isEnabled()
    window.undo_action.trigger()
    assert window.controller.config.data.dataset == "iris" and window.controller.config.optimizer.lr == 0.02
    stop_run(qtbot, window)
    assert window.undo_action.isEnabled()
    window.undo_action.trigger()
    assert window.controller.config.optimizer.lr == 0.01 and window.redo_action.isEnabled()


def test_schedule_controls_show_every_value_the_configuration_accepts(window):
    form = window.hyperparameter_form
    edit(window, {"schedule.name": "step", "schedule.gamma": 1e-5, "schedule.step_size": 500_000,
                  "schedule.warmup_epochs": 500_000})
    assert form.control("schedule.gamma").value() == pytest.approx(1e-5)
    assert form.control("schedule.step_size").value() == 500_000
    assert form.control("schedule.warmup_epochs").value() == 500_000
    edit(window, {"schedule.name": "cosine", "schedule.min_lr": 200.0})
    assert form.control("schedule.min_lr").value() == 200.0


# every number a control edits: the largest value the configuration takes, and the next one up
LARGEST = {"optimizer.momentum": (0.9999, 0.99995), "optimizer.beta1": (0.9999, 0.99995),
           "optimizer.beta2": (0.999999, 0.9999995), "optimizer.rho": (0.9999, 0.99995),
           "optimizer.eps": (1.0, 1.5), "optimizer.weight_decay": (1.0, 1.5),
           "schedule.warmup_epochs": (1_000_000, 1_000_001), "schedule.step_size": (1_000_000, 1_000_001),
           "schedule.gamma": (1.0, 1.5), "schedule.min_lr": (1e6, 2e6),
           "training.batch_size": (1_000_000, 1_000_001), "training.epochs": (10_000_000, 10_000_001),
           "training.early_stopping": (1_000_000, 1_000_001), "training.l1": (10.0, 10.5),
           "training.l2": (10.0, 10.5), "training.clip_norm": (1e6, 2e6),
           "data.samples": (10_000_000, 10_000_001), "data.noise": (0.5, 0.55),
           "data.val_split": (0.9, 0.95), "data.test_split": (0.9, 0.95), "training.seed": (2**32 - 1, 2**32)}


def test_every_number_control_shows_the_largest_value_the_configuration_takes(window):
    from PySide6.QtWidgets import QAbstractSpinBox

    from workbench.core.config import Config, ConfigError

    form, panel = window.hyperparameter_form, window.data_panel
    controls = {path: form.control(path) for path in form.controls} | panel._fields
    numbers = {path for path, widget in controls.items() if isinstance(widget, QAbstractSpinBox)}
    assert numbers == set(LARGEST)                       # a new control joins the table
    for path, (largest, beyond) in LARGEST.items():
        with pytest.raises(ConfigError):                 # the table holds the configuration's own limits
            Config().updated({path: beyond})
        other = {"data.val_split": 0.0} if path == "data.test_split" else {"data.test_split": 0.0}
        config = Config().updated({**other, path: largest})
        form.set_config(config)
        panel.set_config(config)
        assert controls[path].value() == pytest.approx(largest), path


def test_a_seed_above_two_to_the_31_is_shown_and_edited_as_a_whole_number(window):
    edit(window, {"training.seed": 3_000_000_000})
    assert window.data_panel.seed.value() == 3_000_000_000
    window.data_panel.seed.setValue(4_000_000_000)
    seed = window.controller.config.training.seed
    assert seed == 4_000_000_000 and isinstance(seed, int)


def test_a_network_too_large_for_memory_is_refused_with_its_size(window, dialogs, monkeypatch):
    from workbench.core import experiment as experiment_module

    def out_of_memory(*args):
        raise MemoryError()

    before = window.controller.config
    monkeypatch.setattr(experiment_module, "_build_network", out_of_memory)
    window.architecture_editor.table.cellWidget(0, 1).setValue(60_000)
    assert window.controller.config == before
    assert window.architecture_editor.table.cellWidget(0, 1).value() == before.layers[0].units
    params = (2 + 1) * 60_000 + (60_000 + 1) * 8 + (8 + 1) * 2
    assert dialogs.shown[-1][1:] == ("Cannot apply this change", (
        f"not enough memory for this network: its {params:,} parameters take 2.5 MiB for the weights alone, and "
        "training needs about four times that (gradients and the optimizer's state); use fewer or narrower layers"))
