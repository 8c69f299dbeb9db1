"""Waiting for slow work (reading a large file) without freezing the window.

`wait_for` runs a function on a pool thread and waits in a local event loop, so the window keeps
painting. Input is held back meanwhile; a wait longer than a moment shows a window-modal progress
dialog whose Cancel stops waiting (the function runs to its end; its result is dropped).
"""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from PySide6.QtCore import QEventLoop, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

QUIET_MS = 300          # work that ends sooner shows no progress dialog (it would only flash)
T = TypeVar("T")


class Cancelled(Exception):
    """The person cancelled the wait."""


class _Answer(QObject):
    """One call's outcome: the pool thread emits `done`, which reaches `_on_done` on the GUI thread
    (this object lives there), where it is kept and the wait ends."""

    done = Signal(object, object)       # the value, the exception (or None)

    def __init__(self, parent: QWidget, loop: QEventLoop):
        super().__init__(parent)        # parented: alive until the call reports, even after a cancel
        self.outcome: list[tuple[Any, BaseException | None]] = []
        self._loop = loop
        self.done.connect(self._on_done)

    @Slot(object, object)
    def _on_done(self, value: Any, error: BaseException | None) -> None:
        self.outcome.append((value, error))
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
        try:
            self._answer.done.emit(value, error)
        except RuntimeError:            # its window closed meanwhile: no one is waiting
            pass


def wait_for(parent: QWidget, text: str, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`function(*args, **kwargs)` on a pool thread; returns its value or raises its exception.
    Raises Cancelled when the person cancels. `text` ("Reading data.csv…") labels the progress."""
    loop = QEventLoop()
    answer = _Answer(parent, loop)
    outcome = answer.outcome
    QThreadPool.globalInstance().start(_Call(function, args, kwargs, answer))
    quiet = QTimer(singleShot=True, interval=QUIET_MS)
    quiet.timeout.connect(loop.quit)
    quiet.start()
    loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    quiet.stop()
    if not outcome:
        progress = QProgressDialog(text, "Cancel", 0, 0, parent)
        progress.setWindowTitle("Workbench")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.canceled.connect(loop.quit)
        progress.show()
        loop.exec()
        progress.close()
        progress.deleteLater()
    if not outcome:
        raise Cancelled()
    value, error = outcome[0]
    if error is not None:
        raise error
    return value
