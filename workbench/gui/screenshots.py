"""Regenerate the README screenshots: the window after a short training run, at common screen sizes,
and again with the bottom area showing the hidden units (`SHOWCASE`).

    xvfb-run -a -s "-screen 0 1920x1080x24" python -m workbench.gui.screenshots docs/screenshots

Runs on a private settings file and autosave folder, so a person's own layout and files are untouched.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

SIZES = ((1280, 800), (1920, 1080))
SHOWCASE = {"units": "Units"}      # file suffix -> a dock raised for a second picture of the same run


def _wait_for(app, condition, timeout_s: float) -> None:
    """Run the event loop until `condition()` holds (the window keeps painting meanwhile)."""
    import time

    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)


def _settle(app, views) -> None:
    """Wait until the views on screen have redrawn (they do in turns) and painted."""
    _wait_for(app, lambda: not any(v.redraw_pending() for v in views if v.on_screen()), 10)
    _wait_for(app, lambda: False, 0.1)


def take(out_dir: Path, epochs: int, themes: tuple[str, ...], sizes=SIZES) -> list[Path]:
    """Train and grab the window for each theme and size; returns the files written."""
    from PySide6.QtCore import QSettings

    from workbench.gui.app import dark_palette, make_application

    written = []
    with tempfile.TemporaryDirectory() as scratch:
        app = make_application()
        from workbench.gui.main_window import MainWindow
        from workbench.gui.session_controller import SessionController
        from workbench.gui.widgets.view_base import ThrottledView

        for theme in themes:
            app.setPalette(dark_palette() if theme == "dark" else app.style().standardPalette())
            for width, height in sizes:          # a fresh window per size: default dock proportions
                settings = QSettings(str(Path(scratch) / f"{theme}{width}.ini"), QSettings.Format.IniFormat)
                window = MainWindow(SessionController(autosave_dir=Path(scratch) / "autosave"), settings)
                window.controller.edit({"training.epochs": epochs}, "screenshot")
                window.resize(width, height)
                window.show()
                views = window.findChildren(ThrottledView)
                # Train once the window has drawn itself, as a person would: its first drawing
                # holds the GIL and made the run (and the seconds it shows) twice as slow
                _settle(app, views)
                window.train()
                _wait_for(app, lambda: not window.runner.is_running, 120)
                _settle(app, views)
                path = out_dir / f"workbench-{width}x{height}-{theme}.png"
                window.grab().save(str(path))
                written.append(path)
                for suffix, dock in SHOWCASE.items():
                    window.docks[dock].raise_()
                    _settle(app, views)
                    path = out_dir / f"workbench-{width}x{height}-{theme}-{suffix}.png"
                    window.grab().save(str(path))
                    written.append(path)
                window.runner.shutdown()
                window.inspector.shutdown()
                window.hide()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", default="docs/screenshots")
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--themes", default="light,dark", help="comma-separated: light, dark")
    args = parser.parse_args(argv)
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for path in take(out, args.epochs, tuple(t for t in args.themes.split(",") if t)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
