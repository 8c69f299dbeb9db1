"""Starting the desktop app: the QApplication, its style and palette, the window, recovery."""
from __future__ import annotations

import gc
import os
import sys

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QMessageBox
from pyqtgraph.util.garbage_collector import GarbageCollector

APP_NAME = "Workbench"
GC_CHECK_SECONDS = 0.5          # how often the GUI thread runs the collections that are due
_collector: GarbageCollector | None = None

# A dark palette for Fusion, used when the system asks for dark (Fusion alone stays light on Linux).
DARK_COLORS: dict[QPalette.ColorRole, str] = {
    QPalette.ColorRole.Window: "#2b2b2e", QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1f1f22", QPalette.ColorRole.AlternateBase: "#2b2b2e",
    QPalette.ColorRole.ToolTipBase: "#3a3a3e", QPalette.ColorRole.ToolTipText: "#f0f0f0",
    QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#35353a",
    QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Highlight: "#3d7bd9", QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#6ea8ff", QPalette.ColorRole.PlaceholderText: "#9a9a9a",
}


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, color in DARK_COLORS.items():
        palette.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return palette


def wants_dark(app: QGuiApplication) -> bool:
    """WORKBENCH_THEME=dark|light decides; otherwise the system's colour scheme."""
    theme = os.environ.get("WORKBENCH_THEME", "").lower()
    if theme in ("dark", "light"):
        return theme == "dark"
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with Workbench's names (QSettings, data folders), Fusion and the palette."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    QCoreApplication.setOrganizationName(APP_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    app.setStyle("Fusion")
    if wants_dark(app):
        app.setPalette(dark_palette())
    return app


def freeze_startup_objects() -> None:
    """Put every object alive now (Qt's bindings, the libraries, the window) out of the cyclic
    garbage collector's reach. A full collection otherwise walks all of them, some 90,000 objects
    and 70 ms on a 2-core machine, holding the GIL: when the training thread set one off, the event
    loop stalled for that long. They live as long as the app anyway."""
    gc.collect()
    gc.freeze()


def collect_garbage_on_gui_thread() -> None:
    """Run Python's cyclic garbage collector only on the GUI thread, once a window starts other
    threads (pyqtgraph's GarbageCollector: automatic collection off, a timer collects what the
    thresholds say is due). A collection set off by an allocation on the training thread deleted
    Qt objects there: a QObject destructor took a Qt lock and waited for the GIL, which the GUI
    thread held while it waited for that lock in PySide's deferred deletion (gdb; about one GUI
    test run in ten hung). Calling it again changes nothing."""
    global _collector
    if _collector is None:
        _collector = GarbageCollector(interval=GC_CHECK_SECONDS)


def run_app(session_path: str | None = None) -> int:
    """Open the window (on `session_path` if given) and run the event loop; the exit status."""
    app = make_application()
    from workbench.gui.main_window import MainWindow  # after the QApplication exists

    window = MainWindow()
    window.show()
    freeze_startup_objects()
    if session_path:
        if not window.open_path(session_path):
            QMessageBox.information(window, APP_NAME, "Starting with a new session instead.")
    else:
        window.offer_recovery()
    return app.exec()
