"""The network as a picture: nodes per layer, edges coloured by sign and wider when |weight| is larger.

Edges are drawn by a fixed set of line items (sign x width level), each one `PlotCurveItem` with
`connect="pairs"`, so thousands of edges cost a few setData calls. Wide layers show their first
`MAX_NODES` units and say how many are hidden. Hovering a node shows its bias, an edge its weight.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Slot
from PySide6.QtGui import QCursor, QFont
from PySide6.QtWidgets import QLabel, QToolTip, QVBoxLayout, QWidget

from workbench.core.inspection import Inspection
from workbench.gui.widgets.view_base import (
    DIVERGING, LABEL_POINT_SIZE, NEGATIVE_COLOR, POSITIVE_COLOR, ThrottledView, faded, set_title, style_canvas,
    style_plot, text_color)

MAX_NODES = 16
WIDTHS = (0.6, 1.3, 2.2, 3.4)            # pen width per |weight| level (fraction of the largest)
ALPHAS = (70, 120, 180, 235)
SIGNS = (("positive", POSITIVE_COLOR), ("negative", NEGATIVE_COLOR))
NODE_SIZE = 16
HOVER_PIXELS = 8
NODE_MARGIN = 0.6                        # view units between the outer nodes and the text beside them
SIDE_OFFSET = 0.12                       # view units between a node and its name
TITLE_PIXELS = 40                        # room for two lines of column title above the nodes
NOTE_PIXELS = 22                         # room for "+N more" below them
CAPTION = ("Edges: red weights are positive, blue negative; wider means larger |weight|. "
           "Node colour: the unit's bias. Hover over a node or an edge for its value.")


@dataclass(frozen=True)
class _Layout:
    """Where every drawn node and edge sits; rebuilt only when the architecture changes."""

    sizes: tuple[int, ...]                  # units per column: inputs, then each layer
    shown: tuple[int, ...]                  # units drawn per column
    nodes: np.ndarray                       # (n_nodes, 2) positions
    node_column: np.ndarray                 # column of each node
    node_unit: np.ndarray                   # unit index of each node
    segments: np.ndarray                    # (n_edges, 4): x0, y0, x1, y1
    edge_layer: np.ndarray                  # layer index of each edge
    edge_from: np.ndarray
    edge_to: np.ndarray


class NetworkDiagramView(ThrottledView):
    """Nodes and weighted edges of the current (or replayed) network."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        self._inspection: Inspection | None = None
        self._layout: _Layout | None = None
        self._edge_values = np.empty(0)
        self._labels: list[pg.TextItem] = []
        self._side_pixels = (0.0, 0.0)          # how far labels reach left and right of the outer columns

        self.plot_widget = pg.PlotWidget()
        self.plot = self.plot_widget.getPlotItem()
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.edge_items: dict[tuple[str, int], pg.PlotCurveItem] = {}
        for sign, color in SIGNS:
            for level, (width, alpha) in enumerate(zip(WIDTHS, ALPHAS)):
                item = pg.PlotCurveItem(pen=pg.mkPen(faded(color, alpha), width=width))
                self.plot.addItem(item)
                self.edge_items[(sign, level)] = item
        self.nodes = pg.ScatterPlotItem(size=NODE_SIZE)
        self.plot.addItem(self.nodes)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.plot.getViewBox().sigResized.connect(self._fit_view)
        # the key to the colours wraps in a narrow dock, where a plot title would be cut off
        self.caption = QLabel(CAPTION)
        self.caption.setWordWrap(True)
        self.caption.setContentsMargins(6, 2, 6, 4)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.caption)
        self._apply_palette()

    # --- public API -------------------------------------------------------------------------------
    def clear(self) -> None:
        self._inspection = None
        self._mark_dirty()

    @Slot(object)
    def set_inspection(self, inspection: Inspection) -> None:
        self._inspection = inspection
        self._mark_dirty()

    def edge_counts(self) -> dict[str, int]:
        """Edges drawn per sign ("positive", "negative")."""
        counts = {sign: 0 for sign, _ in SIGNS}
        for (sign, _), item in self.edge_items.items():
            x, _ = item.getData()
            counts[sign] += 0 if x is None else len(x) // 2
        return counts

    def hover_text(self, x: float, y: float) -> str | None:
        """What hovering at view position (x, y) shows: a node's bias or an edge's weight, else None."""
        if self._layout is None or self._inspection is None:
            return None
        px, py = self.plot.getViewBox().viewPixelSize()
        node = _nearest(np.hypot((self._layout.nodes[:, 0] - x) / px, (self._layout.nodes[:, 1] - y) / py))
        if node is not None:
            return self._node_text(node)
        edge = _nearest(_segment_distances(self._layout.segments, x, y, px, py))
        return None if edge is None else self._edge_text(edge)

    def export_target(self):
        return self.plot

    # --- drawing -------------------------------------------------------------------------------------
    def _redraw(self) -> None:
        inspection = self._inspection
        if inspection is None or not inspection.weights:
            self._layout = None
            for item in self.edge_items.values():
                item.setData([], [])
            self.nodes.clear()
            self._set_labels([])
            return
        sizes = _column_sizes(inspection)
        if self._layout is None or self._layout.sizes != sizes:
            self._layout = _build_layout(sizes)
            self._set_labels(self._label_specs(inspection))
            self._fit_view()
        self._draw_edges(inspection)
        self._draw_nodes(inspection)
        set_title(self.plot, self, f"Network, epoch {inspection.epoch}")

    @Slot()
    def _fit_view(self) -> None:
        """Frame the nodes with fixed bands of pixels above (column titles) and below ("+N more"),
        so the text fits however tall the dock is."""
        lay = self._layout
        if lay is None:
            return
        view_box = self.plot.getViewBox()
        ys = lay.nodes[:, 1]
        low, high = ys.min() - NODE_MARGIN, ys.max() + NODE_MARGIN
        below = NOTE_PIXELS if any(size > shown for size, shown in zip(lay.sizes, lay.shown)) else 0
        height = max(view_box.height(), 1.0)
        per_pixel = (high - low) / max(height - TITLE_PIXELS - below, height * 0.3)
        self.plot.setYRange(low - below * per_pixel, high + TITLE_PIXELS * per_pixel, padding=0)
        # beside the first and last columns: the input and output names (or half a column title)
        left, right = (pixels + NODE_SIZE for pixels in self._side_pixels)
        width = max(view_box.width(), 1.0)
        low, high = -SIDE_OFFSET, len(lay.sizes) - 1 + SIDE_OFFSET
        per_pixel = (high - low) / max(width - left - right, width * 0.3)
        self.plot.setXRange(low - left * per_pixel, high + right * per_pixel, padding=0)

    def _draw_edges(self, inspection: Inspection) -> None:
        lay = self._layout
        # edges are laid out layer by layer, source-major: the order of W[:shown_in, :shown_out].ravel()
        blocks = [inspection.weights[f"dense_{i}/weight"][:lay.shown[i], :lay.shown[i + 1]]
                  for i in range(len(lay.sizes) - 1)]
        values = np.concatenate([np.ravel(block) for block in blocks]).astype(np.float64)
        self._edge_values = values
        magnitude = np.abs(np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0))
        top = magnitude.max() if magnitude.size else 0.0
        levels = np.minimum((magnitude / top * len(WIDTHS)).astype(int), len(WIDTHS) - 1) if top > 0 else \
            np.zeros(values.shape, dtype=int)
        positive = ~(values < 0)
        for (sign, level), item in self.edge_items.items():
            chosen = (levels == level) & (positive if sign == "positive" else ~positive)
            seg = lay.segments[chosen]
            item.setData(seg[:, [0, 2]].ravel(), seg[:, [1, 3]].ravel(), connect="pairs")

    def _draw_nodes(self, inspection: Inspection) -> None:
        """Inputs grey; other nodes coloured by their bias on the diverging map."""
        lay = self._layout
        biases = np.zeros(len(lay.nodes))
        for k, (column, unit) in enumerate(zip(lay.node_column, lay.node_unit)):
            if column > 0:
                biases[k] = inspection.weights[f"dense_{column - 1}/bias"][unit]
        biases = np.nan_to_num(biases)
        top = np.abs(biases).max() or 1.0
        colors = DIVERGING.mapToQColor(0.5 + 0.5 * biases / top)
        brushes = [pg.mkBrush("#b0b0b0") if column == 0 else pg.mkBrush(color)
                   for column, color in zip(lay.node_column, colors)]
        self.nodes.setData(pos=lay.nodes, brush=brushes, pen=pg.mkPen(text_color(self), width=1))

    def _label_specs(self, inspection: Inspection) -> list[tuple[str, float, float, tuple[float, float]]]:
        """(text, x, y, anchor) for column titles, hidden-unit notes and input/output names."""
        lay = self._layout
        top = lay.nodes[:, 1].max() + NODE_MARGIN
        # two short lines per column, so neighbouring columns' titles do not run into each other
        layer_titles = ["inputs"] + [f"{s.name}\n{s.units} {s.activation}" for s in inspection.layers]
        specs = [(title, float(col), top, (0.5, 1.0)) for col, title in enumerate(layer_titles)]
        bottom = lay.nodes[:, 1].min() - NODE_MARGIN
        specs += [(f"+{size - shown} more", float(col), bottom, (0.5, 0.0))
                  for col, (size, shown) in enumerate(zip(lay.sizes, lay.shown)) if size > shown]
        names = {0: inspection.feature_names, len(lay.sizes) - 1: inspection.class_names}
        for k, (column, unit) in enumerate(zip(lay.node_column, lay.node_unit)):
            side = names.get(int(column), ())
            if unit < len(side):
                left = column == 0
                specs.append((str(side[unit])[:18], float(lay.nodes[k, 0]) + (-SIDE_OFFSET if left else SIDE_OFFSET),
                              float(lay.nodes[k, 1]), (1.0, 0.5) if left else (0.0, 0.5)))
        return specs

    def _set_labels(self, specs) -> None:
        for item in self._labels:
            self.plot.removeItem(item)
        self._labels = []
        font = QFont(self.font())
        font.setPointSize(LABEL_POINT_SIZE - 1)
        for text, x, y, anchor in specs:
            item = pg.TextItem(text, color=text_color(self), anchor=anchor)
            item.setFont(font)
            item.setPos(x, y)
            self.plot.addItem(item)
            self._labels.append(item)
        last = len(self._layout.sizes) - 1 if self._layout is not None else 0
        self._side_pixels = (_widest(self._labels, specs, 0), _widest(self._labels, specs, last))

    def _node_text(self, node: int) -> str:
        column, unit = int(self._layout.node_column[node]), int(self._layout.node_unit[node])
        if column == 0:
            names = self._inspection.feature_names
            return f"input {unit}" + (f" ({names[unit]})" if unit < len(names) else "")
        bias = self._inspection.weights[f"dense_{column - 1}/bias"][unit]
        return f"dense_{column - 1} unit {unit}: bias {bias:.4g}"

    def _edge_text(self, edge: int) -> str:
        lay = self._layout
        return (f"dense_{lay.edge_layer[edge]} weight [{lay.edge_from[edge]} → {lay.edge_to[edge]}]: "
                f"{self._edge_values[edge]:.4g}")

    @Slot(object)
    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        point = self.plot.getViewBox().mapSceneToView(scene_pos)
        text = self.hover_text(point.x(), point.y())
        if text:
            QToolTip.showText(QCursor.pos(), text, self.plot_widget)
        else:
            QToolTip.hideText()

    def _apply_palette(self) -> None:
        style_canvas(self.plot_widget, self)
        style_plot(self.plot, self, self.plot.titleLabel.text or "Network")
        for item in self._labels:
            item.setColor(text_color(self))


def _widest(items: list[pg.TextItem], specs, column: float) -> float:
    """Pixels the labels of the first (or last) column reach beyond it: its names, half its title."""
    reach = [item.boundingRect().width() * (0.5 if anchor[0] == 0.5 else 1.0)
             for item, (_, x, _, anchor) in zip(items, specs) if abs(x - column) <= SIDE_OFFSET + 1e-9]
    return max(reach, default=0.0)


def _column_sizes(inspection: Inspection) -> tuple[int, ...]:
    first = inspection.weights["dense_0/weight"].shape[0]
    return (first,) + tuple(int(inspection.weights[f"{s.name}/bias"].shape[0]) for s in inspection.layers)


def _build_layout(sizes: tuple[int, ...]) -> _Layout:
    """Columns one unit apart; each column's drawn nodes centred vertically, one unit apart."""
    shown = tuple(min(size, MAX_NODES) for size in sizes)
    positions, columns, units = [], [], []
    for col, count in enumerate(shown):
        for unit in range(count):
            positions.append((float(col), (count - 1) / 2 - unit))
            columns.append(col)
            units.append(unit)
    nodes = np.array(positions, dtype=np.float64)
    node_column, node_unit = np.array(columns), np.array(units)
    start = np.concatenate([[0], np.cumsum(shown)])
    seg, lay_idx, src, dst = [], [], [], []
    for layer in range(len(sizes) - 1):
        a, b = np.meshgrid(np.arange(shown[layer]), np.arange(shown[layer + 1]), indexing="ij")
        a, b = a.ravel(), b.ravel()
        p, q = nodes[start[layer] + a], nodes[start[layer + 1] + b]
        seg.append(np.column_stack([p, q]))
        lay_idx.append(np.full(a.size, layer))
        src.append(a)
        dst.append(b)
    return _Layout(sizes=sizes, shown=shown, nodes=nodes, node_column=node_column, node_unit=node_unit,
                   segments=np.concatenate(seg) if seg else np.empty((0, 4)),
                   edge_layer=np.concatenate(lay_idx) if lay_idx else np.empty(0, int),
                   edge_from=np.concatenate(src) if src else np.empty(0, int),
                   edge_to=np.concatenate(dst) if dst else np.empty(0, int))


def _nearest(distances_px: np.ndarray) -> int | None:
    """Index of the closest item within HOVER_PIXELS, or None."""
    if not distances_px.size:
        return None
    best = int(np.argmin(distances_px))
    return best if distances_px[best] <= HOVER_PIXELS else None


def _segment_distances(segments: np.ndarray, x: float, y: float, px: float, py: float) -> np.ndarray:
    """Distance in pixels from (x, y) to each segment (view units scaled by the pixel size)."""
    x0, y0 = segments[:, 0] / px, segments[:, 1] / py
    dx, dy = segments[:, 2] / px - x0, segments[:, 3] / py - y0
    qx, qy = x / px - x0, y / py - y0
    length2 = dx * dx + dy * dy
    t = np.clip(np.divide(qx * dx + qy * dy, length2, out=np.zeros_like(length2), where=length2 > 0), 0, 1)
    return np.hypot(qx - t * dx, qy - t * dy)
