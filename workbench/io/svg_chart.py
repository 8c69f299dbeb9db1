"""Small static charts as inline SVG, for the HTML report: no plotting library, no script, a few
KiB each, and any browser shows them. Lines (curves over epochs) and points (predicted against
actual), on linear axes with ticks at round numbers."""
from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Sequence

import numpy as np

WIDTH, HEIGHT = 640, 300
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 16, 30, 44
MAX_POINTS = 1000            # a longer curve is thinned to this many points (its shape stays)


@dataclass(frozen=True)
class Series:
    """One curve or cloud: its legend label, colour, and values (NaN and inf are left out)."""

    label: str
    color: str
    x: np.ndarray
    y: np.ndarray
    points: bool = False     # dots instead of a line


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About `count` ticks at 1, 2 or 5 times a power of ten, covering [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return []
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks, value = [], first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 12))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 12))
    return ticks


def svg_chart(series: Sequence[Series], title: str, x_label: str, y_label: str,
              diagonal: bool = False) -> str:
    """The chart as one <svg> element; `diagonal` draws y = x (predicted against actual)."""
    finite = [(s, _finite(s)) for s in series]
    xs = np.concatenate([x for _, (x, _) in finite]) if finite else np.empty(0)
    ys = np.concatenate([y for _, (_, y) in finite]) if finite else np.empty(0)
    if not xs.size:
        return f"<p><i>{escape(title)}: nothing to draw yet.</i></p>"
    if diagonal:
        xs = ys = np.concatenate([xs, ys])
    x_ticks = nice_ticks(float(xs.min()), float(xs.max()))
    y_ticks = nice_ticks(float(ys.min()), float(ys.max()))
    if diagonal:                  # one square frame of round numbers for both
        scale = _Scale(x_ticks[0], x_ticks[-1], y_ticks[0], y_ticks[-1])
    else:                         # the curve spans the width: epochs 1 to N, not 0 to a round 80
        scale = _Scale(float(xs.min()), float(xs.max()), y_ticks[0], y_ticks[-1])
        x_ticks = [t for t in x_ticks if scale.x0 <= t <= scale.x1]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11">',
             f'<text x="{MARGIN_LEFT}" y="16" font-size="13">{escape(title)}</text>']
    parts += _axes(scale, x_ticks, y_ticks, x_label, y_label)
    if diagonal:
        low, high = max(scale.x0, scale.y0), min(scale.x1, scale.y1)
        parts.append(f'<line x1="{scale.px(low):.1f}" y1="{scale.py(low):.1f}" x2="{scale.px(high):.1f}" '
                     f'y2="{scale.py(high):.1f}" stroke="#999" stroke-dasharray="4 3"/>')
    for s, (x, y) in finite:
        parts.append(_draw(s, x, y, scale))
    parts += _legend(series)
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class _Scale:
    x0: float
    x1: float
    y0: float
    y1: float

    def px(self, x: float) -> float:
        return MARGIN_LEFT + (x - self.x0) / ((self.x1 - self.x0) or 1) * (WIDTH - MARGIN_LEFT - MARGIN_RIGHT)

    def py(self, y: float) -> float:
        return HEIGHT - MARGIN_BOTTOM - (y - self.y0) / ((self.y1 - self.y0) or 1) * (
            HEIGHT - MARGIN_TOP - MARGIN_BOTTOM)


def _finite(s: Series) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(s.x, dtype=np.float64), np.asarray(s.y, dtype=np.float64)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if len(x) > MAX_POINTS:
        rows = np.linspace(0, len(x) - 1, MAX_POINTS).astype(np.intp)
        x, y = x[rows], y[rows]
    return x, y


def _axes(scale: _Scale, x_ticks: list[float], y_ticks: list[float], x_label: str, y_label: str) -> list[str]:
    bottom, left = HEIGHT - MARGIN_BOTTOM, MARGIN_LEFT
    parts = [f'<rect x="{left}" y="{MARGIN_TOP}" width="{WIDTH - MARGIN_LEFT - MARGIN_RIGHT}" '
             f'height="{HEIGHT - MARGIN_TOP - MARGIN_BOTTOM}" fill="none" stroke="#888"/>']
    for tick in x_ticks:
        x = scale.px(tick)
        parts.append(f'<line x1="{x:.1f}" y1="{MARGIN_TOP}" x2="{x:.1f}" y2="{bottom}" stroke="#eee"/>'
                     f'<text x="{x:.1f}" y="{bottom + 14}" text-anchor="middle">{tick:g}</text>')
    for tick in y_ticks:
        y = scale.py(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - MARGIN_RIGHT}" y2="{y:.1f}" stroke="#eee"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:g}</text>')
    parts.append(f'<text x="{(left + WIDTH - MARGIN_RIGHT) / 2}" y="{HEIGHT - 8}" '
                 f'text-anchor="middle">{escape(x_label)}</text>')
    parts.append(f'<text x="14" y="{(MARGIN_TOP + bottom) / 2}" text-anchor="middle" '
                 f'transform="rotate(-90 14 {(MARGIN_TOP + bottom) / 2})">{escape(y_label)}</text>')
    return parts


def _draw(s: Series, x: np.ndarray, y: np.ndarray, scale: _Scale) -> str:
    coords = [(scale.px(a), scale.py(b)) for a, b in zip(x, y)]
    if s.points:
        return "".join(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2.5" fill="{s.color}" fill-opacity="0.6"/>'
                       for a, b in coords)
    path = " ".join(f"{a:.1f},{b:.1f}" for a, b in coords)
    return f'<polyline points="{path}" fill="none" stroke="{s.color}" stroke-width="1.5"/>'


def _legend(series: Sequence[Series]) -> list[str]:
    """Above the frame, at the right: never over a curve (accuracy runs along the top)."""
    parts, x = [], WIDTH - MARGIN_RIGHT
    for s in reversed(series):
        x -= 18 + 7 * len(s.label)
        parts.append(f'<rect x="{x}" y="{MARGIN_TOP - 10}" width="12" height="3" fill="{s.color}"/>'
                     f'<text x="{x + 16}" y="{MARGIN_TOP - 5}">{escape(s.label)}</text>')
    return parts
