"""Shared builders for the session tests: small, valid session contents and a content dump."""
from __future__ import annotations

import h5py
import numpy as np

from workbench.core.config import Config
from workbench.io.session import HISTORY_COLUMNS, DataContents, RunContents, SessionContents, expected_param_shapes

SLOTS = {"sgd": (), "momentum": ("velocity",), "nesterov": ("velocity",), "adagrad": ("sum_sq",),
         "rmsprop": ("sq_avg",), "adam": ("m", "v"), "adamw": ("m", "v")}


def build_contents(seed: int = 0, *, config: Config | None = None, task: str = "classification",
                   n_features: int = 2, n_outputs: int = 3, n_samples: int = 24, epochs: int = 3,
                   tuning: bool = True, runs: int = 1) -> SessionContents:
    """Deterministic, valid contents for `config` (default: a small two-hidden-layer net)."""
    rng = np.random.default_rng(seed)
    config = config or Config().updated({"training.epochs": max(epochs, 1)})
    dtype = np.dtype(config.training.dtype)
    shapes = expected_param_shapes(config, n_features, n_outputs)
    params = {k: rng.standard_normal(s).astype(dtype) for k, s in shapes.items()}
    slot_names = SLOTS[config.optimizer.name]
    history = {c: rng.standard_normal(epochs) for c in HISTORY_COLUMNS}
    history["epoch"] = np.arange(1, epochs + 1, dtype=np.int64)
    if task == "classification":
        y = rng.integers(0, n_outputs, n_samples)
        classes = [f"class {i}" for i in range(n_outputs)]
    else:
        y = rng.standard_normal(n_samples if n_outputs == 1 else (n_samples, n_outputs))
        classes = []
    activations = {f"dense_{i}": layer.activation for i, layer in enumerate(config.layers)}
    activations[f"dense_{len(config.layers)}"] = "softmax" if task == "classification" else "linear"
    return SessionContents(
        config=config,
        data=DataContents(X=rng.standard_normal((n_samples, n_features)), y=y,
                          split=rng.integers(0, 3, n_samples).astype(np.int8), task=task,
                          source="builtin:test", feature_names=[f"x{i}" for i in range(n_features)],
                          class_names=classes, target_name="label", scaler_mean=rng.standard_normal(n_features),
                          scaler_scale=rng.uniform(0.5, 2.0, n_features)),
        params=params, activations=activations,
        optimizer={"name": config.optimizer.name, "step": epochs * 2,
                   "slots": {k: {s: rng.standard_normal(v.shape).astype(dtype) for s in slot_names}
                             for k, v in params.items()}},
        rng_state=np.random.PCG64(seed).state, history=history,
        snapshots={e: {k: rng.standard_normal(v.shape).astype(dtype) for k, v in params.items()}
                   for e in range(0, epochs + 1, 2)},
        status="completed" if epochs else "new", started="2025-01-02T03:04:05+00:00",
        tuning={"settings": {"method": "random", "trials": 2}, "space": {"optimizer.lr": [0.1, 0.01]},
                "trials": [{"number": 0, "params": {"optimizer.lr": 0.1}, "score": 0.75, "score_std": 0.05,
                            "state": "complete", "duration": 1.25, "fold_scores": [0.7, 0.8], "message": ""},
                           {"number": 1, "params": {"optimizer.lr": 0.01}, "score": None, "score_std": None,
                            "state": "failed", "duration": 0.5, "fold_scores": [], "message": "diverged é"}],
                "best_trial": 0} if tuning else None,
        runs=[RunContents(config, {k: v[:1] for k, v in history.items()}, "stopped", "2025-01-01T00:00:00+00:00")
              for _ in range(runs)])


def dump(path) -> dict:
    """Every attribute and dataset of an HDF5 file, for equality checks.

    Leaves out the root attributes that describe the save rather than the session: `saved` (the
    time), `workbench_version`, and `text_crc32` (which covers the time).
    """
    out: dict = {}

    def visit(name, obj):
        for key, value in obj.attrs.items():
            if not (name == "/" and key in ("saved", "workbench_version", "text_crc32")):
                out[f"{name}@{key}"] = value
        if isinstance(obj, h5py.Dataset):
            out[name] = (obj.dtype.str, obj[()].tobytes())

    with h5py.File(path, "r") as f:
        visit("/", f)
        f.visititems(visit)
    return out

