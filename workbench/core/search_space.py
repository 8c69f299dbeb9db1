"""The search space of a hyperparameter search: per hyperparameter a fixed value, a list of choices
or a numeric range (linear or log, integer or float).

A space is plain JSON (`workbench tune --space FILE.json`, the `space` of a tuning record):

    {"lr": {"low": 0.0001, "high": 0.1, "log": true},   # a range; integer when the setting is
     "units": {"low": 4, "high": 64, "log": true},       #   an integer (units, epochs, ...)
     "activation": ["relu", "tanh"],                    # choices
     "epochs": 50}                                      # fixed

Keys are the names in `HYPERPARAMETERS` (the words people use: `lr`, `units`, `hidden_layers`) or
any dotted `Config` path such as `optimizer.beta1` or `schedule.name`. A range may add `"points": N`,
the number of values the grid method tries (default 5; an integer range with fewer values tries all).
Optuna is imported only by the functions that need it, so the app starts fast.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Mapping, Protocol, Union

import numpy as np

from workbench.core.config import (Config, ConfigError, LayerConfig, OptimizerConfig,
                                   ScheduleConfig, TrainingConfig)

DEFAULT_GRID_POINTS = 5
MAX_GRID_POINTS = 1000
# A grid search queues its combinations as it goes and keeps the order of the whole grid (8 bytes a
# combination); far beyond this no search could run them all anyway.
MAX_GRID_SIZE = 1_000_000


class SpaceError(ValueError):
    """A search space that cannot be used; the message names the hyperparameter (and file)."""


@dataclass(frozen=True)
class Hyperparameter:
    """A tunable setting: where it lives in the Config and the type of its values."""

    path: str          # dotted Config path; "layers" (hidden_layers) resizes the layer list
    kind: type         # int, float or str
    description: str


HYPERPARAMETERS: dict[str, Hyperparameter] = {
    "hidden_layers": Hyperparameter("layers", int, "number of hidden layers"),
    "units": Hyperparameter("layers.units", int, "units in every hidden layer"),
    "activation": Hyperparameter("layers.activation", str, "activation of every hidden layer"),
    "init": Hyperparameter("layers.init", str, "weight initialisation"),
    "dropout": Hyperparameter("layers.dropout", float, "dropout rate of every hidden layer"),
    "lr": Hyperparameter("optimizer.lr", float, "learning rate"),
    "optimizer": Hyperparameter("optimizer.name", str, "update rule"),
    "momentum": Hyperparameter("optimizer.momentum", float, "momentum"),
    "batch_size": Hyperparameter("training.batch_size", int, "samples per batch"),
    "epochs": Hyperparameter("training.epochs", int, "epochs of training"),
    "l1": Hyperparameter("training.l1", float, "L1 penalty"),
    "l2": Hyperparameter("training.l2", float, "L2 penalty"),
    "class_weight": Hyperparameter("training.class_weight", str, "class weights in the loss (none, balanced)"),
}

# Config sections whose fields may be tuned by their dotted path (data settings change the
# question being asked, so they are not hyperparameters of a search).
_TUNABLE_SECTIONS = {"layers": LayerConfig, "optimizer": OptimizerConfig,
                     "schedule": ScheduleConfig, "training": TrainingConfig}
_FIELD_KINDS = {"int": int, "float": float, "str": str, "str | None": str, "bool": bool}

Value = Union[int, float, str, bool]


def hyperparameter(name: str) -> Hyperparameter:
    """The named hyperparameter, or the Config field at a dotted path; SpaceError if neither."""
    if name in HYPERPARAMETERS:
        return HYPERPARAMETERS[name]
    section, _, key = name.partition(".")
    cls = _TUNABLE_SECTIONS.get(section)
    field_types = {f.name: f.type for f in fields(cls)} if cls else {}
    if key not in field_types or field_types[key] not in _FIELD_KINDS:
        raise SpaceError(f"{name}: unknown hyperparameter (use one of {', '.join(HYPERPARAMETERS)}, "
                         f"or a setting such as optimizer.beta1)")
    return Hyperparameter(name, _FIELD_KINDS[field_types[key]], name)


class Dimension(Protocol):
    """One hyperparameter's allowed values."""

    def suggest(self, trial: Any, name: str) -> Value: ...
    def grid_values(self) -> list[Value]: ...
    def edge_values(self) -> list[Value]: ...
    def to_json(self) -> Any: ...
    def unit(self, value: Value) -> float: ...


@dataclass(frozen=True)
class Fixed:
    value: Value

    def suggest(self, trial: Any, name: str) -> Value:
        return self.value

    def grid_values(self) -> list[Value]:
        return [self.value]

    def edge_values(self) -> list[Value]:
        return [self.value]

    def unit(self, value: Value) -> float:
        """Where `value` lies in the dimension, from 0 to 1 (for parallel-coordinate plots)."""
        return 0.5

    def to_json(self) -> Any:
        return self.value


@dataclass(frozen=True)
class Choice:
    values: tuple[Value, ...]

    def suggest(self, trial: Any, name: str) -> Value:
        return trial.suggest_categorical(name, list(self.values))

    def grid_values(self) -> list[Value]:
        return list(self.values)

    def edge_values(self) -> list[Value]:
        return list(self.values)

    def unit(self, value: Value) -> float:
        return self.values.index(value) / (len(self.values) - 1) if value in self.values else math.nan

    def to_json(self) -> Any:
        return list(self.values)

    def distribution(self) -> Any:
        from optuna.distributions import CategoricalDistribution

        return CategoricalDistribution(list(self.values))


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    log: bool = False
    integer: bool = False
    points: int = DEFAULT_GRID_POINTS

    def suggest(self, trial: Any, name: str) -> Value:
        if self.integer:
            return trial.suggest_int(name, int(self.low), int(self.high), log=self.log)
        return trial.suggest_float(name, float(self.low), float(self.high), log=self.log)

    def grid_values(self) -> list[Value]:
        """`points` values spread evenly (geometrically with log); all integers when fewer."""
        if self.integer and self.high - self.low + 1 <= self.points:
            return list(range(int(self.low), int(self.high) + 1))
        spread = np.geomspace if self.log else np.linspace
        values = spread(self.low, self.high, self.points)
        if self.integer:
            return sorted({int(round(v)) for v in values})
        return [float(v) for v in values]

    def edge_values(self) -> list[Value]:
        return [int(self.low), int(self.high)] if self.integer else [float(self.low), float(self.high)]

    def unit(self, value: Value) -> float:
        scale = math.log if self.log else float
        return (scale(value) - scale(self.low)) / (scale(self.high) - scale(self.low))

    def to_json(self) -> Any:
        out: dict[str, Any] = {"low": self.low, "high": self.high, "log": self.log,
                               "integer": self.integer}
        if self.points != DEFAULT_GRID_POINTS:
            out["points"] = self.points
        return out

    def distribution(self) -> Any:
        from optuna.distributions import FloatDistribution, IntDistribution

        if self.integer:
            return IntDistribution(int(self.low), int(self.high), log=self.log)
        return FloatDistribution(float(self.low), float(self.high), log=self.log)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_value(name: str, value: Any, kind: type) -> Value:
    allowed = {int: (int,), float: (int, float), str: (str,), bool: (bool,)}[kind]
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, allowed):
        raise SpaceError(f"{name}: {value!r} is not {'an' if kind is int else 'a'} {kind.__name__}")
    return float(value) if kind is float else value


def _parse_range(name: str, spec: Mapping[str, Any], kind: type) -> Range:
    unknown = sorted(set(spec) - {"low", "high", "log", "integer", "points"})
    if unknown:
        raise SpaceError(f"{name}: unknown key {unknown[0]!r} in a range (use low, high, log, integer, points)")
    if kind not in (int, float):
        raise SpaceError(f"{name}: a range needs a numeric setting; give a list of choices instead")
    if "low" not in spec or "high" not in spec:
        raise SpaceError(f"{name}: a range needs both low and high")
    low, high = spec["low"], spec["high"]
    if not (_is_number(low) and _is_number(high)):
        raise SpaceError(f"{name}: low and high must be finite numbers")
    if low >= high:
        raise SpaceError(f"{name}: low ({low}) must be below high ({high})")
    log, integer = spec.get("log", False), spec.get("integer", kind is int)
    points = spec.get("points", DEFAULT_GRID_POINTS)
    if not isinstance(log, bool) or not isinstance(integer, bool):
        raise SpaceError(f"{name}: log and integer are true or false")
    if kind is int and not integer:
        raise SpaceError(f"{name}: takes whole numbers; drop \"integer\": false")
    if integer and not (float(low).is_integer() and float(high).is_integer()):
        raise SpaceError(f"{name}: an integer range needs whole-number low and high")
    if log and low <= 0:
        raise SpaceError(f"{name}: a log range needs low > 0")
    if isinstance(points, bool) or not isinstance(points, int) or not 2 <= points <= MAX_GRID_POINTS:
        raise SpaceError(f"{name}: points is a whole number from 2 to {MAX_GRID_POINTS}")
    number = int if integer else float
    return Range(number(low), number(high), log, integer, points)


def parse_dimension(name: str, spec: Any) -> Dimension:
    """One entry of the JSON space: a value (fixed), a list (choices) or an object (range)."""
    kind = hyperparameter(name).kind
    if isinstance(spec, Mapping):
        return _parse_range(name, spec, kind)
    if isinstance(spec, list):
        if not spec:
            raise SpaceError(f"{name}: the list of choices is empty")
        values = tuple(_check_value(name, v, kind) for v in spec)
        if len(set(values)) != len(values):
            raise SpaceError(f"{name}: the choices repeat a value")
        return Fixed(values[0]) if len(values) == 1 else Choice(values)
    return Fixed(_check_value(name, spec, kind))


class SearchSpace:
    """Named dimensions; turns a trial's parameters into a Config built on a base Config."""

    def __init__(self, dimensions: Mapping[str, Dimension]):
        self.dimensions = dict(dimensions)

    @classmethod
    def from_dict(cls, data: Any) -> "SearchSpace":
        if not isinstance(data, Mapping) or not data:
            raise SpaceError("the search space is an object with at least one hyperparameter, "
                             'e.g. {"lr": {"low": 0.001, "high": 0.1, "log": true}}')
        return cls({str(name): parse_dimension(str(name), spec) for name, spec in data.items()})

    @classmethod
    def read(cls, path: str | Path) -> "SearchSpace":
        """Read a JSON space file; every problem is one SpaceError naming the file."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as err:
            raise SpaceError(f"{path}: cannot read ({err.strerror or err})") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise SpaceError(f"{path}: not valid JSON ({err})") from None
        try:
            return cls.from_dict(data)
        except SpaceError as err:
            raise SpaceError(f"{path}: {err}") from None

    def to_dict(self) -> dict[str, Any]:
        return {name: dim.to_json() for name, dim in self.dimensions.items()}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SearchSpace) and self.dimensions == other.dimensions

    @property
    def varying(self) -> dict[str, Dimension]:
        """The dimensions that a sampler chooses (all but the fixed ones)."""
        return {n: d for n, d in self.dimensions.items() if not isinstance(d, Fixed)}

    @property
    def fixed(self) -> dict[str, Value]:
        return {n: d.value for n, d in self.dimensions.items() if isinstance(d, Fixed)}

    # --- sampling ---------------------------------------------------------------------------------
    def suggest(self, trial: Any) -> dict[str, Value]:
        """Ask an Optuna trial for a value of every varying dimension."""
        return {name: dim.suggest(trial, name) for name, dim in self.varying.items()}

    def grid(self) -> dict[str, list[Value]]:
        """The grid method's values per varying dimension."""
        return {name: dim.grid_values() for name, dim in self.varying.items()}

    def grid_size(self) -> int:
        return math.prod(len(values) for values in self.grid().values())

    def grid_point(self, index: int) -> dict[str, Value]:
        """Combination number `index` (0 to grid_size() - 1) of the grid, without listing the grid."""
        point: dict[str, Value] = {}
        for name, values in reversed(self.grid().items()):
            index, position = divmod(index, len(values))
            point[name] = values[position]
        return {name: point[name] for name in self.varying}

    def check_grid(self) -> None:
        """Refuse a grid too big to search (SpaceError naming its size), before any trial runs."""
        size = self.grid_size()
        if size > MAX_GRID_SIZE:
            raise SpaceError(f"the grid has {size:,} combinations, more than the {MAX_GRID_SIZE:,} a "
                             "grid search takes; give ranges fewer \"points\" or fewer choices, or use "
                             "the random or bayes method")

    def distributions(self) -> dict[str, Any]:
        """Optuna distributions of the varying dimensions (to rebuild trials from a record)."""
        return {name: dim.distribution() for name, dim in self.varying.items()}

    # --- applying ---------------------------------------------------------------------------------
    def config_for(self, base: Config, params: Mapping[str, Value]) -> Config:
        """The base Config with the fixed values and a trial's parameters applied (validated)."""
        values = {**self.fixed, **params}
        changes: dict[str, Any] = {}
        if "hidden_layers" in values:  # resize first: per-layer settings then apply to every layer
            changes["layers"] = _resized_layers(base, int(values["hidden_layers"]))
        for name, value in values.items():
            if name != "hidden_layers":
                changes[hyperparameter(name).path] = value
        return base.updated(changes)

    def validate(self, base: Config) -> None:
        """Check every choice and both ends of every range against the Config's rules."""
        for name, dim in self.dimensions.items():
            for value in dim.edge_values():
                try:
                    self.config_for(base, {name: value})
                except ConfigError as err:
                    raise SpaceError(f"{name}: {value!r} is not allowed ({str(err).split(': ', 1)[-1]})") from None


def _resized_layers(base: Config, count: int) -> list[dict[str, Any]]:
    """`count` hidden layers: the base's own, then copies of its first layer (or the default)."""
    if count < 0:
        raise ConfigError("layers", f"{count} hidden layers; at least 0")
    layers = [asdict(layer) for layer in base.layers]
    template = layers[0] if layers else asdict(LayerConfig())
    return [dict(layers[i]) if i < len(layers) else dict(template) for i in range(count)]


DEFAULT_SPACE: dict[str, Any] = {
    "lr": {"low": 0.0003, "high": 0.3, "log": True},
    "units": {"low": 4, "high": 64, "log": True},
    "activation": ["relu", "tanh"],
}
