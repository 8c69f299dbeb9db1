"""Plot legends that keep off the data.

`CornerLegend` sits in a corner of the data area that no curve passes through, as matplotlib's
`loc="best"` does. A loss that falls leaves the upper right free, but one that stays flat for a
while (the default spiral run, for its first 70 epochs) ran straight under a fixed legend. It stays
in its corner while that corner is free, so it does not hop about as curves grow; once a person
drags it, it stays where they put it (until the plot's "A" button).

`BandLegend` sits in a band of its own above the data area, for plots whose data can fill every
corner (the decision boundary's points, a search's trial scores).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pyqtgraph as pg

Corner = tuple[int, int]          # (x, y) of the view box: 0 is left or top, 1 right or bottom
Line = tuple[np.ndarray, np.ndarray]    # x (increasing) and y of a polyline, in view units
MARGIN = 10                       # pixels between the legend and the data area's edges
BAND_HEIGHT = 26                  # pixels of the band above the data that holds a band legend


def curve_crosses(x: np.ndarray, y: np.ndarray, box: tuple[float, float, float, float]) -> bool:
    """Whether the polyline through (x, y) (x increasing) passes through box = (x0, x1, y0, y1).

    Over the box's x span the line takes every value between its lowest and highest there (it is
    continuous), and those are at its vertices inside the span or where it enters and leaves it."""
    x0, x1, y0, y1 = box
    if not len(x):
        return False
    lo, hi = max(x0, x[0]), min(x1, x[-1])
    if lo > hi:
        return False
    start, stop = np.searchsorted(x, (lo, hi))
    values = np.concatenate((y[start:stop], np.interp((lo, hi), x, y)))
    return bool(values.min() <= y1 and values.max() >= y0)


def corner_order(preferred: Corner) -> list[Corner]:
    """The corners to try: the preferred one, the other one on its side, then the other side's."""
    cx, cy = preferred
    return [preferred, (cx, 1 - cy), (1 - cx, cy), (1 - cx, 1 - cy)]


class CornerLegend(pg.LegendItem):
    """A legend in one corner of its view box, moved to a free corner by `keep_clear`."""

    def __init__(self, corner: Corner, **kwargs):
        super().__init__(offset=None, **kwargs)
        self.preferred = corner
        self.corner = corner
        self.moved_by_hand = False

    def set_view(self, view_box: pg.ViewBox) -> None:
        self.setParentItem(view_box)
        self._anchor()

    def keep_clear(self, curves: Sequence[Line], markers: Sequence[Line] = ()) -> None:
        """Move to the first corner (this one first) where the legend covers none of `curves` and
        `markers` (x, y in view units), or failing that none of `curves` (a thin marker line
        may pass beneath); stay when every corner is covered or the person placed it."""
        if self.moved_by_hand or self.parentItem() is None:
            return
        corners = [self.corner] + [c for c in corner_order(self.preferred) if c != self.corner]
        boxes = {corner: self.box_at(corner) for corner in corners}
        for lines in (list(curves) + list(markers), curves):
            for corner in corners:
                if not any(curve_crosses(x, y, boxes[corner]) for x, y in lines):
                    if corner != self.corner:
                        self.corner = corner
                        self._anchor()
                    return

    def box_at(self, corner: Corner) -> tuple[float, float, float, float]:
        """The data the legend would cover in `corner`: (x0, x1, y0, y1) in view units."""
        view: pg.ViewBox = self.parentItem()
        width, height = view.width(), view.height()
        (vx0, vx1), (vy0, vy1) = view.viewRange()
        self.layout.activate()          # the size of the entries as they are now (a new one, a new font)
        size = self.boundingRect()
        left = MARGIN if corner[0] == 0 else width - MARGIN - size.width()
        top = MARGIN if corner[1] == 0 else height - MARGIN - size.height()
        to_x = (vx1 - vx0) / width if width else 0.0
        to_y = (vy1 - vy0) / height if height else 0.0
        return (vx0 + left * to_x, vx0 + (left + size.width()) * to_x,
                vy1 - (top + size.height()) * to_y, vy1 - top * to_y)

    def release(self) -> None:
        """Back to automatic placement, in the preferred corner."""
        self.moved_by_hand = False
        self.corner = self.preferred
        self._anchor()

    def mouseDragEvent(self, ev) -> None:     # noqa: N802 - Qt's name
        super().mouseDragEvent(ev)
        if ev.isAccepted():
            self.moved_by_hand = True

    def _anchor(self) -> None:
        cx, cy = self.corner
        self.anchor(itemPos=self.corner, parentPos=self.corner,
                    offset=(MARGIN if cx == 0 else -MARGIN, MARGIN if cy == 0 else -MARGIN))


class BandLegend(pg.LegendItem):
    """A legend in one row of its own above `plot`'s data area (the empty top-axis row),
    right-aligned with it, with no box: it is over nothing."""

    def __init__(self, plot: pg.PlotItem, columns: int):
        super().__init__(offset=None, colCount=columns, horSpacing=16)
        self.layout.setContentsMargins(0, 0, 0, 0)   # its size is its entries': it fits the band
        self.setParentItem(plot)
        self._plot = plot
        plot.legend = self                  # the plot adds named items to it; style_plot styles it
        plot.layout.setRowFixedHeight(1, BAND_HEIGHT)
        plot.getViewBox().sigResized.connect(self.place)

    def unbox(self) -> None:
        """Drop the box `style_plot` draws round legends, fit the (restyled) entries, and place."""
        self.setPen(pg.mkPen(None))
        self.setBrush(pg.mkBrush(None))
        self.updateSize()                   # the labels' new font may change its size
        self.place()

    def place(self) -> None:
        """Right-align with the data area, in the band just above it."""
        area = self._plot.getViewBox().geometry()
        self.setPos(area.right() - self.width(), area.top() - BAND_HEIGHT + (BAND_HEIGHT - self.height()) / 2)
