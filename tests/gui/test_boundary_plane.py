"""The decision boundary of data with more than two features: the person picks the pair in the
real window, and every inspection (idle, replayed, or the run's own) draws that slice."""
from gui_helpers import edit, train_to_end
from gui_helpers import start_long_run, stop_run


def shown_features(window):
    window.boundary_view.flush()                       # drawn now, not at the next throttled redraw
    inspection = window.boundary_view._inspection
    return None if inspection is None or inspection.boundary is None else inspection.boundary.features


def test_the_picked_pair_is_drawn_idle_while_training_and_in_replay(qtbot, window):
    view = window.boundary_view
    edit(window, {"data.dataset": "iris", "training.epochs": 6})
    qtbot.waitUntil(lambda: shown_features(window) == (0, 1), timeout=5000)
    assert not view.plane_bar.isHidden() and view.x_box.currentText() == "sepal_length_cm"
    view.y_box.setCurrentIndex(3)                                  # idle: inspected again now
    qtbot.waitUntil(lambda: shown_features(window) == (0, 3), timeout=5000)
    assert view.plot.getAxis("left").labelText == "petal_width_cm"

    train_to_end(qtbot, window)
    window.replay_bar.slider.setValue(window.replay_bar.slider.minimum())   # replay the first snapshot
    qtbot.waitUntil(lambda: window.replay_bar.replay_epoch is not None, timeout=5000)
    view.x_box.setCurrentIndex(2)
    qtbot.waitUntil(lambda: shown_features(window) == (2, 3), timeout=5000)
    assert view._inspection.epoch == window.replay_bar.replay_epoch
    window.replay_bar.go_live()

    start_long_run(qtbot, window)                                  # the run's inspections follow it
    view.y_box.setCurrentIndex(1)
    qtbot.waitUntil(lambda: shown_features(window) == (2, 1) and window.runner.is_running, timeout=10_000)
    stop_run(qtbot, window)


def test_the_report_draws_the_pair_the_view_shows(qtbot, window, dialogs, tmp_path):
    from test_files import written

    edit(window, {"data.dataset": "iris", "training.epochs": 3})
    train_to_end(qtbot, window)
    qtbot.waitUntil(lambda: shown_features(window) == (0, 1), timeout=5000)
    window.boundary_view.y_box.setCurrentIndex(3)
    assert window.inspection_choices.plane == (0, 3)
    dialogs.save_path = str(tmp_path / "iris.html")
    with written(qtbot, window, "report"):
        window.report_action.trigger()
    section = (tmp_path / "iris.html").read_text(encoding="utf-8").split("<h2>Decision boundary</h2>")[1]
    assert ">sepal_length_cm</text>" in section and ">petal_width_cm</text>" in section


def test_other_data_starts_from_its_first_two_features(qtbot, window):
    view = window.boundary_view
    edit(window, {"data.dataset": "iris"})
    qtbot.waitUntil(lambda: shown_features(window) == (0, 1), timeout=5000)
    view.x_box.setCurrentIndex(2)
    qtbot.waitUntil(lambda: shown_features(window) == (2, 1), timeout=5000)
    edit(window, {"optimizer.lr": 0.02})                           # the same data: the pair stays
    window.reset_action.trigger()
    qtbot.waitUntil(lambda: shown_features(window) == (2, 1), timeout=5000)
    edit(window, {"data.dataset": "wine"})
    qtbot.waitUntil(lambda: shown_features(window) == (0, 1), timeout=5000)
    assert view.x_box.currentText() == "alcohol" and view.held_label.text() == "11 others at their mean"
    edit(window, {"data.dataset": "spiral"})
    qtbot.waitUntil(lambda: shown_features(window) == (0, 1) and view.plane_bar.isHidden(), timeout=5000)
