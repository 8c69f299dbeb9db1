"""What every live view shares: throttled redraws, palette-aware plot styling, and curve helpers.

Training runs on another thread but in the same Python process, so every millisecond of Python the
GUI thread runs is a millisecond taken from training (the GIL). Views therefore draw little and
seldom: slots only store the latest data and mark the view dirty; a single-shot timer redraws at
most once per interval (the first change after a quiet spell is drawn at once, a stream of changes
at the view's pace), and not at all while the view is off screen (a tab behind another, a closed
dock): it catches up when shown. Colours come from the widget's palette (light or dark).
"""
from __future__ import annotations

import math
import time
from typing import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QTimer, Slot
from PySide6.QtGui import QColor, QCursor, QFont, QPalette
from PySide6.QtWidgets import QToolTip, QVBoxLayout, QWidget

from workbench.core.inspection import Inspection

COALESCE_MS = 30            # a burst of changes (reports, edits) costs one redraw
SNAPSHOT_DELAY_MS = 120     # views of an inspection draw after the curves of the same report, so the
                            # two redraws never hold the event loop together
CURVE_REDRAW_MS = 500       # curves while training: 2 Hz (reports arrive at that pace)
SNAPSHOT_REDRAW_MS = 100    # views of an inspection (live ones arrive at 1 Hz; replay drags faster)
HISTOGRAM_REDRAW_MS = 500   # the histogram grid: 2 Hz at most
LABEL_POINT_SIZE = 10
GRID_ALPHA = 38             # grid lines: the text colour at 15 % opacity

# Series colours readable on both light and dark backgrounds (Tableau 10).
TRAIN_COLOR = "#1f77b4"
VAL_COLOR = "#ff7f0e"
POSITIVE_COLOR = "#d6604d"   # warm: the positive end of the diverging map
NEGATIVE_COLOR = "#4393c3"   # cool: the negative end
CATEGORY_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                   "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
DIVERGING = pg.ColorMap([0.0, 0.5, 1.0], [(33, 102, 172), (247, 247, 247), (178, 24, 43)])

# Antialiased lines cost several times more to rasterise, and the rasterising runs while the GUI
# thread holds the GIL; items that need smooth edges (markers, text) get them by default anyway.
pg.setConfigOptions(antialias=False)


class RedrawGroup:
    """Views fed by the same stream (both curve plots get every report), which would otherwise
    redraw in the same event-loop pass and hold it for the sum of their redraws: a member's due
    redraw waits until `spacing` seconds have passed since another member's last one."""

    def __init__(self, spacing: float):
        self.spacing = spacing
        self._last: tuple[float, object] = (-math.inf, None)      # when, and by which member

    def wait_for(self, view: "ThrottledView") -> float:
        """Seconds `view` should still wait (0: it may redraw now)."""
        when, member = self._last
        return 0.0 if member is view else max(0.0, when + self.spacing - time.monotonic())

    def redrawn(self, view: "ThrottledView") -> None:
        self._last = (time.monotonic(), view)


class ThrottledView(QWidget):
    """A view whose slots mark it dirty; `_redraw` runs at most once per `interval_ms`, when on screen
    (and, in a `RedrawGroup`, apart from the other members' redraws)."""

    def __init__(self, interval_ms: int = SNAPSHOT_REDRAW_MS, parent: QWidget | None = None,
                 delay_ms: int = SNAPSHOT_DELAY_MS):
        super().__init__(parent)
        self._dirty = False
        self._interval = interval_ms / 1000
        self._delay_ms = delay_ms           # from the first change to the redraw (changes meanwhile join it)
        self._last_redraw = -math.inf
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.timeout.connect(self._on_redraw_due)
        self.redraw_group: RedrawGroup | None = None

    def _mark_dirty(self) -> None:
        self._dirty = True
        if self._redraw_timer.isActive():
            return
        if self.on_screen():
            self._schedule()
        else:                           # drawn when shown (catch_up); no timer wakes the GUI meanwhile
            self._prepare()

    def _schedule(self) -> None:
        if self._redraw_timer.isActive():
            return
        wait_ms = (self._last_redraw + self._interval - time.monotonic()) * 1000
        self._redraw_timer.start(self._delay_ms if wait_ms <= self._delay_ms else math.ceil(wait_ms))

    def _on_redraw_due(self) -> None:
        if not self.on_screen():
            return
        wait = self.redraw_group.wait_for(self) if self.redraw_group is not None else 0.0
        if wait > 0:
            self._redraw_timer.start(math.ceil(wait * 1000))
        else:
            self.flush()

    def on_screen(self) -> bool:
        """True when some of the view lies in its window: shown, and not a dock tab behind another
        (Qt moves those out of the window instead of hiding them)."""
        if not self.isVisible():
            return False
        window = self.window()
        return QRect(self.mapTo(window, QPoint(0, 0)), self.size()).intersects(window.rect())

    def redraw_pending(self) -> bool:
        """True while a change waits for this view's next redraw (or, off screen, for its showing)."""
        return self._dirty

    def catch_up(self) -> None:
        """The view came into sight: draw what changed while it was hidden."""
        if self._dirty:
            self._schedule()

    def flush(self) -> None:
        """Redraw now if anything changed (the timer calls this; tests and export may too)."""
        if self._dirty:
            self._dirty = False
            self._last_redraw = time.monotonic()
            if self.redraw_group is not None:
                self.redraw_group.redrawn(self)
            self._redraw()

    def _redraw(self) -> None:
        raise NotImplementedError

    def _prepare(self) -> None:
        """Work that should not wait until the view is shown (e.g. items for a new architecture)."""

    def _apply_palette(self) -> None:
        """Restyle plots from the current palette; views with plots override this."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
        super().changeEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt naming
        super().showEvent(event)
        self.catch_up()

    def export_target(self):
        """The graphics item a PNG export renders (a PlotItem or a layout); None: grab the widget."""
        return None


class InspectionView(ThrottledView):
    """A view of one inspection (a snapshot of the network: weights, histograms, predictions), live
    or replayed; `_redraw` draws `self._inspection`, None when there is nothing to show."""

    def __init__(self, interval_ms: int = SNAPSHOT_REDRAW_MS, parent: QWidget | None = None):
        super().__init__(interval_ms, parent)
        self._inspection: Inspection | None = None

    def clear(self) -> None:
        self._inspection = None
        self._mark_dirty()

    @Slot(object)
    def set_inspection(self, inspection: Inspection) -> None:
        self._inspection = inspection
        self._mark_dirty()


class PlotInspectionView(InspectionView):
    """An inspection view that is one pyqtgraph plot filling the widget (the confusion matrix,
    predicted against actual, the ROC curve); a PNG export renders the plot. Subclasses add their
    items to `self.plot`, then call `_apply_palette`."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        self.plot_widget = pg.PlotWidget()
        self.plot = self.plot_widget.getPlotItem()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget)

    def export_target(self):
        return self.plot


class GridLines:
    """Faint grid lines at the axes' major ticks, as one line item under the data.

    pyqtgraph's own grid (`showGrid`) is drawn by the axis items over the whole plot and replays
    slowly: about 20 ms per repaint of a wide plot, against about 1 ms for this. The lines are
    recomputed only when the view range or size changes.
    """

    def __init__(self, plot: pg.PlotItem):
        self._plot = plot
        self.item = pg.PlotCurveItem()
        self.item.setZValue(-100)
        plot.addItem(self.item, ignoreBounds=True)
        view_box = plot.getViewBox()
        view_box.sigRangeChanged.connect(self._update)
        view_box.sigResized.connect(self._update)

    def set_color(self, color: QColor) -> None:
        self.item.setPen(pg.mkPen(faded(color, GRID_ALPHA), width=1))

    def _update(self, *_args) -> None:
        view_box = self._plot.getViewBox()
        (x0, x1), (y0, y1) = view_box.viewRange()
        xs = _major_ticks(self._plot.getAxis("bottom"), x0, x1, view_box.width())
        ys = _major_ticks(self._plot.getAxis("left"), y0, y1, view_box.height())
        x = np.concatenate([np.repeat(xs, 2), np.tile([x0, x1], ys.size)])
        y = np.concatenate([np.tile([y0, y1], xs.size), np.repeat(ys, 2)])
        self.item.setData(x, y, connect="pairs")


def _major_ticks(axis: pg.AxisItem, low: float, high: float, pixels: float) -> np.ndarray:
    """Where `axis` puts its major ticks between `low` and `high` (the next level if too few)."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low or pixels <= 0:
        return np.empty(0)
    levels = [np.asarray(values, dtype=np.float64) for _, values in axis.tickValues(low, high, pixels)]
    chosen = next((values for values in levels if values.size >= 2), levels[-1] if levels else np.empty(0))
    return chosen[(chosen >= low) & (chosen <= high)]


def text_color(widget: QWidget) -> QColor:
    return widget.palette().color(QPalette.ColorRole.Text)


def base_color(widget: QWidget) -> QColor:
    return widget.palette().color(QPalette.ColorRole.Base)


def faded(color: str | QColor, alpha: int) -> QColor:
    out = QColor(color)
    out.setAlpha(alpha)
    return out


def style_plot(plot: pg.PlotItem, widget: QWidget, title: str | None = None) -> None:
    """Axes, tick labels, title and legend in the palette's text colour, at a readable size."""
    fg = text_color(widget)
    font = QFont(widget.font())
    font.setPointSize(max(font.pointSize(), LABEL_POINT_SIZE - 1))
    for name in ("left", "bottom", "right", "top"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(fg))
        axis.setTextPen(pg.mkPen(fg))
        axis.setStyle(tickFont=font)
    if title is not None:
        set_title(plot, widget, title)
    if plot.legend is not None:
        plot.legend.setLabelTextColor(fg)
        plot.legend.setLabelTextSize(f"{LABEL_POINT_SIZE}pt")
        for _, label in plot.legend.items:
            label.setText(label.text)  # setAttr alone does not re-render existing labels
        plot.legend.setBrush(faded(base_color(widget), 200))
        plot.legend.setPen(pg.mkPen(faded(fg, 80)))


def set_title(plot: pg.PlotItem, widget: QWidget, title: str) -> None:
    """Set the title in the palette's text colour.

    When only the words change (an epoch number, a score), the text is swapped in place: the title
    row keeps its height, so the plot is not laid out and repainted again as `setTitle` would.
    """
    label, color, size = plot.titleLabel, text_color(widget).name(), f"{LABEL_POINT_SIZE + 1}pt"
    styled = label.isVisible() and label.opts.get("color") == color and label.opts.get("size") == size
    if styled and label.text == title:
        return
    if styled:
        label.text = title
        label.item.setHtml(f"<span style='color: {QColor(color).name(QColor.NameFormat.HexArgb)}; "
                           f"font-size: {size}'>{title}</span>")
        label.resizeEvent(None)         # re-centre the text in its row
        return
    plot.setTitle(title, color=color, size=size)
    label.setMinimumWidth(0)  # a long title must not force the plot wider than its dock


def label_axis(plot: pg.PlotItem, name: str, text: str, widget: QWidget) -> None:
    """Label an axis in the palette's text colour; values stay as they are (no "x0.001" SI rescaling)."""
    plot.getAxis(name).enableAutoSIPrefix(False)
    plot.setLabel(name, text, color=text_color(widget).name(), **{"font-size": f"{LABEL_POINT_SIZE}pt"})


def follow_hover(plot: pg.PlotItem, owner: QWidget, hover_text: Callable[[float, float], str | None]) -> None:
    """Show `hover_text(x, y)` (in the plot's data units) as a tooltip of `owner` while the mouse is
    over `plot`, and hide it where that gives None."""
    def moved(scene_pos: QPointF) -> None:
        if not plot.sceneBoundingRect().contains(scene_pos):
            return
        point = plot.getViewBox().mapSceneToView(scene_pos)
        text = hover_text(point.x(), point.y())
        if text:
            QToolTip.showText(QCursor.pos(), text, owner)
        else:
            QToolTip.hideText()
    plot.scene().sigMouseMoved.connect(moved)


def style_canvas(view: pg.GraphicsView, widget: QWidget) -> None:
    view.setBackground(base_color(widget))


def finite_prefix(values: np.ndarray) -> int:
    """Length of the curve up to its last finite point before the first NaN or infinity.

    A diverged curve stops there instead of drawing a spike or a gap.
    """
    bad = np.flatnonzero(~np.isfinite(values))
    return int(bad[0]) if bad.size else int(values.size)
