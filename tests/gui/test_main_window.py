"""The real window driven as a person would: train on spiral, stop, start twice, change the learning
rate mid-run, divergence, step, reset, replay, close while training."""
import math
import threading
import time
import weakref

import numpy as np
import pytest
from PySide6.QtCore import QObject, Qt

from workbench.core.inspection import inspect
from workbench.gui.widgets.view_base import ThrottledView

from gui_helpers import curve, edit, train_to_end


def test_the_window_opens_on_spiral_ready_to_train(window):
    assert window.controller.config.data.dataset == "spiral"
    assert window.run_status.state.text() == "idle"
    assert window.windowTitle() == "Untitled[*] — Workbench"
    assert window.train_action.isEnabled()
    window.boundary_view.flush()
    assert window.boundary_view.shows_boundary()


def test_one_click_trains_to_the_end_with_live_curves_and_parameter_view(qtbot, window):
    edit(window, {"training.epochs": 25})
    final = train_to_end(qtbot, window)
    exp = window.controller.experiment
    assert final.status == "completed" and exp.epochs_trained == 25
    assert curve(window.loss_plot) == pytest.approx(exp.history.train_loss)
    assert curve(window.metric_plot, "val") == pytest.approx(exp.history.val_metric)
    assert window.run_status.state.text() == "done"
    assert window.run_status.epoch.text() == "epoch 25/25"
    assert window.run_status.progress.value() == 25
    assert "samples/s" in window.run_status.speed.text()
    assert window.isWindowModified()
    view = window.parameters_view                  # the table a person reads: the learned weights now
    window.show()
    window.docks["Parameters vs hyperparameters"].raise_()
    qtbot.waitUntil(lambda: view.table.rowCount() == 6 and view.summary.text().startswith("Epoch 25"))
    weight = exp.network.params["dense_0/weight"]
    assert view.cell_text(0, "layer") == "dense_0" and view.cell_text(0, "shape") == "2 × 8"
    assert float(view.cell_text(0, "mean")) == pytest.approx(float(weight.mean()), rel=1e-3, abs=1e-4)
    assert float(view.cell_text(0, "norm")) == pytest.approx(float(np.linalg.norm(weight)), rel=1e-3)


def test_the_units_dock_shows_the_hidden_units_of_the_current_weights(qtbot, window):
    window.show()
    window.docks["Units"].raise_()
    assert window.tabifiedDockWidgets(window.docks["Units"]) and \
        window.docks["Histograms"] in window.tabifiedDockWidgets(window.docks["Units"])
    train_to_end(qtbot, window, epochs=3)
    view = window.unit_maps_view
    qtbot.waitUntil(lambda: view.plot.titleLabel.text == "Hidden units, epoch 3")
    np.testing.assert_allclose(view.image.image, inspect(window.controller.experiment).unit_maps.mosaic)


def test_stop_mid_run_keeps_whole_epochs(qtbot, window):
    edit(window, {"training.epochs": 100_000})
    with qtbot.waitSignal(window.runner.run_finished, timeout=20_000) as done:
        window.train_action.trigger()
        qtbot.waitUntil(lambda: window.controller.experiment.epochs_trained >= 2, timeout=20_000)
        window.stop_action.trigger()
    assert done.args[0].status == "stopped"
    assert window.run_status.state.text() == "stopped"
    exp = window.controller.experiment
    assert len(curve(window.loss_plot)) == exp.epochs_trained


def test_start_twice_starts_one_run(qtbot, window):
    edit(window, {"training.epochs": 10})
    with qtbot.waitSignal(window.runner.run_finished, timeout=20_000):
        window.train_action.trigger()
        window.train()
    assert window.runner.run_number == 1
    assert window.controller.experiment.epochs_trained == 10


def test_the_learning_rate_changes_mid_run_from_the_next_epoch(qtbot, window):
    edit(window, {"training.epochs": 100_000, "optimizer.lr": 0.01})
    exp = window.controller.experiment
    window.train_action.trigger()
    qtbot.waitUntil(lambda: exp.epochs_trained >= 2, timeout=20_000)
    lr_control = window.hyperparameter_form.control("optimizer.lr")
    assert lr_control.isEnabled()
    assert not window.hyperparameter_form.control("training.batch_size").isEnabled()
    done_before = exp.epochs_trained
    lr_control.spin.setValue(0.002)        # the epoch under way keeps its rate; the next one changes
    qtbot.waitUntil(lambda: exp.epochs_trained >= done_before + 4, timeout=20_000)
    with qtbot.waitSignal(window.runner.run_finished, timeout=5_000):
        window.stop_action.trigger()
    lrs = exp.history.lr
    assert set(lrs[:done_before + 1]) == {0.01}
    assert set(lrs[done_before + 2:]) == {0.002}
    assert window.controller.config.optimizer.lr == 0.002


def test_pause_holds_training_and_train_resumes_it(qtbot, window):
    edit(window, {"training.epochs": 100_000})
    exp = window.controller.experiment
    window.train_action.trigger()
    qtbot.waitUntil(lambda: exp.epochs_trained >= 1, timeout=20_000)
    window.pause_action.trigger()
    assert window.run_status.state.text() == "paused" and window.train_action.text() == "Resume"
    qtbot.waitUntil(lambda: window.runner.holding, timeout=10_000)
    held_at = exp.epochs_trained
    window.step_action.trigger()                    # exactly one more epoch, then hold again
    qtbot.waitUntil(lambda: exp.epochs_trained == held_at + 1 and window.runner.holding, timeout=10_000)
    window.train_action.trigger()
    assert window.run_status.state.text() == "training"
    qtbot.waitUntil(lambda: exp.epochs_trained >= held_at + 3, timeout=10_000)
    with qtbot.waitSignal(window.runner.run_finished, timeout=5_000):
        window.stop_action.trigger()


def test_divergence_stops_with_advice_and_finite_curves(qtbot, window, dialogs):
    # the warm-up raises the rate epoch by epoch: a few good epochs, then it diverges
    edit(window, {"data.dataset": "plane", "optimizer.name": "sgd", "optimizer.lr": 3.0,
                  "schedule.warmup_epochs": 20, "layers": [{"units": 16, "activation": "relu"}],
                  "training.epochs": 60})
    final = train_to_end(qtbot, window)
    assert final.status == "diverged"
    assert window.run_status.state.text() == "diverged"
    warning = dialogs.texts("warning")[-1]
    assert "lower the learning rate" in warning and warning.endswith("Training → Find a learning rate runs a "
                                                                     "range test in a moment and suggests a "
                                                                     "rate that trains without diverging.")
    drawn = curve(window.loss_plot)           # the curve stops at the last finite epoch
    epochs = window.controller.experiment.epochs_trained
    assert epochs >= 3 and len(drawn) == epochs
    assert all(math.isfinite(v) for v in drawn)
    assert window.statusBar().currentMessage().startswith("training diverged")
    window.train_action.trigger()              # the next run starts with a clean status line
    assert window.statusBar().currentMessage() == ""
    window.stop_action.trigger()
    qtbot.waitUntil(lambda: not window.runner.is_running, timeout=10_000)


def test_early_stopping_marks_the_epoch_after_the_run_and_on_reopening(qtbot, make_window, dialogs, tmp_path):
    window = make_window()
    edit(window, {"data.dataset": "iris", "training.epochs": 2000, "training.early_stopping": 5})
    final = train_to_end(qtbot, window)
    assert final.status == "early_stopped"
    window.loss_plot.flush()
    assert window.loss_plot.early_stop_line.isVisible()
    assert window.loss_plot.early_stop_line.value() == final.epoch
    dialogs.save_path = str(tmp_path / "early.h5")
    window.save_as_action.trigger()
    qtbot.waitUntil(lambda: (tmp_path / "early.h5").is_file() and not window.isWindowModified(), timeout=10_000)
    reopened = make_window()
    assert reopened.open_path(str(tmp_path / "early.h5"))
    reopened.loss_plot.flush()
    assert reopened.loss_plot.early_stop_line.isVisible()
    assert reopened.loss_plot.early_stop_line.value() == final.epoch


def test_the_status_bar_shows_the_epochs_as_they_are_set(qtbot, window):
    epochs = window.hyperparameter_form.control("training.epochs")
    epochs.setValue(6)
    assert window.run_status.epoch.text() == "epoch 0/6"
    train_to_end(qtbot, window)
    epochs.setValue(9)                          # more epochs: Train goes on from epoch 6
    assert window.run_status.epoch.text() == "epoch 6/9"
    train_to_end(qtbot, window)
    assert window.run_status.epoch.text() == "epoch 9/9" and window.controller.experiment.runs == []


def test_the_status_bar_says_nothing_of_convergence_before_the_first_epoch(qtbot, window):
    convergence = window.run_status.convergence
    assert convergence.text() == "" and not convergence.isVisibleTo(window)
    train_to_end(qtbot, window, epochs=3)               # too few epochs to converge
    assert convergence.text() == "not converged yet"
    edit(window, {"training.epochs": 40})
    train_to_end(qtbot, window)
    window.loss_plot.flush()
    found = window.loss_plot.convergence()
    assert found is not None and convergence.text().startswith(f"converged at epoch {found.epoch} (")
    window.reset_action.trigger()                       # a new run: the last one's epoch is not its own
    assert window.controller.experiment.epochs_trained == 0 and convergence.text() == ""


def test_step_trains_one_epoch(qtbot, window):
    train_to_end(qtbot, window, epochs=1)
    assert window.controller.experiment.epochs_trained == 1
    assert window.run_status.epoch.text().startswith("epoch 1/")


def test_reset_reruns_identically_and_keeps_the_run_for_comparison(qtbot, window):
    edit(window, {"training.epochs": 6})
    train_to_end(qtbot, window)
    first = list(window.controller.experiment.history.train_loss)
    window.reset_action.trigger()
    assert window.controller.experiment.epochs_trained == 0
    assert curve(window.loss_plot) == []
    train_to_end(qtbot, window)
    exp = window.controller.experiment
    assert exp.history.train_loss == first
    assert window.runs_table.table.rowCount() == 2
    window.runs_table.set_checked(0, True)
    assert window.loss_plot.overlay_count() == 1


def test_an_earlier_run_shows_the_learning_rate_it_trained_with_not_the_next_ones(qtbot, window):
    edit(window, {"training.epochs": 4})
    lr = window.hyperparameter_form.control("optimizer.lr")
    lr.spin.setValue(0.03)
    train_to_end(qtbot, window)
    lr.spin.setValue(0.01)                  # set for the next run, after this one finished
    train_to_end(qtbot, window)
    table = window.runs_table.table
    column = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())].index("optimizer.lr")
    assert [table.item(row, column).text() for row in range(2)] == ["0.03", "0.01"]
    assert table.item(0, column).font().bold()          # it differs from the current run


def test_the_runs_table_follows_the_loss_plots_convergence_rule(qtbot, window):
    from workbench.core.convergence import find_convergence
    from workbench.gui.widgets.runs_table import CONVERGED

    edit(window, {"training.epochs": 30})
    train_to_end(qtbot, window)
    history = window.controller.experiment.history
    table = window.runs_table.table
    found = find_convergence(history, 0.5, 5)           # a loose rule: the run converges
    assert found is not None
    window.loss_plot.tolerance.setValue(50.0)
    window.loss_plot.patience.setValue(5)
    assert table.item(0, CONVERGED).text().startswith(f"epoch {found.epoch}, ")
    window.loss_plot.flush()                            # the plot and the status bar agree
    assert window.run_status.convergence.text().startswith(f"converged at epoch {found.epoch} ")
    window.loss_plot.patience.setValue(30)              # no run has 30 epochs after its convergence
    assert table.item(0, CONVERGED).text() == "-"


def test_replay_shows_a_stored_epoch_computed_off_the_gui_thread(qtbot, window):
    edit(window, {"training.epochs": 8})
    train_to_end(qtbot, window)
    with qtbot.waitSignal(window.inspector.inspection_ready, timeout=10_000) as ready:
        window.replay_bar.select_epoch(3)
    assert window.replay_bar.replay_epoch == 3
    snapshot = window.controller.experiment.snapshots[3]["dense_0/weight"]
    assert ready.args[0].layers[0].weight.mean == pytest.approx(float(snapshot.mean()), rel=1e-5)
    window.replay_bar.live_button.click()
    assert window.replay_bar.replay_epoch is None


def test_closing_during_training_stops_the_thread_cleanly(qtbot, window, dialogs, qtlog):
    edit(window, {"training.epochs": 100_000})
    window.train_action.trigger()
    qtbot.waitUntil(lambda: window.controller.experiment.epochs_trained >= 1, timeout=20_000)
    assert window.close()
    assert not window.runner.is_running
    assert not any("Destroyed while thread" in record.message for record in qtlog.records)
    assert dialogs.texts("question")                # unsaved work was asked about


def test_keyboard_shortcuts_follow_the_issue(window):
    shortcuts = {action.text(): action.shortcut().toString() for action in (
        window.train_action, window.stop_action, window.step_action, window.save_action,
        window.save_as_action, window.open_action, window.export_action, window.quit_action)}
    assert shortcuts == {"Train": "F5", "Stop": "Shift+F5", "Step": "F10", "&Save": "Ctrl+S",
                         "Save &As…": "Ctrl+Shift+S", "&Open…": "Ctrl+O",
                         "&Export weights…": "Ctrl+E", "&Quit": "Ctrl+Q"}
    assert window.undo_action.shortcut().toString() == "Ctrl+Z"
    assert window.redo_action.shortcut().toString() == "Ctrl+Shift+Z"


def test_docks_can_be_rearranged_and_the_layout_persists(make_window, settings):
    first = make_window()
    first.docks["Runs"].setFloating(True)
    first.close()
    second = make_window()
    assert second.docks["Runs"].isFloating()
    assert Qt.DockWidgetArea.LeftDockWidgetArea == second.dockWidgetArea(second.docks["Data"])


def test_views_in_tabs_behind_others_draw_when_their_tab_is_raised(qtbot, window):
    edit(window, {"training.epochs": 5})
    window.show()
    qtbot.waitExposed(window)
    train_to_end(qtbot, window)
    qtbot.wait(300)                                   # long enough for any pending redraw
    network = window.network_view
    assert not network.on_screen() and network.redraw_pending()  # behind "Decision boundary": not drawn yet
    window.docks["Network"].raise_()
    qtbot.waitUntil(lambda: not network.redraw_pending())
    weights = network._inspection.weights
    assert network._inspection.epoch == 5
    assert network.edge_counts()["negative"] == sum(int((weights[f"dense_{i}/weight"] < 0).sum()) for i in range(3))


def test_the_two_curve_plots_redraw_apart_while_training(qtbot, window, monkeypatch):
    """A report marks the loss and the metric plot dirty at once; drawn in one pass, the two would
    hold the event loop for both redraws, so they take turns half a curve interval apart."""
    from workbench.gui.widgets.loss_plot import HistoryPlot
    from workbench.gui.widgets.view_base import CURVE_REDRAW_MS

    redraws = []
    original = HistoryPlot._redraw
    monkeypatch.setattr(HistoryPlot, "_redraw",
                        lambda plot: redraws.append((time.monotonic(), plot)) or original(plot))
    edit(window, {"training.epochs": 3000})
    window.show()
    qtbot.waitExposed(window)
    train_to_end(qtbot, window)
    losses = [at for at, plot in redraws if plot is window.loss_plot]
    metrics = [at for at, plot in redraws if plot is window.metric_plot]
    assert len(losses) >= 3 and len(metrics) >= 3
    assert min(abs(m - l) for m in metrics for l in losses) >= CURVE_REDRAW_MS / 2000 - 0.005
    assert min(np.diff(losses)) >= CURVE_REDRAW_MS / 1000 - 0.005      # each still at 2 Hz at most
    assert min(np.diff(metrics)) >= CURVE_REDRAW_MS / 1000 - 0.005


def test_a_shown_window_draws_the_last_epochs_by_itself_after_a_short_run(qtbot, window):
    """A run shorter than the plots' turns (the metric plot waits for the loss plot's) still ends
    with every curve drawn to the last epoch, without anyone calling flush."""
    edit(window, {"training.epochs": 40})
    window.show()
    qtbot.waitExposed(window)
    train_to_end(qtbot, window)
    views = [view for view in window.findChildren(ThrottledView) if view.on_screen()]
    assert window.loss_plot in views and window.metric_plot in views
    qtbot.waitUntil(lambda: not any(view.redraw_pending() for view in views), timeout=2000)
    exp = window.controller.experiment
    for drawn_curve, values in ((window.loss_plot.train_curve, exp.history.train_loss),
                                (window.metric_plot.val_curve, exp.history.val_metric)):
        _, drawn = drawn_curve.getData()
        assert drawn is not None and list(drawn) == pytest.approx(values)


def test_garbage_is_collected_on_the_gui_thread_only(qtbot, window):
    """A collection on another thread deletes Qt objects there, which deadlocked against PySide."""
    class Cycle:
        pass

    collected_on = []
    cycle = Cycle()
    cycle.me, cycle.qt = cycle, QObject()
    weakref.finalize(cycle, lambda: collected_on.append(threading.current_thread()))
    del cycle
    kept = []

    def allocate():                      # many container objects: past every collection threshold
        kept.extend([[] for _ in range(200_000)])

    worker = threading.Thread(target=allocate)
    worker.start()
    worker.join()
    assert collected_on == []            # the worker's allocations set off no collection
    qtbot.waitUntil(lambda: bool(collected_on), timeout=5_000)
    assert collected_on == [threading.main_thread()]
    kept.clear()
