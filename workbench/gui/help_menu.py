"""The Help menu's texts: the keyboard shortcuts, read off the window's own actions (so the list
cannot drift from what the keys do), and About, with the versions a bug report needs."""
from __future__ import annotations

import platform
from typing import Iterable

import h5py
import numpy as np
import pyqtgraph as pg
import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtGui import QAction, QKeySequence

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
