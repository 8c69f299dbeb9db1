"""The GUI's model of one session: the edited Config (with undo), the Experiment, and its file.

Every configuration edit goes through `edit()`, which validates it, applies it to the experiment and
pushes an undoable command, so the experiment always matches what the panels show. An edit that
only changes how training continues (learning rate, epochs, penalties, ...) keeps the learned
weights; one that changes the data, the layers or the optimizer's kind starts a fresh run (the
trained one is kept in `experiment.runs` for comparison). Unsaved work is autosaved to the user's
data folder, never over the user's own file, and offered for recovery after a crash.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping

from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal, Slot
from PySide6.QtGui import QUndoCommand, QUndoStack

from workbench.core.config import Config
from workbench.core.experiment import Experiment
from workbench.core.trainer import Trainer
from workbench.io.export import EXPORTERS, export
from workbench.io.session import contents_of, load_session, save_session

AUTOSAVE_INTERVAL_MS = 60_000
EXPORT_SUFFIXES = {f".{fmt}": fmt for fmt in EXPORTERS}     # .npz, .safetensors, .onnx
MERGE_SECONDS = 1.5         # edits of one control within this time undo as one step (typing)


class ConfigEdit(QUndoCommand):
    """One configuration edit; consecutive quick edits of the same control merge into one."""

    _merge_ids: dict[str, int] = {}

    def __init__(self, controller: "SessionController", before: Config, after: Config, text: str,
                 merge_key: str | None):
        super().__init__(text)
        self._controller = controller
        self.before, self.after = before, after
        self._merge_key = merge_key
        self._stamp = time.monotonic()
        self._applied = True        # edit() applied it already; the push's redo() must not repeat it

    def id(self) -> int:
        if self._merge_key is None:
            return -1
        return self._merge_ids.setdefault(self._merge_key, len(self._merge_ids) + 1)

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, ConfigEdit) or other._merge_key != self._merge_key:
            return False
        if other._stamp - self._stamp > MERGE_SECONDS:
            return False
        self.after, self._stamp = other.after, other._stamp
        return True

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._controller._apply(self.after)

    def undo(self) -> None:
        self._controller._apply(self.before)


def continues_training(old: Config, new: Config) -> bool:
    """True when `new` can continue `old`'s learned weights (only training knobs differ)."""
    def shape(c: Config) -> tuple:
        return (c.data, c.layers, replace(c.optimizer, lr=1.0), c.training.seed, c.training.dtype)
    return shape(old) == shape(new)


class SessionController(QObject):
    """Holds the session: config edits (undoable), the experiment, the file path, autosave."""

    config_changed = Signal(object)          # Config, after any edit, undo, redo, open or new
    experiment_changed = Signal(object)      # Experiment replaced or re-initialised
    path_changed = Signal(str)               # "" for an unsaved session
    modified_changed = Signal(bool)
    autosave_failed = Signal(str)            # best effort: the window shows it in the status bar

    def __init__(self, autosave_dir: str | os.PathLike | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.path: str | None = None
        self.recovered_from: str | None = None
        self._trained_since_save = False
        self._was_modified = False
        self.busy = False                    # True while training: no resets, no autosave
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
    def edit(self, changes: Mapping[str, Any], text: str, merge_key: str | None = None) -> None:
        """Apply dotted-path changes (e.g. {"optimizer.lr": 0.1}) as one undoable step.

        Raises ConfigError / DataError (ValueError) or OSError with a message for a person; then
        nothing changes.
        """
        self.set_config(self.config.updated(changes), text, merge_key)

    def set_config(self, config: Config, text: str, merge_key: str | None = None) -> None:
        """Replace the whole config as one undoable step (restoring a run, applying a tuning result)."""
        if config == self.config:
            return
        before = self.config
        self._apply(config)
        self.undo_stack.push(ConfigEdit(self, before, config, text, merge_key))

    def _apply(self, config: Config) -> None:
        exp = self.experiment
        if self.busy:
            Trainer(exp).set_learning_rate(config.optimizer.lr)   # the only edit allowed mid-run
        elif continues_training(exp.config, config):
            exp.config = config
        else:
            exp.reset(config)
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

    def open_session(self, path: str) -> None:
        """Load a session file; raises the loader's error (one clear message) and changes nothing."""
        experiment = load_session(path, isolated=True)
        self._replace(experiment, os.path.abspath(path))

    def save(self, path: str | None = None) -> str:
        """Save to `path` (or the current file); returns the path written."""
        target = os.path.abspath(path or self.path or "")
        if not path and not self.path:
            raise ValueError("no file name given")
        save_session(target, self.experiment)
        self.path, self.recovered_from = target, None
        self._trained_since_save = False
        self.undo_stack.setClean()
        self.path_changed.emit(target)
        self._emit_modified()
        self.discard_autosave()
        return target

    def export_weights(self, path: str) -> None:
        """Export the learned weights; the format follows the file name (.npz, .safetensors, .onnx)."""
        fmt = EXPORT_SUFFIXES.get(Path(path).suffix.lower())
        if fmt is None:
            raise ValueError(f"{Path(path).name}: choose a name ending in {', '.join(EXPORT_SUFFIXES)}")
        export(contents_of(self.experiment), fmt, path)

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
        """Write unsaved work beside the user's files (never over them); None when nothing to do."""
        if not self.modified or self.busy:
            return None
        target = self.autosave_path()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            save_session(str(target), self.experiment)
            target.with_suffix(".json").write_text(json.dumps({"original": self.path}), encoding="utf-8")
        except OSError as err:
            self.autosave_failed.emit(f"autosave failed: {err}")
            return None
        return target

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

    def recover(self, autosave: Path) -> None:
        """Open an autosave as an unsaved session (Save asks for a name); then delete the autosave."""
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
        self._emit_modified()

    @Slot(bool)
    def _on_clean_changed(self, _clean: bool) -> None:
        self._emit_modified()

    def _emit_modified(self) -> None:
        if self.modified != self._was_modified:
            self._was_modified = self.modified
            self.modified_changed.emit(self.modified)


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
