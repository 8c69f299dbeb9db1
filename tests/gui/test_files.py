"""Files from the GUI: save and reopen, unsaved-changes prompts, title, recent files, drag and drop,
export, autosave and recovery after a simulated crash."""
import os

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

import pytest

from gui_helpers import curve, edit, train_to_end

DEAD_PID = 2**22 + 12345          # above Linux's pid_max: no such process


def test_save_and_reopen_gives_the_same_session(qtbot, make_window, dialogs, tmp_path):
    first = make_window()
    edit(first, {"training.epochs": 5, "optimizer.lr": 0.02})
    train_to_end(qtbot, first)
    edit(first, {"optimizer.lr": 0.005})          # a second run to compare with the first
    first.reset_action.trigger()
    train_to_end(qtbot, first)
    dialogs.save_path = str(tmp_path / "run")
    assert first.save_action.isEnabled()
    first.save_action.trigger()
    saved = tmp_path / "run.h5"
    assert saved.is_file()
    assert first.windowTitle() == "run.h5[*] — Workbench" and not first.isWindowModified()
    second = make_window()
    assert second.open_path(str(saved))
    a, b = first.controller.experiment, second.controller.experiment
    assert b.history.train_loss == a.history.train_loss
    assert b.config == a.config
    assert curve(second.loss_plot, "val") == pytest.approx(a.history.val_loss)
    assert second.recent_files()[0] == str(saved)
    assert second.runs_table.table.rowCount() == 2            # the earlier run came back too
    assert second.controller.experiment.runs[0].history.train_loss == a.runs[0].history.train_loss


def test_the_title_marks_unsaved_changes(window):
    assert not window.isWindowModified()
    edit(window, {"training.epochs": 7})
    assert window.isWindowModified()
    window.undo_action.trigger()
    assert not window.isWindowModified()


def test_new_with_unsaved_work_asks_and_cancel_keeps_it(window, dialogs):
    edit(window, {"training.epochs": 7})
    dialogs.answer = QMessageBox.StandardButton.Cancel
    window.new_action.trigger()
    assert window.controller.config.training.epochs == 7
    dialogs.answer = QMessageBox.StandardButton.Discard
    window.new_action.trigger()
    assert window.controller.config.training.epochs == 200
    assert len(dialogs.texts("question")) == 2


def test_save_in_the_prompt_saves_before_going_on(window, dialogs, tmp_path):
    edit(window, {"training.epochs": 7})
    dialogs.answer = QMessageBox.StandardButton.Save
    dialogs.save_path = str(tmp_path / "kept.h5")
    window.new_action.trigger()
    assert (tmp_path / "kept.h5").is_file()
    assert window.controller.path is None


def test_closing_with_unsaved_work_can_be_cancelled(window, dialogs):
    edit(window, {"training.epochs": 7})
    dialogs.answer = QMessageBox.StandardButton.Cancel
    assert not window.close()
    dialogs.answer = QMessageBox.StandardButton.Discard
    assert window.close()


def test_a_damaged_session_gives_a_message_and_leaves_the_window_as_it_was(window, dialogs, tmp_path):
    broken = tmp_path / "broken.h5"
    broken.write_bytes(b"not an hdf5 file at all")
    assert not window.open_path(str(broken))
    assert "broken.h5" in dialogs.texts("warning")[-1]
    assert window.controller.path is None


def test_recent_files_ignore_bad_settings_values(make_window, settings):
    settings.setValue("recent_files", 42)
    settings.setValue("window/geometry", "garbage")
    window = make_window()
    assert window.recent_files() == []
    assert window.width() == 1280


def test_dropping_a_session_file_opens_it(qtbot, make_window, dialogs, tmp_path):
    first = make_window()
    edit(first, {"training.epochs": 3})
    train_to_end(qtbot, first)
    path = str(tmp_path / "dropped.h5")
    first.controller.save(path)
    second = make_window()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(path)])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    second.dropEvent(event)
    assert second.controller.path == path
    assert second.controller.experiment.epochs_trained == 3


def test_export_weights_writes_the_chosen_format(qtbot, window, dialogs, tmp_path):
    import numpy as np

    edit(window, {"training.epochs": 2})
    train_to_end(qtbot, window)
    dialogs.save_path = str(tmp_path / "weights.npz")
    window.export_action.trigger()
    with np.load(tmp_path / "weights.npz", allow_pickle=False) as archive:
        assert archive["dense_0.weight"].shape == (2, 8)
    dialogs.save_path = str(tmp_path / "weights.txt")
    window.export_action.trigger()
    assert ".onnx" in dialogs.texts("warning")[-1]


def test_autosave_is_offered_for_recovery_after_a_crash(qtbot, make_window, dialogs, tmp_path):
    user_file = tmp_path / "mine.h5"
    crashed = make_window()
    crashed.controller.save(str(user_file))
    before = user_file.read_bytes()
    edit(crashed, {"training.epochs": 4})
    train_to_end(qtbot, crashed)
    autosave = crashed.controller.autosave_now()
    assert autosave is not None and autosave.is_file()
    # simulate the crash: the autosave stays behind, owned by a process that no longer exists
    os.replace(autosave, autosave.with_name(f"autosave-{DEAD_PID}.h5"))
    os.replace(autosave.with_suffix(".json"), autosave.with_name(f"autosave-{DEAD_PID}.json"))
    later = make_window()
    dialogs.answer = QMessageBox.StandardButton.Yes
    later.offer_recovery()
    assert later.controller.experiment.epochs_trained == 4
    assert later.controller.path is None and later.isWindowModified()
    assert later.windowTitle() == "Recovered session[*] — Workbench"
    assert user_file.read_bytes() == before
    assert later.controller.recoverable() == []


def test_a_clean_close_leaves_no_autosave(qtbot, window, dialogs):
    edit(window, {"training.epochs": 7})
    autosave = window.controller.autosave_now()
    assert autosave.is_file()
    window.close()
    assert not autosave.exists()
