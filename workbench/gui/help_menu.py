"""The Help menu: the keyboard shortcuts, read off the window's own actions (so the list cannot
drift from what the keys do), and About, with the versions a bug report needs. `HelpMenu` is a
mixin of `MainWindow`, as `FileMenu` is."""
from __future__ import annotations

import platform
from typing import Iterable

import h5py
import numpy as np
import pyqtgraph as pg
import PySide6
from PySide6.QtCore import Slot, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox

import workbench

DOCS = "README.md, docs/architecture.md, docs/session_format.md and docs/tuning.md"


def shortcuts_html(actions: Iterable[QAction]) -> str:
    """A table of every action that has a shortcut: keys (as this platform writes them) and what."""
    rows = []
    for action in actions:
        keys = [key.toString(QKeySequence.SequenceFormat.NativeText) for key in action.shortcuts()]
        if keys:
            name = action.text().replace("&", "").rstrip("…").strip()
            rows.append(f"<tr><td><b>{' or '.join(keys)}</b></td><td>&nbsp;&nbsp;{name}</td></tr>")
    return "<table>" + "".join(rows) + "</table>"


def about_html() -> str:
    """What Workbench is, in two sentences, and the versions it runs with."""
    versions = (f"Python {platform.python_version()}, NumPy {np.__version__}, "
                f"Qt {qVersion()} (PySide6 {PySide6.__version__}), pyqtgraph {pg.__version__}, "
                f"h5py {h5py.__version__} (HDF5 {h5py.version.hdf5_version})")
    return (f"<h3>Workbench {workbench.__version__}</h3>"
            "<p>Build, train and tune neural networks point-and-click. <b>Hyperparameters</b> are "
            "what you set before training (on the left); <b>parameters</b> are what training "
            "learns, the weights and biases (shown live on the right and below).</p>"
            f"<p>Documentation: {DOCS}. The same core runs headless: <code>workbench --help</code>.</p>"
            f"<p><small>{versions}</small></p>")


class HelpMenu:
    """The Help menu's commands (the window builds the menu)."""

    def menu_actions(self) -> list[QAction]:
        """Every action of the menu bar's menus, in menu order (submenus included)."""
        found: list[QAction] = []
        pending = [action.menu() for action in self.menuBar().actions()]
        while pending:
            menu = pending.pop(0)
            for action in menu.actions():
                if action.menu() is not None:
                    pending.append(action.menu())
                elif not action.isSeparator():
                    found.append(action)
        return found

    @Slot()
    def show_shortcuts(self) -> None:
        QMessageBox.information(self, "Keyboard shortcuts", shortcuts_html(self.menu_actions()))

    @Slot()
    def show_about(self) -> None:
        QMessageBox.about(self, "About Workbench", about_html())
