"""Data: load a data set, hold samples out, and standardise inputs for training.

The public entry of the data layer. Built-in sets live in `datasets_builtin` (generators and
shipped tables), file import in `tabular` (CSV and .npz for training, and the `Dataset` record;
`feature_table` encodes new rows for predictions); both are re-exported here so that callers import from one
place.

Standardisation is fitted on the training rows only, and missing numbers are filled with the
training mean, so validation and test figures measure what a model does on data it has never seen
in any form.
"""
from __future__ import annotations

import math
import threading
import warnings
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from workbench.core.config import DataConfig
from workbench.core.datasets_builtin import BUILTIN_DATASETS, BuiltinDataset, describe_builtins, extra_features_in
from workbench.core.csv_cells import MISSING, Table
from workbench.core.data_error import ReadStopped
from workbench.core.tabular import DataError, Dataset, csv_dataset, read_csv, read_csv_table, read_npz

__all__ = [
    "BUILTIN_DATASETS", "BuiltinDataset", "DataError", "DataFile", "Dataset", "MISSING",
    "PreparedData", "Scaler", "TRAIN", "VALIDATION", "TEST", "csv_dataset", "describe_builtins",
    "load_dataset", "open_data_file", "prepare", "read_csv", "read_csv_table", "read_data_file",
    "read_npz", "ReadStopped", "same_samples", "split_indices",
]

TRAIN, VALIDATION, TEST = 0, 1, 2   # the codes of `split_indices`


def load_dataset(config: DataConfig, rng: np.random.Generator,
                 stop: threading.Event | None = None) -> Dataset:
    """The data a config names: the person's file (`path`) or a built-in set generated with `rng`.
    Reading a CSV raises ReadStopped once `stop` is set."""
    dataset = _load(config, rng, stop)
    if config.extra_features and not extra_features_in(dataset):
        dataset = replace(dataset, notes=[*dataset.notes, (
            f"the extra features ({', '.join(config.extra_features)}) are for the generated 2-D sets; "
            f"{config.path or config.dataset} keeps its own features")])
    return dataset


def _load(config: DataConfig, rng: np.random.Generator, stop: threading.Event | None) -> Dataset:
    if config.path:
        return read_data_file(config.path, config.target, config.task, stop, config.exclude)
    spec = BUILTIN_DATASETS.get(config.dataset)
    if spec is None:
        raise DataError(f"unknown data set {config.dataset!r}; the built-in ones are "
                        f"{', '.join(BUILTIN_DATASETS)}")
    if config.task is not None and config.task != spec.task:
        raise DataError(f"{spec.name} is a {spec.task} data set; it cannot be used for {config.task}")
    return spec.load(config.samples, config.noise, rng, config.extra_features)


def read_data_file(path: str, target: str | None = None, task: str | None = None,
                   stop: threading.Event | None = None, exclude: Sequence[str] = ()) -> Dataset:
    """A person's CSV or .npz (by extension), without the CSV columns named in `exclude`; raises
    DataError with a message for a person, and for a CSV ReadStopped once `stop` is set."""
    if path.lower().endswith(".npz"):
        _check_npz_choice(path, target, exclude)
        return read_npz(path, task)
    return read_csv(path, target, task, stop, exclude)


def _check_npz_choice(path: str, target: str | None, exclude: Sequence[str]) -> None:
    if target:
        raise DataError("an .npz file has no named columns: the target is always y, so "
                        "leave the target column unset", path=path)
    if exclude:
        raise DataError("an .npz file has no named columns to leave out: its features are the "
                        "columns of X", path=path)


@dataclass(frozen=True)
class DataFile:
    """A person's CSV or .npz, read once while its target column and task are chosen (the import
    dialog): from a CSV's cells each choice makes a data set in a fraction of the reading time
    (60,000 x 785: 1.3 s against 10.5)."""

    path: str
    table: Table | None = None          # a CSV's cells
    archive: Dataset | None = None      # an .npz's data set, its task inferred

    def dataset(self, target: str | None = None, task: str | None = None,
                exclude: Sequence[str] = ()) -> Dataset:
        """The data set with this target column (CSV), task (None: inferred) and CSV columns left out."""
        if self.table is not None:
            return csv_dataset(self.table, target, task, exclude)
        _check_npz_choice(self.path, target, exclude)
        return self.archive if task is None else read_npz(self.path, task)


def open_data_file(path: str, stop: threading.Event | None = None) -> DataFile:
    """Read a CSV's cells or an .npz's arrays; raises DataError (or OSError) for a file that no
    choice of target can use, ReadStopped once `stop` is set (a CSV stops within 20 ms or so)."""
    if path.lower().endswith(".npz"):
        return DataFile(path, archive=read_npz(path))
    return DataFile(path, table=read_csv_table(path, stop))


def same_samples(a: DataConfig, b: DataConfig, same_seed: bool) -> bool:
    """Whether two data settings load the same samples, so one data set serves both (held-out
    fractions only split it; a file's rows do not depend on the seed, a generated set's do, and
    its extra features are columns of its samples)."""
    if a.path or b.path:
        return (a.path, a.target, a.task, a.exclude) == (b.path, b.target, b.task, b.exclude)
    def generated(c: DataConfig) -> tuple:
        return c.dataset, c.task, c.samples, c.noise, c.extra_features
    return same_seed and generated(a) == generated(b)


# --- splits ------------------------------------------------------------------------------------------
def split_indices(y: np.ndarray, task: str, val_split: float, test_split: float,
                  rng: np.random.Generator) -> np.ndarray:
    """One code per sample (int8): 0 train, 1 validation, 2 test.

    Classification splits every class in proportion (stratified), so that a rare class is not
    left out of validation by chance: each class keeps at least one training sample, then gets at
    least one validation sample, then one test sample, as far as its size allows.
    """
    if not (0.0 <= val_split and 0.0 <= test_split and val_split + test_split < 1.0):
        raise ValueError(f"validation ({val_split}) and test ({test_split}) fractions must be "
                         "non-negative and leave samples for training")
    y = np.asarray(y)
    split = np.full(y.shape[0], TRAIN, dtype=np.int8)
    groups = ([np.flatnonzero(y == label) for label in np.unique(y)] if task == "classification"
              else [np.arange(y.shape[0])])
    for members in groups:
        shuffled = rng.permutation(members)
        n_val, n_test = _held_out(len(members), val_split, test_split)
        split[shuffled[:n_val]] = VALIDATION
        split[shuffled[n_val:n_val + n_test]] = TEST
    return split


def _held_out(size: int, val_split: float, test_split: float) -> tuple[int, int]:
    """Validation and test counts for a group of `size`, at least one each when asked for and
    possible, always leaving one sample for training."""
    def count(fraction: float, room: int) -> int:
        wanted = math.floor(fraction * size + 0.5)
        if fraction > 0.0:
            wanted = max(wanted, 1)
        return max(0, min(wanted, room))

    n_val = count(val_split, size - 1)
    return n_val, count(test_split, size - 1 - n_val)


def _checked_split(split: np.ndarray, n_samples: int) -> np.ndarray:
    split = np.asarray(split)
    if split.shape != (n_samples,):
        raise DataError(f"the split has shape {split.shape}; expected one code per sample ({n_samples})")
    if split.dtype.kind not in "iu" or not np.isin(split, (TRAIN, VALIDATION, TEST)).all():
        raise DataError("the split must hold the codes 0 (train), 1 (validation) and 2 (test) only")
    if not (split == TRAIN).any():
        raise DataError("the split leaves no sample for training")
    return split.astype(np.int8)


# --- scaling -------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Scaler:
    """Standardisation `(X - mean) / scale`, one mean and scale per feature (float64).

    A missing number (NaN) becomes 0, the training mean: the mean and scale are fitted on the
    training rows, so filling a gap this way uses nothing of the validation or test rows (and
    each fold of a cross-validation fills its gaps from its own training part).
    """

    mean: np.ndarray
    scale: np.ndarray

    def __post_init__(self) -> None:
        mean = np.asarray(self.mean, dtype=np.float64).ravel()
        scale = np.asarray(self.scale, dtype=np.float64).ravel()
        if mean.shape != scale.shape:
            raise DataError(f"scaler: {mean.size} means for {scale.size} scales")
        if not (np.isfinite(mean).all() and np.isfinite(scale).all() and (scale > 0).all()):
            raise DataError("scaler: means must be finite and scales finite and positive")
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "scale", scale)

    @classmethod
    def fit(cls, X: np.ndarray) -> "Scaler":
        """Mean and standard deviation of each column over its values (NaN left out); a constant
        column gets scale 1 (not 0), and a column with no value in these rows mean 0 and scale 1."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] == 0:
            raise DataError("the scaler needs at least one training sample")
        empty = np.isnan(X).all(axis=0)
        with warnings.catch_warnings():             # an empty column's NaN is replaced just below
            warnings.simplefilter("ignore", RuntimeWarning)
            mean, std = np.nanmean(X, axis=0), np.nanstd(X, axis=0)
            # numbers near the float64 limit (1e308) overflow the sums: such a column is measured
            # in units of its largest magnitude instead
            huge = ~empty & ~(np.isfinite(mean) & np.isfinite(std))
            if huge.any():
                unit = np.nanmax(np.abs(X[:, huge]), axis=0)
                mean[huge] = unit * np.nanmean(X[:, huge] / unit, axis=0)
                std[huge] = unit * np.nanstd(X[:, huge] / unit, axis=0)
        mean[empty], std[empty] = 0.0, 1.0
        constant = std <= 1e-10 * np.abs(mean)
        return cls(mean, np.where(constant, 1.0, std))

    @property
    def n_features(self) -> int:
        return int(self.mean.size)

    def transform(self, X: np.ndarray, dtype: np.dtype | str | None = None) -> np.ndarray:
        """Standardised copy of X (n_samples, n_features), computed in float64, returned in `dtype`;
        missing numbers (NaN) become 0."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise DataError(f"expected {self.n_features} features per sample, got shape {X.shape}")
        scaled = (X - self.mean) / self.scale
        scaled[np.isnan(scaled)] = 0.0
        return scaled.astype(dtype or np.float64, copy=False)


# --- prepared for training ---------------------------------------------------------------------------
class PreparedData:
    """A data set with its split and scaler, and the arrays training reads, made once.

    `X_*` are scaled and cast to `dtype`; `y_*` are int64 class indices (classification) or
    values in `dtype` (regression), for the train, validation and test rows in data-set order.
    """

    def __init__(self, dataset: Dataset, split: np.ndarray, scaler: Scaler,
                 dtype: np.dtype | str = "float32"):
        self.dataset = dataset
        self.split = _checked_split(split, dataset.n_samples)
        if scaler.n_features != dataset.n_features:
            raise DataError(f"the scaler has {scaler.n_features} features, the data {dataset.n_features}")
        self.scaler = scaler
        self.dtype = np.dtype(dtype)
        X = scaler.transform(dataset.X, self.dtype)
        y = dataset.y if dataset.task == "classification" else dataset.y.astype(self.dtype)
        self.X_train, self.y_train = X[self.split == TRAIN], y[self.split == TRAIN]
        self.X_val, self.y_val = X[self.split == VALIDATION], y[self.split == VALIDATION]
        self.X_test, self.y_test = X[self.split == TEST], y[self.split == TEST]
        for array in (self.X_train, self.y_train, self.X_val, self.y_val, self.X_test, self.y_test):
            array.flags.writeable = False        # shared by the runs of a session (Experiment.reset)


def prepare(dataset: Dataset, split: np.ndarray, scaler: Scaler | None = None,
            dtype: np.dtype | str = "float32") -> PreparedData:
    """Scale and cast for training; without a scaler, one is fitted on the training rows only."""
    split = _checked_split(split, dataset.n_samples)
    if scaler is None:
        scaler = Scaler.fit(dataset.X[split == TRAIN])
    return PreparedData(dataset, split, scaler, dtype)
