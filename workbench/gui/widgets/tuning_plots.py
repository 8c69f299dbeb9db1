"""The Tuning panel's plots (pyqtgraph): optimization history, parallel coordinates, importances.

Each takes the whole list of trials (a few hundred at most) and redraws; the panel coalesces
updates with a timer, so a burst of finished trials draws once. Colours follow the palette (light
or dark) like the other views (view_base: style_canvas, style_plot, label_axis), and axes show
values as they are (no "x0.001" SI rescaling).
"""
from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor

from workbench.core.search_space import SearchSpace
from workbench.gui.widgets.plot_legends import BandLegend
from workbench.gui.widgets.view_base import (TRAIN_COLOR, VAL_COLOR, GridLines, base_color, faded,
                                             label_axis, style_canvas, style_plot, text_color)

SCORE_COLORMAP = pg.colormap.get("viridis")
# the part of the map that stands out from the background: its yellow end vanishes on white, its
# dark purple end on a dark palette
SCORE_SPAN = {"light": (0.0, 0.7), "dark": (0.3, 1.0)}     # each at a contrast of 2.3:1 or more
BEST_COLOR = "#d62728"
LABEL_BACKING_ALPHA = 200     # axis values of the parallel coordinates sit on this much of the background


def score_color(level: float, widget: Any) -> QColor:
    """A trial's colour, from the worst score (0) to the best (1), readable on the widget's palette."""
    first, last = SCORE_SPAN["light" if base_color(widget).lightness() > 127 else "dark"]
    return SCORE_COLORMAP.map(first + (last - first) * level, mode="qcolor")


def _complete(trials: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [t for t in trials if t["state"] == "complete" and t["score"] is not None]


class _TuningPlot(pg.PlotWidget):
    """A plot styled from the palette, restyled when the palette changes."""

    def __init__(self, labels: Mapping[str, str], parent: Any = None):
        super().__init__(parent)
        self.plot_item = self.getPlotItem()
        self.plot_item.hideButtons()
        self.plot_item.setMenuEnabled(False)
        self._labels = dict(labels)           # axis name -> label text

    def set_axis_label(self, name: str, text: str) -> None:
        self._labels[name] = text
        label_axis(self.plot_item, name, text, self)

    def axis_label(self, name: str) -> str:
        return self.plot_item.getAxis(name).labelText

    def _apply_palette(self) -> None:
        self._styled = True           # the subclass has built its items: palette changes restyle them
        style_canvas(self, self)
        for name, text in self._labels.items():
            label_axis(self.plot_item, name, text, self)
        style_plot(self.plot_item, self)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.PaletteChange and self.__dict__.get("_styled"):
            self._apply_palette()
        super().changeEvent(event)


class OptimizationHistoryPlot(_TuningPlot):
    """Each complete trial's score by trial number, and the best score so far."""

    def __init__(self, parent: Any = None):
        super().__init__({"bottom": "trial", "left": "score"}, parent)
        self.grid = GridLines(self.plot_item)
        self.legend = BandLegend(self.plot_item, columns=2)     # trial scores can fill every corner
        self.scores = self.plot([], [], pen=None, symbol="o", symbolSize=7, symbolPen=None,
                                symbolBrush=TRAIN_COLOR, name="trial")
        self.best = self.plot([], [], pen=pg.mkPen(BEST_COLOR, width=2), name="best so far")
        self._apply_palette()

    def set_metric(self, metric: str) -> None:
        """Name the score axis after the metric (accuracy, R²)."""
        self.set_axis_label("left", metric or "score")

    def _apply_palette(self) -> None:
        super()._apply_palette()
        self.grid.set_color(text_color(self))
        self.legend.unbox()

    def set_trials(self, trials: Sequence[Mapping[str, Any]]) -> None:
        done = sorted(_complete(trials), key=lambda t: t["number"])
        numbers = np.array([t["number"] for t in done], dtype=float)
        scores = np.array([t["score"] for t in done], dtype=float)
        self.scores.setData(numbers, scores)
        # a staircase: the best so far holds until a trial beats it (a slope would show scores
        # between two trials that no trial had)
        best = np.maximum.accumulate(scores) if scores.size else scores
        self.best.setData(np.repeat(numbers, 2)[1:], np.repeat(best, 2)[:-1])


class ParallelCoordinatesPlot(_TuningPlot):
    """One line per complete trial across the varying hyperparameters and the score, coloured by
    score; each axis spans its range (log where the range is log) or its list of choices. The axes
    are named below, and each is drawn as a vertical line with its end values written beside it."""

    def __init__(self, parent: Any = None):
        super().__init__({"left": "position in range"}, parent)
        self.lines: list[pg.PlotDataItem] = []
        self.axis_items: list[Any] = []         # vertical axis lines and end labels
        self.names: list[str] = []
        self._dims: dict[str, Any] = {}
        self._low_high = (0.0, 1.0)
        self.plot_item.getViewBox().setMouseEnabled(x=False, y=False)
        self._apply_palette()

    def _apply_palette(self) -> None:
        super()._apply_palette()
        self._draw_axes()

    def set_trials(self, trials: Sequence[Mapping[str, Any]], space: Mapping[str, Any]) -> None:
        for line in self.lines:
            self.removeItem(line)
        self.lines = []
        self._dims = dict(SearchSpace.from_dict(space).varying) if space else {}
        self.names = list(self._dims)
        columns = self.names + ["score"]
        self.getAxis("bottom").setTicks([[(i, n) for i, n in enumerate(columns)]])
        done = _complete(trials)
        scores = np.array([t["score"] for t in done], dtype=float)
        low, high = (float(scores.min()), float(scores.max())) if done else (0.0, 1.0)
        self._low_high = (low, high)
        spread = high - low or 1.0
        x = np.arange(len(columns), dtype=float)
        for trial, score in sorted(zip(done, scores), key=lambda pair: pair[1]):
            y = [self._dims[n].unit(trial["params"][n]) if n in trial["params"] else math.nan
                 for n in self.names]
            level = (score - low) / spread
            line = self.plot(x, np.array(y + [level], dtype=float), connect="finite",
                             pen=pg.mkPen(score_color(level, self), width=1.5))
            self.lines.append(line)
        self._draw_axes()
        self.setXRange(-0.4, max(len(columns) - 1, 1) + 0.4, padding=0)   # room for the end names
        self.setYRange(-0.08, 1.08, padding=0)

    def _draw_axes(self) -> None:
        """A vertical line per axis, with its values written beside it: a range's low and high, every
        choice of a list, the lowest and highest score."""
        for item in self.axis_items:
            self.removeItem(item)
        self.axis_items = []
        fg = text_color(self)
        low, high = self._low_high
        marks = [self._marks(name) for name in self.names] + [[(f"{low:.4g}", 0.0), (f"{high:.4g}", 1.0)]]
        last = len(marks) - 1
        for i, axis_marks in enumerate(marks):
            line = pg.InfiniteLine(pos=i, angle=90, movable=False, pen=pg.mkPen(faded(fg, 110), width=1))
            line.setZValue(-10)
            self.addItem(line, ignoreBounds=True)
            self.axis_items.append(line)
            for text, y in axis_marks:
                # right of the line (left of it on the last axis); above the bottom, below the top
                # on a backing of the plot's colour: readable where trial lines cross it
                label = pg.TextItem(text, color=fg, anchor=(1.0 if i == last and i else 0.0, 1.0 - y),
                                    fill=faded(base_color(self), LABEL_BACKING_ALPHA))
                label.setZValue(10)
                label.setPos(i, y)
                self.addItem(label, ignoreBounds=True)
                self.axis_items.append(label)

    def _marks(self, name: str) -> list[tuple[str, float]]:
        dim = self._dims[name]
        spec = dim.to_json()
        if isinstance(spec, Mapping):
            return [(f"{spec['low']:g}", 0.0), (f"{spec['high']:g}", 1.0)]
        values = list(spec) if isinstance(spec, list) else [spec]
        shown = values if len(values) <= 8 else [values[0], values[-1]]
        return [(f"{v:g}" if isinstance(v, float) else str(v), dim.unit(v)) for v in shown]


class ImportancePlot(_TuningPlot):
    """Horizontal bars: each hyperparameter's share of the score's variation."""

    def __init__(self, parent: Any = None):
        super().__init__({"bottom": "importance (share of the score's variation)"}, parent)
        self.bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.6, brush=VAL_COLOR)
        self.addItem(self.bars)
        self.importances: dict[str, float] = {}
        self.plot_item.getViewBox().setMouseEnabled(x=False, y=False)
        self._apply_palette()

    def set_importances(self, importances: Mapping[str, float]) -> None:
        self.importances = dict(importances)
        ordered = sorted(self.importances.items(), key=lambda item: item[1])
        y = np.arange(len(ordered), dtype=float)
        self.bars.setOpts(x0=np.zeros(len(ordered)), y=y, width=[v for _, v in ordered], height=0.6)
        self.getAxis("left").setTicks([[(i, name) for i, (name, _) in enumerate(ordered)]])
        if ordered:
            self.setXRange(0, max(v for _, v in ordered) or 1.0)
            self.setYRange(-0.5, len(ordered) - 0.5)
