"""Durations for a person, the same in the app's status bar, plots and tables and on the CLI."""
from __future__ import annotations

import math


def format_duration(seconds: float) -> str:
    """A duration for a person: "40 ms" below a second (a fast run is not "0.0 s"), "2.3 s",
    "2 min 05 s", "1 h 02 min"."""
    if not math.isfinite(seconds):
        return "? s"
    if seconds < 0.01:
        return f"{seconds * 1000:.1f} ms"
    if seconds < 0.9995:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 59.95:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes} min {secs:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"
