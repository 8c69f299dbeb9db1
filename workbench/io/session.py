"""Save and load a session: one HDF5 file holding a whole experiment (docs/session_format.md).

Saving writes the complete file beside the target and swaps it in with `os.replace`, so the
previous file survives a full disk, a crash or a kill at any moment. Loading treats the file as
untrusted: it checks the format and version, accepts only plain groups, datasets and attributes
(`h5safe.check_structure`), validates the config against the registries, and checks every shape
against the config before reading the data. Any problem is one `SessionFormatError`.

The file's content as plain values is `SessionContents` (io/contents.py, re-exported here);
`load_session` turns it into an `Experiment`.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping

import h5py
import numpy as np

import workbench
from workbench.core.config import Config, ConfigError, continues_training, output_activation
from workbench.core.data_error import ReadStopped, check_stop
from workbench.io import h5safe
from workbench.io.h5safe import SessionFormatError
from workbench.io.atomic import SessionSaveError, replacing
from workbench.io.child_python import child_command, child_env
from workbench.io.contents import (HISTORY_COLUMNS, DataContents, RunContents, SessionContents, contents_of,
                                   expected_param_shapes, experiment_from)
from workbench.io.migrations import FORMAT, FORMAT_VERSION, check_version, upgraded_copy
from workbench.io.text_checksum import check_text_crc32, store_text_crc32

if TYPE_CHECKING:
    from workbench.core.experiment import Experiment

__all__ = ["SessionFormatError", "SessionSaveError", "SessionContents", "save_session", "load_session",
           "read_contents", "write_contents", "contents_of", "experiment_from"]

TRIAL_NUMBERS = ("number", "score", "score_std", "duration")
TRIAL_TEXTS = ("state", "params", "fold_scores", "message")
TRIAL_STATES = ("complete", "pruned", "failed", "running")
PARAM_KINDS = ("weight", "bias")
MAX_SNAPSHOTS_IN_FILE = 1000     # above the in-memory bound (core.experiment.MAX_SNAPSHOTS + 2)
MAX_RUNS = 10_000
MAX_SLOTS = 8
ISOLATED_TIMEOUT = 120.0         # seconds for the validating child process
STOP_POLL_SECONDS = 0.05         # how often the wait for that child looks whether to stop
_SLOT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_SNAPSHOT_NAME = re.compile(r"^epoch_(0|[1-9][0-9]*)$")


# --- public API -----------------------------------------------------------------------------------
def save_session(path: str | os.PathLike, experiment: "Experiment") -> None:
    """Write `experiment` to `path` atomically (the old file stays intact on any failure)."""
    write_contents(path, contents_of(experiment))


def load_session(path: str | os.PathLike, isolated: bool = False,
                 stop: threading.Event | None = None) -> "Experiment":
    """Read and validate a session file into an `Experiment`.

    With `isolated=True` the whole validation first runs in a child process, so that a file crafted
    to crash the HDF5 library takes down only that child (the GUI opens files this way). Once
    `stop` is set, the child is ended and ReadStopped raised at the next step (a person cancelled).
    """
    if isolated:
        validate_in_child(path, stop=stop)
    check_stop(stop)
    contents = read_contents(path)
    check_stop(stop)
    try:
        return experiment_from(contents)
    except SessionFormatError as err:
        raise SessionFormatError(f"{Path(path).name}: {err}") from None


def validate_in_child(path: str | os.PathLike, timeout: float = ISOLATED_TIMEOUT,
                      stop: threading.Event | None = None) -> None:
    """Run `read_contents(path)` in a fresh Python process; its failure or crash becomes an error.
    Setting `stop` ends the child within `STOP_POLL_SECONDS` (ReadStopped)."""
    name = Path(path).name
    code = ("import sys\nfrom workbench.io.session import _child_validate\n"
            "sys.exit(_child_validate(sys.argv[1]))")
    deadline = time.monotonic() + timeout
    with subprocess.Popen(child_command(code, [os.fspath(path)]), stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, env=child_env(PYTHONFAULTHANDLER="")) as child:
        while True:
            try:
                _, errors = child.communicate(timeout=STOP_POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                stopped = stop is not None and stop.is_set()
                if stopped or time.monotonic() > deadline:
                    child.kill()
                    child.communicate()
                    if stopped:
                        raise ReadStopped() from None
                    raise SessionFormatError(f"{name}: reading the file took more than {timeout:.0f} s; "
                                             "it is damaged or hostile") from None
    if child.returncode == 0:
        return
    if child.returncode == 3:
        raise SessionFormatError(errors.strip().splitlines()[-1])
    raise SessionFormatError(f"{name}: reading the file crashed the HDF5 reader (exit status "
                             f"{child.returncode}); the file is damaged or hostile")


def _child_validate(path: str) -> int:
    """Entry point of the validating child: 0 valid, 3 invalid (message on stderr)."""
    try:
        read_contents(path)
    except SessionFormatError as err:
        print(str(err), file=sys.stderr)
        return 3
    return 0


# --- writing --------------------------------------------------------------------------------------
def write_contents(path: str | os.PathLike, contents: SessionContents) -> None:
    """Write `contents` to `path` atomically.

    The HDF5 file is built in memory and written with plain file I/O: the HDF5 library handles a
    failing write (full disk) badly, even crashing on it, while Python's `write` raises cleanly.
    """
    buffer = io.BytesIO()
    # HDF5 1.10 structures: a one-chunk dataset needs no B-tree, so files are ~5x smaller
    with h5py.File(buffer, "w", track_order=True, libver=("v110", "latest")) as h5:
        _write(h5, contents)
        store_text_crc32(h5)
    with replacing(path) as tmp, open(tmp, "wb") as handle:
        handle.write(buffer.getbuffer())


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _put(group: h5py.Group, name: str, array: np.ndarray) -> None:
    """A dataset with a fletcher32 checksum (empty arrays cannot carry filters and need none)."""
    array = np.ascontiguousarray(array)
    group.create_dataset(name, data=array, fletcher32=array.size > 0)


def _put_strings(group: h5py.Group, name: str, items: list[str]) -> None:
    """Text as fixed-length UTF-8, so it carries a checksum and its size is known before reading."""
    encoded = [item.encode("utf-8") for item in items]
    dtype = h5py.string_dtype("utf-8", max([len(e) for e in encoded] + [1]))
    _put(group, name, np.array(encoded, dtype=dtype))


def _group(parent: h5py.Group, name: str) -> h5py.Group:
    return parent.create_group(name, track_order=True)


def _write(h5: h5py.File, c: SessionContents) -> None:
    root = h5.attrs
    root["format"] = FORMAT
    root["format_version"] = FORMAT_VERSION
    root["workbench_version"] = workbench.__version__
    root["created"] = c.started or _now()
    root["saved"] = _now()
    root["status"] = c.status
    root["config"] = c.config.to_json()
    if c.trained_config is not None:
        root["trained_config"] = c.trained_config.to_json()

    data = _group(h5, "data")
    _put(data, "X", c.data.X)
    _put(data, "y", c.data.y)
    _put(data, "split", c.data.split.astype(np.int8))
    data.attrs["task"] = c.data.task
    data.attrs["source"] = c.data.source
    data.attrs["feature_names"] = json.dumps(c.data.feature_names, ensure_ascii=False)
    data.attrs["class_names"] = json.dumps(c.data.class_names, ensure_ascii=False)
    data.attrs["target_name"] = c.data.target_name
    scaler = _group(data, "scaler")
    _put(scaler, "mean", c.data.scaler_mean)
    _put(scaler, "scale", c.data.scaler_scale)

    model = _group(h5, "model")
    model.attrs["layer_names"] = json.dumps(c.layer_names, ensure_ascii=False)
    for layer, activation in c.activations.items():
        group = _group(model, layer)
        group.attrs["units"] = int(c.params[f"{layer}/bias"].shape[0])
        group.attrs["activation"] = activation
        for kind in PARAM_KINDS:
            _put(group, kind, c.params[f"{layer}/{kind}"])

    optimizer = _group(h5, "optimizer")
    optimizer.attrs["name"] = c.optimizer["name"]
    optimizer.attrs["step"] = int(c.optimizer["step"])
    state = _group(optimizer, "state")
    for param, slots in c.optimizer["slots"].items():
        layer, kind = param.split("/")
        layer_group = state[layer] if layer in state else _group(state, layer)
        slot_group = _group(layer_group, kind)
        for slot, array in slots.items():
            _put(slot_group, slot, array)

    rng = _group(h5, "rng")
    rng.attrs["state"] = json.dumps(c.rng_state, ensure_ascii=False)

    _write_history(_group(h5, "history"), c.history)

    if c.snapshots:
        snapshots = _group(h5, "snapshots")
        for epoch in sorted(c.snapshots):
            epoch_group = _group(snapshots, f"epoch_{int(epoch)}")
            for layer in c.layer_names:
                layer_group = _group(epoch_group, layer)
                for kind in PARAM_KINDS:
                    _put(layer_group, kind, c.snapshots[epoch][f"{layer}/{kind}"])

    if c.runs:
        runs = _group(h5, "runs")
        for i, run in enumerate(c.runs):
            group = _group(runs, f"run_{i}")
            group.attrs["config"] = run.config.to_json()
            group.attrs["status"] = run.status
            group.attrs["started"] = run.started
            _write_history(group, run.history)

    if c.tuning is not None:
        _write_tuning(_group(h5, "tuning"), c.tuning)


def _write_history(group: h5py.Group, history: Mapping[str, np.ndarray]) -> None:
    for column in HISTORY_COLUMNS:
        dtype = np.int64 if column == "epoch" else np.float64
        _put(group, column, np.asarray(history[column], dtype=dtype))


def _none_to_nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def _write_tuning(group: h5py.Group, tuning: Mapping[str, Any]) -> None:
    group.attrs["settings"] = json.dumps(tuning.get("settings", {}), ensure_ascii=False)
    group.attrs["space"] = json.dumps(tuning.get("space", {}), ensure_ascii=False)
    best = tuning.get("best_trial")
    group.attrs["best_trial"] = -1 if best is None else int(best)
    trials = list(tuning.get("trials", []))
    _put(group, "number", np.array([int(t["number"]) for t in trials], dtype=np.int64))
    for column in ("score", "score_std", "duration"):
        _put(group, column, np.array([_none_to_nan(t.get(column)) for t in trials], dtype=np.float64))
    _put_strings(group, "state", [str(t["state"]) for t in trials])
    _put_strings(group, "params", [json.dumps(t.get("params", {}), ensure_ascii=False) for t in trials])
    _put_strings(group, "fold_scores", [json.dumps(list(t.get("fold_scores", []))) for t in trials])
    _put_strings(group, "message", [str(t.get("message", "")) for t in trials])


# --- reading --------------------------------------------------------------------------------------
def read_contents(path: str | os.PathLike) -> SessionContents:
    """Open, check and read a session file; every problem is one `SessionFormatError`."""
    where = Path(path).name
    with _one_error(where):
        with h5safe.open_checked(path) as h5:
            version = _format_version(h5, where)
        if version == FORMAT_VERSION:
            return _read_file(path, where)
        with upgraded_copy(path, version) as current:
            return _read_file(current, where)


@contextlib.contextmanager
def _one_error(where: str) -> Iterator[None]:
    """Turn whatever h5py raises on damaged metadata into one `SessionFormatError`."""
    try:
        yield
    except SessionFormatError:
        raise
    except Exception as err:  # noqa: BLE001 - h5py raises KeyError, OSError, RuntimeError, ... here
        raise SessionFormatError(f"{where}: the file is damaged ({h5safe.first_line(err)})") from None


def _format_version(h5: h5py.File, where: str) -> int:
    try:
        fmt = h5safe.read_text(h5, "format", where)
    except SessionFormatError:
        raise SessionFormatError(f"{where}: not a Workbench session (no 'format' attribute)") from None
    if fmt != FORMAT:
        raise SessionFormatError(f"{where}: not a Workbench session (format is {fmt[:60]!r})")
    version = h5safe.read_int(h5, "format_version", where)
    check_version(version, where)
    return version


def _read_file(path: str | os.PathLike, where: str) -> SessionContents:
    with h5safe.open_checked(path) as h5:
        h5safe.check_structure(h5)
        check_text_crc32(h5, where)
        return _read(h5, where)


def _read_config(obj: h5py.HLObject, where: str, label: str | None = None, name: str = "config") -> Config:
    """The config in attribute `name`; an invalid one is an error naming `label` (default: `name`)."""
    data = h5safe.read_json(obj, name, where, dict)
    try:
        return Config.from_dict(data)
    except ConfigError as err:
        raise SessionFormatError(f"{where}: {label or name}: {err}") from None


def _read(h5: h5py.File, where: str) -> SessionContents:
    config = _read_config(h5, where)
    data = _read_data(h5, config, where)
    shapes = expected_param_shapes(config, len(data.feature_names), data.n_outputs)
    params, activations = _read_model(h5, config, data.task, shapes, where)
    optimizer = _read_optimizer(h5, config, shapes, where)
    rng_state = _read_rng(h5, where)
    history = _read_history(h5safe.require_group(h5, "history", where), config, where)
    epochs = history["epoch"].shape[0]
    snapshots = _read_snapshots(h5, shapes, epochs, where) if "snapshots" in h5 else {}
    runs = _read_runs(h5safe.require_group(h5, "runs", where), where) if "runs" in h5 else []
    tuning = _read_tuning(h5safe.require_group(h5, "tuning", where), where) if "tuning" in h5 else None
    trained_config = _read_trained_config(h5, config, where) if "trained_config" in h5.attrs else None
    return SessionContents(
        config=config, data=data, params=params, activations=activations, optimizer=optimizer,
        rng_state=rng_state, history=history, snapshots=snapshots,
        status=h5safe.read_text(h5, "status", where), started=h5safe.read_text(h5, "created", where),
        saved=h5safe.read_text(h5, "saved", where),
        workbench_version=h5safe.read_text(h5, "workbench_version", where), tuning=tuning, runs=runs,
        trained_config=trained_config)


def _read_trained_config(h5: h5py.File, config: Config, where: str) -> Config:
    """The config the current run's last epoch ran with; it differs from `config` in training knobs only."""
    trained = _read_config(h5, where, name="trained_config")
    if not continues_training(trained, config):
        raise SessionFormatError(f"{where}: trained_config: differs from config in more than the training "
                                 "knobs (data, layers, optimizer, seed or dtype)")
    return trained


def _read_data(h5: h5py.File, config: Config, where: str) -> DataContents:
    group = h5safe.require_group(h5, "data", where)
    task = h5safe.read_text(group, "task", where)
    if task not in ("classification", "regression"):
        raise SessionFormatError(f"{where}: /data: unknown task {task[:40]!r}")
    try:
        config.validate_for(task)
    except ConfigError as err:
        raise SessionFormatError(f"{where}: config: {err}") from None
    features = h5safe.read_text_list(group, "feature_names", where)
    classes = h5safe.read_text_list(group, "class_names", where)
    n_features = len(features)
    if n_features == 0:
        raise SessionFormatError(f"{where}: /data has no features")
    x_shape = h5safe.dataset_shape(group, "X", where)
    if len(x_shape) != 2 or x_shape[1] != n_features:
        raise SessionFormatError(f"{where}: /data/X: expected (samples, {n_features}), file has {x_shape}")
    n = x_shape[0]
    if task == "classification":
        if len(classes) < 2:
            raise SessionFormatError(f"{where}: /data: a classification needs at least 2 class names")
        y = h5safe.read_array(group, "y", where, (n,), "i")
        if y.size and (y.min() < 0 or y.max() >= len(classes)):
            raise SessionFormatError(f"{where}: /data/y holds class indices outside 0..{len(classes) - 1}")
    else:
        y_shape = h5safe.dataset_shape(group, "y", where)
        if y_shape[:1] != (n,) or len(y_shape) > 2:
            raise SessionFormatError(f"{where}: /data/y: expected ({n},) or ({n}, outputs), file has {y_shape}")
        y = h5safe.read_array(group, "y", where, y_shape, "f")
    split = h5safe.read_array(group, "split", where, (n,), "i")
    if split.size and (split.min() < 0 or split.max() > 2):
        raise SessionFormatError(f"{where}: /data/split holds values other than 0, 1, 2")
    scaler = h5safe.require_group(group, "scaler", where)
    mean = h5safe.read_array(scaler, "mean", where, (n_features,))
    scale = h5safe.read_array(scaler, "scale", where, (n_features,))
    if not (np.isfinite(scale).all() and (scale > 0).all() and np.isfinite(mean).all()):
        raise SessionFormatError(f"{where}: /data/scaler holds a non-finite mean or a scale that is not positive")
    return DataContents(
        X=h5safe.read_array(group, "X", where, x_shape), y=y, split=split.astype(np.int8), task=task,
        source=h5safe.read_text(group, "source", where), feature_names=features, class_names=classes,
        target_name=h5safe.read_text(group, "target_name", where), scaler_mean=mean, scaler_scale=scale)


def _read_model(h5: h5py.File, config: Config, task: str, shapes: Mapping[str, tuple[int, ...]],
                where: str) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    model = h5safe.require_group(h5, "model", where)
    expected_layers = [f"dense_{i}" for i in range(len(config.layers) + 1)]
    names = h5safe.read_text_list(model, "layer_names", where)
    if names != expected_layers:
        raise SessionFormatError(f"{where}: /model: the config has {len(expected_layers)} layers "
                                 f"({', '.join(expected_layers)}); the file lists {len(names)}")
    wanted_activations = [layer.activation for layer in config.layers] + [output_activation(task)]
    params: dict[str, np.ndarray] = {}
    activations: dict[str, str] = {}
    for layer, wanted in zip(names, wanted_activations):
        group = h5safe.require_group(model, layer, where)
        activation = h5safe.read_text(group, "activation", where)
        if activation != wanted:
            raise SessionFormatError(f"{where}: layer {layer}: activation {activation[:40]!r} "
                                     f"does not match the config ({wanted})")
        for kind in PARAM_KINDS:
            shape = shapes[f"{layer}/{kind}"]
            actual = h5safe.dataset_shape(group, kind, where)
            if actual != shape:
                raise SessionFormatError(f"{where}: layer {layer}: expected {kind} {shape}, file has {actual}")
            params[f"{layer}/{kind}"] = h5safe.read_array(group, kind, where, shape)
        activations[layer] = activation
    return params, activations


def _read_optimizer(h5: h5py.File, config: Config, shapes: Mapping[str, tuple[int, ...]],
                    where: str) -> dict[str, Any]:
    group = h5safe.require_group(h5, "optimizer", where)
    name = h5safe.read_text(group, "name", where)
    if name != config.optimizer.name:
        raise SessionFormatError(f"{where}: /optimizer is {name[:40]!r} but the config says "
                                 f"{config.optimizer.name}")
    step = h5safe.read_int(group, "step", where)
    if step < 0:
        raise SessionFormatError(f"{where}: /optimizer: negative step count")
    state = h5safe.require_group(group, "state", where)
    slots: dict[str, dict[str, np.ndarray]] = {}
    for layer in state:
        for kind in h5safe.require_group(state, layer, where):
            param = f"{layer}/{kind}"
            if param not in shapes:
                raise SessionFormatError(f"{where}: /optimizer/state/{param[:60]} is not a parameter of this network")
            slot_group = h5safe.require_group(state[layer], kind, where)
            names = list(slot_group)
            if len(names) > MAX_SLOTS or not all(_SLOT_NAME.match(n) for n in names):
                raise SessionFormatError(f"{where}: /optimizer/state/{param}: unexpected slot names")
            slots[param] = {n: h5safe.read_array(slot_group, n, where, shapes[param]) for n in names}
    return {"name": name, "step": step, "slots": slots}


def _read_rng(h5: h5py.File, where: str) -> dict[str, Any]:
    state = h5safe.read_json(h5safe.require_group(h5, "rng", where), "state", where, dict)
    try:
        np.random.PCG64().state = state
    except (ValueError, TypeError, KeyError, OverflowError):
        raise SessionFormatError(f"{where}: /rng: not a valid PCG64 random-generator state") from None
    return state


def _read_history(group: h5py.Group, config: Config, where: str) -> dict[str, np.ndarray]:
    shape = h5safe.dataset_shape(group, "epoch", where)
    if len(shape) != 1 or shape[0] > config.training.epochs:
        raise SessionFormatError(f"{where}: {group.name}: {shape} epochs of history, but the config "
                                 f"trains at most {config.training.epochs}")
    history = {column: h5safe.read_array(group, column, where, shape, "i" if column == "epoch" else "f")
               for column in HISTORY_COLUMNS}
    history["epoch"] = history["epoch"].astype(np.int64)
    history.update({c: history[c].astype(np.float64) for c in HISTORY_COLUMNS[1:]})
    return history


def _read_snapshots(h5: h5py.File, shapes: Mapping[str, tuple[int, ...]], epochs: int,
                    where: str) -> dict[int, dict[str, np.ndarray]]:
    group = h5safe.require_group(h5, "snapshots", where)
    names = list(group)
    if len(names) > MAX_SNAPSHOTS_IN_FILE:
        raise SessionFormatError(f"{where}: /snapshots holds {len(names)} epochs; at most {MAX_SNAPSHOTS_IN_FILE}")
    snapshots: dict[int, dict[str, np.ndarray]] = {}
    for name in names:
        match = _SNAPSHOT_NAME.match(name)
        if not match or int(match.group(1)) > epochs:
            raise SessionFormatError(f"{where}: /snapshots/{name[:40]} is not an epoch of this session")
        epoch_group = group[name]
        snapshot = {}
        for param, shape in shapes.items():
            layer, kind = param.split("/")
            snapshot[param] = h5safe.read_array(h5safe.require_group(epoch_group, layer, where), kind, where, shape)
        snapshots[int(match.group(1))] = snapshot
    return snapshots


def _read_runs(group: h5py.Group, where: str) -> list[RunContents]:
    names = list(group)
    if len(names) > MAX_RUNS or names != [f"run_{i}" for i in range(len(names))]:
        raise SessionFormatError(f"{where}: /runs must hold run_0, run_1, ... in order")
    runs = []
    for name in names:
        run = group[name]
        config = _read_config(run, where, f"/runs/{name} config")
        runs.append(RunContents(config=config, history=_read_history(run, config, where),
                                status=h5safe.read_text(run, "status", where),
                                started=h5safe.read_text(run, "started", where)))
    return runs


def _read_tuning(group: h5py.Group, where: str) -> dict[str, Any]:
    settings = h5safe.read_json(group, "settings", where, dict)
    space = h5safe.read_json(group, "space", where, dict)
    best = h5safe.read_int(group, "best_trial", where)
    shape = h5safe.dataset_shape(group, "number", where)
    if len(shape) != 1:
        raise SessionFormatError(f"{where}: /tuning/number must be 1-D")
    n = shape[0]
    numbers = {c: h5safe.read_array(group, c, where, (n,), "i" if c == "number" else "f") for c in TRIAL_NUMBERS}
    texts = {c: h5safe.read_strings(group, c, where, n) for c in TRIAL_TEXTS}
    trials = []
    for i in range(n):
        state = texts["state"][i]
        if state not in TRIAL_STATES:
            raise SessionFormatError(f"{where}: /tuning: trial {i} has unknown state {state[:30]!r}")
        trials.append({
            "number": int(numbers["number"][i]),
            "params": _json_cell(texts["params"][i], dict, where, "params", i),
            "score": _nan_to_none(numbers["score"][i]),
            "score_std": _nan_to_none(numbers["score_std"][i]),
            "state": state,
            "duration": float(numbers["duration"][i]),
            "fold_scores": [float(v) for v in _json_cell(texts["fold_scores"][i], list, where, "fold_scores", i)],
            "message": texts["message"][i],
        })
    return {"settings": settings, "space": space, "trials": trials, "best_trial": None if best < 0 else best}


def _json_cell(text: str, kind: type, where: str, column: str, row: int) -> Any:
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        value = None
    if not isinstance(value, kind):
        raise SessionFormatError(f"{where}: /tuning/{column}: trial {row} is not valid JSON")
    return value


def _nan_to_none(value: float) -> float | None:
    return None if np.isnan(value) else float(value)
