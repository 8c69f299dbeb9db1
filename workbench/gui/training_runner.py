"""Training off the GUI thread: a worker object in a QThread that consumes the Qt-free Trainer.

`TrainingWorker` lives on the GUI thread and never moves: a fresh `_TrainingThread` per run calls
its `run()` (the thread has no event loop of its own, and ends when `run()` returns). Its signals,
emitted from the training thread, reach the GUI thread's receivers queued. Nothing is moved
between threads or destroyed off the GUI thread: both (a worker destroyed on its own thread, and
one moving itself back at the end of its run) deadlocked now and then in PySide, each thread
holding what the other waited for (the GIL, a Qt lock). Stop is a
`threading.Event` set directly from the GUI thread and polled by the Trainer between batches (a
queued slot would never run while `run()` occupies the thread). Pause waits between epochs, so a
paused run resumes exactly as if it had never paused. Every emit carries the run number, so late
reports of an old run are dropped, and only snapshots (reports, inspections) cross the thread.

Saving while training: `request_capture()` asks the worker for a copy of the whole session at the
next epoch boundary (the only moment the experiment is consistent: the history columns, weights,
optimizer and random stream all belong to the same epoch). The worker takes the copy itself, in
the gate between two epochs, and goes on training; `captured` brings it to the GUI thread, which
writes it off its own thread. A run that ends first is copied when it has ended.
"""
from __future__ import annotations

import copy
import threading
import time
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QWidget

from workbench.core.experiment import Experiment
from workbench.core.history import EpochReport
from workbench.core.inspection import histogram_edges, inspect
from workbench.core.trainer import Trainer
from workbench.gui.background import wait_for
from workbench.gui.inspector import InspectionChoices
from workbench.io.session import SessionContents, contents_of

REPORT_INTERVAL = 0.5       # seconds between progress emits (the last epoch always goes out): 2 Hz,
                            # the pace the curves redraw at while training. The GUI thread's drawing
                            # holds the GIL, so each redraw is time taken from training.
INSPECT_INTERVAL = 1.0      # seconds between inspections (weights, histograms, boundary)


def session_copy(experiment: Experiment) -> SessionContents:
    """The session content of `experiment` as copies that no later epoch changes.

    Call it where nothing trains `experiment` (between epochs on the worker, or with no run going).
    Learned parameters are copied; the history, optimizer and random state come out of
    `contents_of` as fresh arrays already; the data, earlier runs and replay snapshots are never
    changed in place, so they are shared. A run captured mid-way is saved as "stopped" (the status
    of a run interrupted between epochs, which Train resumes), never as "running".
    """
    contents = contents_of(experiment)
    contents.params = {name: value.copy() for name, value in contents.params.items()}
    contents.tuning = copy.deepcopy(contents.tuning)
    contents.runs = list(contents.runs)
    if contents.status == "running":
        contents.status = "stopped"
    return contents


class PauseGate:
    """Holds the worker between epochs while paused; Step lets one epoch through; Stop always wins.

    It is also where the worker serves capture requests (a copy of the session for saving): the
    request wakes a paused worker too, which copies and goes back to waiting.
    """

    def __init__(self, stop: threading.Event):
        self._stop = stop
        self._cond = threading.Condition()
        self._paused = False
        self._steps = 0
        self._capture_wanted = 0    # number of the latest capture request, 0 for none
        self._capture_served = 0
        self.holding = False        # True while the worker is blocked here (for status and tests)

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        with self._cond:
            self._paused, self._steps = False, 0
            self._cond.notify_all()

    def step(self) -> None:
        with self._cond:
            self._steps += 1
            self._cond.notify_all()

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def request_capture(self, number: int) -> None:
        """Ask for a capture (request `number`, increasing) at the next epoch boundary."""
        with self._cond:
            self._capture_wanted = max(self._capture_wanted, number)
            self._cond.notify_all()

    def wait_turn(self, capture: Callable[[int], None] | None = None) -> None:
        """Block (without spinning) until the next epoch may start or a stop was requested.

        A capture requested meanwhile is served first: `capture(number)` runs outside the lock
        (pause, resume and step never wait for it), then the gate is checked again.
        """
        def capture_pending() -> bool:
            return capture is not None and self._capture_wanted > self._capture_served

        while True:
            with self._cond:
                while (not capture_pending() and self._paused and not self._steps
                       and not self._stop.is_set()):
                    self.holding = True
                    self._cond.wait(0.2)
                if not capture_pending():
                    self.holding = False
                    if self._paused and self._steps:
                        self._steps -= 1
                    return
                number = self._capture_served = self._capture_wanted
            capture(number)


class TrainingWorker(QObject):
    """One training run: `run()` trains (on a `_TrainingThread`) and reports batched epochs with
    inspections; the object itself stays on the GUI thread."""

    progress = Signal(int, object, object)     # run number, [EpochReport, ...], Inspection or None
    finished = Signal(int, object)             # run number, final EpochReport or None
    failed = Signal(int, str)                  # run number, message for a person
    captured = Signal(int, int, object)        # run number, capture request, SessionContents copy
    capture_failed = Signal(int, int, str)     # run number, capture request, message

    def __init__(self, run_number: int, experiment: Experiment, epochs: int | None,
                 stop: threading.Event, gate: PauseGate, choices: InspectionChoices):
        super().__init__()
        self.run_number = run_number
        self._choices = choices
        self._experiment = experiment
        self._epochs = epochs
        self._stop = stop
        self._gate = gate

    def run(self) -> None:
        try:
            final = self._train()
        except Exception as err:  # noqa: BLE001 - any failure becomes one message, never a crash
            self.failed.emit(self.run_number, f"training failed: {err}")
            return
        self.finished.emit(self.run_number, final)

    def _train(self) -> EpochReport | None:
        exp = self._experiment
        edges = histogram_edges(exp)
        pending: list[EpochReport] = []
        # the first emit waits its turn too: the views show the starting point already
        last_emit = last_inspect = time.perf_counter()
        final = None

        def capture(number: int) -> None:
            """Between epochs: the reports so far go out first, so the GUI has seen every epoch
            the copy holds before the copy itself."""
            nonlocal pending, last_emit
            if pending:
                self.progress.emit(self.run_number, pending, None)
                pending, last_emit = [], time.perf_counter()
            try:
                contents = session_copy(exp)
            except Exception as err:  # noqa: BLE001 - a failed copy fails that save, not the run
                self.capture_failed.emit(self.run_number, number, f"cannot copy the session: {err}")
                return
            self.captured.emit(self.run_number, number, contents)

        for report in Trainer(exp).run(epochs=self._epochs, stop=self._stop):
            final = report
            pending.append(report)
            now = time.perf_counter()
            if report.finished or self._gate.paused or now - last_emit >= REPORT_INTERVAL:
                inspection = None
                if report.finished or self._gate.paused or now - last_inspect >= INSPECT_INTERVAL:
                    inspection = inspect(exp, bin_edges=edges, plane=self._choices.plane)
                    edges, last_inspect = inspection.bin_edges, now
                self.progress.emit(self.run_number, pending, inspection)
                pending, last_emit = [], now
            if not report.finished:
                self._gate.wait_turn(capture)
        return final


class _TrainingThread(QThread):
    """A thread that runs one worker's `run()` and ends."""

    def __init__(self, worker: TrainingWorker):
        super().__init__()
        self._worker = worker

    def run(self) -> None:
        self._worker.run()


class TrainingRunner(QObject):
    """One training run at a time for the GUI: start, pause, step, stop, change the learning rate.

    Lives on the GUI thread; its signals are emitted there, so widgets and tests can wait on them.
    """

    state_changed = Signal(str)                # "idle", "training", "paused"
    reports_ready = Signal(object, object)     # [EpochReport, ...], Inspection or None
    run_finished = Signal(object)              # final EpochReport (or None when there was nothing to do)
    run_failed = Signal(str)
    captured = Signal(int, object)             # capture request served, SessionContents (a copy)
    capture_failed = Signal(int, str)          # capture request, message for a person

    def __init__(self, parent: QObject | None = None, choices: InspectionChoices | None = None):
        super().__init__(parent)
        self.choices = choices or InspectionChoices()    # read by the run's inspections
        self.run_number = 0
        self._thread: QThread | None = None
        self._worker: TrainingWorker | None = None
        self._failure: str | None = None
        self._finished_report: EpochReport | None = None
        self._stop = threading.Event()
        self._gate = PauseGate(self._stop)
        self._experiment: Experiment | None = None
        self._capture_wanted = 0            # the latest capture request (numbers only increase)
        self._capture_served = 0

    # --- state ------------------------------------------------------------------------------------
    @property
    def is_running(self) -> bool:
        return self._thread is not None

    @property
    def holding(self) -> bool:
        """True while a paused run is actually waiting between epochs."""
        return self.is_running and self._gate.holding

    @property
    def state(self) -> str:
        if not self.is_running:
            return "idle"
        return "paused" if self._gate.paused else "training"

    # --- commands -----------------------------------------------------------------------------------
    def start(self, experiment: Experiment, epochs: int | None = None, paused: bool = False) -> bool:
        """Start a run (False when one is already running: Start twice does nothing twice)."""
        if self.is_running:
            return False
        self.run_number += 1
        self._stop = threading.Event()
        self._gate = PauseGate(self._stop)
        if paused:
            self._gate.pause()
        worker = TrainingWorker(self.run_number, experiment, epochs, self._stop, self._gate, self.choices)
        thread = _TrainingThread(worker)
        # emitted on the training thread: queued to this object's slots on the GUI thread
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._on_worker_finished)
        worker.failed.connect(self._on_worker_failed)
        worker.captured.connect(self._on_worker_captured)
        worker.capture_failed.connect(self._on_worker_capture_failed)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._worker, self._experiment = thread, worker, experiment
        thread.start()
        self.state_changed.emit(self.state)
        return True

    def step(self, experiment: Experiment) -> bool:
        """One epoch: from idle a one-epoch run; while paused, let one more epoch through."""
        if not self.is_running:
            return self.start(experiment, epochs=1)
        if self._gate.paused:
            self._gate.step()
        return True

    def pause(self) -> None:
        if self.is_running and not self._gate.paused:
            self._gate.pause()
            self.state_changed.emit(self.state)

    def resume(self) -> None:
        if self.is_running and self._gate.paused:
            self._gate.resume()
            self.state_changed.emit(self.state)

    def request_capture(self) -> int:
        """Ask for a copy of the session at the next epoch boundary, without ending the run.

        Returns the request's number (`captured` brings the copy, with a number at least as
        high, on the GUI thread), or 0 when no run is going: then nothing trains the experiment
        and the caller can copy it at once. Paused runs are copied where they wait; a run that
        ends before its next boundary is copied once it has ended.
        """
        if not self.is_running:
            return 0
        self._capture_wanted += 1
        self._gate.request_capture(self._capture_wanted)
        return self._capture_wanted

    def stop(self) -> None:
        """Ask the run to stop; the Trainer sees it before the next batch."""
        self._stop.set()
        self._gate.wake()

    def stop_and_wait(self, parent: QWidget | None) -> None:
        """Stop the run and wait for its end without freezing the window (Open, a drop, closing):
        the wait runs off the GUI thread, the window keeps painting, and a long one shows progress.
        The run then ends as a Stop ends it (`run_finished`), once."""
        thread = self._thread
        if thread is None:
            return
        self.stop()
        wait_for(parent, "Stopping the run…", thread.wait, cancellable=False)
        if self._thread is thread:          # its `finished` signal has not been handled meanwhile
            self._finish_run()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop and wait for the thread, blocking, at most `timeout_ms` (a script's window, as the
        screenshots use; the app's own window uses `stop_and_wait`); True when no thread is left."""
        thread = self._thread
        if thread is None:
            return True
        self.stop()
        done = thread.wait(timeout_ms)
        if done:
            self._finish_run()
        return done

    # --- worker -> GUI thread ------------------------------------------------------------------------
    @Slot(int, object, object)
    def _on_progress(self, run_number: int, reports: list, inspection: Any) -> None:
        if run_number == self.run_number:
            self.reports_ready.emit(reports, inspection)

    @Slot(int, int, object)
    def _on_worker_captured(self, run_number: int, number: int, contents: Any) -> None:
        if run_number == self.run_number and number > self._capture_served:
            self._capture_served = number
            self.captured.emit(number, contents)

    @Slot(int, int, str)
    def _on_worker_capture_failed(self, run_number: int, number: int, message: str) -> None:
        if run_number == self.run_number and number > self._capture_served:
            self._capture_served = number
            self.capture_failed.emit(number, message)

    @Slot(int, object)
    def _on_worker_finished(self, run_number: int, final: Any) -> None:
        if run_number == self.run_number:
            self._finished_report = final

    @Slot(int, str)
    def _on_worker_failed(self, run_number: int, message: str) -> None:
        if run_number == self.run_number:
            self._failure = message

    @Slot()
    def _on_thread_finished(self) -> None:
        # The current run's thread has finished, or this is a late signal of a run that shutdown()
        # already finished (a newer thread is then still running). Not `self.sender()`: it locks
        # the thread's connections, which the worker's destructor on that thread may be holding
        # while it waits for the GIL that this slot holds: a deadlock.
        if self._thread is not None and self._thread.isFinished():
            self._finish_run()

    def _finish_run(self) -> None:
        thread, self._thread = self._thread, None
        thread.wait()
        # deliver the worker's queued signals first, so run_finished is always the last one
        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)
        failure, final, experiment = self._failure, self._finished_report, self._experiment
        self._release()
        self.state_changed.emit("idle")
        if failure is not None:
            self.run_failed.emit(failure)
        else:
            self.run_finished.emit(final)
        self._capture_after_run(experiment)

    def _capture_after_run(self, experiment: Experiment | None) -> None:
        """Captures the run ended before serving: copy the experiment as the run left it (after
        run_finished, so the copy includes what its receivers took over from the run)."""
        number = self._capture_wanted
        if number <= self._capture_served or experiment is None:
            return
        self._capture_served = number
        try:
            contents = session_copy(experiment)
        except Exception as err:  # noqa: BLE001 - e.g. a run that failed left no usable state
            self.capture_failed.emit(number, f"cannot copy the session: {err}")
            return
        self.captured.emit(number, contents)

    def _release(self) -> None:
        self._thread = self._worker = self._experiment = None
        self._failure = self._finished_report = None
