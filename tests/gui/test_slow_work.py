"""Slow work off the GUI thread: `wait_for` itself, and the edits that load or scale data with it."""
import re
import threading
import time

from PySide6.QtCore import QEvent, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton

from workbench.core import experiment
from workbench.core.experiment import Experiment
from workbench.gui.background import Cancelled, Progress, wait_for

from gui_helpers import edit, press_cancel_when_progress_shows, train_to_end, watch_event_loop


def slowed(monkeypatch, owner, name, seconds, calls=None):
    """`owner.name` made slow; returns the threads its calls ran on (their arguments go to `calls`)."""
    threads = []
    real = getattr(owner, name)

    def slow(*args, **kwargs):
        threads.append(threading.current_thread())
        if calls is not None:
            calls.append(args)
        time.sleep(seconds)
        return real(*args, **kwargs)
    monkeypatch.setattr(owner, name, slow)
    return threads


def test_work_done_within_a_frame_returns_without_running_the_event_loop(qtbot, monkeypatch):
    from workbench.gui import background

    monkeypatch.setattr(background, "FRAME_SECONDS", 2.0)   # a "frame" no busy machine overruns
    fired, threads = [], []
    QTimer.singleShot(0, lambda: fired.append(True))      # due at once: an event loop would run it
    assert wait_for(None, "Quick…", lambda x: threads.append(threading.current_thread()) or x * 2, 21) == 42
    assert fired == [] and threads[0] is not threading.main_thread()
    qtbot.waitUntil(lambda: fired == [True], timeout=1000)


def test_an_uncancellable_wait_shows_no_cancel_button_and_lasts_to_the_end(qtbot):
    seen = {}

    def try_to_cancel():
        modal = QApplication.instance().activeModalWidget()
        if not isinstance(modal, QProgressDialog):
            QTimer.singleShot(50, try_to_cancel)
            return
        seen["buttons"] = [b.text() for b in modal.findChildren(QPushButton) if b.isVisible()]
        modal.canceled.emit()                              # as closing the dialog would
    QTimer.singleShot(350, try_to_cancel)
    began = time.monotonic()
    assert wait_for(None, "Preparing…", lambda: time.sleep(0.9) or "done", cancellable=False) == "done"
    assert time.monotonic() - began >= 0.85 and seen == {"buttons": []}


def test_a_call_outlives_the_window_that_waited_for_it(qtbot):
    """Cancelled, then its window deleted: the call still reports to an object Qt has not deleted."""
    from PySide6.QtWidgets import QWidget
    from workbench.gui import background
    from workbench.gui.background import Cancelled

    window, release, ended = QWidget(), threading.Event(), threading.Event()
    window.show()

    def slow():
        release.wait(5)
        ended.set()
        return "late"

    QTimer.singleShot(350, lambda: QApplication.instance().activeModalWidget().canceled.emit())
    try:
        wait_for(window, "Waiting…", slow)
    except Cancelled:
        pass
    answers = QApplication.instance().findChildren(background._Answer)
    assert len(answers) == 1 and window.findChildren(background._Answer) == []
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    release.set()                                   # the call ends and reports after the window is gone
    assert ended.wait(5)
    qtbot.waitUntil(lambda: QApplication.instance().findChildren(background._Answer) == [], timeout=2000)


def test_an_edit_that_splits_the_data_anew_builds_the_run_off_the_gui_thread(qtbot, window, monkeypatch):
    threads = slowed(monkeypatch, Experiment, "next_run", 0.7)
    seen, timer = watch_event_loop()
    edit(window, {"data.val_split": 0.3})
    timer.stop()
    assert threads and threads[0] is not threading.main_thread()
    assert seen["ticks"] >= 10 and seen["progress"]       # it painted, and said what it was doing
    assert seen["progress"][0].labelText() == "Preparing the data…"
    assert window.controller.experiment.config.data.val_split == 0.3
    assert abs(window.data_panel.val_split.value() - 0.3) < 1e-9
    seen, timer = watch_event_loop()
    window.controller.undo_stack.undo()                    # undo builds off the GUI thread too,
    timer.stop()
    assert len(threads) == 2 and threads[1] is not threading.main_thread()
    assert seen["progress"] and seen["progress"][-1].findChild(QPushButton) is None   # no Cancel: to its end
    assert window.controller.experiment.config.data.val_split == window.controller.config.data.val_split != 0.3


def test_restoring_a_run_on_a_file_reads_it_off_the_gui_thread_and_cancel_keeps_the_session(
        qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "blobs.csv"
    path.write_text("a,b,label\n" + "\n".join(f"{i % 5},{i % 3 + i % 7},{'xy'[i % 2]}" for i in range(60)) + "\n")
    edit(window, {"data.path": str(path), "data.samples": None})
    train_to_end(qtbot, window, epochs=2)
    box = window.data_panel.dataset_box
    box.setCurrentIndex(box.findData("iris"))           # a new run on iris; the file's run is kept
    assert window.controller.experiment.runs[0].config.data.path == str(path)
    calls = []
    threads = slowed(monkeypatch, experiment, "load_dataset", 1.2, calls)
    window.runs_table.table.selectRow(0)
    last_step = window.controller.undo_stack.undoText()

    QTimer.singleShot(400, press_cancel_when_progress_shows)
    seen, timer = watch_event_loop()
    window.runs_table.restore_button.click()
    timer.stop()
    assert threads[0] is not threading.main_thread() and seen["progress"]
    assert seen["progress"][0].labelText() == "Reading blobs.csv…"
    data_config, _rng, stop = calls[0]
    assert data_config.path == str(path) and stop.is_set()      # told to stop reading
    assert window.controller.config.data.dataset == "iris" and window.controller.config.data.path is None
    assert box.currentData() == "iris"                  # the panel shows what is current
    assert window.controller.experiment.data.dataset.source == "builtin:iris"
    assert window.controller.undo_stack.undoText() == last_step      # the cancelled restore left no step

    window.runs_table.table.selectRow(0)
    window.runs_table.restore_button.click()            # this time it is let finish
    assert len(threads) == 2 and window.controller.config.data.path == str(path)
    assert window.controller.experiment.data.dataset.n_samples == 60
    assert window.controller.undo_stack.undoText() == "Restore run 1"


def test_a_new_network_is_inspected_off_the_gui_thread_and_shown_when_ready(qtbot, window, monkeypatch):
    from workbench.gui import inspector

    threads = slowed(monkeypatch, inspector, "inspect", 0.6)
    seen, timer = watch_event_loop()
    with qtbot.waitSignal(window.inspector.inspection_ready, timeout=5000) as ready:
        edit(window, {"layers": [{"units": 5, "activation": "tanh"}]})
        assert window.boundary_view._inspection is None       # cleared, not the old network's
    timer.stop()
    assert threads and threads[0] is not threading.main_thread()
    assert seen["ticks"] >= 10                                 # the window ran meanwhile
    shown = window.boundary_view._inspection
    assert shown is ready.args[0] and ready.args[1] is True
    assert [layer.units for layer in shown.layers] == [5, 2] and window.network_view._inspection is shown


def test_a_late_inspection_of_the_untrained_network_does_not_replace_the_runs_own(qtbot, window, monkeypatch):
    from workbench.gui import inspector

    slowed(monkeypatch, inspector, "inspect", 0.6)
    edit(window, {"layers": [{"units": 5, "activation": "tanh"}], "training.epochs": 3})
    report = train_to_end(qtbot, window)                       # started before the inspection came
    qtbot.wait(900)                                            # ... which has come by now
    assert report.status == "completed"
    assert window.boundary_view._inspection.epoch == 3 and window.histogram_view._inspection.epoch == 3


def reporting_work(stop, on_progress):
    """Work that reports how far it is every 20 ms until stopped (or done after 2 s)."""
    for step in range(100):
        on_progress(step / 100, f"step {step + 1} of 100")
        if stop.wait(0.02):
            raise InterruptedError("stopped")
    return "done"


def test_a_progress_that_fills_shows_the_share_and_the_stage(qtbot):
    seen = []

    def look():
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QProgressDialog):
            seen.append((modal.maximum(), modal.value(), modal.labelText()))
        QTimer.singleShot(50, look)

    QTimer.singleShot(0, look)
    progress, stop = Progress(), threading.Event()
    assert wait_for(None, "Working…", reporting_work, stop=stop, on_progress=progress.report,
                    progress=progress) == "done"
    filled = [(value, label) for maximum, value, label in seen if maximum == 1000]
    assert len(filled) >= 10 and [v for v, _ in filled] == sorted(v for v, _ in filled)
    value, label = filled[len(filled) // 2]
    step = int(re.fullmatch(r"Working…\nstep (\d+) of 100", label).group(1))
    assert 0 < value < 1000 and abs(value / 10 - (step - 1)) <= 10   # the bar and the stage read alike


def test_a_cancelled_progress_stays_closed_when_the_wait_ran_in_a_nested_loop(qtbot):
    """Inside a dialog's event loop the old progress dialog is deleted only later: its Cancel
    reset it, and a late report must not show it again."""
    outcome = {}

    def cancel_when_shown():
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QProgressDialog) and modal.value() > 0:
            modal.findChild(QPushButton).click()
        else:
            QTimer.singleShot(50, cancel_when_shown)

    def in_a_dialogs_loop():
        progress, stop = Progress(), threading.Event()
        QTimer.singleShot(0, cancel_when_shown)
        try:
            wait_for(None, "Working…", reporting_work, stop=stop, on_progress=progress.report,
                     on_cancel=stop.set, progress=progress)
        except Cancelled:
            outcome["cancelled"] = stop.is_set()
        later = QEventLoop()
        QTimer.singleShot(400, later.quit)        # four times the dialog's refresh interval
        later.exec()
        outcome["shown"] = [w for w in QApplication.topLevelWidgets()
                            if isinstance(w, QProgressDialog) and w.isVisible()]
        outer.quit()

    outer = QEventLoop()
    QTimer.singleShot(0, in_a_dialogs_loop)
    outer.exec()
    assert outcome == {"cancelled": True, "shown": []}
