"""The Tuning panel's plots (pyqtgraph): optimization history, parallel coordinates, importances.

Each takes the whole list of trials (a few hundred at most) and redraws; the panel coalesces
updates with a timer, so a burst of finished trials draws once.
"""
from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np
import pyqtgraph as pg

from workbench.core.search_space import SearchSpace

SCORE_COLORMAP = pg.colormap.get("viridis")


def _complete(trials: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [t for t in trials if t["state"] == "complete" and t["score"] is not None]


class OptimizationHistoryPlot(pg.PlotWidget):
    """Each complete trial's score by trial number, and the best score so far."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.setLabel("bottom", "trial")
        self.setLabel("left", "score")
        self.addLegend(offset=(-10, 10))
        self.scores = self.plot([], [], pen=None, symbol="o", symbolSize=6, name="trial")
        self.best = self.plot([], [], pen=pg.mkPen("#d62728", width=2), stepMode=None, name="best so far")

    def set_trials(self, trials: Sequence[Mapping[str, Any]]) -> None:
        done = sorted(_complete(trials), key=lambda t: t["number"])
        numbers = np.array([t["number"] for t in done], dtype=float)
        scores = np.array([t["score"] for t in done], dtype=float)
        self.scores.setData(numbers, scores)
        self.best.setData(numbers, np.maximum.accumulate(scores) if scores.size else scores)


class ParallelCoordinatesPlot(pg.PlotWidget):
    """One line per complete trial across the varying hyperparameters and the score, coloured by
    score; each axis spans its range (log where the range is log) or its list of choices."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.setLabel("left", "position in range")
        self.getPlotItem().hideButtons()
        self.lines: list[pg.PlotDataItem] = []

    def set_trials(self, trials: Sequence[Mapping[str, Any]], space: Mapping[str, Any]) -> None:
        for line in self.lines:
            self.removeItem(line)
        self.lines = []
        dims = SearchSpace.from_dict(space).varying if space else {}
        names = list(dims)
        self.getAxis("bottom").setTicks([[(i, n) for i, n in enumerate(names + ["score"])]])
        done = _complete(trials)
        if not done:
            return
        scores = np.array([t["score"] for t in done], dtype=float)
        low, high = float(scores.min()), float(scores.max())
        spread = high - low or 1.0
        x = np.arange(len(names) + 1, dtype=float)
        for trial, score in sorted(zip(done, scores), key=lambda pair: pair[1]):
            y = [dims[n].unit(trial["params"][n]) if n in trial["params"] else math.nan for n in names]
            level = (score - low) / spread
            line = self.plot(x, np.array(y + [level], dtype=float), connect="finite",
                             pen=pg.mkPen(SCORE_COLORMAP.map(level, mode="qcolor"), width=1.5))
            self.lines.append(line)


class ImportancePlot(pg.PlotWidget):
    """Horizontal bars: each hyperparameter's share of the score's variation."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.setLabel("bottom", "importance")
        self.getPlotItem().hideButtons()
        self.bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.6, brush="#1f77b4")
        self.addItem(self.bars)
        self.importances: dict[str, float] = {}

    def set_importances(self, importances: Mapping[str, float]) -> None:
        self.importances = dict(importances)
        ordered = sorted(self.importances.items(), key=lambda item: item[1])
        y = np.arange(len(ordered), dtype=float)
        self.bars.setOpts(x0=np.zeros(len(ordered)), y=y, width=[v for _, v in ordered], height=0.6)
        self.getAxis("left").setTicks([[(i, name) for i, (name, _) in enumerate(ordered)]])
        if ordered:
            self.setXRange(0, max(v for _, v in ordered) or 1.0)
            self.setYRange(-0.5, len(ordered) - 0.5)
