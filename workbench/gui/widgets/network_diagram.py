"""The network as a picture: nodes per layer, edges coloured by sign and wider when |weight| is larger.

Edges are drawn by a fixed set of line items (sign x width level), each one `PlotCurveItem` with
`connect="pairs"`, so thousands of edges cost a few setData calls. Wide layers show their first
`MAX_NODES` units and say how many are hidden. Hovering a node shows its bias, an edge its weight.

Text is laid out in pixels, so it fits whatever the dock's size: the input and output names sit a
few pixels clear of the nodes, and the column titles take the most complete form that leaves room
between neighbours ("dense_0 / 16 relu" on two lines, then on three, then staggered on two rows,
then shorter, at worst hidden: hovering still names every unit). The choice is arithmetic on text
widths measured once per architecture, made when the view is resized, never per redraw.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont, QFontMetricsF, QTextOption
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from workbench.core.inspection import Inspection
from workbench.gui.widgets.view_base import (
    DIVERGING, LABEL_POINT_SIZE, NEGATIVE_COLOR, POSITIVE_COLOR, InspectionView, faded, follow_hover, set_title,
    style_canvas, style_plot, text_color)

MAX_NODES = 16
WIDTHS = (0.6, 1.3, 2.2, 3.4)            # pen width per |weight| level (fraction of the largest)
ALPHAS = (70, 120, 180, 235)
SIGNS = (("positive", POSITIVE_COLOR), ("negative", NEGATIVE_COLOR))
NODE_SIZE = 16
HOVER_PIXELS = 8
NAME_GAP = 6                             # pixels between a node's edge and its name
NAME_ROW_FILL = 0.9                      # names one above another need this much of a line each
TEXT_CLEARANCE = 8                       # pixels between the outer nodes' edges and the titles or notes
TEXT_GAP = 6                             # pixels at least between neighbouring titles (or notes)
ROW_GAP = 3                              # pixels between the two rows of staggered titles (or notes)
EDGE_PIXELS = 4                          # pixels between the outermost text and the plot's edge
NAME_CHARS = 18                          # input and output names are cut to this many characters
# the forms of the column titles, most complete first; the first that fits is shown
TITLE_CHOICES = (("full", False), ("wrapped", False), ("full", True), ("wrapped", True),
                 ("short", True), ("units", True))
NOTE_CHOICES = (("long", False), ("short", False), ("short", True))
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


class NetworkDiagramView(InspectionView):
    """Nodes and weighted edges of the current (or replayed) network."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        self._layout: _Layout | None = None
        # the inspection the layout and edges were drawn from: hovering reads it, not the newest
        # one, which may have another architecture and waits for the next (throttled) redraw
        self._drawn: Inspection | None = None
        self._edge_values = np.empty(0)
        self._label_key: tuple = ()             # what the text items were made for
        self._labels: list[pg.TextItem] = []    # every text item: titles, notes, names
        self._titles: list[pg.TextItem] = []    # one per column
        self._notes: dict[int, pg.TextItem] = {}    # "+N more" under capped columns
        self._names: list[tuple[pg.TextItem, int, float]] = []   # (item, column, y) input/output names
        self._title_forms: list[dict[str, str]] = []      # per column: form -> text
        self._note_forms: dict[int, dict[str, str]] = {}
        self._widths: dict[tuple[str, int, str], float] = {}    # (kind, column, form) -> pixels
        self._name_reach = (0.0, 0.0)           # pixels the names reach beyond the outer nodes' centres
        self.title_choice: tuple[str, bool] | None = None     # (form, staggered); None: titles hidden
        self.note_choice: tuple[str, bool] | None = None

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
        follow_hover(self.plot, self.plot_widget, self.hover_text)
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
    def edge_counts(self) -> dict[str, int]:
        """Edges drawn per sign ("positive", "negative")."""
        counts = {sign: 0 for sign, _ in SIGNS}
        for (sign, _), item in self.edge_items.items():
            x, _ = item.getData()
            counts[sign] += 0 if x is None else len(x) // 2
        return counts

    def hover_text(self, x: float, y: float) -> str | None:
        """What hovering at view position (x, y) shows: a node's bias or an edge's weight, else None."""
        if self._layout is None or self._drawn is None:
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
        self._drawn = inspection
        if inspection is None or not inspection.weights:
            self._layout = None
            for item in self.edge_items.values():
                item.setData([], [])
            self.nodes.clear()
            self._clear_labels()
            return
        sizes = _column_sizes(inspection)
        key = (sizes, tuple((s.name, s.units, s.activation) for s in inspection.layers),
               tuple(inspection.feature_names), tuple(inspection.class_names))
        if self._layout is None or key != self._label_key:
            self._layout = _build_layout(sizes)
            self._set_labels(inspection)
            self._label_key = key
            self._fit_view()
        self._draw_edges(inspection)
        self._draw_nodes(inspection)
        set_title(self.plot, self, f"Network, epoch {inspection.epoch}")

    @Slot()
    def _fit_view(self) -> None:
        """Frame the nodes with bands of pixels for the text around them, choosing the titles' form
        for the width there is, so the text fits however large the dock is."""
        lay = self._layout
        if lay is None:
            return
        view_box = self.plot.getViewBox()
        width, height = max(view_box.width(), 1.0), max(view_box.height(), 1.0)
        gaps = max(len(lay.sizes) - 1, 1)
        self.title_choice, self.note_choice, (left, right) = self._choose_text(width)
        self._apply_choice(self._titles, self._title_forms, self.title_choice)
        self._apply_choice(self._notes, self._note_forms, self.note_choice)

        per_x = gaps / max(width - left - right, width * 0.3)
        self.plot.setXRange(-left * per_x, gaps + right * per_x, padding=0)
        above, title_rows = _row_heights(self._titles, self.title_choice)
        below, note_rows = _row_heights(self._notes, self.note_choice)
        clear = NODE_SIZE / 2 + TEXT_CLEARANCE
        ys = lay.nodes[:, 1]
        low, high = float(ys.min()), float(ys.max())
        if high - low < 1.0:                    # a single row of nodes: give it a unit of height
            low, high = low - 0.5, high + 0.5
        per_y = (high - low) / max(height - above - below - 2 * clear, height * 0.3)
        self.plot.setYRange(low - (clear + below) * per_y, high + (clear + above) * per_y, padding=0)

        top, bottom = high + clear * per_y, low - clear * per_y
        for column, item in enumerate(self._titles):      # anchored bottom centre; row 1 above row 0
            row = column % 2 if self.title_choice and self.title_choice[1] else 0
            item.setPos(float(column), top + (title_rows[0] + ROW_GAP if row else 0.0) * per_y)
        for column, item in self._notes.items():          # anchored top centre; row 1 below row 0
            row = column % 2 if self.note_choice and self.note_choice[1] else 0
            item.setPos(float(column), bottom - (note_rows[0] + ROW_GAP if row else 0.0) * per_y)
        offset = (NODE_SIZE / 2 + NAME_GAP) * per_x
        for item, column, y in self._names:
            item.setPos(column - offset if column == 0 else column + offset, y)
        self._thin_names(per_y)

    def _thin_names(self, per_y: float) -> None:
        """In a short dock the rows of input or output names would overlap: show every k-th name,
        as many as fit one above another (hovering still names every node)."""
        for column in {c for _, c, _ in self._names}:
            names = sorted(((y, item) for item, c, y in self._names if c == column), key=lambda n: -n[0])
            if len(names) < 2:
                for _, item in names:
                    item.setVisible(True)
                continue
            row_px = min(a - b for (a, _), (b, _) in zip(names, names[1:])) / per_y
            height_px = QFontMetricsF(names[0][1].textItem.font()).height() * NAME_ROW_FILL
            step = max(1, math.ceil(height_px / max(row_px, 1e-9)))
            for index, (_, item) in enumerate(names):
                item.setVisible(index % step == 0)

    def _choose_text(self, width: float):
        """The most complete title (and note) forms whose neighbours keep TEXT_GAP pixels apart at this
        width, and the pixels the text needs left and right of the outer columns."""
        n = len(self._titles)
        options_t = [*TITLE_CHOICES, None]
        options_n = [*NOTE_CHOICES, None] if self._notes else [None]
        for title in options_t:
            for note in options_n:
                left, right = self._side_reach(title, note)
                spacing = (width - left - right) / max(n - 1, 1)
                if spacing <= 0:
                    continue
                if self._fits("title", range(n), title, spacing) and \
                        self._fits("note", self._notes, note, spacing):
                    return title, note, (left, right)
        return None, None, self._side_reach(None, None)

    def _side_reach(self, title, note) -> tuple[float, float]:
        """Pixels needed beyond the first and the last column: names, half a title or note, a node."""
        last = len(self._titles) - 1
        reach = []
        for column, names in ((0, self._name_reach[0]), (last, self._name_reach[1])):
            half = [self._widths.get(("title", column, title[0]), 0.0) / 2 if title else 0.0,
                    self._widths.get(("note", column, note[0]), 0.0) / 2 if note else 0.0]
            reach.append(max(names, *half, NODE_SIZE / 2) + EDGE_PIXELS)
        return reach[0], reach[1]

    def _fits(self, kind: str, columns, choice, spacing: float) -> bool:
        """Whether no two texts of a row come closer than TEXT_GAP pixels (columns `spacing` apart)."""
        if choice is None:
            return True
        form, staggered = choice
        columns = sorted(columns)
        for a_index, a in enumerate(columns):
            for b in columns[a_index + 1:]:
                if staggered and (a - b) % 2:
                    continue                    # the other row
                need = (self._widths[(kind, a, form)] + self._widths[(kind, b, form)]) / 2 + TEXT_GAP
                if (b - a) * spacing < need:
                    return False
        return True

    def _apply_choice(self, items, forms, choice) -> None:
        """Show each item's text in the chosen form (centred lines), or hide them all."""
        for column, item in (enumerate(items) if isinstance(items, list) else items.items()):
            if choice is None:
                item.setVisible(False)
                continue
            text = forms[column][choice[0]]
            if item.toPlainText() != text:
                item.setTextWidth(-1)
                item.setPlainText(text)
                item.setTextWidth(item.textItem.document().idealWidth())   # centres the lines
            item.setVisible(True)

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

    def _clear_labels(self) -> None:
        for item in self._labels:
            self.plot.removeItem(item)
        self._labels, self._titles, self._notes, self._names = [], [], {}, []
        self._title_forms, self._note_forms, self._widths = [], {}, {}
        self._label_key = ()

    def _set_labels(self, inspection: Inspection) -> None:
        """Text items for a new architecture: column titles, hidden-unit notes, input/output names.

        Made once per architecture (and font); resizing only moves them and swaps title forms."""
        self._clear_labels()
        lay = self._layout
        font = QFont(self.font())
        font.setPointSize(LABEL_POINT_SIZE - 1)
        metrics = QFontMetricsF(font)

        def make(text: str, anchor: tuple[float, float]) -> pg.TextItem:
            item = pg.TextItem(text, color=text_color(self), anchor=anchor)
            item.setFont(font)
            item.textItem.document().setDefaultTextOption(QTextOption(Qt.AlignmentFlag.AlignHCenter))
            self.plot.addItem(item)
            self._labels.append(item)
            return item

        def pixels(text: str, item: pg.TextItem) -> float:
            margin = item.textItem.document().documentMargin()
            return max(metrics.horizontalAdvance(line) for line in text.split("\n")) + 2 * margin + 1

        self._title_forms = _title_forms(inspection)
        self._note_forms = {col: {"long": f"+{size - shown} more", "short": f"+{size - shown}"}
                            for col, (size, shown) in enumerate(zip(lay.sizes, lay.shown)) if size > shown}
        self._widths = {}
        for column, forms in enumerate(self._title_forms):
            item = make(forms["full"], (0.5, 1.0))
            self._titles.append(item)
            self._widths.update({("title", column, form): pixels(text, item) for form, text in forms.items()})
        for column, forms in self._note_forms.items():
            item = make(forms["long"], (0.5, 0.0))
            self._notes[column] = item
            self._widths.update({("note", column, form): pixels(text, item) for form, text in forms.items()})
        names = {0: inspection.feature_names, len(lay.sizes) - 1: inspection.class_names}
        reach = {0: 0.0, len(lay.sizes) - 1: 0.0}
        for k, (column, unit) in enumerate(zip(lay.node_column, lay.node_unit)):
            side = names.get(int(column), ())
            if unit < len(side):
                text = str(side[unit])[:NAME_CHARS]
                item = make(text, (1.0, 0.5) if column == 0 else (0.0, 0.5))
                self._names.append((item, int(column), float(lay.nodes[k, 1])))
                reach[int(column)] = max(reach[int(column)], NODE_SIZE / 2 + NAME_GAP + pixels(text, item))
        self._name_reach = (reach[0], reach[len(lay.sizes) - 1])

    def _node_text(self, node: int) -> str:
        column, unit = int(self._layout.node_column[node]), int(self._layout.node_unit[node])
        if column == 0:
            names = self._drawn.feature_names
            return f"input {unit}" + (f" ({names[unit]})" if unit < len(names) else "")
        bias = self._drawn.weights[f"dense_{column - 1}/bias"][unit]
        return f"dense_{column - 1} unit {unit}: bias {bias:.4g}"

    def _edge_text(self, edge: int) -> str:
        lay = self._layout
        return (f"dense_{lay.edge_layer[edge]} weight [{lay.edge_from[edge]} → {lay.edge_to[edge]}]: "
                f"{self._edge_values[edge]:.4g}")

    @Slot(object)
    def _apply_palette(self) -> None:
        style_canvas(self.plot_widget, self)
        style_plot(self.plot, self, self.plot.titleLabel.text or "Network")
        for item in self._labels:
            item.setColor(text_color(self))


def _title_forms(inspection: Inspection) -> list[dict[str, str]]:
    """Per column, its title in each form of TITLE_CHOICES: the inputs, then each layer."""
    forms = [{"full": "inputs", "wrapped": "inputs", "short": "inputs", "units": "in"}]
    for spec in inspection.layers:
        forms.append({"full": f"{spec.name}\n{spec.units} {spec.activation}",
                      "wrapped": f"{spec.name}\n{spec.units}\n{spec.activation}",
                      "short": f"{spec.units}\n{spec.activation}", "units": f"{spec.units}"})
    return forms


def _row_heights(items, choice) -> tuple[float, tuple[float, float]]:
    """Pixels the titles (or notes) take above (below) the nodes: one row, or two when staggered."""
    if choice is None or not items:
        return 0.0, (0.0, 0.0)
    rows = [0.0, 0.0]
    for column, item in (enumerate(items) if isinstance(items, list) else items.items()):
        row = column % 2 if choice[1] else 0
        rows[row] = max(rows[row], item.boundingRect().height())
    return rows[0] + rows[1] + (ROW_GAP if rows[1] else 0.0), (rows[0], rows[1])


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
