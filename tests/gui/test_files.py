"""Files from the GUI: save and reopen, unsaved-changes prompts, title, recent files, drag and drop,
export, autosave and recovery after a simulated crash; saving, exporting and autosaving while a run
goes on. Saves are written off the GUI thread: tests wait for `file_written` (a GUI-thread signal)."""
import math
import os
import threading
import time

import numpy as np
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

import pytest

from gui_helpers import curve, edit, press_cancel_when_progress_shows, start_long_run, stop_run, train_to_end
from workbench.gui import file_menu
from workbench.io.session import load_session, read_contents, write_contents

DEAD_PID = 2**22 + 12345          # above Linux's pid_max: no such process
REAL_QUESTION = QMessageBox.question       # taken before the dialogs fixture patches it


def written(qtbot, window, kind, timeout=20_000):
    """Wait for the next file of `kind` ("save", "export", "autosave") to be on disk."""
    return qtbot.waitSignal(window.controller.file_written, timeout=timeout,
                            check_params_cb=lambda k, _path, _epochs: k == kind)


def assert_consistent(session, live):
    """`session` (loaded from a file written mid-run) is `live`'s run, cut at an epoch boundary."""
    epochs = session.epochs_trained
    assert session.history.train_loss == live.history.train_loss[:epochs]     # the same run
    assert session.history.epoch == list(range(1, epochs + 1))
    latest = session.snapshots[epochs]                # weights, optimizer and history agree:
    for name, value in session.network.get_weights().items():
        np.testing.assert_array_equal(value, latest[name])
    n_train = session.data.X_train.shape[0]
    batches = math.ceil(n_train / min(session.config.training.batch_size, n_train))
    assert session.optimizer.steps == epochs * batches
    assert session.status == "stopped"               # a run cut short, which Train resumes


def test_save_and_reopen_gives_the_same_session(qtbot, make_window, dialogs, tmp_path):
    first = make_window()
    edit(first, {"training.epochs": 5, "optimizer.lr": 0.02})
    train_to_end(qtbot, first)
    edit(first, {"optimizer.lr": 0.005})          # a second run to compare with the first
    first.reset_action.trigger()
    train_to_end(qtbot, first)
    dialogs.save_path = str(tmp_path / "run")
    assert first.save_action.isEnabled()
    with written(qtbot, first, "save"):
        first.save_action.trigger()
    saved = tmp_path / "run.h5"
    assert saved.is_file()
    assert first.windowTitle() == "run.h5[*] — Workbench" and not first.isWindowModified()
    assert first.statusBar().currentMessage() == "Saved run.h5 (5 epochs)"
    second = make_window()
    assert second.open_path(str(saved))
    a, b = first.controller.experiment, second.controller.experiment
    assert b.history.train_loss == a.history.train_loss
    assert b.config == a.config
    assert curve(second.loss_plot, "val") == pytest.approx(a.history.val_loss)
    assert second.recent_files()[0] == str(saved)
    assert second.runs_table.table.rowCount() == 2            # the earlier run came back too
    assert second.controller.experiment.runs[0].history.train_loss == a.runs[0].history.train_loss


def test_opening_reads_the_session_off_the_gui_thread_while_the_window_paints(qtbot, window, tmp_path,
                                                                          monkeypatch):
    import threading
    import time

    from workbench.core.experiment import Experiment
    from workbench.core.config import Config
    from workbench.gui import file_menu
    from workbench.io.session import save_session

    path = tmp_path / "iris.h5"
    save_session(path, Experiment.create(Config().updated({"data.dataset": "iris"})))
    threads, ticks = [], []

    def slow_load(*args, **kwargs):
        threads.append(threading.current_thread())
        time.sleep(0.6)
        return load_session(*args, **kwargs)
    monkeypatch.setattr(file_menu, "load_session", slow_load)
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(QApplication.activeModalWidget()))
    timer.start(20)
    assert window.open_path(str(path))
    timer.stop()
    assert threads and threads[0] is not threading.main_thread()
    assert len(ticks) >= 10 and any(type(w).__name__ == "QProgressDialog" for w in ticks)
    assert window.controller.experiment.data.dataset.source == "builtin:iris"


def test_cancelling_an_open_stops_the_read_and_keeps_the_session(qtbot, window, tmp_path, monkeypatch):
    from workbench.core.config import Config
    from workbench.core.data import ReadStopped
    from workbench.core.experiment import Experiment
    from workbench.io.session import save_session

    path = tmp_path / "iris.h5"
    save_session(path, Experiment.create(Config().updated({"data.dataset": "iris"})))
    ended = []

    def slow_load(*args, stop=None, **kwargs):
        stopped = stop.wait(10)                 # a long read, which looks at its stop event
        ended.append(stopped)
        if stopped:
            raise ReadStopped()
        return load_session(*args, **kwargs)
    monkeypatch.setattr(file_menu, "load_session", slow_load)
    QTimer.singleShot(400, press_cancel_when_progress_shows)
    assert not window.open_path(str(path))
    qtbot.waitUntil(lambda: ended == [True], timeout=3000)   # ended by Cancel, not after 10 s
    assert window.controller.path is None
    assert window.controller.experiment.data.dataset.source == "builtin:spiral"


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


def test_the_prompt_offers_save_dont_save_and_cancel(qtbot, window, dialogs, monkeypatch):
    edit(window, {"training.epochs": 7})
    seen = {}

    def answer():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.update({button.text(): box.buttonRole(button) for button in box.buttons()})
        seen["default"] = box.defaultButton().text()
        box.button(QMessageBox.StandardButton.Discard).click()

    patched = QMessageBox.question
    monkeypatch.setattr(QMessageBox, "question", REAL_QUESTION)     # the real box, this once
    try:
        QTimer.singleShot(0, answer)
        assert window.confirm_discard()                 # "Don't Save" lets the caller go on
    finally:
        monkeypatch.setattr(QMessageBox, "question", staticmethod(patched))
    assert seen == {"Save": QMessageBox.ButtonRole.AcceptRole,
                    "Don't Save": QMessageBox.ButtonRole.DestructiveRole,
                    "Cancel": QMessageBox.ButtonRole.RejectRole, "default": "Save"}
    box = QMessageBox(QMessageBox.Icon.Question, "other", "text", QMessageBox.StandardButton.Discard)
    box.show()                                          # other boxes are left as they are
    assert box.button(QMessageBox.StandardButton.Discard).text() == "Discard"
    box.close()


def test_save_in_the_prompt_saves_before_going_on(window, dialogs, tmp_path):
    edit(window, {"training.epochs": 7})
    dialogs.answer = QMessageBox.StandardButton.Save
    dialogs.save_path = str(tmp_path / "kept.h5")
    window.new_action.trigger()
    assert (tmp_path / "kept.h5").is_file()
    assert window.controller.path is None


def test_save_in_the_prompt_writes_off_the_gui_thread_while_the_window_paints(qtbot, window, dialogs,
                                                                             tmp_path, monkeypatch):
    from workbench.gui import session_controller

    threads, ticks = [], []

    def slow_write(*args):
        threads.append(threading.current_thread())
        time.sleep(0.6)
        return write_contents(*args)
    monkeypatch.setattr(session_controller, "write_contents", slow_write)
    edit(window, {"training.epochs": 7})
    dialogs.answer = QMessageBox.StandardButton.Save
    dialogs.save_path = str(tmp_path / "kept.h5")
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(QApplication.activeModalWidget()))
    timer.start(20)
    window.new_action.trigger()
    timer.stop()
    assert threads and threads[0] is not threading.main_thread()
    assert len(ticks) >= 10 and any(type(w).__name__ == "QProgressDialog" for w in ticks)
    assert read_contents(tmp_path / "kept.h5").config.training.epochs == 7
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
    edit(window, {"training.epochs": 2})
    train_to_end(qtbot, window)
    dialogs.save_path = str(tmp_path / "weights.npz")
    with written(qtbot, window, "export"):
        window.export_action.trigger()
    with np.load(tmp_path / "weights.npz", allow_pickle=False) as archive:
        assert archive["dense_0.weight"].shape == (2, 8)
    with pytest.raises(ValueError, match=r"\.onnx"):
        window.controller.export_in_background(str(tmp_path / "weights.txt"))


def test_export_suggests_a_name_its_filter_matches_and_appends_the_chosen_filters_suffix(
        qtbot, window, dialogs, monkeypatch, tmp_path):
    asked, answers = [], [(str(tmp_path / "weights"), "npz (*.npz)"),
                          (str(tmp_path / "model.v2"), "safetensors (*.safetensors)"),
                          (str(tmp_path / "plain"), "")]

    def dialog(_parent, _title, suggested, filters, selected, *rest):
        asked.append((suggested, filters.split(";;"), selected))
        return answers.pop(0)

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(dialog))
    for name in ("weights.npz", "model.v2.safetensors", "plain.onnx"):
        with written(qtbot, window, "export") as done:
            window.export_action.trigger()
        assert done.args[1] == str(tmp_path / name) and (tmp_path / name).is_file()
    suggested, filters, selected = asked[0]
    assert suggested.endswith("model.onnx") and selected == "onnx (*.onnx)" and selected in filters
    with np.load(tmp_path / "weights.npz", allow_pickle=False) as archive:
        assert archive["dense_0.weight"].shape == (2, 8)
    assert not dialogs.texts("warning")


def test_the_history_exports_as_csv_while_a_run_goes_on(qtbot, window, dialogs, monkeypatch, tmp_path):
    import csv

    edit(window, {"training.epochs": 4})
    train_to_end(qtbot, window)
    window.reset_action.trigger()                       # the first run is kept: the CSV has both
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda _parent, _title, suggested, _filters, *rest: asked.append(suggested) or (str(tmp_path / "h"), "")))
    start_long_run(qtbot, window, epochs=3)
    with written(qtbot, window, "history") as done:
        window.history_action.trigger()
    _, path, epochs = done.args
    assert path == str(tmp_path / "h.csv") and asked[0].endswith("session-history.csv")
    assert window.runner.state == "training"            # the run goes on
    assert window.statusBar().currentMessage() == f"Exported h.csv ({epochs} epochs)"
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    live = window.controller.experiment
    first = [r for r in rows if r["run"] == "1"]
    current = [r for r in rows if r["run"] == "2"]
    assert [float(r["train_loss"]) for r in first] == live.runs[0].history.train_loss
    assert len(current) == epochs >= 3 and {r["status"] for r in current} == {"stopped"}   # cut mid-run
    assert [float(r["train_loss"]) for r in current] == live.history.train_loss[:epochs]
    stop_run(qtbot, window)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda *args: (str(tmp_path / "missing" / "h.csv"), "")))
    with qtbot.waitSignal(window.controller.file_failed, timeout=10_000):
        window.history_action.trigger()
    assert "the folder" in dialogs.texts("warning")[-1] and "does not exist" in dialogs.texts("warning")[-1]


def test_the_report_exports_as_html_while_a_run_goes_on(qtbot, window, dialogs, tmp_path):
    dialogs.save_path = str(tmp_path / "page")
    start_long_run(qtbot, window, epochs=3)
    with written(qtbot, window, "report") as done:
        window.report_action.trigger()
    _, path, epochs = done.args
    assert path == str(tmp_path / "page.html") and window.runner.state == "training"
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert "Workbench report: Untitled" in page and f"{epochs} epochs, status stopped" in page
    assert window.statusBar().currentMessage() == f"Exported page.html ({epochs} epochs)"
    stop_run(qtbot, window)


def test_save_during_training_keeps_the_run_going(qtbot, window, dialogs, tmp_path):
    start_long_run(qtbot, window)
    dialogs.save_path = str(tmp_path / "live")
    with written(qtbot, window, "save") as done:
        window.save_action.trigger()
    _, path, epochs = done.args
    exp = window.controller.experiment
    assert path == str(tmp_path / "live.h5") and epochs >= 2
    assert window.runner.state == "training" and window.run_status.state.text() == "training"
    qtbot.waitUntil(lambda: exp.epochs_trained > epochs + 3, timeout=20_000)   # it goes on training
    qtbot.waitUntil(window.isWindowModified, timeout=10_000)    # ... so the session is modified again
    assert window.runner.is_running and window.run_status.state.text() == "training"
    assert window.windowTitle() == "live.h5[*] — Workbench"
    assert window.controller.path == path and window.recent_files()[0] == path
    assert window.statusBar().currentMessage() == f"Saved live.h5 ({epochs} epochs)"
    saved = load_session(path)
    assert saved.epochs_trained == epochs
    assert_consistent(saved, exp)
    with written(qtbot, window, "save") as again:              # Ctrl+S again, to the same file
        window.save_action.trigger()
    assert again.args[2] > epochs and load_session(path).epochs_trained == again.args[2]
    stop_run(qtbot, window)
    assert not dialogs.texts("warning")


def test_a_run_that_ends_while_its_save_is_written_leaves_the_session_modified(
        qtbot, window, dialogs, monkeypatch, tmp_path):
    import threading

    import workbench.gui.session_controller as controller_module

    release, real_write = threading.Event(), controller_module.write_contents

    def slow_write(path, contents):         # the writer thread holds the copy until the run ended
        release.wait(20)
        real_write(path, contents)

    monkeypatch.setattr(controller_module, "write_contents", slow_write)
    edit(window, {"training.epochs": 400})
    window.train_action.trigger()
    qtbot.waitUntil(lambda: window.controller.experiment.epochs_trained >= 2, timeout=20_000)
    dialogs.save_path = str(tmp_path / "early.h5")
    window.save_action.trigger()
    qtbot.waitUntil(lambda: bool(window.controller._writing), timeout=20_000)   # copied, not written
    with qtbot.waitSignal(window.runner.run_finished, timeout=30_000):
        pass
    with written(qtbot, window, "save") as done:
        release.set()
    assert done.args[2] < 400 == window.controller.experiment.epochs_trained
    assert window.isWindowModified()                # the file lacks the epochs trained since
    assert window.windowTitle() == "early.h5[*] — Workbench"


def test_save_while_paused_leaves_the_session_clean_and_paused(qtbot, window, dialogs, tmp_path):
    start_long_run(qtbot, window)
    window.pause_action.trigger()
    qtbot.waitUntil(lambda: window.runner.holding, timeout=10_000)
    dialogs.save_path = str(tmp_path / "paused.h5")
    with written(qtbot, window, "save") as done:
        window.save_action.trigger()
    exp = window.controller.experiment
    assert done.args[2] == exp.epochs_trained                 # nothing trained while paused
    assert window.runner.state == "paused" and window.run_status.state.text() == "paused"
    assert not window.isWindowModified()                      # the file holds everything
    assert load_session(done.args[1]).epochs_trained == exp.epochs_trained
    window.train_action.trigger()                             # Resume
    qtbot.waitUntil(window.isWindowModified, timeout=10_000)
    stop_run(qtbot, window)


def test_export_during_training_keeps_the_run_going(qtbot, window, dialogs, tmp_path):
    start_long_run(qtbot, window)
    dialogs.save_path = str(tmp_path / "live.npz")
    with written(qtbot, window, "export") as done:
        window.export_action.trigger()
    epochs = done.args[2]
    qtbot.waitUntil(lambda: window.controller.experiment.epochs_trained > epochs + 3, timeout=20_000)
    assert window.runner.state == "training"
    with np.load(tmp_path / "live.npz", allow_pickle=False) as archive:
        weight = archive["dense_0.weight"]
    stop_run(qtbot, window)
    snapshot = window.controller.experiment.snapshots.get(epochs)
    if snapshot is not None:                                  # (unless thinned out since)
        np.testing.assert_array_equal(weight, snapshot["dense_0/weight"])


def test_closing_during_a_save_while_training_writes_the_file_and_stops_cleanly(
        qtbot, make_window, dialogs, tmp_path, qtlog):
    window = make_window()
    start_long_run(qtbot, window)
    dialogs.save_path = str(tmp_path / "closing.h5")
    window.save_action.trigger()                 # the copy is still to come ...
    dialogs.answer = QMessageBox.StandardButton.Discard
    assert window.close()                        # ... when the window closes
    assert not window.runner.is_running and not window.controller.writing
    assert_consistent(load_session(str(tmp_path / "closing.h5")), window.controller.experiment)
    assert not any("Destroyed while thread" in record.message for record in qtlog.records)


def test_autosave_is_offered_for_recovery_after_a_crash(qtbot, make_window, dialogs, tmp_path, monkeypatch):
    user_file = tmp_path / "mine.h5"
    crashed = make_window()
    crashed.controller.save(str(user_file))
    before = user_file.read_bytes()
    edit(crashed, {"training.epochs": 4})
    train_to_end(qtbot, crashed)
    with written(qtbot, crashed, "autosave"):
        autosave = crashed.controller.autosave_now()
    assert autosave is not None and autosave.is_file()
    # simulate the crash: the autosave stays behind, owned by a process that no longer exists
    os.replace(autosave, autosave.with_name(f"autosave-{DEAD_PID}.h5"))
    os.replace(autosave.with_suffix(".json"), autosave.with_name(f"autosave-{DEAD_PID}.json"))
    later = make_window()
    dialogs.answer = QMessageBox.StandardButton.Yes
    threads = []

    def load_and_note_thread(*args, **kwargs):
        threads.append(threading.current_thread())
        return load_session(*args, **kwargs)
    monkeypatch.setattr(file_menu, "load_session", load_and_note_thread)
    later.offer_recovery()
    assert threads and threads[0] is not threading.main_thread()      # read off the GUI thread
    assert later.controller.experiment.epochs_trained == 4
    assert later.controller.path is None and later.isWindowModified()
    assert later.windowTitle() == "Recovered session[*] — Workbench"
    assert user_file.read_bytes() == before
    assert later.controller.recoverable() == []


def test_autosave_during_training_writes_a_recoverable_file(qtbot, make_window, dialogs, tmp_path):
    user_file = tmp_path / "mine.h5"
    crashed = make_window()
    crashed.controller.save(str(user_file))
    before = user_file.read_bytes()
    start_long_run(qtbot, crashed)
    crashed.controller._autosave_timer.setInterval(100)      # the real timer, sooner
    with written(qtbot, crashed, "autosave") as done:
        pass
    _, path, epochs = done.args
    live = crashed.controller.experiment
    qtbot.waitUntil(lambda: live.epochs_trained > epochs + 3, timeout=20_000)  # it goes on training
    assert crashed.runner.state == "training" and crashed.isWindowModified()
    assert os.path.dirname(path) == str(tmp_path / "autosave")
    assert_consistent(load_session(path), live)
    # simulate the crash: the autosave stays behind, owned by a process that no longer exists
    crashed.controller._autosave_timer.stop()
    stop_run(qtbot, crashed)
    crashed.controller.wait_for_writes()
    autosave = crashed.controller.autosave_path()
    os.replace(autosave, autosave.with_name(f"autosave-{DEAD_PID}.h5"))
    os.replace(autosave.with_suffix(".json"), autosave.with_name(f"autosave-{DEAD_PID}.json"))
    later = make_window()
    dialogs.answer = QMessageBox.StandardButton.Yes
    later.offer_recovery()
    recovered = later.controller.experiment
    assert recovered.epochs_trained >= epochs and recovered.status == "stopped"
    assert recovered.history.train_loss == live.history.train_loss[:recovered.epochs_trained]
    assert later.controller.path is None and later.isWindowModified()
    assert user_file.read_bytes() == before                   # never over the user's own file


def test_a_clean_close_leaves_no_autosave(qtbot, window, dialogs):
    edit(window, {"training.epochs": 7})
    with written(qtbot, window, "autosave"):
        autosave = window.controller.autosave_now()
    assert autosave.is_file()
    window.close()
    assert not autosave.exists()


def test_opening_a_file_during_a_run_waits_for_its_end_while_the_window_keeps_painting(
        qtbot, window, dialogs, monkeypatch, tmp_path):
    from workbench.gui import training_runner

    other = tmp_path / "other.h5"
    window.controller.save(str(other))
    real = training_runner.inspect

    def slow_inspect(*args, **kwargs):          # the worker notices the stop only after this
        time.sleep(0.5)
        return real(*args, **kwargs)

    start_long_run(qtbot, window)
    monkeypatch.setattr(training_runner, "inspect", slow_inspect)
    qtbot.wait(300)                             # the next epoch's inspection is under way
    finished, ticks = [], []
    window.runner.run_finished.connect(finished.append)
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    dialogs.answer = QMessageBox.StandardButton.Discard
    started = time.monotonic()
    assert window.open_path(str(other))         # Open Recent and a drop do this mid-run
    timer.stop()
    assert not window.runner.is_running and window.controller.path == str(other)
    assert len(finished) == 1 and finished[0].status == "stopped"       # ended once, as Stop ends it
    gaps = np.diff([started, *ticks])
    assert len(ticks) >= 5 and gaps.max() < 0.3   # the window painted while the run wound down


def test_closing_waits_for_an_inspection_under_way_while_the_window_paints(qtbot, make_window, monkeypatch):
    from workbench.gui import inspector as inspector_module

    window = make_window()
    started, ticks = threading.Event(), []
    real = inspector_module.inspect

    def slow_inspect(*args, **kwargs):
        started.set()
        time.sleep(0.6)                       # a wide network's inspection takes seconds
        return real(*args, **kwargs)

    monkeypatch.setattr(inspector_module, "inspect", slow_inspect)
    edit(window, {"layers.units": 9})
    assert started.wait(5)
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(QApplication.activeModalWidget()))
    timer.start(20)
    window.close()
    timer.stop()
    assert not window.isVisible()
    assert len(ticks) >= 10 and any(type(w).__name__ == "QProgressDialog" for w in ticks)
