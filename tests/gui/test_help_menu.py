"""Help → Keyboard shortcuts lists what the keys do, from the window's own actions; About names
the version and the libraries it runs with."""
import numpy as np
from PySide6.QtWidgets import QMessageBox

import workbench


def help_action(window, text):
    menu = window.menuBar().actions()[-1].menu()
    assert window.menuBar().actions()[-1].text() == "&Help"
    return next(a for a in menu.actions() if a.text().replace("&", "") == text)


def test_the_shortcuts_list_is_read_off_the_menus(window, dialogs):
    help_action(window, "Keyboard shortcuts").trigger()
    (kind, title, text), = dialogs.shown
    assert (kind, title) == ("information", "Keyboard shortcuts")
    for keys, name in (("F5", "Train"), ("Shift+F5", "Stop"), ("F10", "Step"), ("Ctrl+S", "Save"),
                       ("Ctrl+Shift+S", "Save As"), ("Ctrl+E", "Export weights"), ("Ctrl+Z", "Undo"),
                       ("Ctrl+Shift+Z or Ctrl+Y", "Redo"), ("Ctrl+Q", "Quit"),
                       ("Ctrl+L", "Find a learning rate"), ("Ctrl+T", "Evaluate on the test split")):
        assert f"<td><b>{keys}</b></td><td>&nbsp;&nbsp;{name}" in text, (keys, name)
    assert "Predict a CSV" not in text                        # no shortcut, not listed
    window.step_action.setShortcut("Ctrl+T")                 # a changed key shows as it is now
    help_action(window, "Keyboard shortcuts").trigger()
    assert "<td><b>Ctrl+T</b></td><td>&nbsp;&nbsp;Step" in dialogs.shown[-1][2]


def test_about_names_the_version_and_libraries(window, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda _parent, title, text: shown.append((title, text))))
    help_action(window, "About Workbench").trigger()
    (title, text), = shown
    assert title == "About Workbench" and f"Workbench {workbench.__version__}" in text
    assert f"NumPy {np.__version__}" in text and "PySide6" in text and "HDF5" in text
    assert "<b>Hyperparameters</b>" in text and "<b>parameters</b>" in text
