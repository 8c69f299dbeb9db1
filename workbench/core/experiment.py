"""One experiment in memory: hyperparameters, data, learned parameters and everything needed to resume.

This is what a session file holds (`workbench.io.session` saves and loads it). Keeping the
hyperparameters (`config`) apart from the parameters (`network`) is the point of the product.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import threading
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Sequence

import numpy as np

from workbench.core.class_weights import class_weights
from workbench.core.config import Config, output_activation
from workbench.core.data import (Dataset, PreparedData, Scaler, load_dataset, prepare, same_samples,
                                 split_indices)
from workbench.core.history import History
from workbench.core.network import Network
from workbench.core.optimizers import Optimizer, make_optimizer
from workbench.core.seeding import streams
from workbench.core.sizes import format_bytes

# Replay snapshots are bounded twice: by count and by bytes, whichever is smaller.
MAX_SNAPSHOTS = 200
MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024


def now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class RunRecord:
    """An earlier training run of this session, kept so that runs can be compared."""

    config: Config
    history: History
    status: str
    started: str


class Snapshots(dict):
    """Parameter copies by epoch ({epoch: {"dense_0/weight": array, ...}}), for replay.

    Thinned so a long run stays small: every epoch is kept until the bound is reached; then only
    every 2nd, 4th, ... epoch is kept (the stride doubles each time the bound is hit), plus epoch 0
    and always the latest epoch. The bound is at most MAX_SNAPSHOTS snapshots and MAX_SNAPSHOT_BYTES.
    """

    def __init__(self, limit: int, stride: int = 1):
        super().__init__()
        self.limit = limit
        self.stride = stride

    @staticmethod
    def limit_for(network: Network) -> int:
        per_snapshot = max(1, network.flat_params.nbytes)
        return int(max(2, min(MAX_SNAPSHOTS, MAX_SNAPSHOT_BYTES // per_snapshot)))

    def record(self, epoch: int, network: Network) -> None:
        latest = max(self) if self else None
        if latest is not None and latest != 0 and latest % self.stride:
            del self[latest]          # the previous "latest" was only kept for being last
        self[epoch] = network.get_weights()
        while len(self) > self.limit:
            self.stride *= 2
            for old in [e for e in self if e and e % self.stride and e != epoch]:
                del self[old]

    def drop_after(self, epoch: int) -> None:
        for later in [e for e in self if e > epoch]:
            del self[later]


@dataclass
class Experiment:
    """Everything about one model: what was set, what was learned, and how to continue."""

    config: Config
    data: PreparedData
    network: Network
    optimizer: Optimizer
    rng: np.random.Generator
    history: History
    snapshots: Snapshots
    status: str = "new"
    tuning: dict[str, Any] | None = None
    runs: list[RunRecord] = field(default_factory=list)
    started: str = field(default_factory=now_iso)
    # The config the last trained epoch ran with (None until one has): `config` changes when a
    # person edits a training knob after training, and the run is kept in `runs` with this one.
    trained_config: Config | None = None

    # --- construction -----------------------------------------------------------------------------
    @classmethod
    def create(cls, config: Config, dataset: Dataset | None = None,
               split: np.ndarray | None = None, prepared: PreparedData | None = None) -> "Experiment":
        """A fresh, initialised experiment.

        `dataset` skips loading when the caller has it already; `split` (0 train, 1 validation,
        2 test per sample) replaces the seeded split, e.g. for one fold of cross-validation;
        `prepared`, the data split, scaled and cast as this config would (see `reset`).
        """
        rngs = streams(config.training.seed)
        if prepared is not None:
            dataset = prepared.dataset
        elif dataset is None:
            dataset = samples_for(config)
        config.validate_for(dataset.task)
        if prepared is not None:
            data = prepared
        else:
            if split is None:
                split = split_indices(dataset.y, dataset.task, config.data.val_split,
                                      config.data.test_split, rngs.split)
            data = prepare(dataset, split, dtype=config.training.dtype)
        with _memory_for(config, data):
            network = _build_network(config, data)
            network.initialize(rngs.init)
            _start_at_the_mean(network, data)
            experiment = cls(config=config, data=data, network=network,
                             optimizer=make_optimizer(config.optimizer, network), rng=rngs.train,
                             history=History(), snapshots=Snapshots(Snapshots.limit_for(network)))
            experiment.snapshots.record(0, network)
        return experiment

    @classmethod
    def restore(cls, config: Config, dataset: Dataset, split: np.ndarray, scaler: Scaler,
                params: Mapping[str, np.ndarray], optimizer_state: Mapping[str, Any],
                rng_state: Mapping[str, Any], history: History,
                snapshots: Mapping[int, Mapping[str, np.ndarray]], status: str,
                tuning: dict[str, Any] | None = None, runs: Sequence[RunRecord] = (),
                started: str | None = None, trained_config: Config | None = None) -> "Experiment":
        """Rebuild a saved experiment exactly (used by the session loader)."""
        config.validate_for(dataset.task)
        data = prepare(dataset, split, scaler=scaler, dtype=config.training.dtype)
        with _memory_for(config, data):
            network = _build_network(config, data)
            network.set_weights(params)
            optimizer = make_optimizer(config.optimizer, network)
        optimizer.load_state_dict(optimizer_state)
        rng = np.random.Generator(np.random.PCG64())
        rng.bit_generator.state = dict(rng_state)
        kept = Snapshots(Snapshots.limit_for(network))
        for epoch in sorted(snapshots):
            kept[int(epoch)] = {k: np.array(v, dtype=network.dtype) for k, v in snapshots[epoch].items()}
        kept.stride = _stride_of(kept)
        return cls(config=config, data=data, network=network, optimizer=optimizer, rng=rng,
                   history=history, snapshots=kept, status=status, tuning=tuning, runs=list(runs),
                   started=started or now_iso(), trained_config=trained_config)

    # --- derived --------------------------------------------------------------------------------
    @property
    def task(self) -> str:
        return self.data.dataset.task

    @property
    def epochs_trained(self) -> int:
        return len(self.history)

    def rng_state(self) -> dict[str, Any]:
        return self.rng.bit_generator.state

    def class_weights(self) -> np.ndarray | None:
        """The loss's weight per class, from the training rows (`training.class_weight`); None when
        every row counts alike, as in regression."""
        if self.task != "classification":
            return None
        return class_weights(self.config.training.class_weight, self.data.y_train,
                             len(self.data.dataset.class_names), self.network.dtype)

    def predict(self, X_raw: np.ndarray) -> np.ndarray:
        """The network's outputs for feature rows as the data has them (unscaled: the training
        split's scaler is applied here): class probabilities, or the regression values."""
        return self.network.predict(self.data.scaler.transform(X_raw, self.network.dtype))

    # --- editing ----------------------------------------------------------------------------------
    def reset(self, config: Config | None = None, dataset: Dataset | None = None) -> None:
        """Start a new run: keep the current one in `runs` (if it trained), re-initialise from the seed.

        The same config and seed give bit-identical weights, so a reset run repeats exactly. A
        caller that has read the new samples already passes them as `dataset`.
        """
        self.adopt(self.next_run(config, dataset))

    def needs_samples(self, config: Config) -> bool:
        """Whether a reset to `config` loads other samples (a file or a generated set) than these."""
        return not same_samples(config.data, self.config.data,
                                config.training.seed == self.config.training.seed)

    def next_run(self, config: Config | None = None, dataset: Dataset | None = None) -> "Experiment":
        """The fresh run a reset to `config` starts, built without changing this experiment (so
        that a GUI can build it on another thread, then `adopt` it).

        The samples are loaded again only when the new settings name other ones: changing the
        held-out fractions re-splits the data in memory instead of reading a person's file again,
        and an edit that keeps the split too keeps the scaled arrays.
        """
        config = config or self.config
        old = self.config
        if dataset is None and not self.needs_samples(config):
            dataset = self.data.dataset
        # the same samples, split and dtype: the prepared arrays too (scaling a large data set
        # again would hold up every edit of a hyperparameter)
        same_split = (dataset is self.data.dataset and config.training.seed == old.training.seed
                      and config.training.dtype == old.training.dtype
                      and (config.data.val_split, config.data.test_split) == (old.data.val_split, old.data.test_split))
        return Experiment.create(config, dataset, prepared=self.data if same_split else None)

    def adopt(self, fresh: "Experiment") -> None:
        """Make `fresh` (from `next_run`) the current run; the current one, if it trained, is kept in `runs`."""
        if len(self.history):
            self.runs.append(RunRecord(self.trained_config or self.config, self.history.copy(), self.status,
                                       self.started))
        self.config, self.data, self.network = fresh.config, fresh.data, fresh.network
        self.optimizer, self.rng, self.history = fresh.optimizer, fresh.rng, fresh.history
        self.snapshots, self.status, self.started = fresh.snapshots, "new", fresh.started
        self.trained_config = None


def samples_for(config: Config, stop: threading.Event | None = None) -> Dataset:
    """The samples `config` names, as `Experiment.create` loads them (a generated set from the
    seed's data stream). Raises DataError or OSError with a message for a person; reading a CSV,
    ReadStopped once `stop` is set."""
    return load_dataset(config.data, streams(config.training.seed).data, stop)


class NetworkTooLarge(ValueError):
    """The network's weights, gradients and optimizer state do not fit in this machine's memory."""


@contextlib.contextmanager
def _memory_for(config: Config, data: PreparedData) -> Iterator[None]:
    """Building the network: a MemoryError becomes a message for a person, with the network's size."""
    try:
        yield
    except MemoryError:
        widths = [data.dataset.X.shape[1], *(layer.units for layer in config.layers), data.dataset.n_outputs]
        params = sum((fan_in + 1) * fan_out for fan_in, fan_out in zip(widths, widths[1:]))
        weights = format_bytes(params * np.dtype(config.training.dtype).itemsize)
        raise NetworkTooLarge(
            f"not enough memory for this network: its {params:,} parameters take {weights} for the weights "
            "alone, and training needs about four times that (gradients and the optimizer's state); "
            "use fewer or narrower layers") from None


def _build_network(config: Config, data: PreparedData) -> Network:
    dataset = data.dataset
    return Network(dataset.X.shape[1], config.layers, dataset.n_outputs,
                   output_activation(dataset.task), config.training.dtype)


def _start_at_the_mean(network: Network, data: PreparedData) -> None:
    """Regression: the output bias starts at the training targets' mean, so that the first
    prediction is the mean (R² about 0, not far below) and the weights learn the variation around
    it. A target of a few hundred otherwise takes the bias most of a run to reach at a usual
    learning rate (diabetes: validation R² -0.6 after 50 epochs, 0.4 with this)."""
    if data.dataset.task != "regression" or not data.y_train.shape[0]:
        return
    y = np.asarray(data.y_train, dtype=np.float64).reshape(data.y_train.shape[0], -1)
    network.params[f"{network.layer_names[-1]}/bias"][...] = y.mean(axis=0)


def _stride_of(by_epoch: Mapping[int, Any]) -> int:
    """The thinning stride implied by stored epochs (the largest power of two dividing all but the last)."""
    middle = sorted(e for e in by_epoch if e)[:-1]
    stride = 1
    while middle and all(e % (stride * 2) == 0 for e in middle):
        stride *= 2
    return stride
