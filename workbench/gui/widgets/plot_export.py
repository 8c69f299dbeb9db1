"""Export a view as a PNG image (pyqtgraph's SVG export is broken with this Qt, so PNG only)."""
from __future__ import annotations

from pathlib import Path

from pyqtgraph.exporters import ImageExporter
from PySide6.QtWidgets import QWidget

MIN_EXPORT_WIDTH = 16
MAX_EXPORT_WIDTH = 8000


class PlotExportError(OSError):
    """The image could not be written; the message names the file and the reason."""


def export_png(view: QWidget, path: str | Path, width: int | None = None) -> Path:
    """Write `view` to `path` as PNG, `width` pixels wide (default: as shown), and return the path.

    Plots render through pyqtgraph's ImageExporter (sharp at any width); other widgets (tables)
    are grabbed as shown. Pending redraws are flushed first, so the image shows the latest data.
    """
    path = Path(path)
    if path.suffix.lower() != ".png":
        path = path.with_name(path.name + ".png")
    if width is not None and not MIN_EXPORT_WIDTH <= width <= MAX_EXPORT_WIDTH:
        raise PlotExportError(
            f"{path}: width must be between {MIN_EXPORT_WIDTH} and {MAX_EXPORT_WIDTH} pixels")
    flush = getattr(view, "flush", None)
    if flush is not None:
        flush()
    target = view.export_target() if hasattr(view, "export_target") else None
    if target is None:
        image = view.grab()
        if width is not None:
            image = image.scaledToWidth(width)
    else:
        exporter = ImageExporter(target)
        if width is not None:
            exporter.parameters()["width"] = width
        image = exporter.export(toBytes=True)
    if not path.parent.is_dir():
        raise PlotExportError(f"{path}: the folder {path.parent} does not exist")
    if not image.save(str(path), "PNG"):
        raise PlotExportError(f"{path}: could not write the image (is the folder writable?)")
    return path
