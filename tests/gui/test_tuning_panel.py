"""The Tuning panel drives a real (tiny) search off the GUI thread, stops, shows and applies results;
a replaced session clears it, a person's ranges survive configuration changes, a reopened session
shows its whole search again, and Apply best is undoable in the main window."""
from __future__ import annotations

import os
import time

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt, QTimer

from workbench.core.config import Config
from workbench.core.data import Dataset
from workbench.gui.widgets.tuning_panel import TuningPanel
from workbench.gui.widgets.tuning_space_editor import PROPOSALS

from gui_helpers import edit

BASE = Config().updated({"optimizer.lr": 0.001, "training.epochs": 5,
                         "layers": [{"units": 4, "activation": "tanh"}]})


def blobs(n: int = 80) -> Dataset:
    rng = np.random.default_rng(1)
    y = np.arange(n) % 2
    X = rng.normal(size=(n, 2)) + np.where(y[:, None] == 1, 1.5, -1.5)
    return Dataset(X, y.astype(np.int64), "classification", "test:blobs", ["a", "b"], ["0", "1"], "c")


@pytest.fixture
def panel(qtbot):
    widget = TuningPanel()
    qtbot.addWidget(widget)
    widget.set_base(BASE, blobs())
    widget.jobs.setValue(1)
    yield widget
    widget.shutdown()


def tick_lr_range(panel, low: str, high: str) -> None:
    row = panel.space_editor.rows["lr"]
    row.tick.setChecked(True)
    row.mode.setCurrentText("range")
    row.low.setText(low)
    row.high.setText(high)
    row.log.setChecked(True)


def test_a_small_search_fills_the_table_and_plots_and_applies_the_best(panel, qtbot):
    tick_lr_range(panel, "0.001", "0.3")
    panel.method.setCurrentText("random")
    panel.trials.setValue(4)
    with qtbot.waitSignal(panel.record_changed, timeout=30_000) as finished:
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
        assert panel.stop_button.isEnabled() and not panel.start_button.isEnabled()
    record = finished.args[0]
    assert len(record["trials"]) == 4 and record["best_trial"] is not None
    qtbot.waitUntil(lambda: panel.start_button.isEnabled())
    assert panel.table.rowCount() == 4
    assert panel.table.param_names == ["lr"]
    numbers, scores = panel.history_plot.scores.getData()
    assert len(numbers) == 4 and max(scores) == pytest.approx(max(t["score"] for t in record["trials"]))
    assert len(panel.parallel_plot.lines) == 4
    best = next(t for t in record["trials"] if t["number"] == record["best_trial"])
    assert "Best: trial" in panel.status.text()

    panel.table.sortItems(panel.table.column_names().index("score"), Qt.SortOrder.DescendingOrder)
    assert panel.table.column_values("score")[0] == pytest.approx(best["score"], rel=1e-4)

    with qtbot.waitSignal(panel.apply_config, timeout=2000) as applied:
        qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    config = applied.args[0]
    assert isinstance(config, Config) and config.optimizer.lr == best["params"]["lr"]
    assert config.layers == BASE.layers


def start_long_search(panel, qtbot) -> None:
    """Start a random search of 500 trials (far more than a test waits for) and wait for its first."""
    tick_lr_range(panel, "0.001", "0.3")
    panel.method.setCurrentText("random")
    panel.trials.setValue(500)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.table.rowCount() >= 1, timeout=20_000)


def test_stop_ends_a_long_search_and_the_panel_can_start_again(panel, qtbot):
    start_long_search(panel, qtbot)
    with qtbot.waitSignal(panel.record_changed, timeout=20_000) as finished:
        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    assert len(finished.args[0]["trials"]) < 500
    qtbot.waitUntil(lambda: panel.start_button.isEnabled(), timeout=5000)
    assert not panel.stop_button.isEnabled()


def test_a_bad_space_is_reported_and_nothing_starts(panel, qtbot):
    tick_lr_range(panel, "0.3", "0.001")
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert "Cannot start: lr: low (0.3) must be below high" in panel.status.text()
    assert not panel.running


def test_start_with_nothing_ticked_says_to_tick_a_hyperparameter(panel, qtbot):
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert panel.status.text() == ("Cannot start: tick at least one hyperparameter to search "
                                   "(the list on the left).")
    assert not panel.running and panel.start_button.isEnabled()


def saved_record(**settings) -> dict:
    """A finished search as a session stores it: lr and units varied, trial 2 the best."""
    trials = [{"number": i, "params": {"lr": lr, "units": units}, "score": score, "score_std": None,
               "state": "complete", "duration": 0.5, "fold_scores": [], "message": ""}
              for i, (lr, units, score) in enumerate([(0.001, 4, 0.6), (0.01, 4, 0.8), (0.1, 4, 0.95),
                                                      (0.001, 16, 0.62), (0.01, 16, 0.81),
                                                      (0.1, 16, 0.94), (0.05, 8, 0.9), (0.003, 8, 0.7)])]
    trials.append({"number": 8, "params": {"lr": 0.2, "units": 8}, "score": None, "score_std": None,
                   "state": "failed", "duration": 0.1, "fold_scores": [], "message": "diverged"})
    return {"settings": {"method": "grid", "trials": 9, "timeout": None, "folds": 0, "jobs": 1,
                         "seed": 0, "metric": "accuracy", "direction": "maximize", "pruner": "none",
                         "study": "workbench", **settings},
            "space": {"lr": {"low": 0.001, "high": 0.2, "log": True}, "units": [4, 8, 16]},
            "trials": trials, "best_trial": 2}


def test_a_saved_record_is_shown_with_its_importances(panel, qtbot):
    record = saved_record()
    panel.show_record(record)
    assert panel.table.rowCount() == 9 and panel.method.currentText() == "grid"
    assert panel.space_editor.rows["units"].tick.isChecked()
    assert panel.apply_button.isEnabled()
    qtbot.waitUntil(lambda: bool(panel.importance_plot.importances), timeout=10_000)
    assert set(panel.importance_plot.importances) == {"lr", "units"}
    with qtbot.waitSignal(panel.apply_config, timeout=2000) as applied:
        qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    assert applied.args[0].optimizer.lr == 0.1 and applied.args[0].layers[0].units == 4


def test_parallel_coordinates_write_each_axis_range_on_a_backing_above_the_lines(panel):
    import pyqtgraph as pg
    from PySide6.QtGui import QPalette

    from workbench.gui.widgets.tuning_plots import LABEL_BACKING_ALPHA

    panel.show_record(saved_record())
    plot = panel.parallel_plot
    labels = [item for item in plot.axis_items if isinstance(item, pg.TextItem)]
    texts = {label.toPlainText() for label in labels}
    assert {"0.001", "0.2", "4", "8", "16", "0.6", "0.95"} <= texts     # lr's range, units' choices, scores
    base = plot.palette().color(QPalette.ColorRole.Base)
    for label in labels:
        assert label.fill.color().alpha() == LABEL_BACKING_ALPHA
        assert label.fill.color().rgb() == base.rgb()
        assert all(label.zValue() > line.zValue() for line in plot.lines)


def test_a_saved_record_restores_trials_time_budget_and_jobs(panel):
    panel.show_record(saved_record(method="random", trials=7, timeout=30.0, jobs=1, folds=3,
                                   pruner="median"))
    assert (panel.method.currentText(), panel.trials.value(), panel.timeout.value(), panel.jobs.value(),
            panel.folds.value(), panel.pruner.currentText()) == ("random", 7, 30.0, 1, 3, "median")
    settings = panel.settings()
    assert (settings.trials, settings.timeout, settings.jobs) == (7, 30.0, 1)
    # a session saved on a bigger machine asks for more jobs than this one has cores
    panel.show_record(saved_record(trials=None, timeout=12.0, jobs=10_000))
    assert panel.jobs.value() == os.cpu_count()
    assert panel.settings().trials is None and panel.settings().timeout == 12.0   # time budget only


def test_a_typed_range_survives_configuration_changes_and_untouched_rows_follow(panel, qtbot):
    panel.show()
    qtbot.waitExposed(panel)
    row = panel.space_editor.rows["lr"]
    click_tick(qtbot, row)
    row.low.clear()
    qtbot.keyClicks(row.low, "0.0001")
    row.high.clear()
    qtbot.keyClicks(row.high, "0.5")
    units = panel.space_editor.rows["units"]          # edited, then unticked: kept as well
    click_tick(qtbot, units)
    units.high.clear()
    qtbot.keyClicks(units.high, "99")
    click_tick(qtbot, units)
    assert not units.tick.isChecked()
    panel.set_base(BASE.updated({"training.epochs": 40, "optimizer.lr": 0.02}), blobs())
    assert (row.low.text(), row.high.text()) == ("0.0001", "0.5")
    assert units.high.text() == "99"
    epochs = panel.space_editor.rows["epochs"]       # untouched: proposed around the new epochs
    assert epochs.choices.text() == "20, 40, 80"
    assert panel.space_editor.space_dict()["lr"] == {"low": 0.0001, "high": 0.5, "log": True}


def click_tick(qtbot, row) -> None:
    """Click a row's check box on its box (its centre may lie past the label, outside the button)."""
    qtbot.mouseClick(row.tick, Qt.MouseButton.LeftButton, pos=QPoint(8, row.tick.height() // 2))


def test_the_learning_rate_proposal_is_a_valid_range_for_any_rate():
    for lr in (1e-6, 0.001, 0.5, 1.0, 10.0, 1e6):
        spec = PROPOSALS["lr"](BASE.updated({"optimizer.lr": lr}))
        assert spec["low"] < spec["high"] and spec["low"] <= lr <= spec["high"], (lr, spec)


# --- in the main window -------------------------------------------------------------------------------
def show_saved_search(window) -> None:
    """A session whose experiment holds a saved search, shown as on opening it."""
    window.controller.experiment.tuning = saved_record(method="random", trials=7, timeout=30.0, jobs=1)
    window.tuning_panel.show_session(object(), None)            # as if another session had been shown
    window._on_experiment_changed(window.controller.experiment)


def test_new_session_clears_the_panel_and_disables_apply_best(window, dialogs):
    show_saved_search(window)
    panel = window.tuning_panel
    assert panel.table.rowCount() == 9 and panel.apply_button.isEnabled()
    assert panel.status.text().startswith("Best:")
    window.new_action.trigger()
    assert window.controller.experiment.tuning is None
    shown, _ = panel.history_plot.scores.getData()
    assert panel.table.rowCount() == 0 and (shown is None or len(shown) == 0)
    assert not panel.apply_button.isEnabled() and not panel.status.text().startswith("Best:")
    assert not panel.space_editor.rows["units"].tick.isChecked()
    assert (panel.method.currentText(), panel.trials.value(), panel.timeout.value()) == ("bayes", 20, 0)


def test_a_reset_of_the_same_session_keeps_the_persons_space(window):
    show_saved_search(window)
    panel = window.tuning_panel
    panel.space_editor.rows["units"].set_spec([2, 3])
    edit(window, {"layers": [{"units": 7}]})          # a new architecture resets the experiment
    assert panel.table.rowCount() == 9 and panel.apply_button.isEnabled()
    assert panel.space_editor.rows["units"].spec() == [2, 3]


def test_reopening_a_session_restores_the_search_and_its_settings(make_window, dialogs, tmp_path, qtbot):
    first = make_window()
    first.controller.experiment.tuning = saved_record(method="random", trials=7, timeout=30.0, jobs=1,
                                                      pruner="median")
    path = str(tmp_path / "tuned.h5")
    first.controller.save(path)
    reopened = make_window()
    assert reopened.open_path(path)
    panel = reopened.tuning_panel
    assert panel.table.rowCount() == 9 and panel.apply_button.isEnabled()
    assert (panel.method.currentText(), panel.trials.value(), panel.timeout.value(), panel.jobs.value(),
            panel.pruner.currentText()) == ("random", 7, 30.0, 1, "median")
    assert panel.space_editor.space_dict() == {"lr": {"low": 0.001, "high": 0.2, "log": True},
                                               "units": [4, 8, 16]}


def test_apply_best_in_the_main_window_is_undoable(window, qtbot):
    show_saved_search(window)
    before = window.controller.config
    qtbot.mouseClick(window.tuning_panel.apply_button, Qt.MouseButton.LeftButton)
    applied = window.controller.config
    assert applied.optimizer.lr == 0.1 and applied.layers[0].units == 4 and applied != before
    assert window.tuning_panel.space_editor.space_dict()["units"] == [4, 8, 16]   # not reset by the change
    window.undo_action.trigger()
    assert window.controller.config == before
    window.controller.undo_stack.redo()
    assert window.controller.config == applied


def test_a_search_running_when_the_session_is_replaced_never_reaches_the_new_one(window, dialogs, qtbot):
    panel = window.tuning_panel
    edit(window, {"training.epochs": 5})
    panel.jobs.setValue(1)
    start_long_search(panel, qtbot)
    window.new_action.trigger()
    assert panel.table.rowCount() == 0 and not panel.apply_button.isEnabled()
    assert not panel.start_button.isEnabled()               # until the old search has wound down
    qtbot.waitUntil(lambda: not panel.running, timeout=20_000)
    qtbot.wait(50)                                           # any late report of the old search is delivered
    assert window.controller.experiment.tuning is None
    assert panel.table.rowCount() == 0 and panel._record is None
    assert panel.start_button.isEnabled() and not panel.apply_button.isEnabled()


def test_a_finished_signal_of_another_thread_leaves_the_running_search_alone(panel, qtbot):
    start_long_search(panel, qtbot)
    running = panel._thread
    started = time.monotonic()
    panel._on_thread_finished()          # as a late signal of an earlier, already joined thread arrives
    assert time.monotonic() - started < 0.5 and panel._thread is running and panel.running
    with qtbot.waitSignal(panel.record_changed, timeout=20_000):
        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.running, timeout=5000)


def test_closing_during_a_search_waits_for_it_while_the_window_paints(make_window, qtbot, monkeypatch):
    from workbench.gui.widgets import tuning_workers

    window = make_window()
    panel = window.tuning_panel
    edit(window, {"training.epochs": 5})
    panel.jobs.setValue(1)
    real = tuning_workers.param_importances

    def slow_importances(record):        # the stopped search still computes its importances
        time.sleep(0.8)
        return real(record)

    monkeypatch.setattr(tuning_workers, "param_importances", slow_importances)
    start_long_search(panel, qtbot)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    started = time.monotonic()
    window.close()
    ended = time.monotonic()
    timer.stop()
    assert not window.isVisible() and not panel.running and ended - started >= 0.8
    gaps = np.diff([started, *ticks, ended])
    assert len(ticks) >= 10 and gaps.max() < 0.3      # the window painted while the search wound down
