"""Waiting for slow work (reading a large file, scaling a large data set) without freezing the window.

`wait_for` runs a function on a pool thread. Work done within a frame returns at once; longer
work is waited for in a local event loop, so the window keeps painting. Input is held back
meanwhile; a wait longer than a moment shows a window-modal progress dialog, whose Cancel (where
the caller allows one) stops waiting: the function's result is dropped, and it runs to its end
unless the caller gives it a way to stop early (`on_cancel`).
"""
from __future__ import annotations

import threading
from typing import Any, Callable, TypeVar

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

FRAME_SECONDS = 0.016   # work that ends sooner returns without an event loop (as if called here)
QUIET_MS = 300          # work that ends sooner shows no progress dialog (it would only flash)
PROGRESS_MS = 100       # how often a progress dialog reads how far the work has got
PROGRESS_STEPS = 1000   # the bar's resolution
T = TypeVar("T")


class Cancelled(Exception):
    """The person cancelled the wait."""


class Progress:
    """How far the work has got, as it reports from its thread (`report`, a core ProgressCallback);
    the wait's progress dialog reads it a few times a second and shows a bar instead of a busy one."""

    def __init__(self) -> None:
        self.state: tuple[float, str] | None = None    # one reference, replaced whole: no lock needed

    def report(self, fraction: float, stage: str) -> None:
        self.state = (fraction, stage)


class _Answer(QObject):
    """One call's outcome, filled in by the pool thread, which then emits `done`: that reaches
    `_on_done` on the GUI thread (this object lives there) and ends the wait."""

    done = Signal()

    def __init__(self, loop: QEventLoop):
        # owned by the application, never by a window: it must live until the pool thread has
        # emitted `done` (then `deleteLater` runs on the GUI thread), even after a cancel or once
        # the window is gone. Parented to the window, it was deleted with it while a finished
        # call was still emitting: a segmentation fault (about one GUI test run in twelve)
        super().__init__(QCoreApplication.instance())
        self.outcome: list[tuple[Any, BaseException | None]] = []
        self.finished = threading.Event()
        self._loop = loop
        self.done.connect(self._on_done)

    @Slot()
    def _on_done(self) -> None:
        self._loop.quit()
        self.deleteLater()


class _Call(QRunnable):
    def __init__(self, function: Callable[..., Any], args: tuple, kwargs: dict, answer: _Answer):
        super().__init__()
        self._function, self._args, self._kwargs, self._answer = function, args, kwargs, answer

    def run(self) -> None:
        value, error = None, None
        try:
            value = self._function(*self._args, **self._kwargs)
        except Exception as err:  # noqa: BLE001 - raised again on the GUI thread
            error = err
        self._answer.outcome.append((value, error))
        self._answer.finished.set()
        self._answer.done.emit()


def wait_for(parent: QWidget | None, text: str, function: Callable[..., T], *args: Any,
             cancellable: bool = True, on_cancel: Callable[[], None] | None = None,
             progress: Progress | None = None, **kwargs: Any) -> T:
    """`function(*args, **kwargs)` on a pool thread; returns its value or raises its exception.
    `text` ("Reading data.csv…") labels the progress; with `cancellable`, the progress dialog has
    a Cancel button, and this raises Cancelled when the person presses it, after calling
    `on_cancel` (which may tell the function to stop early, instead of running to its end).
    `progress`, which the function reports to, turns the dialog's busy bar into one that fills,
    with the stage under `text`."""
    loop = QEventLoop()
    answer = _Answer(loop)
    outcome = answer.outcome
    QThreadPool.globalInstance().start(_Call(function, args, kwargs, answer))
    if not answer.finished.wait(FRAME_SECONDS):
        _wait_in_event_loop(parent, text, loop, outcome, cancellable, progress)
    if not outcome:
        if on_cancel is not None:
            on_cancel()
        raise Cancelled()
    value, error = outcome[0]
    if error is not None:
        raise error
    return value


def finish(window: QWidget | None, text: str, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Work that must finish (no Cancel): called here when there is no window to keep painting
    (closing, scripts), else waited for through `wait_for` while `window` paints."""
    if window is None:
        return function(*args, **kwargs)
    return wait_for(window, text, function, *args, cancellable=False, **kwargs)


def _wait_in_event_loop(parent: QWidget | None, text: str, loop: QEventLoop, outcome: list,
                        cancellable: bool, progress: Progress | None) -> None:
    """Paint and run timers until the call reports (or, `cancellable`, the person cancels)."""
    quiet = QTimer(singleShot=True, interval=QUIET_MS)
    quiet.timeout.connect(loop.quit)
    quiet.start()
    loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    quiet.stop()
    if outcome:
        return
    dialog = QProgressDialog(text, "Cancel", 0, 0, parent)
    dialog.setWindowTitle("Workbench")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoReset(False)      # a full bar must not reset (and close) the dialog before the answer
    dialog.setAutoClose(False)
    if cancellable:
        dialog.canceled.connect(loop.quit)
    else:
        dialog.setCancelButton(None)
    dialog.show()
    filling = QTimer(interval=PROGRESS_MS)
    if progress is not None:
        filling.timeout.connect(lambda: _show_progress(dialog, text, progress))
        filling.start()
        _show_progress(dialog, text, progress)
    while True:
        loop.exec()
        if outcome or cancellable:
            break
    # stopped before the close: after a Cancel (which resets the dialog) a `setValue` shows it again,
    # and the deletion waits for the outermost event loop when this one ran in a dialog's
    filling.stop()
    dialog.close()
    dialog.deleteLater()


def _show_progress(dialog: QProgressDialog, text: str, progress: Progress) -> None:
    if progress.state is None:
        return
    fraction, stage = progress.state
    dialog.setMaximum(PROGRESS_STEPS)
    dialog.setValue(round(max(0.0, min(1.0, fraction)) * PROGRESS_STEPS))
    dialog.setLabelText(f"{text}\n{stage}")
