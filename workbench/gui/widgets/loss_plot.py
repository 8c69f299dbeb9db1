"""Training and validation curves over epochs: the loss view, and the base the metric view shares.

The widget keeps its own `History` copy: reports append to it (cheap list appends) and the
throttled redraw hands whole arrays to plot items created once. Curves stop at their last finite
point, so a diverged run ends cleanly instead of spiking.

The view range is set here, not by pyqtgraph's auto-range: that one refits (and so re-lays out
and re-renders both axes) on every update. Here the epoch axis grows with the data: when the curve
reaches its end, it is set to `X_GROWTH` times the last epoch (at least `MIN_EPOCH_SPAN`, and at
least `LOOKAHEAD_S` seconds of training ahead at a fast run's pace; never beyond the planned end),
so a 100000-epoch run does not squeeze its first epochs into a few pixels, and the axes change only
a few dozen times over a run (geometrically fewer as it goes on). The value
axis only changes when a curve leaves it, then with room to spare; loss and accuracy start at 0.
Once the person pans or zooms, the view stays where they put it until they press the plot's "A"
(auto) button.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QDoubleSpinBox, QHBoxLayout, QLabel, QSizePolicy, QSpinBox,
                               QVBoxLayout, QWidget)

from workbench.core.convergence import DEFAULT_PATIENCE, DEFAULT_TOLERANCE, Convergence, find_convergence
from workbench.core.durations import format_duration
from workbench.core.history import EpochReport, History
from workbench.gui.widgets.plot_legends import Corner, CornerLegend
from workbench.gui.widgets.view_base import (
    CATEGORY_COLORS, COALESCE_MS, CURVE_REDRAW_MS, TRAIN_COLOR, VAL_COLOR, GridLines, ThrottledView, faded,
    finite_prefix, label_axis, style_canvas, style_plot, text_color)

OVERLAY_ALPHA = 150
LEGEND_COLUMNS = 2
CONVERGED_COLOR = "#2ca02c"
ROOM_BELOW = 0.25           # fraction of the value span left free below a curve that can fall further
ROOM_ABOVE = 0.05
VIEW_PADDING = 0.02
X_GROWTH = 1.25             # the epoch axis grows to this many times the last epoch when a curve reaches its end
MIN_EPOCH_SPAN = 20         # ... and spans at least this many epochs (or the whole run, when shorter)
LOOKAHEAD_S = 2.0           # ... and holds at least this many seconds of training at the current pace (at
LOOKAHEAD_MAX = 4.0         # most this many times the last epoch), so a fast run refits only a few times
RATE_EPOCHS = 20            # the pace: the wall time of this many recent epochs
EMPTY_LOG_RANGE = (-3.0, 1.0)   # an empty log axis: 0.001 to 10, where losses usually are
CURVE_SAMPLES_PER_PIXEL = 1.0   # downsampling bins per pixel column (each drawn as its min and max)


class HistoryPlot(ThrottledView):
    """Two history columns (training and validation) against epochs, with earlier runs overlaid."""

    def __init__(self, train_column: str, val_column: str, y_label: str, title: str,
                 legend_corner: Corner, ceiling: float | None = None, parent: QWidget | None = None):
        super().__init__(CURVE_REDRAW_MS, parent, delay_ms=COALESCE_MS)
        self._columns = (train_column, val_column)
        self._ceiling = ceiling             # the best possible value, if any: the top of the view
        self._title = title
        self._history = History()
        self._best_epoch: int | None = None
        self._best_drawn: tuple[float, float] | None = None      # where the star is now
        self._overlays: list[tuple[str, History]] = []
        self._overlay_items: list[pg.PlotDataItem] = []
        self._overlays_changed = False
        self._planned_epochs = 0            # the running run's epoch count: the x axis never goes beyond it
        self._follow = True                 # fit the view to the data (until the person pans/zooms)
        self._refit = True                  # fit afresh at the next redraw (new data, log scale)

        self.plot_widget = pg.PlotWidget()
        self.plot = self.plot_widget.getPlotItem()
        self.legend = CornerLegend(legend_corner, colCount=LEGEND_COLUMNS)
        self.legend.set_view(self.plot.getViewBox())
        self.plot.legend = self.legend      # the plot adds named items to it; style_plot styles it
        self.grid = GridLines(self.plot)
        label_axis(self.plot, "bottom", "epoch", self)
        label_axis(self.plot, "left", y_label, self)
        self.train_curve = self._curve(pg.mkPen(TRAIN_COLOR, width=2), "training")
        self.val_curve = self._curve(pg.mkPen(VAL_COLOR, width=2), "validation")
        self.best_marker = self.plot.plot([], [], pen=None, symbol="star", symbolSize=14,
                                          symbolBrush=VAL_COLOR, name="best epoch")
        self.replay_line = pg.InfiniteLine(angle=90, movable=False)
        self.replay_line.setVisible(False)
        self.plot.addItem(self.replay_line, ignoreBounds=True)
        self.markers = [self.replay_line]   # vertical lines the legend keeps off too
        self.view_box = self.plot.getViewBox()
        self.view_box.disableAutoRange()
        self.view_box.sigRangeChangedManually.connect(self._on_range_changed_by_hand)
        self.view_box.sigStateChanged.connect(self._on_view_state_changed)
        self.view_box.sigRangeChanged.connect(self._keep_legend_clear)
        self.view_box.sigResized.connect(self._keep_legend_clear)

        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.plot_widget, 1)

    def _curve(self, pen, name: str) -> pg.PlotDataItem:
        """A curve item made once and updated with setData; long runs draw downsampled and clipped.

        Peak downsampling keeps each bin's lowest and highest value, so with one bin per pixel
        column (`CURVE_SAMPLES_PER_PIXEL`) the curve looks as it would with every epoch drawn (0.6 %
        of a 620x380 plot's pixels differed over 20,000 noisy epochs). pyqtgraph's default, five
        per pixel, drew 3,000 epochs in full: 6.6 ms a repaint of the plot instead of 4.2.
        """
        item = self.plot.plot([], [], pen=pen, name=name)
        item.setDownsampling(auto=True, method="peak")
        item.opts["autoDownsampleFactor"] = CURVE_SAMPLES_PER_PIXEL     # no setter for it
        item.setClipToView(True)
        return item

    # --- public API -------------------------------------------------------------------------------
    def clear(self) -> None:
        self._history = History()
        self._best_epoch = None
        self._planned_epochs = 0
        self._refit = True
        self.set_replay_epoch(None)
        self._mark_dirty()

    def set_history(self, history: History) -> None:
        self._history = history.copy()
        self._best_epoch = history.best_epoch()
        self._planned_epochs = 0
        self._refit = True
        self._mark_dirty()

    @Slot(object)
    def add_report(self, report: EpochReport) -> None:
        self.add_reports([report])

    def add_reports(self, reports: Sequence[EpochReport]) -> None:
        """Append the reports' figures, in epoch order (a closing report that repeats the last epoch
        adds nothing); one redraw for the whole batch."""
        last = self._history.epoch[-1] if self._history.epoch else 0
        self._history.extend([report for report in reports if report.epoch > last])
        for report in reports:
            self._planned_epochs = max(self._planned_epochs, report.total_epochs)
            if report.best_epoch is not None:
                self._best_epoch = report.best_epoch
        self._mark_dirty()

    def set_planned_epochs(self, epochs: int) -> None:
        """The epochs the next run will reach: the epoch axis is framed (its first span, at most
        this) before any point arrives, so starting a run does not re-render the axes."""
        if epochs != self._planned_epochs:
            self._planned_epochs = epochs
            self._refit = True
            self._mark_dirty()

    def set_overlays(self, runs: Sequence[tuple[str, History]]) -> None:
        """Earlier runs, drawn dashed and faint: their validation curve (training without one).

        The same runs again change nothing: the runs table sends its overlays after every run,
        and rebuilding them restyles the plot, whose next repaint then lays out both axes anew."""
        if list(runs) == self._overlays:
            return
        self._overlays = [(label, history.copy()) for label, history in runs]
        for item in self._overlay_items:
            self.plot.removeItem(item)
        self._overlay_items = []
        for i, (label, _) in enumerate(self._overlays):
            color = faded(CATEGORY_COLORS[(i + 2) % len(CATEGORY_COLORS)], OVERLAY_ALPHA)
            pen = pg.mkPen(color, width=1.5, style=Qt.PenStyle.DashLine)
            self._overlay_items.append(self._curve(pen, label))
        self._overlays_changed = True
        self._refit = True
        self._apply_palette()
        self._mark_dirty()

    def set_replay_epoch(self, epoch: int | None) -> None:
        """A vertical line at the epoch being replayed; None hides it."""
        _show_at(self.replay_line, epoch)

    def overlay_count(self) -> int:
        return len(self._overlay_items)

    def export_target(self):
        return self.plot

    # --- drawing -------------------------------------------------------------------------------------
    def _redraw(self) -> None:
        epochs = np.asarray(self._history.epoch, dtype=np.float64)
        train_col, val_col = self._columns
        for curve, column in ((self.train_curve, train_col), (self.val_curve, val_col)):
            _set_cut(curve, epochs, getattr(self._history, column))
        if self._overlays_changed:  # earlier runs do not change while this one trains
            self._overlays_changed = False
            for item, (_, history) in zip(self._overlay_items, self._overlays):
                epochs_of_run = np.asarray(history.epoch, dtype=np.float64)
                _set_cut(item, epochs_of_run, _main_curve(history, val_col, train_col))
        self._draw_best()
        self._draw_markers()
        self._fit_view()
        self._keep_legend_clear()

    def _draw_markers(self) -> None:
        """Place the vertical markers a subclass draws (the loss plot's convergence and early stop)."""

    def _fit_view(self) -> None:
        """Frame the curves if they left the view (or were replaced); otherwise leave the axes alone."""
        refit, self._refit = self._refit, False
        if not self._follow:
            return
        log_y = self.plot.getAxis("left").logMode
        values = self._view_values(log_y)
        x_end = self._x_end()
        if not values.size:                 # nothing drawn yet: frame what is known already
            if refit:
                self.view_box.setXRange(0.0, x_end, padding=VIEW_PADDING)
                if log_y:   # not the linear range read as powers of ten (1e-300 to 1e300 after a large loss)
                    self.view_box.setYRange(*EMPTY_LOG_RANGE, padding=VIEW_PADDING)
                elif self._ceiling is not None:
                    self.view_box.setYRange(0.0, self._ceiling, padding=VIEW_PADDING)
            return
        lowest, highest = float(values.min()), float(values.max())
        (_, x1), (y0, y1) = self.view_box.viewRange()
        if not refit and x1 >= self._last_epoch() and y0 <= lowest and highest <= y1:
            return
        span = highest - lowest or max(abs(highest), 1.0)
        bottom = 0.0 if lowest >= 0 and not log_y else lowest - ROOM_BELOW * span
        top = highest + ROOM_ABOVE * span
        if self._ceiling is not None and not log_y and highest <= self._ceiling:
            top = self._ceiling
        self.view_box.setRange(xRange=(0.0, x_end), yRange=(bottom, top), padding=VIEW_PADDING)

    def _view_values(self, log_y: bool) -> np.ndarray:
        """Every finite value drawn (this run and the overlaid ones), in view units (log10 on a log axis)."""
        train_col, val_col = self._columns
        columns = [getattr(self._history, train_col), getattr(self._history, val_col)]
        columns += [_main_curve(history, val_col, train_col) for _, history in self._overlays]
        drawn = [values[:finite_prefix(values)] for values in (np.asarray(c, dtype=np.float64) for c in columns)]
        values = np.concatenate(drawn)
        if log_y:
            values = np.log10(values[values > 0])
        return values

    def _last_epoch(self) -> int:
        ends = [history.epoch[-1] for history in [self._history, *(h for _, h in self._overlays)] if history.epoch]
        return max(ends, default=0)

    def _x_end(self) -> float:
        """Where the epoch axis ends: room to grow beyond this run's last epoch (X_GROWTH times it, at
        least MIN_EPOCH_SPAN) but not beyond the planned end; a finished or loaded run (no plan) ends
        at its last epoch. Longer earlier runs overlaid are shown whole."""
        last = self._history.epoch[-1] if self._history.epoch else 0
        end = float(last)
        if self._planned_epochs > last:
            # every refit re-renders both plots' axes (~10 ms of GUI thread, taken from training): a run
            # at hundreds of epochs per second would refit at every redraw with the 1.25x rule alone
            recent = self._history.seconds[-RATE_EPOCHS:]
            spent = sum(t for t in recent if math.isfinite(t) and t > 0)
            ahead = min(len(recent) / spent * LOOKAHEAD_S, (LOOKAHEAD_MAX - 1) * last) if spent > 0 else 0.0
            end = min(float(self._planned_epochs), max(X_GROWTH * last, last + ahead, float(MIN_EPOCH_SPAN)))
        return max(end, float(self._last_epoch()), 1.0)

    @Slot()
    def _on_range_changed_by_hand(self) -> None:
        self._follow = False

    @Slot(object)
    def _on_view_state_changed(self, view_box: pg.ViewBox) -> None:
        """The "A" button (or the menu) asked for auto range: follow the data again, our way."""
        if any(view_box.autoRangeEnabled()):
            view_box.disableAutoRange()
            self.legend.release()
            self._follow = True
            self._refit = True
            self._mark_dirty()

    @Slot()
    def _keep_legend_clear(self) -> None:
        """Keep the legend in a corner no curve, best-epoch star or marker line passes through."""
        log_y = self.plot.getAxis("left").logMode
        curves = []
        for item in (self.train_curve, self.val_curve, self.best_marker, *self._overlay_items):
            x, y = item.xData, item.yData
            if x is None or not len(x):
                continue
            if log_y:
                shown = y > 0
                x, y = x[shown], np.log10(y[shown])
            curves.append((x, y))
        _, (bottom, top) = self.view_box.viewRange()
        markers = [(np.array([line.value()] * 2), np.array([bottom, top])) for line in self.markers if line.isVisible()]
        self.legend.keep_clear(curves, markers)

    def _draw_best(self, log_y: bool | None = None) -> None:
        """Move the best-epoch star, only when it moved (a scatter's setData is not cheap); on a log
        axis (`log_y`, by default the axis's mode) a best loss of 0 has no place and no star."""
        if log_y is None:
            log_y = self.plot.getAxis("left").logMode
        train_col, val_col = self._columns
        point: tuple[float, float] | None = None
        if self._best_epoch is not None and self._best_epoch in self._history.epoch:
            value = _main_curve(self._history, val_col, train_col)[self._history.epoch.index(self._best_epoch)]
            drawable = math.isfinite(value) and (value > 0 or not log_y)
            point = (float(self._best_epoch), float(value)) if drawable else None
        if point == self._best_drawn:
            return
        self._best_drawn = point
        self.best_marker.setData(*(([point[0]], [point[1]]) if point else ([], [])))

    def _apply_palette(self) -> None:
        style_canvas(self.plot_widget, self)
        style_plot(self.plot, self, self._title)
        self.grid.set_color(text_color(self))
        self.replay_line.setPen(pg.mkPen(text_color(self), width=1, style=Qt.PenStyle.DotLine))


def _range_in_units(low: float, high: float, log_y: bool) -> tuple[float, float]:
    """A linear range as log10 units (what lies above 0 of it, three decades at most below its top;
    EMPTY_LOG_RANGE if nothing does), or a log range as linear values."""
    if not log_y:
        return 10.0 ** max(low, -300.0), 10.0 ** min(high, 300.0)
    if high <= 0:
        return EMPTY_LOG_RANGE
    top = math.log10(high)
    return (math.log10(low) if low > 0 else top - 3.0), top


def _main_curve(history: History, val_column: str, train_column: str) -> list[float]:
    """The validation column, or the training column when there was no validation split."""
    val = getattr(history, val_column)
    return val if any(math.isfinite(v) for v in val) else getattr(history, train_column)


def _show_at(line: pg.InfiniteLine, epoch: int | None) -> None:
    """Move a vertical marker to `epoch`, or hide it for None."""
    line.setVisible(epoch is not None)
    if epoch is not None:
        line.setValue(epoch)


def _set_cut(item: pg.PlotDataItem, epochs: np.ndarray, values: Sequence[float]) -> None:
    """Set a curve up to its last finite point (all-NaN curves, like a missing validation split, vanish)."""
    y = np.asarray(values, dtype=np.float64)
    n = finite_prefix(y)
    item.setData(epochs[:n], y[:n])


class LossPlotWidget(HistoryPlot):
    """Loss curves with a log-scale toggle, best-epoch, early-stop and convergence markers.

    The convergence rule (validation loss improving by less than a tolerance for a number of
    epochs) is shown and adjustable under the plot; `convergence_changed` carries the converged
    epoch, or -1 when the run has not converged.
    """

    convergence_changed = Signal(int)
    rule_changed = Signal(float, int)      # tolerance (a fraction), patience (epochs)

    def __init__(self, parent: QWidget | None = None):
        # the legend prefers the upper right: falling curves leave that corner free
        super().__init__("train_loss", "val_loss", "loss", "Loss", (1, 0), parent=parent)
        self._stopped_early_at: int | None = None
        self._convergence: Convergence | None = None
        self._converged_epoch = -1
        self.early_stop_line = self._marker_line("early stop")
        self.converged_line = self._marker_line("converged")

        self.log_scale = QCheckBox("Log scale")
        self.log_scale.setToolTip("Show the loss on a logarithmic axis: late, small improvements "
                                  "become visible.")
        self.log_scale.toggled.connect(self._on_log_scale_toggled)
        self.tolerance = QDoubleSpinBox()
        self.tolerance.setRange(0.01, 50.0)
        self.tolerance.setDecimals(2)
        self.tolerance.setSingleStep(0.1)
        self.tolerance.setSuffix(" %")
        self.tolerance.setValue(DEFAULT_TOLERANCE * 100)
        self.patience = QSpinBox()
        self.patience.setRange(1, 100_000)
        self.patience.setValue(DEFAULT_PATIENCE)
        rule = ("Converged: from this epoch on, the validation loss improved by less than the tolerance "
                "for at least the patience in epochs. The tolerance is a share of the run's whole "
                "improvement (the first epoch's loss minus the best).")
        for widget in (self.tolerance, self.patience):
            widget.setToolTip(rule)
            widget.valueChanged.connect(self._on_rule_changed)
            widget.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)  # the row fits a narrow plot

        controls = QHBoxLayout()
        controls.setContentsMargins(6, 2, 6, 4)
        controls.addWidget(self.log_scale)
        controls.addSpacing(12)
        controls.addWidget(QLabel("Converged: gain <"))
        controls.addWidget(self.tolerance)
        controls.addWidget(QLabel("for"))
        controls.addWidget(self.patience)
        controls.addWidget(QLabel("epochs"))
        controls.addStretch(1)
        self._layout.addLayout(controls)
        self._apply_palette()

    def _marker_line(self, label: str) -> pg.InfiniteLine:
        line = pg.InfiniteLine(angle=90, movable=False, label=label, labelOpts={"position": 0.6})
        line.setVisible(False)
        self.plot.addItem(line, ignoreBounds=True)
        self.markers.append(line)
        return line

    # --- public API -------------------------------------------------------------------------------
    def clear(self) -> None:
        self._stopped_early_at = None
        super().clear()

    def set_history(self, history: History, status: str | None = None) -> None:
        """A whole run; `status` "early_stopped" marks its last epoch as where it stopped."""
        self._stopped_early_at = history.epoch[-1] if status == "early_stopped" and len(history) else None
        super().set_history(history)

    def add_reports(self, reports: Sequence[EpochReport]) -> None:
        for report in reports:
            if report.status == "early_stopped":
                self._stopped_early_at = report.epoch
        super().add_reports(reports)

    def convergence(self) -> Convergence | None:
        """Where the shown run converged under the current rule (epoch and seconds), or None."""
        return self._convergence

    def set_rule(self, tolerance: float, patience: int) -> None:
        """Set the convergence rule: `tolerance` as a fraction (0.01 = 1 %), `patience` in epochs."""
        self.tolerance.setValue(tolerance * 100)
        self.patience.setValue(patience)

    def rule(self) -> tuple[float, int]:
        """The convergence rule: tolerance as a fraction, patience in epochs."""
        return self.tolerance.value() / 100, self.patience.value()

    # --- drawing -------------------------------------------------------------------------------------
    def _draw_markers(self) -> None:
        _show_at(self.early_stop_line, self._stopped_early_at)
        found = find_convergence(self._history, *self.rule())
        _show_at(self.converged_line, found.epoch if found else None)
        if found:   # where and when, on the marker itself (the status bar says it too)
            text = f"converged\nepoch {found.epoch}, {format_duration(found.seconds)}"
            if self.converged_line.label.format != text:
                self.converged_line.label.setFormat(text)
        self._convergence = found
        epoch = found.epoch if found else -1
        if epoch != self._converged_epoch:
            self._converged_epoch = epoch
            self.convergence_changed.emit(epoch)

    @Slot(bool)
    def _on_log_scale_toggled(self, checked: bool) -> None:
        """Switch the axis, and its range into the new units at once: the next paint comes before
        the next redraw, and would read the linear range as powers of ten (up to 10^31610 after a
        regression loss, overflowing the tick labels) or the reverse."""
        _, (low, high) = self.view_box.viewRange()
        self._draw_best(log_y=checked)      # before the axis changes: a star at 0 would have no place
        self.plot.setLogMode(x=False, y=checked)
        self.view_box.setYRange(*_range_in_units(low, high, checked), padding=0)
        self._refit = True
        self._mark_dirty()

    @Slot()
    def _on_rule_changed(self) -> None:
        self._mark_dirty()
        self.rule_changed.emit(*self.rule())

    def _apply_palette(self) -> None:
        super()._apply_palette()
        fg = text_color(self)
        for line, color, style in ((self.early_stop_line, fg, Qt.PenStyle.DashLine),
                                   (self.converged_line, CONVERGED_COLOR, Qt.PenStyle.DashDotLine)):
            line.setPen(pg.mkPen(color, width=1.5, style=style))
            line.label.setColor(fg)
