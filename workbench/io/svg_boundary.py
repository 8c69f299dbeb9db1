"""The decision boundary (core/inspection.py's `Boundary`) as inline SVG for the HTML report: the
model's output on a coarse grid of cells, pale, with the samples over it in full colour, in the
app's colours (two classes on the blue-white-red map, more classes by their colours, paler where
the model is unsure; regression by value)."""
from __future__ import annotations

from html import escape
from typing import Sequence

import numpy as np

from workbench.core.inspection import Boundary

SIZE = 360                     # the square plot, in pixels
MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 56, 40, 30
CELLS = 40                     # cells a side (the inspection's grid, thinned)
MAX_POINTS = 400               # samples drawn per split
CATEGORY_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                   "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
BLUE, WHITE, RED = np.array([33, 102, 172.0]), np.array([247, 247, 247.0]), np.array([178, 24, 43.0])
SURFACE_STRENGTH = 0.5         # the surface keeps this much of its colour (the rest is white)


def svg_boundary(boundary: Boundary, feature_names: Sequence[str], n_classes: int) -> str:
    """The surface, the training (circles) and validation (squares) samples, and the axes."""
    step_y = max(1, len(boundary.ys) // CELLS)
    step_x = max(1, len(boundary.xs) // CELLS)
    xs, ys = boundary.xs[::step_x], boundary.ys[::step_y]
    values = boundary.values[::step_y, ::step_x]
    confidence = None if boundary.confidence is None else boundary.confidence[::step_y, ::step_x]
    # the frame holds whole cells: half a cell beyond the first and last cell centres
    half_x = (float(xs[-1]) - float(xs[0])) / max(len(xs) - 1, 1) / 2
    half_y = (float(ys[-1]) - float(ys[0])) / max(len(ys) - 1, 1) / 2
    x0, x1 = float(xs[0]) - half_x, float(xs[-1]) + half_x
    y0, y1 = float(ys[0]) - half_y, float(ys[-1]) + half_y
    levels = boundary.value_range()

    def px(x: float) -> float:
        return MARGIN_LEFT + (x - x0) / ((x1 - x0) or 1) * SIZE

    def py(y: float) -> float:
        return MARGIN_TOP + SIZE - (y - y0) / ((y1 - y0) or 1) * SIZE

    cell_w, cell_h = SIZE / len(xs), SIZE / len(ys)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{MARGIN_LEFT + SIZE + 16}" '
             f'height="{MARGIN_TOP + SIZE + MARGIN_BOTTOM}" font-family="sans-serif" font-size="11">']
    for j in range(len(ys)):
        for i in range(len(xs)):
            color = _cell_color(boundary.kind, values[j, i], None if confidence is None else confidence[j, i],
                                n_classes, levels)
            parts.append(f'<rect x="{px(xs[i]) - cell_w / 2:.1f}" y="{py(ys[j]) - cell_h / 2:.1f}" '
                         f'width="{cell_w + 0.4:.1f}" height="{cell_h + 0.4:.1f}" fill="{color}"/>')
    for points, targets, square in ((boundary.train_points, boundary.train_targets, False),
                                    (boundary.val_points, boundary.val_targets, True)):
        parts += _points(points, targets, square, boundary.kind, levels, px, py)
    parts.append(f'<rect x="{MARGIN_LEFT}" y="{MARGIN_TOP}" width="{SIZE}" height="{SIZE}" fill="none" '
                 f'stroke="#888"/>')
    x_name, y_name = (feature_names[f] for f in boundary.features)
    parts.append(f'<text x="{MARGIN_LEFT + SIZE / 2}" y="{MARGIN_TOP + SIZE + 30}" text-anchor="middle">'
                 f'{escape(x_name)}</text>')
    middle = MARGIN_TOP + SIZE / 2
    parts.append(f'<text x="14" y="{middle}" text-anchor="middle" transform="rotate(-90 14 {middle})">'
                 f'{escape(y_name)}</text>')
    for value, anchor, x, y in ((x0, "start", MARGIN_LEFT, MARGIN_TOP + SIZE + 14),
                                (x1, "end", MARGIN_LEFT + SIZE, MARGIN_TOP + SIZE + 14),
                                (y0, "end", MARGIN_LEFT - 4, MARGIN_TOP + SIZE),
                                (y1, "end", MARGIN_LEFT - 4, MARGIN_TOP + 10)):
        parts.append(f'<text x="{x}" y="{y}" text-anchor="{anchor}">{value:.3g}</text>')
    parts.append(f'<text x="{MARGIN_LEFT}" y="18">training ● validation ■</text></svg>')
    return "".join(parts)


def _diverging(share: float) -> np.ndarray:
    share = float(np.clip(share, 0.0, 1.0)) if np.isfinite(share) else 0.5
    if share < 0.5:
        return BLUE + (WHITE - BLUE) * (share / 0.5)
    return WHITE + (RED - WHITE) * ((share - 0.5) / 0.5)


def _hex(rgb: np.ndarray) -> str:
    r, g, b = (int(round(v)) for v in np.clip(rgb, 0, 255))
    return f"#{r:02x}{g:02x}{b:02x}"


def _category(index: int) -> np.ndarray:
    color = CATEGORY_COLORS[int(index) % len(CATEGORY_COLORS)]
    return np.array([int(color[k:k + 2], 16) for k in (1, 3, 5)], dtype=np.float64)


def _cell_color(kind: str, value: float, confidence: float | None, n_classes: int,
                levels: tuple[float, float]) -> str:
    white = np.array([255.0, 255.0, 255.0])
    if kind == "class":
        sure = np.clip(((confidence or 0.0) - 1 / n_classes) / (1 - 1 / n_classes), 0, 1)
        strength = 0.12 + (SURFACE_STRENGTH - 0.12) * sure
        return _hex(white + (_category(int(value)) - white) * strength)
    share = value if kind == "probability" else (value - levels[0]) / (levels[1] - levels[0])
    return _hex(white + (_diverging(share) - white) * SURFACE_STRENGTH)


def _points(points: np.ndarray, targets: np.ndarray, square: bool, kind: str, levels: tuple[float, float],
            px, py) -> list[str]:
    rows = np.linspace(0, len(points) - 1, min(len(points), MAX_POINTS)).astype(np.intp) if len(points) else []
    parts = []
    for row in rows:
        (x, y), target = points[row], targets[row]
        if kind == "value":
            color = _hex(_diverging((target - levels[0]) / (levels[1] - levels[0])))
        elif kind == "probability":
            color = _hex(BLUE if int(target) == 0 else RED)
        else:
            color = _hex(_category(int(target)))
        if square:
            parts.append(f'<rect x="{px(x) - 3:.1f}" y="{py(y) - 3:.1f}" width="6" height="6" fill="{color}" '
                         'stroke="#333" stroke-width="0.6"/>')
        else:
            parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{color}" stroke="#333" '
                         'stroke-width="0.6"/>')
    return parts
