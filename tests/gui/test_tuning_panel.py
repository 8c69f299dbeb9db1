"""The Tuning panel drives a real (tiny) search off the GUI thread, stops, shows and applies results."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from workbench.core.config import Config
from workbench.core.data import Dataset
from workbench.gui.widgets.tuning_panel import TuningPanel

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

    panel.table.sortItems(panel.table.columnCount() - 4, Qt.SortOrder.DescendingOrder)   # by score
    assert panel.table.column_values("score")[0] == pytest.approx(best["score"], rel=1e-4)

    with qtbot.waitSignal(panel.apply_config, timeout=2000) as applied:
        qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    config = applied.args[0]
    assert isinstance(config, Config) and config.optimizer.lr == best["params"]["lr"]
    assert config.layers == BASE.layers


def test_stop_ends_a_long_search_and_the_panel_can_start_again(panel, qtbot):
    tick_lr_range(panel, "0.001", "0.3")
    panel.method.setCurrentText("random")
    panel.trials.setValue(500)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.table.rowCount() >= 1, timeout=20_000)
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


def test_a_saved_record_is_shown_with_its_importances(panel, qtbot):
    trials = [{"number": i, "params": {"lr": lr, "units": units}, "score": score, "score_std": None,
               "state": "complete", "duration": 0.5, "fold_scores": [], "message": ""}
              for i, (lr, units, score) in enumerate([(0.001, 4, 0.6), (0.01, 4, 0.8), (0.1, 4, 0.95),
                                                      (0.001, 16, 0.62), (0.01, 16, 0.81),
                                                      (0.1, 16, 0.94), (0.05, 8, 0.9), (0.003, 8, 0.7)])]
    trials.append({"number": 8, "params": {"lr": 0.2, "units": 8}, "score": None, "score_std": None,
                   "state": "failed", "duration": 0.1, "fold_scores": [], "message": "diverged"})
    record = {"settings": {"method": "grid", "trials": 9, "timeout": None, "folds": 0, "jobs": 1,
                           "seed": 0, "metric": "accuracy", "direction": "maximize", "pruner": "none",
                           "study": "workbench"},
              "space": {"lr": {"low": 0.001, "high": 0.2, "log": True}, "units": [4, 8, 16]},
              "trials": trials, "best_trial": 2}
    panel.show_record(record)
    assert panel.table.rowCount() == 9 and panel.method.currentText() == "grid"
    assert panel.space_editor.rows["units"].tick.isChecked()
    assert panel.apply_button.isEnabled()
    qtbot.waitUntil(lambda: bool(panel.importance_plot.importances), timeout=10_000)
    assert set(panel.importance_plot.importances) == {"lr", "units"}
    with qtbot.waitSignal(panel.apply_config, timeout=2000) as applied:
        qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    assert applied.args[0].optimizer.lr == 0.1 and applied.args[0].layers[0].units == 4
