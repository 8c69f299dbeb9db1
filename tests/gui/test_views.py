"""The live views, fed real experiments and reports; assertions on plot data and widget state."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import math  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainterPathStroker, QPalette  # noqa: E402
from PySide6.QtWidgets import QApplication, QTabWidget, QToolTip  # noqa: E402

from workbench.core.config import Config  # noqa: E402
from workbench.core.experiment import Experiment  # noqa: E402
from workbench.core.history import EpochReport, History  # noqa: E402
from workbench.core.inspection import inspect  # noqa: E402
from workbench.core.trainer import Trainer  # noqa: E402
from workbench.gui.widgets.confusion_view import ConfusionView  # noqa: E402
from workbench.gui.widgets.plot_legends import curve_crosses  # noqa: E402
from workbench.gui.widgets.decision_boundary import DecisionBoundaryView, surface_map  # noqa: E402
from workbench.core.inspection import UnitStats  # noqa: E402
from workbench.gui.widgets.histogram_view import HistogramView, unit_summary  # noqa: E402
from workbench.gui.widgets.import_dialog import ImportDialog, open_for_import  # noqa: E402
from workbench.gui.widgets.loss_plot import LOOKAHEAD_S, MIN_EPOCH_SPAN, X_GROWTH, LossPlotWidget  # noqa: E402
from workbench.gui.widgets.metric_plot import MetricPlotWidget  # noqa: E402
from workbench.gui.widgets.network_diagram import MAX_NODES, NODE_SIZE, NetworkDiagramView  # noqa: E402
from workbench.gui.widgets.parameters_view import ParametersView  # noqa: E402
from workbench.gui.widgets.plot_export import PlotExportError, export_png  # noqa: E402
from workbench.gui.widgets.prediction_view import PredictionView  # noqa: E402
from workbench.gui.widgets.table_rows import ROW_PADDING  # noqa: E402
from workbench.gui.widgets.tuning_plots import OptimizationHistoryPlot  # noqa: E402


def run(changes, epochs=8):
    """A trained experiment and the reports its run produced."""
    exp = Experiment.create(Config().updated({"data.samples": 200, "training.epochs": epochs, **changes}))
    return exp, list(Trainer(exp).run())


@pytest.fixture(scope="module")
def spiral():
    return run({"data.dataset": "spiral"})


@pytest.fixture(scope="module")
def iris():
    return run({"data.dataset": "iris", "layers": [{"units": 40, "activation": "relu"}]}, epochs=3)


@pytest.fixture(scope="module")
def plane():
    return run({"data.dataset": "plane"}, epochs=3)


def shown(qtbot, view, width=800, height=500):
    qtbot.addWidget(view)
    view.resize(width, height)
    view.show()
    return view


def curve_data(item):
    x, y = item.getData()
    return ([] if x is None else list(x)), ([] if y is None else list(y))


# --- loss and metric curves ----------------------------------------------------------------------------
def test_loss_curves_equal_the_history_and_grow_with_reports(qtbot, spiral):
    exp, reports = spiral
    view = shown(qtbot, LossPlotWidget())
    for report in reports[:5]:
        view.add_report(report)
    qtbot.waitUntil(lambda: len(curve_data(view.train_curve)[0]) == 5)  # the throttled redraw ran
    view.set_history(exp.history, exp.status)
    view.flush()
    assert curve_data(view.train_curve) == (list(map(float, exp.history.epoch)), exp.history.train_loss)
    assert curve_data(view.val_curve)[1] == exp.history.val_loss
    best = exp.history.best_epoch()
    assert curve_data(view.best_marker) == ([float(best)], [exp.history.val_loss[best - 1]])


def test_a_closing_report_that_repeats_the_last_epoch_adds_no_point(qtbot, spiral):
    _, reports = spiral
    view = shown(qtbot, LossPlotWidget())
    for report in reports:
        view.add_report(report)
    stopped = EpochReport(**{**reports[-1].__dict__, "status": "stopped", "message": "stopped on request"})
    view.add_report(stopped)
    view.flush()
    assert len(curve_data(view.train_curve)[0]) == len(reports)


def losses(values):
    n = len(values)
    return History(epoch=list(range(1, n + 1)), train_loss=list(values), val_loss=[v + 0.01 for v in values],
                   train_metric=[0.5] * n, val_metric=[0.5] * n, lr=[0.1] * n, seconds=[0.1] * n)


def legend_meets_a_curve(view):
    """Whether the legend's box on screen touches a drawn curve line (its 2-px stroke)."""
    QApplication.processEvents()        # the view box maps its curves anew before it paints
    box = view.legend.sceneBoundingRect()
    stroker = QPainterPathStroker()
    stroker.setWidth(2)
    return any(stroker.createStroke(item.curve.mapToScene(item.curve.getPath())).intersects(box)
               for item in (view.train_curve, view.val_curve))


@pytest.mark.parametrize("values, corner", [
    (np.linspace(1.0, 0.05, 40) ** 2, (1, 0)),                  # falling: the upper right stays free
    (np.full(40, 0.7) + np.linspace(0, 0.01, 40), (1, 1)),      # flat at the top: it was drawn over
])
def test_the_loss_legend_sits_in_a_corner_no_curve_passes_through(qtbot, values, corner):
    view = shown(qtbot, LossPlotWidget())
    view.set_history(losses(values))
    view.flush()
    assert view.legend.corner == corner
    assert not legend_meets_a_curve(view)
    assert view.plot.getViewBox().sceneBoundingRect().contains(view.legend.sceneBoundingRect())


def test_the_metric_legend_leaves_the_lower_right_for_falling_curves(qtbot):
    view = shown(qtbot, MetricPlotWidget())
    rising = losses(np.zeros(30))
    rising.train_metric = list(np.linspace(0.5, 1.0, 30))
    rising.val_metric = list(np.linspace(0.5, 0.95, 30))
    view.set_history(rising)
    view.flush()
    assert view.legend.corner == (1, 1)
    falling = losses(np.zeros(30))
    falling.train_metric = falling.val_metric = list(np.linspace(0.9, 0.1, 30))
    view.set_history(falling)
    view.flush()
    assert view.legend.corner != (1, 1) and not legend_meets_a_curve(view)


def test_a_legend_dragged_by_hand_stays_until_the_auto_button(qtbot):
    view = shown(qtbot, LossPlotWidget())
    view.set_history(losses(np.linspace(1.0, 0.05, 40) ** 2))
    view.flush()
    legend = view.legend
    start = view.plot_widget.mapFromScene(legend.sceneBoundingRect().center())
    viewport = view.plot_widget.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 11):
        qtbot.mouseMove(viewport, start + QPoint(-20 * step, 12 * step))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=start + QPoint(-200, 120))
    assert legend.moved_by_hand
    dropped = legend.pos()
    view.set_history(losses(np.full(40, 0.7)))        # would take the corner back otherwise
    view.flush()
    assert legend.pos() == dropped
    view.plot.autoBtnClicked()
    view.flush()
    assert not legend.moved_by_hand and legend.corner == (1, 1) and not legend_meets_a_curve(view)


def test_a_marker_line_may_pass_beneath_the_legend_when_curves_leave_no_corner_free(qtbot):
    view = shown(qtbot, LossPlotWidget())
    view.set_history(losses(np.linspace(1.0, 0.05, 40) ** 2))
    view.flush()
    legend = view.legend

    def through(corner):                # a line across the middle of the legend's box in `corner`
        x0, x1, y0, y1 = legend.box_at(corner)
        return np.array([x0 - 1, x1 + 1]), np.full(2, (y0 + y1) / 2)

    legend.keep_clear([through((1, 0))], [through((1, 1))])
    assert legend.corner == (0, 0)      # free of both: the other side
    legend.keep_clear([through(c) for c in ((0, 0), (1, 0), (0, 1))], [through((1, 1))])
    assert legend.corner == (1, 1)      # only a marker there


@pytest.mark.parametrize("size", [(420, 260), (900, 400)])
def test_the_search_history_legend_sits_above_the_scores_not_on_them(qtbot, size):
    plot = OptimizationHistoryPlot()
    qtbot.addWidget(plot)
    plot.resize(*size)
    plot.show()
    scores = [0.9, 0.1, 0.9, 0.1, 0.5, 0.1, 0.9]    # trials in every corner
    plot.set_trials([{"number": i, "score": s, "state": "complete"} for i, s in enumerate(scores)])
    qtbot.wait(50)
    legend = plot.legend.sceneBoundingRect()
    assert legend.width() > 20 and not legend.intersects(plot.plot_item.getViewBox().sceneBoundingRect())
    assert plot.plot_item.sceneBoundingRect().contains(legend)
    assert [label.text for _, label in plot.legend.items] == ["trial", "best so far"]


def test_the_best_score_so_far_is_a_staircase(qtbot):
    plot = OptimizationHistoryPlot()
    qtbot.addWidget(plot)
    plot.set_trials([{"number": i, "score": s, "state": "complete"} for i, s in enumerate([0.5, 0.4, 0.8])])
    x, y = plot.best.getData()
    assert list(x) == [0, 1, 1, 2, 2] and list(y) == [0.5, 0.5, 0.5, 0.5, 0.8]    # up at trial 2, not before


@pytest.mark.parametrize("box, crosses", [
    ((1.5, 2.5, 0.4, 0.6), True),       # between vertices: the segment from (1, 1) to (3, 0) passes
    ((1.5, 2.5, 0.9, 1.0), False),      # above that segment
    ((4.0, 5.0, 0.0, 1.0), False),      # right of the curve's end
    ((2.9, 3.1, -0.1, 0.1), True),      # round a vertex
])
def test_curve_crosses_a_box_by_its_segments_not_just_its_points(box, crosses):
    assert curve_crosses(np.array([1.0, 3.0]), np.array([1.0, 0.0]), box) == crosses


def test_log_scale_toggle_switches_the_axis(qtbot, spiral):
    view = shown(qtbot, LossPlotWidget())
    view.set_history(spiral[0].history)
    view.log_scale.setChecked(True)
    assert view.plot.getAxis("left").logMode and view.train_curve.opts["logMode"][1]
    view.log_scale.setChecked(False)
    assert not view.plot.getAxis("left").logMode


def test_a_loss_of_zero_has_no_best_epoch_star_on_a_log_axis_but_keeps_it_on_a_linear_one(qtbot):
    history = History(epoch=[1, 2, 3, 4], train_loss=[1.0, 0.1, 0.0, 0.05], val_loss=[1.0, 0.1, 0.0, 0.05],
                      train_metric=[0.5] * 4, val_metric=[0.5] * 4, lr=[0.1] * 4, seconds=[0.1] * 4)
    view = shown(qtbot, LossPlotWidget())
    view.set_history(history)                       # the best epoch, 3, fitted exactly
    view.flush()
    assert list(view.best_marker.getData()[0]) == [3.0]
    view.log_scale.setChecked(True)                 # log 0 is -inf: nowhere to put it
    view.flush()
    assert view.best_marker.getData()[0] is None or not len(view.best_marker.getData()[0])
    _, y = view.train_curve.getData()               # the curve breaks there and goes on after it
    assert np.isnan(y[2]) and y[3] == pytest.approx(math.log10(0.05))
    view.log_scale.setChecked(False)
    view.flush()
    assert list(view.best_marker.getData()[0]) == [3.0]


def test_an_empty_log_axis_shows_the_usual_losses_not_the_last_linear_range(qtbot):
    view = shown(qtbot, LossPlotWidget())
    view.set_history(losses([30000.0, 20000.0, 9000.0]))    # MSE on raw targets: a large loss
    view.flush()
    view.clear()                                            # a reset: nothing drawn
    view.flush()
    view.log_scale.setChecked(True)
    view.flush()
    _, (low, high) = view.view_box.viewRange()
    assert -4 < low < -2.9 and 1 < high < 1.2               # 0.001 to 10, not 1e-300 to 1e300


@pytest.mark.parametrize("values, cleared", [([30000.0, 20000.0, 9000.0], False), ([0.9, 0.5, 0.2], False),
                                             ([30000.0, 20000.0, 9000.0], True)])
def test_the_log_toggle_puts_the_range_in_the_new_units_before_the_next_paint(qtbot, values, cleared):
    view = shown(qtbot, LossPlotWidget())
    view.set_history(losses(values))
    view.flush()
    if cleared:                                             # a reset: no curve left to refit to
        view.clear()
        view.flush()
    view.log_scale.setChecked(True)                         # no redraw yet: a paint may come first
    _, (low, high) = view.view_box.viewRange()
    assert high == pytest.approx(math.log10(max(values)), abs=0.3) and high - low <= 3.5
    view.flush()
    if cleared:
        view.set_history(losses(values))
        view.flush()
    view.log_scale.setChecked(False)
    _, (low, high) = view.view_box.viewRange()
    assert low >= 0 and high == pytest.approx(max(values) + 0.01, rel=0.3)


def test_diverged_curve_stops_at_its_last_finite_point(qtbot):
    history = History(epoch=[1, 2, 3, 4], train_loss=[1.0, 0.5, math.inf, math.nan],
                      val_loss=[1.1, 0.6, 0.7, math.nan], train_metric=[0.5] * 4, val_metric=[0.5] * 4,
                      lr=[0.1] * 4, seconds=[0.1] * 4)
    view = shown(qtbot, LossPlotWidget())
    view.set_history(history)
    view.flush()
    assert curve_data(view.train_curve) == ([1.0, 2.0], [1.0, 0.5])
    assert curve_data(view.val_curve) == ([1.0, 2.0, 3.0], [1.1, 0.6, 0.7])
    no_validation = History(epoch=[1, 2], train_loss=[1.0, 0.9], val_loss=[math.nan] * 2,
                            train_metric=[0.5] * 2, val_metric=[math.nan] * 2, lr=[0.1] * 2,
                            seconds=[0.1] * 2)
    view.set_history(no_validation)
    view.flush()
    assert curve_data(view.val_curve) == ([], [])


def test_overlays_of_earlier_runs(qtbot, spiral):
    exp, _ = spiral
    view = shown(qtbot, LossPlotWidget())
    view.set_overlays([("run 1", exp.history), ("run 2", exp.history)])
    view.flush()
    assert view.overlay_count() == 2
    assert curve_data(view._overlay_items[0])[1] == exp.history.val_loss
    view.set_overlays([("run 1", exp.history)])
    assert view.overlay_count() == 1
    assert sum(isinstance(item, type(view.train_curve)) for item in view.plot.listDataItems()) == 4


def test_the_same_overlays_again_leave_the_plot_as_it_is(qtbot, spiral):
    exp, _ = spiral
    view = shown(qtbot, LossPlotWidget())
    view.set_overlays([("run 1", exp.history)])
    view.flush()
    items = list(view._overlay_items)
    view.set_overlays([("run 1", exp.history.copy())])     # what the runs table sends after every run
    assert view._overlay_items == items and not view.redraw_pending()
    longer = exp.history.copy()
    longer.extend([EpochReport(epoch=len(longer) + 1, total_epochs=len(longer) + 1, train_loss=0.1,
                               val_loss=0.2, train_metric=0.9, val_metric=0.8, lr=0.01, seconds=0.1,
                               samples_per_second=100.0)])
    view.set_overlays([("run 1", longer)])
    assert view._overlay_items != items and view.redraw_pending()
    view.flush()
    assert curve_data(view._overlay_items[0])[1] == longer.val_loss


def test_early_stop_and_convergence_markers_follow_the_rule(qtbot):
    losses = [1.0, 0.5, 0.3, 0.25] + [0.25] * 12
    history = History(epoch=list(range(1, 17)), train_loss=losses, val_loss=losses, train_metric=[0.5] * 16,
                      val_metric=[0.5] * 16, lr=[0.1] * 16, seconds=[0.5] * 16)
    view = shown(qtbot, LossPlotWidget())
    with qtbot.waitSignal(view.convergence_changed) as signal:
        view.set_history(history, "early_stopped")
    assert signal.args == [4]
    assert view.converged_line.isVisible() and view.converged_line.value() == 4
    assert view.convergence().seconds == pytest.approx(2.0)
    assert view.early_stop_line.isVisible() and view.early_stop_line.value() == 16
    with qtbot.waitSignal(view.convergence_changed) as signal:
        view.patience.setValue(13)   # only 12 epochs follow epoch 4: not converged
    assert signal.args == [-1] and not view.converged_line.isVisible()
    view.set_rule(0.25, 10)          # a 25 % tolerance accepts epoch 3 (0.3 is within 25 % of the 0.75 fall)
    view.flush()
    assert view.convergence().epoch == 3 and "epoch 3," in view.converged_line.label.toPlainText()


def test_replay_line_and_clear(qtbot, spiral):
    view = shown(qtbot, LossPlotWidget())
    view.set_history(spiral[0].history)
    view.set_replay_epoch(3)
    assert view.replay_line.isVisible() and view.replay_line.value() == 3
    view.clear()
    view.flush()
    assert not view.replay_line.isVisible() and curve_data(view.train_curve) == ([], [])


def test_metric_plot_names_the_task_metric(qtbot, plane):
    exp, _ = plane
    view = shown(qtbot, MetricPlotWidget())
    assert view.metric_name() == "accuracy"
    view.set_task("regression")
    view.set_history(exp.history)
    view.flush()
    assert view.metric_name() == "R²" and "R²" in view.plot.titleLabel.text
    assert curve_data(view.val_curve)[1] == exp.history.val_metric


# --- inspection views -----------------------------------------------------------------------------------
def test_histograms_draw_the_inspection_counts(qtbot, spiral):
    found = inspect(spiral[0])
    view = shown(qtbot, HistogramView(), 900, 600)
    view.set_inspection(found)
    view.flush()
    for key in ("dense_0/weight", "dense_1/bias", "dense_2/weight_grad", "dense_0/bias_grad"):
        x, y = view.curve(key).getData()
        np.testing.assert_array_equal(x, found.histograms[key].edges)
        np.testing.assert_array_equal(y, found.histograms[key].counts)
        assert view.curve(key).opts["stepMode"] == "center"


def test_activation_titles_count_dead_and_saturated_units(qtbot):
    exp, _ = run({"layers.activation": "relu", "optimizer.lr": 0.5}, epochs=30)   # too high: units die
    found = inspect(exp)
    view = shown(qtbot, HistogramView(), 900, 600)
    view.set_inspection(found)
    view.flush()
    view.finish_building()
    dead = [found.units[f"dense_{i}"].dead for i in range(2)]
    assert dead[0] > 0
    for i in range(2):
        title = view._plots[f"dense_{i}/output"].titleLabel.text
        assert title == f"activations, {dead[i]} of 8 dead"
    assert view._plots["dense_2/output"].titleLabel.text == "outputs"
    np.testing.assert_array_equal(view.curve("dense_0/output").getData()[1], found.histograms["dense_0/output"].counts)
    assert f" Dead units in dense_0 ({dead[0]} of 8) and dense_1 ({dead[1]} of 8): they output" in view.note.text()
    assert "try a lower rate" in view.note.text()
    healthy = inspect(run({"layers.activation": "relu"}, epochs=3)[0])
    view.set_inspection(healthy)
    view.flush()
    assert "dead" not in view.note.text()
    assert unit_summary(UnitStats(8, 0, 0.004)) == "" and unit_summary(UnitStats(8, 2, 0.41)) == ", 2 of 8 dead, 41% saturated"


def test_histograms_redraw_no_faster_than_twice_per_second(qtbot, spiral, monkeypatch):
    found = inspect(spiral[0])
    view = shown(qtbot, HistogramView())
    redraws = []
    original = view._redraw
    monkeypatch.setattr(view, "_redraw", lambda: (redraws.append(time.monotonic()), original()))
    feed = QTimer()
    feed.timeout.connect(lambda: view.set_inspection(found))
    feed.start(20)                           # inspections arriving at 50 Hz for 1.3 s
    qtbot.wait(1300)
    feed.stop()
    gaps = np.diff(redraws)
    assert 2 <= len(redraws) <= 4 and gaps.min() >= 0.45
    _, y = view.curve("dense_0/weight").getData()   # and what it drew is the data
    np.testing.assert_array_equal(y, found.histograms["dense_0/weight"].counts)


def test_boundary_image_and_points(qtbot, spiral):
    exp, _ = spiral
    found = inspect(exp)
    view = shown(qtbot, DecisionBoundaryView(), 700, 550)
    view.set_inspection(found)
    view.flush()
    assert view.shows_boundary()
    assert view.image.image.shape == found.boundary.values.shape == (80, 80)
    assert view.train_points.data.size == (exp.data.split == 0).sum()
    assert view.val_points.data.size == (exp.data.split == 1).sum()
    rect = view.image.mapRectToParent(view.image.boundingRect())
    assert rect.left() < exp.data.dataset.X[:, 0].min() and rect.right() > exp.data.dataset.X[:, 0].max()
    assert view.plot.getAxis("bottom").labelText == exp.data.dataset.feature_names[0]


def test_boundary_of_wider_data_is_a_slice_whose_features_the_person_picks(qtbot, iris):
    view = shown(qtbot, DecisionBoundaryView())
    names = iris[0].data.dataset.feature_names
    view.set_inspection(inspect(iris[0]))
    view.flush()
    assert view.shows_boundary() and view.plane_bar.isVisible()
    assert [view.x_box.itemText(i) for i in range(view.x_box.count())] == names
    assert view.plane() == (0, 1) and view.held_label.text() == "2 others at their mean"
    picked = []
    view.plane_changed.connect(picked.append)
    view.y_box.setCurrentIndex(3)
    assert picked == [(0, 3)]
    view.x_box.setCurrentIndex(3)                      # the other axis' feature: the two swap
    assert picked[-1] == (3, 0) and view.plane() == (3, 0)
    view.set_inspection(inspect(iris[0], plane=(3, 0)))
    view.flush()
    assert (view.plot.getAxis("bottom").labelText, view.plot.getAxis("left").labelText) == (names[3], names[0])
    view.set_inspection(inspect(iris[0], plane=(0, 1)))   # begun before the pick: the boxes keep it
    view.flush()
    assert view.plane() == (3, 0) and len(picked) == 2


def test_hovering_the_boundary_reads_the_output_at_the_nearest_grid_point(qtbot, spiral, iris, plane):
    view = shown(qtbot, DecisionBoundaryView())
    found = inspect(spiral[0])
    view.set_inspection(found)
    view.flush()
    b = found.boundary
    x, y = b.xs[10] + 0.2 * (b.xs[1] - b.xs[0]), b.ys[30] - 0.3 * (b.ys[1] - b.ys[0])   # nearest: (10, 30)
    assert view.hover_text(x, y) == f"x1 {b.xs[10]:.3g}, x2 {b.ys[30]:.3g}: P(positive) {b.values[30, 10]:.2f}"
    assert view.hover_text(b.xs[-1] + 3 * (b.xs[1] - b.xs[0]), y) is None          # off the surface
    scene = view.plot.scene()                            # the mouse over the plot shows it as a tooltip
    scene.sigMouseMoved.emit(view.plot.getViewBox().mapViewToScene(QPointF(x, y)))
    assert QToolTip.isVisible() and QToolTip.text() == view.hover_text(x, y)
    QToolTip.hideText()
    view.set_inspection(inspect(iris[0], plane=(2, 3)))   # not drawn yet: the hover reads what is shown
    assert view.hover_text(x, y).startswith("x1 ")
    view.flush()
    b = view._drawn.boundary
    winner = iris[0].data.dataset.class_names[int(b.values[5, 7])]
    assert view.hover_text(b.xs[7], b.ys[5]) == (
        f"petal_length_cm {b.xs[7]:.3g}, petal_width_cm {b.ys[5]:.3g}; other features at their training "
        f"mean: {winner} (probability {b.confidence[5, 7]:.2f})")
    view.set_inspection(inspect(plane[0]))
    view.flush()
    b = view._drawn.boundary
    assert view.hover_text(b.xs[0], b.ys[-1]).endswith(f": predicted value {b.values[-1, 0]:.4g}")


def test_boundary_explains_when_data_has_one_feature(qtbot):
    from workbench.core.data import Dataset

    line = Dataset(X=np.linspace(-1, 1, 40)[:, None], y=np.arange(40) % 2, task="classification",
                   source="test", feature_names=["a"], class_names=["p", "q"], target_name="label")
    view = shown(qtbot, DecisionBoundaryView())
    view.set_inspection(inspect(Experiment.create(Config(), line)))
    view.flush()
    assert not view.shows_boundary() and view.note.text() == (
        "The decision boundary needs at least 2 features; this data set has 1.")


def test_two_feature_data_has_no_feature_boxes(qtbot, spiral):
    view = shown(qtbot, DecisionBoundaryView())
    view.set_inspection(inspect(spiral[0]))
    view.flush()
    assert view.shows_boundary() and not view.plane_bar.isVisible()


def test_roc_view_draws_the_curve_and_its_area_for_two_classes(qtbot, spiral, iris):
    from workbench.gui.widgets.roc_view import RocView

    view = shown(qtbot, RocView())
    found = inspect(spiral[0])
    view.set_inspection(found)
    view.flush()
    x, y = view.curve.getData()
    np.testing.assert_array_equal(x, found.roc.fpr)
    np.testing.assert_array_equal(y, found.roc.tpr)
    assert view.plot.titleLabel.text == f"ROC of positive, AUC {found.roc.auc:.3f}"
    assert view.plot.getAxis("bottom").labelText == "false positive rate (validation set)"
    view.set_inspection(inspect(iris[0]))
    view.flush()
    assert view.curve.getData()[0] is None or len(view.curve.getData()[0]) == 0
    assert view.plot.titleLabel.text == "ROC curve: two classes only, this data has 3"


def test_unit_maps_view_draws_the_mosaic_with_a_row_per_hidden_layer(qtbot, spiral, iris):
    from workbench.core.unit_maps import GAP, MAP_SIZE
    from workbench.gui.widgets.unit_maps_view import UnitMapsView

    view = shown(qtbot, UnitMapsView(), 900, 300)
    found = inspect(spiral[0])
    view.set_inspection(found)
    view.flush()
    np.testing.assert_array_equal(view.image.image, found.unit_maps.mosaic)
    assert view.image.levels == pytest.approx([-1.0, 1.0])
    ticks = view.plot.getAxis("left")._tickLevels[0]
    assert [label for _, label in ticks] == ["dense_0 tanh (8)", "dense_1 tanh (8)"]
    assert ticks[0][0] > ticks[1][0]                                     # the first layer on top
    assert view.plot.titleLabel.text == "Hidden units, epoch 8"
    assert [label for _, label in view.plot.getAxis("bottom")._tickLevels[0]] == [str(u) for u in range(8)]
    assert view.plot.getAxis("bottom").labelText == "unit (each map: x1 →, x2 ↑)"
    maps = found.unit_maps
    row, column = maps.origin(1, 2)                                     # dense_1's third unit
    tile = maps.tile(1, 2) * maps.scales[1]
    assert view.hover_text(column + 3, row + 3) == (f"dense_1 unit 2 (tanh): output {tile.min():.3g} to "
                                                    f"{tile.max():.3g} on this plane")
    assert view.hover_text(column + MAP_SIZE + GAP / 2, row + 3) is None        # the gap between maps
    view.set_inspection(inspect(iris[0], plane=(2, 3)))
    view.flush()
    assert [label for _, label in view.plot.getAxis("left")._tickLevels[0]] == ["dense_0 relu (16 of 40)"]
    assert view.plot.getAxis("bottom").labelText == ("unit (each map: petal_length_cm →, petal_width_cm ↑; "
                                                     "other features at their mean)")
    no_hidden, _ = run({"layers": []}, epochs=1)
    view.set_inspection(inspect(no_hidden))
    view.flush()
    assert view.image.image is None and view.plot.titleLabel.text == "Hidden units: this network has no hidden layer"


def test_network_diagram_edges_follow_the_weights(qtbot, spiral):
    found = inspect(spiral[0])
    view = shown(qtbot, NetworkDiagramView())
    view.set_inspection(found)
    view.flush()
    weights = [found.weights[f"dense_{i}/weight"] for i in range(3)]
    counts = view.edge_counts()
    assert counts["positive"] + counts["negative"] == 2 * 8 + 8 * 8 + 8 * 2
    assert counts["negative"] == sum(int((w < 0).sum()) for w in weights)
    node = view._layout.nodes[2]          # the first unit of dense_0
    assert view.hover_text(*node) == f"dense_0 unit 0: bias {found.weights['dense_0/bias'][0]:.4g}"
    start, end = view._layout.segments[0, :2], view._layout.segments[0, 2:]
    middle = (start + end) / 2
    assert view.hover_text(*middle).endswith(f"{weights[0][0, 0]:.4g}")


def test_hovering_the_diagram_before_a_new_architecture_is_drawn_reads_the_drawn_one(qtbot, spiral):
    found = inspect(spiral[0])
    view = shown(qtbot, NetworkDiagramView())
    view.set_inspection(found)
    view.flush()
    last_unit = view._layout.nodes[2 + 7]                # dense_0 unit 7: the drawn network has 8
    smaller, _ = run({"layers": [{"units": 2, "activation": "tanh"}]}, epochs=1)
    view.set_inspection(inspect(smaller))                # drawn at the next redraw, not yet
    assert view.hover_text(*last_unit) == f"dense_0 unit 7: bias {found.weights['dense_0/bias'][7]:.4g}"
    view.flush()
    assert view.hover_text(*last_unit) != f"dense_0 unit 7: bias {found.weights['dense_0/bias'][7]:.4g}"


def test_network_diagram_caps_wide_layers_and_says_so(qtbot, iris):
    view = shown(qtbot, NetworkDiagramView())
    view.set_inspection(inspect(iris[0]))
    view.flush()
    counts = view.edge_counts()
    assert counts["positive"] + counts["negative"] == 4 * MAX_NODES + MAX_NODES * 3
    assert any(label.toPlainText() == f"+{40 - MAX_NODES} more" for label in view._labels)


def test_confusion_cells_hold_the_counts_and_axes_the_class_names(qtbot, iris):
    exp, _ = iris
    found = inspect(exp)
    view = shown(qtbot, ConfusionView(), 600, 500)
    view.set_inspection(found)
    view.flush()
    n = len(exp.data.dataset.class_names)
    cells = [[view.cell_text(i, j) for j in range(n)] for i in range(n)]
    assert cells == found.confusion.astype(str).tolist()
    ticks = [text for _, text in view.plot.getAxis("bottom")._tickLevels[0]]
    assert ticks == exp.data.dataset.class_names
    correct = np.trace(found.confusion) / found.confusion.sum()
    assert view.plot.titleLabel.text == f"{correct:.1%} correct"
    assert f"validation set, {exp.data.X_val.shape[0]} samples" in view.plot.getAxis("bottom").labelText


def test_prediction_view_scatters_actual_against_predicted(qtbot, plane):
    found = inspect(plane[0])
    view = shown(qtbot, PredictionView(), 600, 500)
    view.set_inspection(found)
    view.flush()
    x, y = view.points.getData()
    np.testing.assert_allclose(x, found.predictions[0].ravel())
    np.testing.assert_allclose(y, found.predictions[1].ravel())
    ix, iy = view.identity.getData()
    assert list(ix) == list(iy) and ix[0] <= min(x.min(), y.min()) and ix[-1] >= max(x.max(), y.max())
    confusion = shown(qtbot, ConfusionView())
    confusion.set_inspection(found)
    confusion.flush()
    assert "classification only" in confusion.plot.titleLabel.text.lower()
    assert f"validation set, {x.size} values" in view.plot.getAxis("bottom").labelText
    assert view.plot.titleLabel.text.startswith("R² ")


def test_parameters_view_puts_hyperparameters_beside_learned_statistics(qtbot, spiral):
    exp, _ = spiral
    found = inspect(exp)
    view = shown(qtbot, ParametersView(), 1000, 450)
    view.set_config(exp.config)
    view.set_inspection(found)
    view.flush()
    assert view.table.rowCount() == 6
    weight = found.layers[1].weight
    assert view.cell_text(2, "layer") == "dense_1" and view.cell_text(2, "tensor") == "weight"
    assert view.cell_text(2, "shape") == "8 × 8" and view.cell_text(2, "count") == "64"
    assert float(view.cell_text(2, "mean")) == pytest.approx(weight.mean, rel=1e-3)
    norm = np.linalg.norm(exp.network.params["dense_1/weight"])
    assert float(view.cell_text(2, "norm")) == pytest.approx(norm, rel=1e-3)
    tree = view.hyperparameters
    sections = [tree.topLevelItem(s) for s in range(tree.topLevelItemCount())]
    settings = {item.child(c).text(0): item.child(c).text(1)
                for item in sections for c in range(item.childCount())}
    assert settings["learning rate"] == "0.01" and settings["optimizer"] == "adam" and "beta1" in settings
    assert "momentum" not in settings    # adam does not read it
    assert "learned" in view.summary.text()


# --- export ---------------------------------------------------------------------------------------------
def test_export_png_writes_an_image_of_the_requested_width(qtbot, spiral, tmp_path):
    view = shown(qtbot, LossPlotWidget())
    view.set_history(spiral[0].history)
    path = export_png(view, tmp_path / "loss", width=640)
    assert path.name == "loss.png"
    image = QImage(str(path))
    assert image.width() == 640 and image.height() > 100
    params = shown(qtbot, ParametersView())
    assert QImage(str(export_png(params, tmp_path / "params.png"))).width() == params.width()
    with pytest.raises(PlotExportError, match="does not exist"):
        export_png(view, tmp_path / "missing" / "loss.png")


# --- redraw throttling and palette ---------------------------------------------------------------------
def test_a_burst_of_reports_costs_one_redraw(qtbot, spiral, monkeypatch):
    _, reports = spiral
    view = shown(qtbot, LossPlotWidget())
    redraws = []
    original = view._redraw
    monkeypatch.setattr(view, "_redraw", lambda: (redraws.append(1), original()))
    for report in reports:
        view.add_report(report)
    assert redraws == []                     # nothing drawn inside the burst
    qtbot.waitUntil(lambda: redraws == [1])
    assert len(curve_data(view.train_curve)[0]) == len(reports)


@pytest.mark.parametrize("view_class", [LossPlotWidget, HistogramView, DecisionBoundaryView, NetworkDiagramView,
                                        ConfusionView, PredictionView])
def test_views_follow_a_dark_palette(qtbot, view_class):
    view = shown(qtbot, view_class())
    palette = QPalette(view.palette())
    palette.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#e0e0e0"))
    view.setPalette(palette)
    canvas = getattr(view, "plot_widget", None) or view.canvas
    assert canvas.backgroundBrush().color().name() == "#1e1e1e"
    plots = [view.plot] if hasattr(view, "plot") else list(view._plots.values())
    for plot in plots:
        assert plot.getAxis("bottom").textPen().color().name() == "#e0e0e0"


# --- drawing only what can be seen, with ranges set once -----------------------------------------------
def test_a_view_behind_another_tab_skips_redraws_and_catches_up_when_shown(qtbot, spiral, monkeypatch):
    found = inspect(spiral[0])
    tabs = QTabWidget()
    front, back = NetworkDiagramView(), NetworkDiagramView()
    tabs.addTab(front, "front")
    tabs.addTab(back, "back")
    shown(qtbot, tabs)
    redraws = []
    original = back._redraw
    monkeypatch.setattr(back, "_redraw", lambda: (redraws.append(1), original()))
    front.set_inspection(found)
    back.set_inspection(found)
    qtbot.waitUntil(lambda: sum(front.edge_counts().values()) > 0)
    qtbot.wait(150)
    assert redraws == [] and not back.on_screen()     # hidden: nothing drawn
    tabs.setCurrentWidget(back)
    qtbot.waitUntil(lambda: redraws == [1])          # shown: it draws what it skipped, once
    assert back.edge_counts() == front.edge_counts()


def test_loss_axes_are_ready_before_a_run_and_only_move_when_a_curve_leaves_them(qtbot, spiral):
    _, reports = spiral
    view = shown(qtbot, LossPlotWidget())
    view.set_planned_epochs(40)
    view.flush()
    x1 = view.view_box.viewRange()[0][1]
    assert MIN_EPOCH_SPAN <= x1 <= 40 * 1.05          # the epoch axis is ready before any point
    view.add_report(reports[0])
    view.flush()
    first = view.view_box.viewRange()
    highest = max(reports[0].train_loss, reports[0].val_loss)
    assert first[1][0] <= 0 and first[1][1] >= highest
    for report in reports[1:]:                         # falling losses stay inside: no refit
        view.add_report(report)
    view.flush()
    assert view.view_box.viewRange() == first
    assert curve_data(view.train_curve)[1] == [r.train_loss for r in reports]


def _reports(n, total, start=1, seconds=0.2):
    """Reports of epochs start..n of a run planned for `total` epochs, with a falling loss."""
    return [EpochReport(epoch=e, total_epochs=total, train_loss=1.0 / e, val_loss=1.1 / e, train_metric=0.5,
                        val_metric=0.5, lr=0.01, seconds=seconds, best_epoch=e, status="running",
                        samples_per_second=1000.0)
            for e in range(start, n + 1)]


@pytest.mark.parametrize("view_class", [LossPlotWidget, MetricPlotWidget])
def test_the_epoch_axis_grows_with_the_data_of_a_huge_planned_run(qtbot, view_class):
    view = shown(qtbot, view_class())
    view.set_planned_epochs(100_000)
    for report in _reports(400, 100_000):
        view.add_report(report)
    view.flush()
    (x0, x1), _ = view.view_box.viewRange()
    assert x1 == pytest.approx(X_GROWTH * 400, rel=0.05)   # not 100000: the data fills the plot
    assert x0 <= 1
    for report in _reports(480, 100_000, start=401):        # still inside: the axes stay
        view.add_report(report)
    view.flush()
    assert view.view_box.viewRange()[0][1] == x1
    redraws = []                                         # the axis refits only when the data reaches its end
    view.view_box.sigXRangeChanged.connect(lambda *_: redraws.append(1))
    for report in _reports(520, 100_000, start=481):
        view.add_report(report)
    view.flush()
    assert view.view_box.viewRange()[0][1] == pytest.approx(X_GROWTH * 520, rel=0.05) and redraws == [1]


@pytest.mark.parametrize("view_class, column", [(LossPlotWidget, "train_loss"), (MetricPlotWidget, "train_metric")])
def test_a_long_run_is_drawn_as_two_points_a_pixel_keeping_every_peak(qtbot, view_class, column):
    view = shown(qtbot, view_class(), width=600, height=400)
    noise = np.random.default_rng(0).standard_normal(20_000)
    history = History()
    history.extend([EpochReport(epoch=e, total_epochs=20_000, train_loss=1.0 / e + 0.05 * noise[e - 1],
                                val_loss=1.1 / e, train_metric=0.5 + 0.1 * noise[e - 1], val_metric=0.5,
                                lr=0.01, seconds=0.01, samples_per_second=1000.0)
                    for e in range(1, 20_001)])
    view.set_history(history)
    view.flush()
    drawn_x, drawn_y = (np.asarray(values) for values in view.train_curve.getData())
    # peak downsampling: one bin per pixel column, each drawn as its lowest and highest value
    assert drawn_y.size <= 2 * view.view_box.width() + 4
    values = np.asarray(getattr(history, column))
    assert drawn_y.max() == values.max() and drawn_y.min() == values.min()
    epochs_a_pixel = 20_000 / view.view_box.width()          # the whole run spans the plot
    assert drawn_x[0] <= epochs_a_pixel and drawn_x[-1] >= 20_000 - 2 * epochs_a_pixel

def test_a_fast_run_s_epoch_axis_looks_seconds_ahead_so_it_refits_seldom(qtbot):
    view = shown(qtbot, LossPlotWidget())
    view.set_planned_epochs(100_000)
    for report in _reports(1000, 100_000, seconds=0.001):  # 1000 epochs/s
        view.add_report(report)
    view.flush()
    x1 = view.view_box.viewRange()[0][1]
    assert 1000 + 1000 * LOOKAHEAD_S <= x1 <= (1000 + 1000 * LOOKAHEAD_S) * 1.05   # 2 s ahead, not 1.25x
    view.clear()                                             # a fast run's very first epochs: at most 4x
    for report in _reports(10, 100_000, seconds=0.001):
        view.add_report(report)
    view.flush()
    assert view.view_box.viewRange()[0][1] <= max(MIN_EPOCH_SPAN, 4 * 10) * 1.05


def test_the_epoch_axis_never_goes_beyond_the_planned_end(qtbot):
    view = shown(qtbot, LossPlotWidget())
    view.set_planned_epochs(500)
    for report in _reports(450, 500):
        view.add_report(report)
    view.flush()
    assert view.view_box.viewRange()[0][1] == pytest.approx(500, rel=0.03)


def test_convergence_of_a_fast_run_is_shown_in_milliseconds(qtbot):
    losses = [1.0, 0.5, 0.3, 0.25] + [0.25] * 12
    history = History(epoch=list(range(1, 17)), train_loss=losses, val_loss=losses, train_metric=[0.5] * 16,
                      val_metric=[0.5] * 16, lr=[0.1] * 16, seconds=[0.01] * 16)
    view = shown(qtbot, LossPlotWidget())
    view.set_history(history)
    view.flush()
    assert "epoch 4, 40 ms" in view.converged_line.label.toPlainText()


def test_a_person_s_zoom_is_kept_until_they_ask_for_auto_range(qtbot, spiral):
    exp, _ = spiral
    view = shown(qtbot, LossPlotWidget())
    view.set_history(exp.history)
    view.flush()
    view.view_box.scaleBy((0.5, 0.5))                  # as a mouse wheel does
    view.view_box.sigRangeChangedManually.emit([True, True])
    zoomed = view.view_box.viewRange()
    view.set_history(exp.history)
    view.flush()
    assert view.view_box.viewRange() == zoomed
    view.plot.autoBtnClicked()                         # the "A" button
    view.flush()
    (_, x1), (_, y1) = view.view_box.viewRange()
    assert x1 >= exp.history.epoch[-1] and y1 >= max(exp.history.train_loss + exp.history.val_loss)
    assert not any(view.view_box.autoRangeEnabled())    # fitted here, not by pyqtgraph on every update


def test_network_labels_fit_inside_the_plot(qtbot, iris):
    view = shown(qtbot, NetworkDiagramView(), 420, 380)
    view.set_inspection(inspect(iris[0]))
    view.flush()
    qtbot.wait(50)
    inside = view.plot.getViewBox().sceneBoundingRect().adjusted(-1, -1, 1, 1)
    names = [label for label in view._labels if label.toPlainText().endswith("_cm")]
    assert len(names) == 4 and all(inside.contains(label.sceneBoundingRect()) for label in names)


def test_input_names_in_a_short_view_are_thinned_not_stacked(qtbot, iris):
    view = shown(qtbot, NetworkDiagramView(), 420, 700)
    view.set_inspection(inspect(iris[0]))
    view.flush()

    def visible_names():
        qtbot.wait(50)
        return sorted((label for label in view._labels
                       if label.toPlainText().endswith("_cm") and label.isVisible()),
                      key=lambda label: label.sceneBoundingRect().top())

    assert len(visible_names()) == 4                  # room for all four
    view.resize(420, 160)                              # a short dock: every other name, or fewer
    names = visible_names()
    line = QFontMetricsF(names[0].textItem.font()).height()
    tops = [label.sceneBoundingRect().top() for label in names]
    assert 1 <= len(names) < 4 and all(b - a >= 0.9 * line for a, b in zip(tops, tops[1:]))
    view.resize(420, 700)
    assert len(visible_names()) == 4                  # and back when there is room again


def test_a_hidden_histogram_view_builds_its_grid_before_it_is_shown(qtbot, spiral):
    view = HistogramView()
    qtbot.addWidget(view)                              # never shown
    view.set_inspection(inspect(spiral[0]))
    qtbot.waitUntil(lambda: not view.building())
    assert set(view._plots) == {f"dense_{i}/{suffix}" for i in range(3)
                                for suffix in ("weight", "bias", "weight_grad", "bias_grad", "output")}
    x, _ = view.curve("dense_0/weight").getData()
    assert x is None or len(x) == 0                    # the data is drawn only once it is seen


def deep_inspection(hidden_layers: int):
    exp, _ = run({"layers": [{"units": 3, "activation": "tanh"}] * hidden_layers}, epochs=1)
    return inspect(exp)


def test_a_deep_networks_histograms_are_built_a_plot_per_turn_and_drawn_as_they_appear(qtbot):
    found = deep_inspection(16)                        # 17 layers: 85 plots
    view = shown(qtbot, HistogramView(), 900, 600)
    view.set_inspection(found)
    view.flush()
    assert view.building() and len(view._plots) == 0   # nothing built inside the redraw itself
    assert view.redraw_pending()                       # (what screenshots wait for)
    built = []
    for _ in range(3):                                 # each turn of the event loop builds one plot
        view._build_timer.timeout.emit()
        built.append(len(view._plots))
    assert built == [1, 2, 3]
    qtbot.waitUntil(lambda: not view.building(), timeout=10_000)
    assert len(view._plots) == 85 and not view.redraw_pending()
    for key, histogram in found.histograms.items():
        np.testing.assert_array_equal(view._curves[key].getData()[1], histogram.counts)


def test_a_new_architecture_while_the_grid_is_half_built_still_gets_every_plot(qtbot):
    view = shown(qtbot, HistogramView(), 900, 600)
    view.set_inspection(deep_inspection(2))
    view.flush()
    view._build_timer.timeout.emit()
    view._build_timer.timeout.emit()                   # two plots of dense_0's row built
    view.set_inspection(deeper := deep_inspection(3))
    view.flush()
    qtbot.waitUntil(lambda: not view.building())
    assert set(view._plots) == set(deeper.histograms)


def test_a_new_layer_keeps_the_other_rows_of_histograms_and_builds_one(qtbot):
    view = shown(qtbot, HistogramView(), 900, 600)
    view.set_inspection(deep_inspection(2))
    view.flush()
    view.finish_building()
    before = dict(view._plots)
    deeper = deep_inspection(3)
    view.set_inspection(deeper)
    view.flush()
    assert len(view._pending) == 5                     # the row of dense_3 only
    qtbot.waitUntil(lambda: not view.building())
    assert all(view._plots[key] is plot for key, plot in before.items())
    assert set(view._plots) - set(before) == {f"dense_3/{s}" for s in ("weight", "bias", "weight_grad", "bias_grad",
                                                                       "output")}
    assert view._plots["dense_2/output"].titleLabel.text == "activations"   # no longer the output layer
    assert view._plots["dense_3/output"].titleLabel.text == "outputs"
    for key, histogram in deeper.histograms.items():   # the kept rows show the new numbers
        np.testing.assert_array_equal(view._curves[key].getData()[1], histogram.counts)
    view.set_inspection(deep_inspection(1))            # and a shallower network drops the rows below
    view.flush()
    assert not view.building() and set(view._plots) == {f"dense_{i}/{s}" for i in range(2) for s in
                                                          ("weight", "bias", "weight_grad", "bias_grad", "output")}


# --- text that fits, points that show, headers that are whole -------------------------------------------
def _dark(view):
    palette = QPalette(view.palette())
    palette.setColor(QPalette.ColorRole.Base, QColor("#1f1f22"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    view.setPalette(palette)


def _apart(a, b, gap=2.0):
    """Two scene rects that neither overlap nor touch (at least `gap` pixels between them)."""
    return not a.adjusted(-gap, -gap, gap, gap).intersects(b)


@pytest.fixture(scope="module")
def iris_deep():
    return run({"data.dataset": "iris", "layers": [{"units": 16, "activation": "relu"}] * 4}, epochs=2)


@pytest.mark.parametrize("width,height", [(400, 420), (600, 500), (1000, 700), (300, 380)])
def test_network_titles_of_neighbouring_columns_never_overlap(qtbot, iris_deep, width, height):
    view = shown(qtbot, NetworkDiagramView(), width, height)
    view.set_inspection(inspect(iris_deep[0]))
    view.flush()
    qtbot.wait(50)
    titles = [item for item in view._titles if item.isVisible()]
    rects = [item.sceneBoundingRect() for item in titles]
    for i, a in enumerate(rects):                  # every pair, staggered or not
        for b in rects[i + 1:]:
            assert _apart(a, b), [item.toPlainText() for item in titles]
    plot_area = view.plot.getViewBox().sceneBoundingRect().adjusted(-1, -1, 1, 1)
    assert all(plot_area.contains(r) for r in rects)
    node_top = min(view.plot.getViewBox().mapViewToScene(QPointF(*node)).y() for node in view._layout.nodes)
    assert all(r.bottom() < node_top - NODE_SIZE / 2 for r in rects)   # above the nodes, clear of them
    if width >= 1000:
        assert view.title_choice == ("full", False) and titles[1].toPlainText() == "dense_0\n16 relu"


def test_network_names_keep_clear_of_their_nodes(qtbot, iris_deep):
    view = shown(qtbot, NetworkDiagramView(), 400, 420)
    view.set_inspection(inspect(iris_deep[0]))
    view.flush()
    qtbot.wait(50)
    vb = view.plot.getViewBox()
    last = len(view._layout.sizes) - 1
    for item, column, y in view._names:
        rect = item.sceneBoundingRect()
        centre = vb.mapViewToScene(QPointF(column, y))
        if column == 0:
            assert rect.right() <= centre.x() - NODE_SIZE / 2 - 4
        else:
            assert column == last and rect.left() >= centre.x() + NODE_SIZE / 2 + 4
        assert vb.sceneBoundingRect().adjusted(-1, -1, 1, 1).contains(rect)


def test_network_hides_titles_rather_than_overlap_them_when_there_is_no_room(qtbot, iris_deep):
    view = shown(qtbot, NetworkDiagramView(), 230, 300)
    view.set_inspection(inspect(iris_deep[0]))
    view.flush()
    qtbot.wait(50)
    titles = [item for item in view._titles if item.isVisible()]
    rects = [item.sceneBoundingRect() for item in titles]
    assert all(_apart(a, b) for i, a in enumerate(rects) for b in rects[i + 1:])
    view.resize(1100, 700)                            # room again: the full titles come back
    qtbot.waitUntil(lambda: view.title_choice == ("full", False))
    assert all(item.isVisible() for item in view._titles)


def _contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours."""
    def lum(c):
        def ch(v):
            v = v / 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * ch(c.red()) + 0.7152 * ch(c.green()) + 0.0722 * ch(c.blue())
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _surface_at(view, x, y) -> QColor:
    """The surface colour under view position (x, y): the image's colour, as the colour bar maps it."""
    image = view.class_image if view.class_image.image is not None else view.image
    local = image.mapFromParent(QPointF(x, y))
    row = min(max(int(local.y()), 0), image.image.shape[0] - 1)
    col = min(max(int(local.x()), 0), image.image.shape[1] - 1)
    value = image.image[row, col]
    if image is view.class_image:
        return QColor(*[int(v) for v in value[:3]])
    lo, hi = view.color_bar.levels()
    return view.color_bar.colorMap().mapToQColor([(value - lo) / (hi - lo)])[0]


@pytest.mark.parametrize("dark", [False, True])
@pytest.mark.parametrize("data", ["spiral", "plane"])
def test_boundary_points_stand_out_from_the_surface_under_them(qtbot, spiral, plane, data, dark):
    exp = (spiral if data == "spiral" else plane)[0]
    view = shown(qtbot, DecisionBoundaryView(), 700, 550)
    if dark:
        _dark(view)
    view.set_inspection(inspect(exp))
    view.flush()
    outline_contrast, fill_contrast = [], []
    for item in (view.train_points, view.val_points):
        for point in item.points():
            under = _surface_at(view, point.pos().x(), point.pos().y())
            outline_contrast.append(_contrast(point.pen().color(), under))
            fill_contrast.append(_contrast(point.brush().color(), under))
    assert min(outline_contrast) >= 2.5           # every point has an outline that shows on the surface
    if data == "spiral":                          # a class's point is not painted the colour of its region
        assert np.median(fill_contrast) >= 1.4


@pytest.mark.parametrize("dark", [False, True])
def test_the_surface_is_paler_than_the_points(qtbot, spiral, dark):
    view = shown(qtbot, DecisionBoundaryView())
    if dark:
        _dark(view)
    base = view.palette().color(QPalette.ColorRole.Base)
    ends = view.color_bar.colorMap().mapToQColor([0.0, 1.0])
    for end, full in zip(ends, ("#2166ac", "#b2182b")):       # the surface's ends are nearer the background
        assert _contrast(end, base) < _contrast(QColor(full), base)
    mid = surface_map(view).mapToQColor([0.5])[0]
    assert mid.name() == base.name()                          # undecided is the background itself


@pytest.mark.parametrize("size", [(700, 550), (420, 380)])
def test_the_boundary_legend_sits_outside_the_data(qtbot, spiral, size):
    view = shown(qtbot, DecisionBoundaryView(), *size)
    view.set_inspection(inspect(spiral[0]))
    view.flush()
    qtbot.wait(50)
    legend = view.legend.sceneBoundingRect()
    data = view.plot.getViewBox().sceneBoundingRect()
    assert legend.width() > 20 and not legend.intersects(data)
    assert view.plot.sceneBoundingRect().contains(legend)
    assert not legend.intersects(view.plot.titleLabel.sceneBoundingRect())
    texts = [label.text for _, label in view.legend.items]
    assert texts == ["training", "validation"]


def test_runs_that_differ_in_the_columns_left_out_show_that_column(qtbot):
    from workbench.core.experiment import RunRecord
    from workbench.gui.widgets.runs_table import RunsTable

    table = RunsTable()
    qtbot.addWidget(table)
    plain = Config().updated({"data.path": "people.csv"})
    leaves_out = plain.updated({"data.exclude": ["id"]})
    history = losses([0.5, 0.4])
    table.set_runs([RunRecord(leaves_out, history, "completed", "")], plain, history, "completed")
    headers = [table.table.horizontalHeaderItem(c).text() for c in range(table.table.columnCount())]
    column = headers.index("data.exclude")
    assert [table.table.item(row, column).text() for row in range(2)] == ["id", ""]
    assert table.table.item(0, column).font().bold()


def test_runs_table_shows_where_each_run_converged_under_the_rule(qtbot):
    from workbench.core.experiment import RunRecord
    from workbench.gui.widgets.runs_table import CONVERGED, RunsTable

    table = RunsTable()
    qtbot.addWidget(table)
    quick = losses([1.0, 0.5, 0.3] + [0.3] * 12)      # converged at epoch 3, after 0.3 s
    slow = losses([1.0, 0.8, 0.6, 0.45, 0.35, 0.3] + [0.3] * 10)
    falling = losses(list(np.linspace(1.0, 0.5, 12)))
    runs = [RunRecord(Config(), quick, "completed", ""), RunRecord(Config(), slow, "completed", "")]
    table.set_runs(runs, Config(), falling, "completed")
    column = [table.table.item(row, CONVERGED).text() for row in range(3)]
    assert column == ["epoch 3, 300 ms", "epoch 6, 600 ms", "-"]
    table.set_rule(0.01, 11)          # eleven more epochs: only the quick run has them
    assert [table.table.item(row, CONVERGED).text() for row in range(3)] == ["epoch 3, 300 ms", "-", "-"]
    assert "11 epochs" in table.table.horizontalHeaderItem(CONVERGED).toolTip()
    table.set_runs(runs, Config(), falling, "completed")     # the rule holds for the next refresh
    assert table.table.item(1, CONVERGED).text() == "-"


def test_import_preview_rows_fit_their_text_and_no_more(qtbot):
    dialog = ImportDialog(open_for_import("resources/datasets/iris.csv"))
    qtbot.addWidget(dialog)
    dialog.show()
    table = dialog.table
    needed = max(table.sizeHintForRow(0), table.verticalHeader().sectionSizeHint(0))   # cells, row number
    assert needed <= table.rowHeight(0) <= needed + ROW_PADDING       # the style's default row: 30 px
    assert table.rowHeight(19) == table.rowHeight(0)


@pytest.mark.parametrize("wide", [False, True])
def test_import_columns_are_as_wide_as_qt_would_make_them(qtbot, tmp_path, wide):
    path = "resources/datasets/iris.csv"
    if wide:                                       # many columns, cells of several widths
        path = tmp_path / "wide.csv"
        rows = [",".join(f"pixel_{c}" for c in range(300)) + ",name,label"]
        rows += [",".join(f"{(r * c) % 1000 / 7:.{c % 5}f}" for c in range(300)) + f",person{r},{'xyz'[r % 3]}"
                 for r in range(30)]
        path.write_text("\n".join(rows) + "\n")
    dialog = ImportDialog(open_for_import(str(path)))
    qtbot.addWidget(dialog)
    dialog.show()
    table, header, model = dialog.table, dialog.table.horizontalHeader(), dialog.preview
    assert model.rowCount() == 20 and model.columnCount() == (302 if wide else 5)
    assert model.data(model.index(0, 0)) == ("0" if wide else "5.1")
    for column in range(model.columnCount() - 1):   # the last one stretches
        # what resizeColumnsToContents would give: the header's and the cells' own size hints
        assert table.columnWidth(column) >= max(header.sectionSizeHint(column), table.sizeHintForColumn(column)), \
            model.headerData(column, Qt.Orientation.Horizontal)
        assert table.columnWidth(column) <= max(header.sectionSizeHint(column), table.sizeHintForColumn(column)) + 2
    assert header.stretchLastSection()
    used = sum(table.columnWidth(c) for c in range(model.columnCount()))
    assert used >= table.viewport().width() - 2      # no empty space left to the right


def test_trial_colours_stand_out_from_light_and_dark_backgrounds(qtbot):
    from workbench.gui.app import dark_palette
    from workbench.gui.widgets.tuning_plots import ParallelCoordinatesPlot, score_color

    def luminance(color):                       # WCAG's relative luminance
        rgb = np.array(color.getRgbF()[:3])
        rgb = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
        return float(rgb @ [0.2126, 0.7152, 0.0722])

    plot = shown(qtbot, ParallelCoordinatesPlot())
    for palette in (QApplication.style().standardPalette(), dark_palette()):
        plot.setPalette(palette)
        background = luminance(palette.color(QPalette.ColorRole.Base))
        for level in np.linspace(0, 1, 11):
            line = luminance(score_color(level, plot))
            contrast = (max(line, background) + 0.05) / (min(line, background) + 0.05)
            assert contrast >= 2.3, (palette is plot.palette(), level, contrast)   # viridis' ends fail: 1.3, 1.1
