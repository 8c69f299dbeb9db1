"""Hyperparameters: everything a person sets before training, as one validated, frozen value.

Parameters (weights and biases) are arrays that training learns; they never live here. A `Config`
round-trips through plain JSON (`to_dict` / `from_dict`), the same shape as `workbench train
--config FILE.json` and the session file's `config` attribute. Every invalid value raises a
`ConfigError` that names the field and what is allowed.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Mapping

from workbench.core.class_weights import CLASS_WEIGHTS
from workbench.core.extra_features import EXTRA_FEATURES, in_column_order

TASKS = ("classification", "regression")
DTYPES = ("float32", "float64")
MAX_HIDDEN_LAYERS = 64
MAX_UNITS = 65536
# Far beyond any useful rate: a huge one is allowed so that a person can watch training diverge
MAX_LEARNING_RATE = 1e6
MAX_EPOCHS = 10_000_000
MAX_SEED = 2**32 - 1
MAX_SAMPLES = 10_000_000       # a generated set's size


class ConfigError(ValueError):
    """A hyperparameter has a value outside what is allowed; the message names the field."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


def registry_names(kind: str) -> tuple[str, ...]:
    """The public names of one registry; imported here so the vocabulary is defined once."""
    from workbench.core import activations, initializers, losses, optimizers, schedules

    registry = {
        "activation": activations.ACTIVATIONS,
        "init": initializers.INITIALIZERS,
        "loss": losses.LOSSES,
        "optimizer": optimizers.OPTIMIZERS,
        "schedule": schedules.SCHEDULES,
    }[kind]
    return tuple(registry)


def _check_choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if not isinstance(value, str) or value not in choices:
        raise ConfigError(name, f"{value!r} is not one of {', '.join(choices)}")


def _check_number(name: str, value: Any, lo: float, hi: float, *, integer: bool = False,
                  lo_open: bool = False) -> None:
    kind = "an integer" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            integer and not isinstance(value, int)):
        raise ConfigError(name, f"{value!r} is not {kind}")
    if not math.isfinite(value):
        raise ConfigError(name, f"{value!r} is not finite")
    low_ok = value > lo if lo_open else value >= lo
    if not low_ok or value > hi:
        bracket = "(" if lo_open else "["
        raise ConfigError(name, f"{value!r} is outside the allowed range {bracket}{lo}, {hi}]")


def _float_fields(cls: type, values: dict[str, Any]) -> dict[str, Any]:
    """Turn ints given for float fields (JSON `1` for `1.0`) into Python floats.

    Hyperparameters stay Python floats so that NumPy float32 arithmetic is never promoted.
    """
    for f in fields(cls):
        if f.type in ("float", float) and isinstance(values.get(f.name), int) and not isinstance(
                values.get(f.name), bool):
            values[f.name] = float(values[f.name])
    return values


def _from_mapping(cls: type, data: Any, section: str) -> Any:
    if not isinstance(data, Mapping):
        raise ConfigError(section, f"expected an object, got {type(data).__name__}")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{section}.{unknown[0]}", f"unknown setting (known: {', '.join(sorted(known))})")
    values = _float_fields(cls, dict(data))
    try:
        return cls(**values)
    except ConfigError as err:
        raise ConfigError(f"{section}.{err.field}", str(err).split(": ", 1)[1]) from None


@dataclass(frozen=True)
class LayerConfig:
    """One hidden layer: its width and the choices that shape how it learns."""

    units: int = 8
    activation: str = "relu"
    dropout: float = 0.0
    init: str = "he"

    def __post_init__(self) -> None:
        _check_number("units", self.units, 1, MAX_UNITS, integer=True)
        _check_choice("activation", self.activation, registry_names("activation"))
        _check_number("dropout", self.dropout, 0.0, 0.95)
        _check_choice("init", self.init, registry_names("init"))


@dataclass(frozen=True)
class DataConfig:
    """Where the samples come from and how they are held out."""

    dataset: str = "spiral"         # a built-in name; ignored when `path` is set
    path: str | None = None         # a CSV or .npz file of the user's
    target: str | None = None       # CSV target column (default: the last one)
    task: str | None = None         # None: inferred from the target
    exclude: tuple[str, ...] = ()   # CSV columns left out of the features (an ID, a name)
    samples: int | None = None      # generated sets only; None: the set's default
    noise: float = 0.0              # generated sets only, 0 to 0.5
    extra_features: tuple[str, ...] = ()   # generated sets only: x1^2, x2^2, x1*x2, sin(x1), sin(x2)
    val_split: float = 0.2
    test_split: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.dataset, str) or not self.dataset:
            raise ConfigError("dataset", "expected a data set name")
        if self.path is not None and not isinstance(self.path, str):
            raise ConfigError("path", "expected a file path")
        if self.target is not None and not isinstance(self.target, str):
            raise ConfigError("target", "expected a column name")
        if self.task is not None:
            _check_choice("task", self.task, TASKS)
        if isinstance(self.exclude, list):          # from JSON
            object.__setattr__(self, "exclude", tuple(self.exclude))
        if not isinstance(self.exclude, tuple) or not all(isinstance(c, str) and c for c in self.exclude):
            raise ConfigError("exclude", "expected a list of column names")
        if len(set(self.exclude)) != len(self.exclude):
            raise ConfigError("exclude", "names a column twice")
        if self.target is not None and self.target in self.exclude:
            raise ConfigError("exclude", f"the target column {self.target!r} cannot be left out")
        if isinstance(self.extra_features, list):   # from JSON
            object.__setattr__(self, "extra_features", tuple(self.extra_features))
        if not isinstance(self.extra_features, tuple):
            raise ConfigError("extra_features", f"expected a list of {', '.join(EXTRA_FEATURES)}")
        for name in self.extra_features:
            if name not in EXTRA_FEATURES:
                raise ConfigError("extra_features", f"{name!r} is not one of {', '.join(EXTRA_FEATURES)}")
        if len(set(self.extra_features)) != len(self.extra_features):
            raise ConfigError("extra_features", "names a feature twice")
        object.__setattr__(self, "extra_features", in_column_order(self.extra_features))
        if self.samples is not None:
            _check_number("samples", self.samples, 10, MAX_SAMPLES, integer=True)
        _check_number("noise", self.noise, 0.0, 0.5)
        _check_number("val_split", self.val_split, 0.0, 0.9)
        _check_number("test_split", self.test_split, 0.0, 0.9)
        if self.val_split + self.test_split > 0.9:
            raise ConfigError("val_split", "validation and test together must leave at least 10% for training")


@dataclass(frozen=True)
class OptimizerConfig:
    """The update rule and its knobs; each optimizer reads the knobs it uses."""

    name: str = "adam"
    lr: float = 0.01
    momentum: float = 0.9           # momentum, nesterov, rmsprop (when > 0)
    beta1: float = 0.9              # adam, adamw
    beta2: float = 0.999            # adam, adamw; rmsprop's decay is `rho`
    rho: float = 0.9                # rmsprop
    eps: float = 1e-8
    weight_decay: float = 0.0       # decoupled (adamw); coupled L2 is `training.l2`

    def __post_init__(self) -> None:
        _check_choice("name", self.name, registry_names("optimizer"))
        _check_number("lr", self.lr, 0.0, MAX_LEARNING_RATE, lo_open=True)
        _check_number("momentum", self.momentum, 0.0, 0.9999)
        _check_number("beta1", self.beta1, 0.0, 0.9999)
        _check_number("beta2", self.beta2, 0.0, 0.999999)
        _check_number("rho", self.rho, 0.0, 0.9999)
        _check_number("eps", self.eps, 0.0, 1.0, lo_open=True)
        _check_number("weight_decay", self.weight_decay, 0.0, 1.0)


@dataclass(frozen=True)
class ScheduleConfig:
    """How the learning rate changes over epochs (warm-up first, then the schedule)."""

    name: str = "constant"          # constant, step, exponential, cosine
    warmup_epochs: int = 0          # linear ramp from lr/warmup to lr over these epochs
    step_size: int = 30             # step: epochs between decays
    gamma: float = 0.5              # step and exponential: decay factor
    min_lr: float = 0.0             # cosine: the floor

    def __post_init__(self) -> None:
        _check_choice("name", self.name, registry_names("schedule"))
        _check_number("warmup_epochs", self.warmup_epochs, 0, 1_000_000, integer=True)
        _check_number("step_size", self.step_size, 1, 1_000_000, integer=True)
        _check_number("gamma", self.gamma, 0.0, 1.0, lo_open=True)
        _check_number("min_lr", self.min_lr, 0.0, MAX_LEARNING_RATE)


@dataclass(frozen=True)
class TrainingConfig:
    """How the training loop runs: length, batches, loss, regularisation, stopping, precision."""

    epochs: int = 200
    batch_size: int = 16
    loss: str | None = None         # None: cross_entropy for classification, mse for regression
    class_weight: str = "none"      # "balanced": rare classes count more in the loss (classification)
    l1: float = 0.0
    l2: float = 0.0                 # l1 and l2 together: elastic net
    clip_norm: float = 0.0          # 0: no gradient-norm clipping
    early_stopping: int = 0         # patience in epochs; 0: off
    restore_best: bool = True       # with early stopping: go back to the best validation weights
    seed: int = 0
    dtype: str = "float32"
    threads: int = 1                # BLAS threads (1 is fastest and steadiest for small nets)

    def __post_init__(self) -> None:
        _check_number("epochs", self.epochs, 1, MAX_EPOCHS, integer=True)
        _check_number("batch_size", self.batch_size, 1, 1_000_000, integer=True)
        if self.loss is not None:
            _check_choice("loss", self.loss, registry_names("loss"))
        _check_choice("class_weight", self.class_weight, CLASS_WEIGHTS)
        _check_number("l1", self.l1, 0.0, 10.0)
        _check_number("l2", self.l2, 0.0, 10.0)
        _check_number("clip_norm", self.clip_norm, 0.0, 1e6)
        _check_number("early_stopping", self.early_stopping, 0, 1_000_000, integer=True)
        if not isinstance(self.restore_best, bool):
            raise ConfigError("restore_best", f"{self.restore_best!r} is not true or false")
        _check_number("seed", self.seed, 0, MAX_SEED, integer=True)
        _check_choice("dtype", self.dtype, DTYPES)
        _check_number("threads", self.threads, 1, 256, integer=True)


def _default_layers() -> tuple[LayerConfig, ...]:
    return (LayerConfig(8, "tanh", init="xavier"), LayerConfig(8, "tanh", init="xavier"))


@dataclass(frozen=True)
class Config:
    """All hyperparameters of one experiment. The output layer follows the task (see `output_activation`)."""

    data: DataConfig = field(default_factory=DataConfig)
    layers: tuple[LayerConfig, ...] = field(default_factory=_default_layers)
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)

    def __post_init__(self) -> None:
        if isinstance(self.layers, list):
            object.__setattr__(self, "layers", tuple(self.layers))
        if not isinstance(self.layers, tuple) or not all(isinstance(x, LayerConfig) for x in self.layers):
            raise ConfigError("layers", "expected a list of layers")
        if len(self.layers) > MAX_HIDDEN_LAYERS:
            raise ConfigError("layers", f"{len(self.layers)} hidden layers; at most {MAX_HIDDEN_LAYERS}")
        for name, cls in (("data", DataConfig), ("optimizer", OptimizerConfig),
                          ("schedule", ScheduleConfig), ("training", TrainingConfig)):
            if not isinstance(getattr(self, name), cls):
                raise ConfigError(name, f"expected {cls.__name__}")

    # --- JSON -----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict: {"data": {...}, "layers": [{...}], "optimizer": {...}, ...}."""
        out = asdict(self)
        out["layers"] = [asdict(layer) for layer in self.layers]
        # written only when set: a file that leaves nothing out stays readable by a Workbench from
        # before the setting (its reader refuses keys it does not know)
        if self.data.exclude:
            out["data"]["exclude"] = list(self.data.exclude)
        else:
            del out["data"]["exclude"]
        if self.data.extra_features:
            out["data"]["extra_features"] = list(self.data.extra_features)
        else:
            del out["data"]["extra_features"]
        if self.training.class_weight == "none":
            del out["training"]["class_weight"]
        return out

    @classmethod
    def from_dict(cls, data: Any) -> "Config":
        """Build and validate from a dict; missing sections or keys take their defaults."""
        if not isinstance(data, Mapping):
            raise ConfigError("config", f"expected an object, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(unknown[0], f"unknown section (known: {', '.join(sorted(known))})")
        kwargs: dict[str, Any] = {}
        for name, sub in (("data", DataConfig), ("optimizer", OptimizerConfig),
                          ("schedule", ScheduleConfig), ("training", TrainingConfig)):
            if name in data:
                kwargs[name] = _from_mapping(sub, data[name], name)
        if "layers" in data:
            layers = data["layers"]
            if not isinstance(layers, list):
                raise ConfigError("layers", "expected a list of layers")
            kwargs["layers"] = tuple(
                _from_mapping(LayerConfig, layer, f"layers[{i}]") for i, layer in enumerate(layers))
        return cls(**kwargs)

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent, sort_keys=False, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Config":
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, TypeError) as err:
            raise ConfigError("config", f"not valid JSON ({err})") from None
        return cls.from_dict(data)

    # --- Editing ------------------------------------------------------------------------------
    def updated(self, changes: Mapping[str, Any]) -> "Config":
        """A copy with dotted-path changes applied and validated, e.g. {"optimizer.lr": 0.1}.

        `layers` takes a list of layer dicts or LayerConfig; `layers.units` / `layers.activation`
        / `layers.dropout` / `layers.init` set that field in every hidden layer (used by tuning).
        """
        data = self.to_dict()
        for path, value in changes.items():
            section, _, key = path.partition(".")
            if section == "layers" and not key:
                data["layers"] = [asdict(v) if isinstance(v, LayerConfig) else dict(v) for v in value]
            elif section == "layers":
                for layer in data["layers"]:
                    layer[key] = value
            elif section in data and isinstance(data[section], dict) and key:
                data[section][key] = value
            else:
                raise ConfigError(path, "unknown setting")
        return Config.from_dict(data)

    def replace(self, **sections: Any) -> "Config":
        """A copy with whole sections replaced (dataclasses.replace, validated)."""
        return replace(self, **sections)

    # --- Derived ------------------------------------------------------------------------------
    def loss_for(self, task: str) -> str:
        """The loss to use: the configured one, or the task's natural default."""
        return self.training.loss or ("cross_entropy" if task == "classification" else "mse")

    def validate_for(self, task: str) -> None:
        """Check combinations that depend on the data's task (known only once data is loaded)."""
        _check_choice("task", task, TASKS)
        if task == "regression" and self.loss_for(task) == "cross_entropy":
            raise ConfigError("training.loss", "cross_entropy needs a classification target; "
                                               "use mse, mae or huber for regression")


def continues_training(old: Config, new: Config) -> bool:
    """True when `new` can continue `old`'s learned weights (only training knobs differ: the
    learning rate, schedule, batch size, epochs, regularisation, ...)."""
    def shape(c: Config) -> tuple:
        return (c.data, c.layers, replace(c.optimizer, lr=1.0), c.training.seed, c.training.dtype)
    return shape(old) == shape(new)


def output_activation(task: str) -> str:
    """The output layer's activation: softmax over classes (two classes too) or linear.

    Binary problems use a two-unit softmax rather than one sigmoid unit, so that every
    classification head has the same shape, loss and export layout.
    """
    return "softmax" if task == "classification" else "linear"
