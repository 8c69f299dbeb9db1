"""The GUI's model of one session: the edited Config (with undo), the Experiment, and its file.

Every configuration edit goes through `edit()`, which validates it, applies it to the experiment and
pushes an undoable command, so the experiment always matches what the panels show. An edit that
only changes how training continues (learning rate, epochs, penalties, ...) keeps the learned
weights; one that changes the data, the layers or the optimizer's kind starts a fresh run (the
trained one is kept in `experiment.runs` for comparison). Unsaved work is autosaved to the user's
data folder, never over the user's own file, and offered for recovery after a crash.

Save, Save As, Export, Predict and autosave never end a run and never write on the GUI thread:
`save_in_background`, `export_in_background` and `autosave_now` take a copy of the session (from the
training worker at its next epoch boundary while a run is going, see
`TrainingRunner.request_capture`; at once otherwise), then one writer thread writes the copies in
order. The file holds the epochs trained when the copy was taken; when the write is done the session
is clean only if nothing changed since the copy (a run that went on training leaves it modified).
`save()` is the synchronous form, for when no run is going and the caller must know the outcome
before going on (Save in the unsaved-changes prompt, before closing, New or Open, which end the run
anyway); given the window, it still writes off the GUI thread, and the window keeps painting.
"""
from __future__ import annotations

import itertools
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from PySide6.QtCore import (QCoreApplication, QEvent, QObject, QRunnable, QStandardPaths, QThreadPool,
                            QTimer, Signal, Slot)
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QWidget

from workbench.core.config import Config, continues_training
from workbench.core.data import Dataset
from workbench.core.experiment import Experiment, samples_for
from workbench.core.trainer import Trainer
from workbench.io.export import EXPORTERS, export_beside_a_window
from workbench.gui.background import Cancelled, finish, wait_for
from workbench.gui.config_undo import UNDO_SAMPLES_BUDGET, ConfigEdit, forget_oldest, steps_over_budget
from workbench.gui.training_runner import TrainingRunner, session_copy
from workbench.io.config_json import write_config_file
from workbench.io.contents import experiment_from
from workbench.io.history_csv import write_history_csv
from workbench.io.predictions_csv import Predictions, write_predictions_csv
from workbench.io.report_html import write_report_html
from workbench.io.session import SessionContents, load_session, write_contents

AUTOSAVE_INTERVAL_MS = 60_000
EXPORT_SUFFIXES = {f".{fmt}": fmt for fmt in EXPORTERS}     # .npz, .safetensors, .onnx


@dataclass
class _FileJob:
    """One file to write from a copy of the session: a save, an export, predictions or an autosave."""

    kind: str                           # "save", "export", "history", "predict", "config", "report"
                                        # or "autosave"
    path: str
    config: Config | None = None        # config: the hyperparameters to write (no session copy needed)
    title: str = ""                     # report: the page's title (the session's name)
    plane: tuple[int, int] = (0, 1)     # report: the decision boundary's two features
    fmt: str = ""                       # the export format
    source: str = ""                    # predict: the CSV whose rows are predicted
    predictions: Predictions | None = None    # predict: what was written (set on the writer thread)
    original: str | None = None         # autosave: the user's file it belongs to
    request: int = 0                    # the capture request it waits for (0: copied at once)
    contents: SessionContents | None = None
    experiment: Experiment | None = None      # the session it was copied from
    train_mark: int = 0                 # SessionController._train_mark when it was copied
    undo_index: int = -1                # the undo stack's index when it was copied


class _WriterSignals(QObject):
    done = Signal(int, str)             # job number, "" or the error message


class _WriteJob(QRunnable):
    """Writes one file on the writer thread (atomically: io.atomic through the writers)."""

    def __init__(self, number: int, job: _FileJob, signals: _WriterSignals):
        super().__init__()
        self._number, self._job, self._signals = number, job, signals

    def run(self) -> None:
        job, error = self._job, ""
        try:
            if job.kind == "export":
                export_beside_a_window(job.contents, job.fmt, job.path)
            elif job.kind == "history":
                write_history_csv(job.contents, job.path)
            elif job.kind == "config":
                write_config_file(job.path, job.config)
            elif job.kind == "report":
                write_report_html(job.contents, job.path, job.title, job.plane)
            elif job.kind == "predict":
                job.predictions = write_predictions_csv(experiment_from(job.contents), job.source, job.path)
            else:
                write_contents(job.path, job.contents)
                if job.kind == "autosave":
                    Path(job.path).with_suffix(".json").write_text(
                        json.dumps({"original": job.original}), encoding="utf-8")
        except Exception as err:  # noqa: BLE001 - every failure becomes a message, never a crash
            error = str(err) or type(err).__name__
        try:
            self._signals.done.emit(self._number, error)
        except RuntimeError:     # the controller is gone (the application is shutting down)
            pass


class SessionController(QObject):
    """Holds the session: config edits (undoable), the experiment, the file path, autosave."""

    config_changed = Signal(object)          # Config, after any edit, undo, redo, open or new
    experiment_changed = Signal(object)      # Experiment replaced or re-initialised
    path_changed = Signal(str)               # "" for an unsaved session
    modified_changed = Signal(bool)
    autosave_failed = Signal(str)            # best effort: the window shows it in the status bar
    file_written = Signal(str, str, int)     # kind (a _FileJob's, not "predict"), path, epochs
    file_failed = Signal(str, str)           # kind (a _FileJob's but "autosave"), message for a person
    predictions_written = Signal(str, object, int)   # path, Predictions, epochs the model had trained
    undo_shortened = Signal(int)             # the oldest steps forgotten to keep within the budget

    def __init__(self, autosave_dir: str | os.PathLike | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.undo_samples_budget = UNDO_SAMPLES_BUDGET     # bytes of samples the history may hold
        self._rebuilding_undo = False
        self.path: str | None = None
        self.recovered_from: str | None = None
        self._trained_since_save = False
        self._train_mark = 0                 # counts mark_trained(): did training change the session?
        self._was_modified = False
        self.busy = False                    # True while training: no resets, only learning-rate edits
        self._runner: TrainingRunner | None = None
        self._writer = QThreadPool(self)     # created before its signals: deleted (and joined) first
        self._writer.setMaxThreadCount(1)    # files are written one at a time, in request order
        self._writer_signals = _WriterSignals(self)
        self._writer_signals.done.connect(self._on_written)
        self._job_numbers = itertools.count(1)
        self._awaiting: list[_FileJob] = []  # jobs waiting for the training worker's copy
        self._writing: dict[int, _FileJob] = {}
        self.autosave_dir = Path(autosave_dir) if autosave_dir else default_autosave_dir()
        self._autosave_timer = QTimer(self)
        self._autosave_timer.setInterval(AUTOSAVE_INTERVAL_MS)
        self._autosave_timer.timeout.connect(self.autosave_now)
        self._autosave_timer.start()
        self.config = Config()
        self.experiment = Experiment.create(self.config)

    # --- state -------------------------------------------------------------------------------------
    @property
    def modified(self) -> bool:
        return self._trained_since_save or not self.undo_stack.isClean()

    def display_name(self) -> str:
        if self.path:
            return Path(self.path).name
        return "Recovered session" if self.recovered_from is not None else "Untitled"

    # --- editing ------------------------------------------------------------------------------------
    def edit(self, changes: Mapping[str, Any], text: str, merge_key: str | None = None,
             dataset: Dataset | None = None) -> None:
        """Apply dotted-path changes (e.g. {"optimizer.lr": 0.1}) as one undoable step; `dataset`,
        the samples the new data settings name when the caller has read them already.

        Raises ConfigError / DataError (ValueError) or OSError with a message for a person; then
        nothing changes.
        """
        self.set_config(self.config.updated(changes), text, merge_key, dataset)

    def set_config(self, config: Config, text: str, merge_key: str | None = None,
                   dataset: Dataset | None = None) -> None:
        """Replace the whole config as one undoable step (restoring a run, applying a tuning result).

        Loading other samples (a file: seconds for a large one) can be cancelled: then nothing
        changes, and `config_changed` tells the panels to show the current config again."""
        if config == self.config:
            return
        before, before_data = self.config, self.experiment.data.dataset
        try:
            self._apply(config, dataset, cancellable=True)
        except Cancelled:
            self.config_changed.emit(self.config)
            return
        self.undo_stack.push(ConfigEdit(self, before, config, text, merge_key,
                                        (before_data, self.experiment.data.dataset)))
        self._keep_undo_within_budget()

    def _keep_undo_within_budget(self) -> None:
        """Forget the oldest undo steps whose samples the budget cannot hold besides the current ones."""
        stack = self.undo_stack
        count = steps_over_budget([stack.command(i).datasets for i in range(stack.count())],
                                  self.experiment.data.dataset, self.undo_samples_budget)
        if not count:
            return
        self._rebuilding_undo = True         # the rebuild passes through clean states the session is not in
        try:
            forget_oldest(stack, count)
        finally:
            self._rebuilding_undo = False
        for job in self._pending_jobs():     # a save's copy matches the step it was taken at
            job.undo_index -= count
        self._emit_modified()
        self.undo_shortened.emit(count)

    def _apply(self, config: Config, dataset: Dataset | None = None, cancellable: bool = False) -> None:
        exp = self.experiment
        if self.busy:
            Trainer(exp).set_learning_rate(config.optimizer.lr)   # the only edit allowed mid-run
        elif continues_training(exp.config, config):
            config.validate_for(exp.task)     # (a new run validates itself; this edit keeps the run)
            exp.config = config
        else:
            # built off the GUI thread: reading a large file and scaling its data take seconds
            window = self.parent() if isinstance(self.parent(), QWidget) else None   # the main window
            if dataset is None and config.data.path and exp.needs_samples(config):
                stop = threading.Event()          # set on Cancel: the read ends within a few ms
                dataset = wait_for(window, f"Reading {Path(config.data.path).name}…", samples_for, config,
                                   stop, cancellable=cancellable, on_cancel=stop.set)
            exp.adopt(wait_for(window, "Preparing the data…", exp.next_run, config, dataset,
                               cancellable=cancellable))
            self.experiment_changed.emit(exp)
        self.config = config
        self.config_changed.emit(config)

    def prepare_training(self) -> Experiment:
        """The experiment ready to train: a finished run is archived and a fresh one started."""
        exp = self.experiment
        if exp.epochs_trained >= exp.config.training.epochs or exp.status in ("diverged", "early_stopped"):
            self.reset()
        return self.experiment

    def reset(self) -> None:
        """Re-initialise with the same seed (the run repeats exactly); the old run is kept in runs."""
        self.experiment.reset(self.config)
        self.mark_trained()
        self.experiment_changed.emit(self.experiment)

    def sync_after_run(self) -> None:
        """Take over what a run changed in the config (a Step extends `training.epochs`)."""
        self.mark_trained()
        if self.experiment.config != self.config:
            self.config = self.experiment.config
            self.config_changed.emit(self.config)

    def restore_run_config(self, index: int) -> None:
        """Make an earlier run's hyperparameters the current ones (undoable)."""
        run = self.experiment.runs[index]
        self.set_config(run.config, f"Restore run {index + 1}")

    # --- files ----------------------------------------------------------------------------------------
    def new_session(self) -> None:
        self._replace(Experiment.create(Config()), None)

    def open_session(self, path: str, experiment: Experiment | None = None) -> None:
        """Load a session file (or show `experiment`, the file's session loaded already off the GUI
        thread); raises the loader's error (one clear message) and changes nothing."""
        if experiment is None:
            experiment = load_session(path, isolated=True)
        self._replace(experiment, os.path.abspath(path))

    def save(self, path: str | None = None, window: QWidget | None = None) -> str:
        """Save to `path` (or the current file) now; returns the path written once it is.

        Only while no run is going (the window stops training before it saves this way); writes
        still in progress finish first, so the files end up in request order. With `window`, the
        file is written off the GUI thread while the window keeps painting (a session of 60,000 x
        785 samples takes over a second), as `wait_for_writes` waits.
        """
        target = self._save_target(path)
        self._check_idle()
        self.wait_for_writes(window)
        contents = session_copy(self.experiment)     # the learned weights copied; the data shared
        finish(window, f"Saving {Path(target).name}…", write_contents, target, contents)
        self.path, self.recovered_from = target, None
        self._trained_since_save = False
        self.undo_stack.setClean()
        self.path_changed.emit(target)
        self._emit_modified()
        self.discard_autosave()
        return target

    def save_in_background(self, path: str | None = None) -> str:
        """Save to `path` (or the current file) without blocking and without ending a run.

        Returns the path that will be written; `file_written("save", ...)` or `file_failed` tells
        the outcome. The file holds the session as it was at the next epoch boundary (or now).
        """
        target = self._save_target(path)
        self._copy_for(_FileJob("save", target))
        return target

    def _check_idle(self) -> None:
        """The synchronous forms read the live experiment: never while a run changes it."""
        if self.busy:
            raise ValueError("training has not stopped yet; save again once it has")

    def _save_target(self, path: str | None) -> str:
        if not path and not self.path:
            raise ValueError("no file name given")
        return os.path.abspath(path or self.path or "")

    def export_in_background(self, path: str) -> None:
        """Export without blocking and without ending a run (as `save_in_background`); the format
        follows the file name (.npz, .safetensors, .onnx), anything else is refused at once."""
        self._copy_for(_FileJob("export", os.path.abspath(path), fmt=export_format(path)))

    def export_history_in_background(self, path: str) -> None:
        """Write every run's per-epoch history as CSV (io/history_csv.py), as `export_in_background`
        writes weights: from a copy taken between two epochs, without ending a run."""
        self._copy_for(_FileJob("history", os.path.abspath(path)))

    def predict_in_background(self, source: str, path: str) -> None:
        """Predict the rows of the CSV `source` with the model as trained so far and write them to
        `path` (io/predictions_csv.py), as `export_in_background` writes weights: read, predicted and
        written off the GUI thread, from a copy taken between two epochs, without ending a run."""
        self._copy_for(_FileJob("predict", os.path.abspath(path), source=os.path.abspath(source)))

    def export_report_in_background(self, path: str, plane: tuple[int, int] = (0, 1)) -> None:
        """The session as one HTML page (io/report_html.py; `plane`, the decision boundary's two
        features), from a copy taken between two epochs as `export_history_in_background` takes
        it, without ending a run."""
        self._copy_for(_FileJob("report", os.path.abspath(path), title=self.display_name(), plane=plane))

    def export_config_in_background(self, path: str) -> None:
        """Write the hyperparameters as shown (not a run's) as JSON for `workbench train --config`
        or Import hyperparameters, on the writer thread (an fsync can outlast a frame)."""
        self._write(_FileJob("config", os.path.abspath(path), config=self.config), None)

    # --- writing off the GUI thread -----------------------------------------------------------------
    def attach_runner(self, runner: TrainingRunner) -> None:
        """Take copies for saving from `runner`'s worker while it trains (the window does this)."""
        self._runner = runner
        runner.captured.connect(self._on_captured)
        runner.capture_failed.connect(self._on_capture_failed)

    @property
    def writing(self) -> bool:
        """True while a file waits for its copy or is being written."""
        return bool(self._awaiting or self._writing)

    def wait_for_writes(self, window: QWidget | None = None) -> None:
        """Wait until every file already copied is written and its outcome handled: blocking
        (closing), or with `window`, off the GUI thread while the window keeps painting (New,
        Open: a large report or session can take seconds).

        Copies still awaited from a running worker are not waited for: stop the run first, and
        the runner hands them over as the run ends.
        """
        finish(window, "Writing files…", self._writer.waitForDone)
        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)

    def _copy_for(self, job: _FileJob) -> None:
        runner = self._runner
        job.request = runner.request_capture() if runner is not None else 0
        if job.request:
            self._awaiting.append(job)      # the worker copies at its next epoch boundary
        else:
            self._write(job, session_copy(self.experiment))   # nothing trains it: copy now

    @Slot(int, object)
    def _on_captured(self, number: int, contents: Any) -> None:
        for job in self._take_awaiting(number):
            self._write(job, contents)

    @Slot(int, str)
    def _on_capture_failed(self, number: int, message: str) -> None:
        for job in self._take_awaiting(number):
            self._report_failure(job, message)

    def _take_awaiting(self, number: int) -> list[_FileJob]:
        served = [job for job in self._awaiting if job.request <= number]
        self._awaiting = [job for job in self._awaiting if job.request > number]
        return served

    def _write(self, job: _FileJob, contents: SessionContents | None) -> None:
        """Queue the write of `contents` (copied just now: every report it holds has been seen;
        None for a file that needs no copy of the session)."""
        job.contents, job.experiment = contents, self.experiment
        job.train_mark, job.undo_index = self._train_mark, self.undo_stack.index()
        number = next(self._job_numbers)
        self._writing[number] = job
        self._writer.start(_WriteJob(number, job, self._writer_signals))

    @Slot(int, str)
    def _on_written(self, number: int, error: str) -> None:
        job = self._writing.pop(number, None)
        if job is None:
            return
        if error:
            self._report_failure(job, error)
            return
        if job.kind == "save" and job.experiment is self.experiment:
            self._saved(job)
        if job.kind in ("save", "autosave") and not self.modified:
            self.discard_autosave()          # the user's file holds everything now
        epochs = job.contents.epochs_trained if job.contents is not None else 0
        job.contents = job.experiment = None
        if job.kind == "predict" and job.predictions is not None:
            self.predictions_written.emit(job.path, job.predictions, epochs)
        else:
            self.file_written.emit(job.kind, job.path, epochs)

    def _saved(self, job: _FileJob) -> None:
        """The session now has this file; it is clean if nothing changed since the copy."""
        self.path, self.recovered_from = job.path, None
        self._trained_since_save = self._train_mark != job.train_mark
        if self.undo_stack.index() == job.undo_index and self.config == job.contents.config:
            self.undo_stack.setClean()
        else:                                # edited since the copy: no state matches the file
            self.undo_stack.resetClean()
        self.path_changed.emit(job.path)
        self._emit_modified()

    def _report_failure(self, job: _FileJob, message: str) -> None:
        job.contents = job.experiment = None
        if job.kind == "autosave":
            self.autosave_failed.emit(f"autosave failed: {message}")
        else:
            self.file_failed.emit(job.kind, message)

    def _replace(self, experiment: Experiment, path: str | None, recovered: str | None = None) -> None:
        self.experiment = experiment
        self.config = experiment.config
        self.path, self.recovered_from = path, recovered
        self.undo_stack.clear()
        self._trained_since_save = recovered is not None
        self.experiment_changed.emit(experiment)
        self.config_changed.emit(self.config)
        self.path_changed.emit(path or "")
        self._emit_modified()

    # --- autosave and recovery --------------------------------------------------------------------
    def autosave_path(self) -> Path:
        return self.autosave_dir / f"autosave-{os.getpid()}.h5"

    @Slot()
    def autosave_now(self) -> Path | None:
        """Autosave unsaved work beside the user's files (never over them), in the background.

        While training, the copy is taken at the next epoch boundary and the run goes on. Returns
        the autosave's path (`file_written("autosave", ...)` says when it is on disk), or None
        when there is nothing to do (no unsaved work, or an autosave is still under way).
        """
        if not self.modified or any(job.kind == "autosave" for job in self._pending_jobs()):
            return None
        target = self.autosave_path()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            self.autosave_failed.emit(f"autosave failed: {err}")
            return None
        self._copy_for(_FileJob("autosave", str(target), original=self.path))
        return target

    def _pending_jobs(self) -> list[_FileJob]:
        return self._awaiting + list(self._writing.values())

    def discard_autosave(self) -> None:
        for path in (self.autosave_path(), self.autosave_path().with_suffix(".json")):
            path.unlink(missing_ok=True)

    def recoverable(self) -> list[Path]:
        """Autosaves left behind by a Workbench that is no longer running (a crash)."""
        if not self.autosave_dir.is_dir():
            return []
        found = []
        for path in sorted(self.autosave_dir.glob("autosave-*.h5")):
            pid = path.stem.removeprefix("autosave-")
            if pid.isdigit() and int(pid) != os.getpid() and not _process_alive(int(pid)):
                found.append(path)
        return found

    def recover(self, autosave: Path, experiment: Experiment | None = None) -> None:
        """Open an autosave as an unsaved session (Save asks for a name); then delete the autosave.
        `experiment`: the autosave's session, loaded already off the GUI thread."""
        if experiment is None:
            experiment = load_session(str(autosave), isolated=True)
        original = _original_of(autosave)
        self._replace(experiment, None, recovered=original or "")
        self.discard_recovery(autosave)

    @staticmethod
    def discard_recovery(autosave: Path) -> None:
        for path in (autosave, autosave.with_suffix(".json")):
            path.unlink(missing_ok=True)

    # --- modified state ----------------------------------------------------------------------------
    def mark_trained(self) -> None:
        self._trained_since_save = True
        self._train_mark += 1
        self._emit_modified()

    @Slot(bool)
    def _on_clean_changed(self, _clean: bool) -> None:
        if not self._rebuilding_undo:
            self._emit_modified()

    def _emit_modified(self) -> None:
        if self.modified != self._was_modified:
            self._was_modified = self.modified
            self.modified_changed.emit(self.modified)


def export_format(path: str) -> str:
    """The export format a file name asks for; ValueError (for a person) when it asks for none."""
    fmt = EXPORT_SUFFIXES.get(Path(path).suffix.lower())
    if fmt is None:
        raise ValueError(f"{Path(path).name}: choose a name ending in {', '.join(EXPORT_SUFFIXES)}")
    return fmt


def default_autosave_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".workbench") / "autosave"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _original_of(autosave: Path) -> str | None:
    """The user's file the autosave belonged to, from its side file (ignored when unreadable)."""
    try:
        data = json.loads(autosave.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    original = data.get("original") if isinstance(data, dict) else None
    return original if isinstance(original, str) else None
