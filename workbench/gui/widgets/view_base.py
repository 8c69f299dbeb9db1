"""What every live view shares: throttled redraws, palette-aware plot styling, and curve helpers.

Slots only store the latest data and mark the view dirty; one single-shot QTimer per view redraws
at most once per interval, so a burst of reports costs one redraw. Colours come from the widget's
palette (light or dark), never a fixed black on white.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QTimer
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QWidget

CURVE_REDRAW_MS = 33        # ~30 Hz
HISTOGRAM_REDRAW_MS = 250   # a few times per second
LABEL_POINT_SIZE = 10

# Series colours readable on both light and dark backgrounds (Tableau 10).
TRAIN_COLOR = "#1f77b4"
VAL_COLOR = "#ff7f0e"
POSITIVE_COLOR = "#d6604d"   # warm: the positive end of the diverging map
NEGATIVE_COLOR = "#4393c3"   # cool: the negative end
CATEGORY_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                   "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
DIVERGING = pg.ColorMap([0.0, 0.5, 1.0], [(33, 102, 172), (247, 247, 247), (178, 24, 43)])

pg.setConfigOptions(antialias=True)


class ThrottledView(QWidget):
    """A view whose slots mark it dirty; `_redraw` runs at most once per `interval_ms`."""

    def __init__(self, interval_ms: int = CURVE_REDRAW_MS, parent: QWidget | None = None):
        super().__init__(parent)
        self._dirty = False
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(interval_ms)
        self._redraw_timer.timeout.connect(self.flush)

    def _mark_dirty(self) -> None:
        self._dirty = True
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    def flush(self) -> None:
        """Redraw now if anything changed (the timer calls this; tests and export may too)."""
        if self._dirty:
            self._dirty = False
            self._redraw()

    def _redraw(self) -> None:
        raise NotImplementedError

    def _apply_palette(self) -> None:
        """Restyle plots from the current palette; views with plots override this."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
        super().changeEvent(event)

    def export_target(self):
        """The graphics item a PNG export renders (a PlotItem or a layout); None: grab the widget."""
        return None


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
    """Set the title in the palette's text colour (cheap: only the title is touched)."""
    if plot.titleLabel.text == title and plot.titleLabel.opts.get("color") == text_color(widget).name():
        return
    plot.setTitle(title, color=text_color(widget).name(), size=f"{LABEL_POINT_SIZE + 1}pt")
    plot.titleLabel.setMinimumWidth(0)  # a long title must not force the plot wider than its dock


def label_axis(plot: pg.PlotItem, name: str, text: str, widget: QWidget) -> None:
    """Label an axis in the palette's text colour; values stay as they are (no "x0.001" SI rescaling)."""
    plot.getAxis(name).enableAutoSIPrefix(False)
    plot.setLabel(name, text, color=text_color(widget).name(), **{"font-size": f"{LABEL_POINT_SIZE}pt"})


def style_canvas(view: pg.GraphicsView, widget: QWidget) -> None:
    view.setBackground(base_color(widget))


def finite_prefix(values: np.ndarray) -> int:
    """Length of the curve up to its last finite point before the first NaN or infinity.

    A diverged curve stops there instead of drawing a spike or a gap.
    """
    bad = np.flatnonzero(~np.isfinite(values))
    return int(bad[0]) if bad.size else int(values.size)
