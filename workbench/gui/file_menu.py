"""The window's file operations: new, open, save, export, import, recent files, recovery, drops.

A mixin of `MainWindow` (it uses the window's controller, runner, actions and views), kept apart
so that the window's own module is about laying out and wiring the panels. Saving and exporting
go through the `SessionController`, which copies the session at an epoch boundary while training
runs and writes files off the GUI thread.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Slot
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from workbench.core.data import DataError
from workbench.gui.background import Cancelled, wait_for
from workbench.gui.session_controller import EXPORT_SUFFIXES
from workbench.gui.widgets.import_dialog import ImportDialog, read_file
from workbench.gui.widgets.plot_export import export_png
from workbench.io.config_json import ConfigFileError, read_config_file
from workbench.io.session import load_session

MAX_RECENT = 8
SESSION_FILTER = "Workbench sessions (*.h5)"
CONFIG_FILTER = "Hyperparameters (*.json)"
DATA_SUFFIXES = (".csv", ".npz")
# user errors: a bad file or value; each carries a one-line message for a person
USER_ERRORS = (ValueError, OSError)


class FileMenu:
    """File operations of the main window (see the module docstring)."""

    # --- files --------------------------------------------------------------------------------------
    class _DontSaveLabel(QObject):
        """Labels a message box's Discard button "Don't Save" as the box is shown (the button keeps
        its destructive role); installed on the application for the length of one question."""

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt naming
            if event.type() == QEvent.Type.Show and isinstance(watched, QMessageBox):
                button = watched.button(QMessageBox.StandardButton.Discard)
                if button is not None:
                    button.setText("Don't Save")
            return False

    def confirm_discard(self) -> bool:
        """Unsaved work: ask Save / Don't Save / Cancel; True when it is fine to go on."""
        if not self.controller.modified:
            return True
        answer = self._ask_save_changes()
        if answer == QMessageBox.StandardButton.Save:
            return self._save_before_going_on()
        return answer == QMessageBox.StandardButton.Discard

    def _ask_save_changes(self) -> QMessageBox.StandardButton:
        """The question goes through QMessageBox.question, which tests patch; "Don't Save" is the
        Discard button, relabelled as the box is shown."""
        buttons = QMessageBox.StandardButton
        relabel = self._DontSaveLabel(self)
        app = QApplication.instance()
        app.installEventFilter(relabel)
        try:
            return QMessageBox.question(
                self, "Unsaved changes", f"Save the changes to {self.controller.display_name()}?",
                buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save)
        finally:
            app.removeEventFilter(relabel)
            relabel.deleteLater()

    def _save_before_going_on(self) -> bool:
        """Save from the prompt. What follows (closing, New, Open) ends the run anyway and must
        know the outcome, so the run is ended first and the file written before returning."""
        path = self.controller.path or self._ask_session_path()
        if not path:
            return False
        self._stop_training()
        try:
            written = self.controller.save(path, self)
        except USER_ERRORS as err:
            QMessageBox.warning(self, "Cannot save session", str(err))
            return False
        self._remember_recent(written)
        self.statusBar().showMessage(f"Saved {written}", 5000)
        return True

    def _stop_training(self) -> None:
        """Before closing, New or Open: end the run and finish the files already asked for (a run
        that ends hands over the copies it still owed to pending saves)."""
        self.runner.stop_and_wait(self)
        self.controller.wait_for_writes(self)

    @Slot()
    def new_session(self) -> None:
        if self.confirm_discard():
            self._stop_training()
            self.controller.new_session()

    @Slot()
    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open session", self._folder(), SESSION_FILTER)
        if path:
            self.open_path(path)

    def open_path(self, path: str) -> bool:
        if not self.confirm_discard():
            return False
        self._stop_training()
        try:                                # read off the GUI thread (a child process validates it first)
            stop = threading.Event()            # set on Cancel: the reading child is ended
            experiment = wait_for(self, f"Opening {Path(path).name}…", load_session, path, isolated=True,
                                  stop=stop, on_cancel=stop.set)
            self.controller.open_session(path, experiment)
        except Cancelled:
            return False
        except USER_ERRORS as err:
            QMessageBox.warning(self, "Cannot open session", str(err))
            self._forget_recent(path)
            return False
        self._remember_recent(path)
        return True

    @Slot()
    def save(self) -> bool:
        """Save (Ctrl+S) without ending a run: the file holds the session at the next epoch
        boundary and is written off the GUI thread. True when the save is under way."""
        if not self.controller.path:
            return self.save_as()
        return self._save_to(self.controller.path)

    @Slot()
    def save_as(self) -> bool:
        path = self._ask_session_path()
        return bool(path) and self._save_to(path)

    def _ask_session_path(self) -> str:
        """The Save As dialog; "" when cancelled; a name without .h5 gets it."""
        suggested = self.controller.path or str(Path(self._folder()) / "session.h5")
        path, _ = QFileDialog.getSaveFileName(self, "Save session", suggested, SESSION_FILTER)
        if path and not path.lower().endswith(".h5"):
            path += ".h5"
        return path

    def _save_to(self, path: str) -> bool:
        try:
            self.controller.save_in_background(path)
        except USER_ERRORS as err:
            QMessageBox.warning(self, "Cannot save session", str(err))
            return False
        self._say_while_training("Saving at the end of this epoch…")
        return True

    @Slot()
    def export_dialog(self) -> None:
        """Export weights (Ctrl+E), without ending a run. The preselected filter matches the
        suggested name; a name typed without a known suffix gets the chosen filter's."""
        filters = {f"{fmt} (*{suffix})": suffix for suffix, fmt in EXPORT_SUFFIXES.items()}
        base = Path(self.controller.path) if self.controller.path else Path(self._folder()) / "model"
        suggested = base.with_suffix(".onnx")
        preset = next(name for name, suffix in filters.items() if suffix == suggested.suffix)
        path, chosen = QFileDialog.getSaveFileName(self, "Export weights", str(suggested),
                                                   ";;".join(filters), preset)
        if not path:
            return
        if Path(path).suffix.lower() not in EXPORT_SUFFIXES:
            path += filters.get(chosen, filters[preset])
        try:
            self.controller.export_in_background(path)
        except USER_ERRORS as err:
            QMessageBox.warning(self, "Cannot export", str(err))
            return
        self._say_while_training("Exporting at the end of this epoch…")

    def _ask_save_path(self, title: str, suggested: Path, file_filter: str, suffixes: tuple[str, ...]) -> str:
        """A save dialog: "" when cancelled; a name typed without one of `suffixes` gets the first."""
        path, _ = QFileDialog.getSaveFileName(self, title, str(suggested), file_filter)
        if path and not path.lower().endswith(suffixes):
            path += suffixes[0]
        return path

    def _suggested(self, suffix: str) -> Path:
        """A name beside the session for one of its files (`-history.csv`): in the folder last used."""
        base = Path(self.controller.path) if self.controller.path else Path(self._folder()) / "session"
        return base.with_name(f"{base.stem}{suffix}")

    def _say_while_training(self, message: str) -> None:
        """A file copied between two epochs waits for the next boundary: say so while a run goes on."""
        if self.runner.is_running:
            self.statusBar().showMessage(message, 5000)

    @Slot()
    def export_history_dialog(self) -> None:
        """Every run's per-epoch history as CSV, without ending a run (as the weights export)."""
        path = self._ask_save_path("Export history as CSV", self._suggested("-history.csv"), "CSV (*.csv)",
                                   (".csv",))
        if path:
            self.controller.export_history_in_background(path)
            self._say_while_training("Exporting the history at the end of this epoch…")

    @Slot()
    def export_report_dialog(self) -> None:
        """The session as one HTML page, without ending a run (as the history export), with the
        decision boundary the view shows."""
        path = self._ask_save_path("Export report", self._suggested("-report.html"), "HTML (*.html)",
                                   (".html", ".htm"))
        if path:
            self.controller.export_report_in_background(path, self.inspection_choices.plane)
            self._say_while_training("Writing the report at the end of this epoch…")

    @Slot()
    def export_config_dialog(self) -> None:
        """The hyperparameters as shown, as JSON: `workbench train --config FILE` trains the same."""
        path = self._ask_save_path("Export hyperparameters", self._suggested("-hyperparameters.json"),
                                   CONFIG_FILTER, (".json",))
        if path:
            self.controller.export_config_in_background(path)

    @Slot()
    def import_config_dialog(self) -> None:
        """Take every hyperparameter from a JSON file (one undoable step; other data or layers
        start a new run, as any such edit does; not while training, which disables it)."""
        path, _ = QFileDialog.getOpenFileName(self, "Import hyperparameters", self._folder(), CONFIG_FILTER)
        if not path:
            return
        name = Path(path).name
        try:                            # a few KiB at most (read_config_file refuses more)
            config = read_config_file(path)
            data_path = config.data.path
            if data_path and not Path(data_path).is_absolute():   # beside the file, not the app's folder
                config = config.updated({"data.path": str(Path(path).parent / data_path)})
            if config == self.controller.config:
                self.statusBar().showMessage(f"{name} holds the hyperparameters shown already", 5000)
                return
            self.controller.set_config(config, f"Import hyperparameters from {name}")
        except ConfigFileError as err:
            QMessageBox.warning(self, "Cannot import hyperparameters", str(err))
            return
        except USER_ERRORS as err:      # the data it names cannot be read
            QMessageBox.warning(self, "Cannot import hyperparameters",
                                f"{name} names data that cannot be used: {err}")
            return
        if self.controller.config == config:     # not cancelled while its data was read
            self.statusBar().showMessage(f"Imported the hyperparameters of {name}", 5000)

    @Slot()
    def predict_dialog(self) -> None:
        """Predict the rows of a CSV with the model as trained so far and save them as CSV, without
        ending a run. The CSV needs the training data's feature columns (its target is ignored)."""
        source, _ = QFileDialog.getOpenFileName(self, "Predict the rows of a CSV", self._folder(), "CSV (*.csv)")
        if not source:
            return
        suggested = Path(source).with_name(f"{Path(source).stem}-predictions.csv")
        path = self._ask_save_path("Save the predictions", suggested, "CSV (*.csv)", (".csv",))
        if path:
            self.controller.predict_in_background(source, path)
            self._say_while_training("Predicting at the end of this epoch…")

    @Slot(str, object, int)
    def _on_predictions_written(self, path: str, predictions: Any, epochs: int) -> None:
        """Done: the status bar says where, with the weights of which epoch, and how the input was
        read when it needed filling in (the notes of io/predictions_csv)."""
        rows = predictions.rows
        model = f"the model of epoch {epochs}" if epochs else "the untrained model"
        message = f"Predicted {rows:,} row{'s' if rows != 1 else ''} into {Path(path).name} with {model}"
        self.statusBar().showMessage("; ".join([message] + predictions.notes), 10_000)

    @Slot(str, str, int)
    def _on_file_written(self, kind: str, path: str, epochs: int) -> None:
        if kind == "save":
            self._remember_recent(path)
            self.statusBar().showMessage(f"Saved {Path(path).name} ({epochs} epochs)", 5000)
        elif kind in ("export", "history", "report"):
            self.statusBar().showMessage(f"Exported {Path(path).name} ({epochs} epochs)", 5000)
        elif kind == "config":
            self.statusBar().showMessage(f"Exported the hyperparameters to {Path(path).name}", 5000)

    @Slot(str, str)
    def _on_file_failed(self, kind: str, message: str) -> None:
        titles = {"save": "Cannot save session", "predict": "Cannot predict"}
        QMessageBox.warning(self, titles.get(kind, "Cannot export"), message)

    def export_plot_dialog(self, view: QWidget, title: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self, f"Export {title} as PNG",
                                              str(Path(self._folder()) / f"{title.split()[0].lower()}.png"),
                                              "PNG images (*.png)")
        if not path:
            return
        try:
            export_png(view, path)
        except USER_ERRORS as err:
            QMessageBox.warning(self, "Cannot export the plot", str(err))

    @Slot()
    def import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import data", self._folder(),
                                              "Data (*.csv *.npz);;CSV (*.csv);;NumPy (*.npz)")
        if path:
            self.import_data(path)

    def import_data(self, path: str) -> bool:
        """Preview a CSV or .npz and use it; a bad file gives one clear dialog (file, row, column)."""
        if self.runner.is_running:
            return False
        try:
            opened = read_file(self, path)
        except (DataError, OSError) as err:
            QMessageBox.warning(self, "Cannot use this file", str(err))
            return False
        except Cancelled:
            return False
        dialog = ImportDialog(opened, self)
        if dialog.exec() != ImportDialog.DialogCode.Accepted or dialog.dataset is None:
            return False
        try:                                # with the samples read already: the file is not read again
            self.controller.edit(dialog.data_changes(), f"Import {Path(path).name}", dataset=dialog.dataset)
        except USER_ERRORS as err:
            QMessageBox.warning(self, "Cannot apply this change", str(err))
            return False
        return self.controller.config.data.path == path

    def _folder(self) -> str:
        return str(Path(self.controller.path).parent) if self.controller.path else str(Path.home())

    @Slot(str)
    def _on_path_changed(self, _path: str) -> None:
        self.setWindowTitle(f"{self.controller.display_name()}[*] — Workbench")
        self.setWindowModified(self.controller.modified)

    # --- recent files (QSettings: read with explicit types, bad values ignored) -------------------
    def recent_files(self) -> list[str]:
        value = self.settings.value("recent_files", [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return []
        return [v for v in value if isinstance(v, str) and v.lower().endswith(".h5")][:MAX_RECENT]

    def _remember_recent(self, path: str) -> None:
        path = str(Path(path).resolve())
        self.settings.setValue("recent_files", [path] + [p for p in self.recent_files() if p != path][:MAX_RECENT - 1])
        self._rebuild_recent_menu()

    def _forget_recent(self, path: str) -> None:
        path = str(Path(path).resolve())
        self.settings.setValue("recent_files", [p for p in self.recent_files() if p != path])
        self._rebuild_recent_menu()

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in self.recent_files():
            self.recent_menu.addAction(self._action(path, lambda _=False, p=path: self.open_path(p)))
        self.recent_menu.setEnabled(bool(self.recent_files()))

    # --- recovery ------------------------------------------------------------------------------------
    def offer_recovery(self) -> None:
        """After a crash: offer each autosave left behind; recovered work opens unsaved."""
        for autosave in self.controller.recoverable():
            answer = QMessageBox.question(
                self, "Recover unsaved work",
                f"Workbench closed unexpectedly while {autosave.name} held unsaved work "
                f"(autosaved {time.ctime(autosave.stat().st_mtime)}). Recover it?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.Yes)
            if answer != QMessageBox.StandardButton.Yes:
                self.controller.discard_recovery(autosave)
                continue
            try:
                stop = threading.Event()
                experiment = wait_for(self, f"Recovering {autosave.name}…", load_session, str(autosave),
                                      isolated=True, stop=stop, on_cancel=stop.set)
                self.controller.recover(autosave, experiment)
            except Cancelled:
                continue
            except USER_ERRORS as err:
                QMessageBox.warning(self, "Cannot recover", str(err))
                continue
            return

    # --- drag and drop ------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt naming
        if _dropped_file(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt naming
        path = _dropped_file(event)
        if path is None:
            return
        event.acceptProposedAction()
        if path.lower().endswith(".h5"):
            self.open_path(path)
        else:
            self.import_data(path)


def _dropped_file(event: Any) -> str | None:
    """The single .h5, .csv or .npz file being dragged, or None."""
    urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    path = urls[0].toLocalFile()
    return path if path.lower().endswith((".h5",) + DATA_SUFFIXES) else None
