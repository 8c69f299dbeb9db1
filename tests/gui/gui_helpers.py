"""Small steps the GUI tests share: edit the config as a panel does, train and wait, watch the
event loop while the window waits for slow work, check the dialogs that compute in the background."""
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton


def edit(window, changes, text="test edit"):
    """Apply a config edit the way the panels do."""
    window._on_config_edited(changes, text, "")


def train_to_end(qtbot, window, epochs=None, timeout=30_000):
    """Press Train and wait for the run to end; returns the final report."""
    with qtbot.waitSignal(window.runner.run_finished, timeout=timeout) as blocker:
        window.train_action.trigger() if epochs is None else window._begin_run(epochs)
    return blocker.args[0]


def curve(plot, which="train"):
    """The values a history plot draws for its training or validation curve (after redrawing)."""
    plot.flush()
    _, values = getattr(plot, f"{which}_curve").getData()
    return [] if values is None else [float(v) for v in values]


def watch_event_loop():
    """Ticks of a 20 ms timer and the progress dialogs it saw: what the event loop did meanwhile.
    Returns (seen, timer); stop the timer when done."""
    seen = {"ticks": 0, "progress": []}

    def tick():
        seen["ticks"] += 1
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QProgressDialog) and modal not in seen["progress"]:
            seen["progress"].append(modal)
    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(20)
    return seen, timer


def press_cancel_when_progress_shows():
    """Click the progress dialog's Cancel as soon as it shows (call it from a timer)."""
    modal = QApplication.activeModalWidget()
    if isinstance(modal, QProgressDialog):
        modal.findChild(QPushButton).click()
    else:
        QTimer.singleShot(50, press_cancel_when_progress_shows)


def start_long_run(qtbot, window, epochs=2):
    """Train a run far too long to end during the test; return once `epochs` epochs are done."""
    edit(window, {"training.epochs": 100_000})
    window.train_action.trigger()
    qtbot.waitUntil(lambda: window.controller.experiment.epochs_trained >= epochs, timeout=20_000)


def stop_run(qtbot, window):
    window.stop_action.trigger()
    qtbot.waitUntil(lambda: not window.runner.is_running, timeout=10_000)


def work_until_cancelled(stops):
    """A stand-in for a dialog's background work: it records its `stop` event in `stops` and waits
    for the Cancel to set it, then ends as stopped work does."""
    def slow(*args, stop, **kwargs):
        stops.append(stop)
        if stop.wait(10):
            raise InterruptedError("stopped")
        pytest.fail("the cancel did not reach the work")
    return slow


def cancel_while_computing(monkeypatch, module, name, open_it):
    """Open a computing dialog (`open_it()`) whose work (`module.name`) waits for a Cancel, press
    Cancel as soon as the progress shows; returns the dialog and the stop events the work saw."""
    stops = []
    monkeypatch.setattr(module, name, work_until_cancelled(stops))
    QTimer.singleShot(100, press_cancel_when_progress_shows)
    return open_it(), stops


def assert_off_while_training(qtbot, window, monkeypatch, dialog_class, action):
    """`action` is disabled while a run trains (triggering it opens no `dialog_class`), and back after."""
    monkeypatch.setattr(dialog_class, "exec", lambda dialog: pytest.fail("opened mid-run"))
    start_long_run(qtbot, window)
    assert not action.isEnabled()
    action.trigger()
    stop_run(qtbot, window)
    assert action.isEnabled()


def open_dialog(monkeypatch, dialog_class, action, act=lambda dialog: None):
    """Trigger `action`, which opens a `dialog_class` that computes as it opens; `act(dialog)`
    plays the person at it before it closes (rejected). Returns the dialog."""
    seen = {}

    def exec_(dialog):
        seen["dialog"] = dialog
        act(dialog)
        return dialog_class.DialogCode.Rejected

    monkeypatch.setattr(dialog_class, "exec", exec_)
    action.trigger()
    return seen["dialog"]
