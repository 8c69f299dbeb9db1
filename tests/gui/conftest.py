"""GUI test fixtures: offscreen Qt, a window on a private settings file and autosave folder, and
recorded (patched) message boxes and file dialogs so no test ever blocks on a modal dialog."""
import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"     # before anything imports Qt

from dataclasses import dataclass, field  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEvent, QSettings  # noqa: E402
from PySide6.QtWidgets import QFileDialog, QMessageBox  # noqa: E402


@dataclass
class Dialogs:
    """What the patched dialogs showed, and what they answer next."""

    shown: list[tuple[str, str, str]] = field(default_factory=list)   # (kind, title, text)
    answer: QMessageBox.StandardButton = QMessageBox.StandardButton.Discard
    save_path: str = ""
    open_path: str = ""

    def texts(self, kind: str) -> list[str]:
        return [text for k, _, text in self.shown if k == kind]


@pytest.fixture
def dialogs(monkeypatch) -> Dialogs:
    record = Dialogs()

    def message(kind):
        def show(_parent, title, text, *args, **kwargs):
            record.shown.append((kind, title, text))
            return record.answer if kind == "question" else QMessageBox.StandardButton.Ok
        return staticmethod(show)

    for kind in ("question", "warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, kind, message(kind))
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (record.save_path, "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (record.open_path, "")))
    return record


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, tmp_path, settings, dialogs):
    """Build windows that share one autosave folder; each is closed and its threads joined at the end."""
    from workbench.gui.main_window import MainWindow
    from workbench.gui.session_controller import SessionController

    windows = []

    def make(**kwargs):
        controller = SessionController(autosave_dir=tmp_path / "autosave")
        window = MainWindow(controller, kwargs.get("settings", settings))
        windows.append(window)
        return window

    yield make
    dialogs.answer = QMessageBox.StandardButton.Discard      # dialogs are still patched here
    for window in windows:
        window.close()
        window.runner.shutdown()
        window.inspector.shutdown()
        window.deleteLater()
    # deleted now (0.3-0.8 s for a window full of plots), not in the next test's first event loop
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def window(make_window):
    return make_window()

