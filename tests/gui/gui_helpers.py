"""Small steps the GUI tests share: edit the config as a panel does, train and wait, watch the
event loop while the window waits for slow work."""
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
