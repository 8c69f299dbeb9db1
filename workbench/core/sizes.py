"""Byte counts for a person to read: the architecture editor's memory figure and the message of a
network too large to build use the same words."""
from __future__ import annotations


def format_bytes(n_bytes: int) -> str:
    """Exact below a KiB, else in KiB, MiB or GiB with one decimal."""
    if n_bytes < 1024:
        return f"{n_bytes} bytes"
    value, unit = n_bytes / 1024, "KiB"
    for bigger in ("MiB", "GiB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{value:,.1f} {unit}"
