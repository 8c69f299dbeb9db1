"""The training thread on its own: runs, stops within a batch, pauses between epochs, steps, drops
reports of an old run, and copies the session between epochs for saving without ending the run.
Waits are on the runner's GUI-thread signals, never sleeps."""
import threading
import time

import numpy as np
import pytest

from workbench.core.config import Config
from workbench.core.experiment import Experiment
from workbench.gui.training_runner import (INSPECT_INTERVAL, REPORT_INTERVAL, PauseGate, TrainingRunner,
                                          TrainingWorker)


def experiment(epochs=20, **changes):
    return Experiment.create(Config().updated({"training.epochs": epochs, **changes}))


@pytest.fixture
def runner(qtbot):
    made = TrainingRunner()
    yield made
    made.shutdown()


def collect(runner):
    seen = []
    runner.reports_ready.connect(lambda reports, _inspection: seen.extend(reports))
    return seen


def test_a_run_reports_every_epoch_in_order_and_ends_with_the_final_status(qtbot, runner):
    exp = experiment(epochs=12)
    seen = collect(runner)
    with qtbot.waitSignal(runner.run_finished, timeout=20_000) as done:
        assert runner.start(exp)
    assert [r.epoch for r in seen] == list(range(1, 13))
    assert done.args[0].status == "completed"
    assert not runner.is_running and runner.state == "idle"
    assert exp.history.train_loss == [r.train_loss for r in seen]


def test_the_last_report_carries_an_inspection_of_the_final_weights(qtbot, runner):
    exp = experiment(epochs=3)
    inspections = []
    runner.reports_ready.connect(lambda _r, inspection: inspections.append(inspection))
    with qtbot.waitSignal(runner.run_finished, timeout=20_000):
        runner.start(exp)
    assert inspections[-1] is not None
    assert inspections[-1].epoch == 3


def test_training_runs_off_the_gui_thread_and_the_worker_never_moves(qtbot, runner, monkeypatch):
    """The Trainer runs on the run's own thread; the worker object stays on the GUI thread, where
    the runner lets it go. (Destroyed on its own thread, or moving itself back at the end of its
    run, the worker deadlocked now and then: each thread held the GIL or a Qt lock the other
    waited for.)"""
    from PySide6.QtCore import QCoreApplication

    gui_thread = QCoreApplication.instance().thread()
    trained_on = []
    original = TrainingWorker._train
    monkeypatch.setattr(TrainingWorker, "_train",
                        lambda worker: trained_on.append(threading.get_ident()) or original(worker))
    with qtbot.waitSignal(runner.run_finished, timeout=20_000):
        runner.start(experiment(epochs=2))
        worker, thread = runner._worker, runner._thread
        assert worker.thread() is gui_thread
    assert trained_on and trained_on[0] != threading.get_ident()
    assert worker.thread() is gui_thread and thread.isFinished()
    assert runner._worker is None                     # the runner no longer holds it


def test_many_short_runs_in_a_row_each_finish(qtbot, runner):
    """Runs of one or two epochs, back to back, while the GUI thread connects and disconnects a
    receiver for each: every one ends with run_finished. (The end of a run is where the earlier
    designs hung, rarely: once in a full CI run, at the worker's move back to the GUI thread.)"""
    exp = experiment(epochs=1, **{"data.samples": 60})
    finished = []
    for number in range(150):
        received = []
        slot = received.append
        runner.reports_ready.connect(lambda reports, _inspection: slot(reports))
        with qtbot.waitSignal(runner.run_finished, timeout=10_000) as blocker:
            assert runner.start(exp, epochs=1 + number % 2)
        finished.append(blocker.args[0].status)
        runner.reports_ready.disconnect()
        assert received
    assert finished == ["completed"] * 150


def test_start_twice_runs_once(qtbot, runner):
    exp = experiment(epochs=5)
    with qtbot.waitSignal(runner.run_finished, timeout=20_000):
        assert runner.start(exp)
        assert not runner.start(exp)
    assert runner.run_number == 1
    assert exp.epochs_trained == 5


def test_stop_ends_the_run_within_a_batch(qtbot, runner):
    exp = experiment(epochs=100_000, **{"data.samples": 4000, "training.batch_size": 8})
    seen = collect(runner)
    runner.start(exp)
    qtbot.waitUntil(lambda: len(seen) >= 1, timeout=20_000)
    with qtbot.waitSignal(runner.run_finished, timeout=5_000) as done:
        asked = time.perf_counter()
        runner.stop()
    assert time.perf_counter() - asked < 0.5
    assert done.args[0].status == "stopped"
    assert exp.epochs_trained < 100_000


def test_pause_holds_between_epochs_and_step_lets_one_through(qtbot, runner):
    exp = experiment(epochs=1000)
    seen = collect(runner)
    runner.start(exp, paused=True)
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=20_000)   # the first epoch runs, then it holds
    assert runner.state == "paused"
    runner.step(exp)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=20_000)
    assert exp.epochs_trained == 2
    with qtbot.waitSignal(runner.run_finished, timeout=5_000) as done:
        runner.stop()
    assert done.args[0].status == "stopped"
    assert exp.epochs_trained == 2


def test_step_from_idle_trains_exactly_one_epoch(qtbot, runner):
    exp = experiment(epochs=50)
    with qtbot.waitSignal(runner.run_finished, timeout=20_000):
        runner.step(exp)
    assert exp.epochs_trained == 1


def test_a_failing_run_reports_a_message_instead_of_crashing(qtbot, runner):
    exp = experiment(epochs=3)
    exp.data = None            # the trainer cannot read the data
    with qtbot.waitSignal(runner.run_failed, timeout=20_000) as failed:
        runner.start(exp)
    assert failed.args[0].startswith("training failed")
    assert not runner.is_running


def test_reports_of_an_earlier_run_are_dropped(qtbot, runner):
    seen = collect(runner)
    runner._on_progress(runner.run_number + 7, ["late"], None)
    assert seen == []


def test_shutdown_joins_a_running_thread(qtbot, runner):
    exp = experiment(epochs=100_000)
    seen = collect(runner)
    runner.start(exp)
    qtbot.waitUntil(lambda: len(seen) >= 1, timeout=20_000)
    assert runner.shutdown(5000)
    assert not runner.is_running


def test_the_pause_gate_lets_a_stop_through():
    import threading

    stop = threading.Event()
    gate = PauseGate(stop)
    gate.pause()
    stop.set()
    started = time.perf_counter()
    gate.wait_turn()
    assert time.perf_counter() - started < 0.1


def test_reports_come_at_most_twice_a_second_and_inspections_once(qtbot, runner):
    assert (REPORT_INTERVAL, INSPECT_INTERVAL) == (0.5, 1.0)
    exp = experiment(epochs=2000)         # about two seconds or more of training
    emits, inspected = [], []

    def on_reports(reports, inspection):
        emits.append(reports)
        if inspection is not None:
            inspected.append(inspection.epoch)

    runner.reports_ready.connect(on_reports)
    started = time.monotonic()
    with qtbot.waitSignal(runner.run_finished, timeout=60_000):
        runner.start(exp)
    seconds = time.monotonic() - started
    assert [r.epoch for batch in emits for r in batch] == list(range(1, 2001))  # every epoch, once
    assert 1 < len(emits) <= seconds / REPORT_INTERVAL + 1
    assert len(inspected) <= seconds / INSPECT_INTERVAL + 1 and inspected[-1] == 2000  # the end always


# --- copies for saving while training -------------------------------------------------------------
def captures(runner):
    got = []
    runner.captured.connect(lambda number, contents: got.append((number, contents)))
    return got


def test_a_capture_copies_the_session_between_epochs_and_the_run_goes_on(qtbot, runner):
    exp = experiment(epochs=100_000)
    seen, got = collect(runner), captures(runner)
    runner.start(exp)
    qtbot.waitUntil(lambda: len(seen) >= 2, timeout=20_000)
    number = runner.request_capture()
    assert number > 0
    qtbot.waitUntil(lambda: bool(got), timeout=20_000)
    served, contents = got[0]
    assert served == number
    epochs = contents.epochs_trained
    assert [r.epoch for r in seen][:epochs] == list(range(1, epochs + 1))   # reported before the copy
    qtbot.waitUntil(lambda: exp.epochs_trained > epochs + 3, timeout=20_000)
    assert runner.state == "training"
    latest = contents.snapshots[epochs]                 # weights belong to the last epoch held
    for name, value in contents.params.items():
        np.testing.assert_array_equal(value, latest[name])
    assert contents.history["train_loss"].tolist() == exp.history.train_loss[:epochs]
    assert contents.status == "stopped"
    with qtbot.waitSignal(runner.run_finished, timeout=5_000):
        runner.stop()
    assert len(got) == 1


def test_a_paused_run_is_copied_where_it_waits_and_stays_paused(qtbot, runner):
    exp = experiment(epochs=1000)
    seen, got = collect(runner), captures(runner)
    runner.start(exp, paused=True)
    qtbot.waitUntil(lambda: runner.holding, timeout=20_000)
    runner.request_capture()
    qtbot.waitUntil(lambda: bool(got), timeout=20_000)
    assert got[0][1].epochs_trained == exp.epochs_trained == 1
    qtbot.waitUntil(lambda: runner.holding, timeout=5_000)
    assert runner.state == "paused" and exp.epochs_trained == 1
    runner.step(exp)                                    # the gate still works after a capture
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=20_000)
    with qtbot.waitSignal(runner.run_finished, timeout=5_000):
        runner.stop()
    assert exp.epochs_trained == 2


def test_a_run_that_ends_before_the_next_epoch_is_copied_after_it_ended(qtbot, runner):
    exp = experiment(epochs=100_000, **{"data.samples": 4000, "training.batch_size": 8})
    seen, got, order = collect(runner), captures(runner), []
    runner.run_finished.connect(lambda _final: order.append("finished"))
    runner.captured.connect(lambda _n, _c: order.append("captured"))
    runner.start(exp)
    qtbot.waitUntil(lambda: len(seen) >= 1, timeout=20_000)
    with qtbot.waitSignal(runner.captured, timeout=5_000):
        number = runner.request_capture()
        runner.stop()                                    # within the epoch: no boundary comes
    assert got[0][0] == number
    assert got[0][1].epochs_trained == exp.epochs_trained
    if order[0] == "finished":                           # (unless the epoch ended first after all)
        assert got[0][1].status == "stopped" and order == ["finished", "captured"]


def test_no_capture_is_asked_for_without_a_run(runner):
    assert runner.request_capture() == 0


def test_the_pause_gate_serves_a_capture_and_keeps_holding():
    import threading

    stop = threading.Event()
    gate = PauseGate(stop)
    gate.pause()
    served = []

    def capture(number):
        served.append(number)
        if len(served) == 1:
            gate.request_capture(7)                      # asked again during the copy
        else:
            stop.set()                                   # then end the wait
    gate.request_capture(3)
    started = time.perf_counter()
    gate.wait_turn(capture)
    assert served == [3, 7]
    assert time.perf_counter() - started < 1.0
