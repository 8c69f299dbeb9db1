"""A session's content as plain values: a validated `Config` and NumPy arrays, and the conversion
to and from an in-memory `Experiment`.

Plain values, so that `workbench info`, the exports, a save while training (a copy taken between
epochs) and the validation of a file in a child process need neither a network nor an optimizer.
Reading and writing the HDF5 file is io/session.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

import workbench
from workbench.core.config import Config, output_activation
from workbench.io.h5safe import SessionFormatError

if TYPE_CHECKING:
    from workbench.core.experiment import Experiment

HISTORY_COLUMNS = ("epoch", "train_loss", "val_loss", "train_metric", "val_metric", "lr", "seconds")


# --- contents as plain values --------------------------------------------------------------------
@dataclass
class DataContents:
    X: np.ndarray
    y: np.ndarray
    split: np.ndarray
    task: str
    source: str
    feature_names: list[str]
    class_names: list[str]
    target_name: str
    scaler_mean: np.ndarray
    scaler_scale: np.ndarray

    @property
    def n_outputs(self) -> int:
        if self.task == "classification":
            return len(self.class_names)
        return 1 if self.y.ndim == 1 else int(self.y.shape[1])


@dataclass
class RunContents:
    config: Config
    history: dict[str, np.ndarray]
    status: str
    started: str


@dataclass
class SessionContents:
    """Everything a session file holds, validated, as a Config and NumPy arrays."""

    config: Config
    data: DataContents
    params: dict[str, np.ndarray]                 # "dense_0/weight" -> array, in layer order
    activations: dict[str, str]                   # "dense_0" -> activation name
    optimizer: dict[str, Any]                     # Optimizer.state_dict() shape
    rng_state: dict[str, Any]
    history: dict[str, np.ndarray]
    snapshots: dict[int, dict[str, np.ndarray]]
    status: str = "new"
    started: str = ""
    saved: str = ""
    workbench_version: str = workbench.__version__
    tuning: dict[str, Any] | None = None
    runs: list[RunContents] = field(default_factory=list)
    trained_config: Config | None = None          # only when it differs from `config`

    @property
    def layer_names(self) -> list[str]:
        return list(self.activations)

    @property
    def epochs_trained(self) -> int:
        return int(self.history["epoch"].shape[0])


def layer_sizes(config: Config, n_features: int, n_outputs: int) -> list[int]:
    return [n_features] + [layer.units for layer in config.layers] + [n_outputs]


def expected_param_shapes(config: Config, n_features: int, n_outputs: int) -> dict[str, tuple[int, ...]]:
    """The shape of every parameter, from the config and the data's widths."""
    sizes = layer_sizes(config, n_features, n_outputs)
    shapes: dict[str, tuple[int, ...]] = {}
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        shapes[f"dense_{i}/weight"] = (fan_in, fan_out)
        shapes[f"dense_{i}/bias"] = (fan_out,)
    return shapes


# --- experiment <-> contents ---------------------------------------------------------------------
def contents_of(experiment: "Experiment") -> SessionContents:
    """The session content of an in-memory experiment (arrays are referenced, not copied)."""
    data = experiment.data
    dataset = data.dataset
    config = experiment.config
    n_layers = len(config.layers) + 1
    activations = {f"dense_{i}": layer.activation for i, layer in enumerate(config.layers)}
    activations[f"dense_{n_layers - 1}"] = output_activation(dataset.task)
    params = experiment.network.params
    return SessionContents(
        config=config,
        data=DataContents(
            X=np.asarray(dataset.X), y=np.asarray(dataset.y), split=np.asarray(data.split, dtype=np.int8),
            task=dataset.task, source=str(dataset.source), feature_names=list(dataset.feature_names),
            class_names=list(dataset.class_names), target_name=str(dataset.target_name or ""),
            scaler_mean=np.asarray(data.scaler.mean), scaler_scale=np.asarray(data.scaler.scale)),
        params={name: params[name] for name in expected_param_shapes(
            config, dataset.X.shape[1], dataset.n_outputs)},
        activations=activations,
        optimizer=experiment.optimizer.state_dict(),
        rng_state=experiment.rng.bit_generator.state,
        history=experiment.history.as_arrays(),
        snapshots=dict(experiment.snapshots),
        status=experiment.status,
        started=experiment.started,
        tuning=experiment.tuning,
        runs=[RunContents(run.config, run.history.as_arrays(), run.status, run.started)
              for run in experiment.runs],
        trained_config=None if experiment.trained_config == config else experiment.trained_config,
    )


def experiment_from(contents: SessionContents) -> "Experiment":
    """Rebuild the `Experiment` (the core re-checks names and the optimizer state as it builds)."""
    from workbench.core.data import Dataset, Scaler
    from workbench.core.experiment import Experiment, RunRecord
    from workbench.core.history import History

    d = contents.data
    dataset = Dataset(X=d.X, y=d.y, task=d.task, source=d.source, feature_names=list(d.feature_names),
                      class_names=list(d.class_names), target_name=d.target_name)
    try:
        return Experiment.restore(
            contents.config, dataset, d.split, Scaler(d.scaler_mean, d.scaler_scale), contents.params,
            contents.optimizer, contents.rng_state, History.from_arrays(contents.history),
            contents.snapshots, contents.status, tuning=contents.tuning,
            runs=[RunRecord(r.config, History.from_arrays(r.history), r.status, r.started)
                  for r in contents.runs],
            started=contents.started or None,
            # a file leaves it out when the run trained with `config` (or before one trained)
            trained_config=contents.trained_config or (contents.config if contents.epochs_trained else None))
    except (ValueError, TypeError, KeyError) as err:
        raise SessionFormatError(f"the session cannot be restored: {err}") from None
