"""The built-in data sets: six generated 2-D sets and five shipped tables, in one registry.

The generated sets follow TensorFlow Playground's definitions (src/dataset.ts) so that what people
learned there carries over; they draw every random number from the `np.random.Generator` they are
given, so the same seed gives the same points. The tables are plain CSV files in the repository's
`resources/datasets/` (provenance and licences in its README), read with the same `read_csv` as a
person's own files. A wheel installs them inside the package; a checkout or an editable install
(`pip install -e .`) reads them from the source tree.
"""
from __future__ import annotations

import functools
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from workbench.core.extra_features import BASE_FEATURES, extra_features_of, in_column_order, with_extra_features
from workbench.core.tabular import DataError, Dataset, read_csv


def _tables_dir() -> Path:
    """The copy a wheel installs as workbench/resources/datasets (pyproject.toml maps it there) if
    there is one, else resources/datasets in the source tree beside the package."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "resources" / "datasets"
    return installed if installed.is_dir() else package.parent / "resources" / "datasets"


TABLES_DIR = _tables_dir()
FEATURES_2D = list(BASE_FEATURES)
BINARY_CLASSES = ["negative", "positive"]   # Playground's -1 (orange) and +1 (blue)

Generator = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]


# --- generators: (n_samples, noise, rng) -> (X (n, 2), y) -------------------------------------
def _halves(n_samples: int) -> tuple[int, int]:
    return n_samples // 2, n_samples - n_samples // 2


def _polar(radius: np.ndarray, angle: np.ndarray) -> np.ndarray:
    return np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])


def circle(n_samples: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Half the points within radius 2.5, half on a ring 3.5-5; the label asks whether the noised
    point lies within 2.5 (so noise mislabels points, it does not move them)."""
    n_inner, n_outer = _halves(n_samples)
    radius = np.concatenate([rng.uniform(0.0, 2.5, n_inner), rng.uniform(3.5, 5.0, n_outer)])
    X = _polar(radius, rng.uniform(0.0, 2.0 * math.pi, n_samples))
    noised = X + rng.uniform(-5.0, 5.0, X.shape) * noise
    return X, (np.hypot(noised[:, 0], noised[:, 1]) < 2.5).astype(np.int64)


def xor(n_samples: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Uniform in ±5, pushed 0.3 away from both axes; positive where the noised x1·x2 ≥ 0."""
    X = rng.uniform(-5.0, 5.0, (n_samples, 2))
    X += np.where(X > 0, 0.3, -0.3)
    noised = X + rng.uniform(-5.0, 5.0, X.shape) * noise
    return X, (noised[:, 0] * noised[:, 1] >= 0).astype(np.int64)


def gauss(n_samples: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs at (2, 2) (positive) and (-2, -2); variance grows from 0.5 to 4 with noise."""
    n_pos, n_neg = _halves(n_samples)
    std = math.sqrt(0.5 + 7.0 * noise)
    X = np.vstack([rng.normal(2.0, std, (n_pos, 2)), rng.normal(-2.0, std, (n_neg, 2))])
    return X, np.concatenate([np.ones(n_pos, np.int64), np.zeros(n_neg, np.int64)])


def spiral(n_samples: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two arms, radius 0 to 5 over 1.75 turns, the second rotated by π; jitter uniform ±noise."""
    arms, labels = [], []
    for size, rotation, label in zip(_halves(n_samples), (0.0, math.pi), (1, 0)):
        t = np.arange(size) / size
        arms.append(_polar(5.0 * t, 1.75 * 2.0 * math.pi * t + rotation))
        labels.append(np.full(size, label, np.int64))
    X = np.vstack(arms)
    return X + rng.uniform(-1.0, 1.0, X.shape) * noise, np.concatenate(labels)


def plane(n_samples: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Uniform in ±6; the value (x1' + x2') / 10 of the point moved by noise (±6·noise)."""
    X = rng.uniform(-6.0, 6.0, (n_samples, 2))
    noised = X + rng.uniform(-6.0, 6.0, X.shape) * noise
    return X, noised.sum(axis=1) / 10.0


# Six bumps (x, y, sign) with alternating signs, as in Playground's "multi Gaussian" regression.
BUMPS = np.array([[-4.0, 2.5, 1.0], [0.0, 2.5, -1.0], [4.0, 2.5, 1.0],
                  [-4.0, -2.5, -1.0], [0.0, -2.5, 1.0], [4.0, -2.5, -1.0]])


def multi_gauss(n_samples: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Uniform in ±6; each bump gives sign·max(0, 1 - d/2) at distance d from the noised point,
    and the value is the bump's of largest magnitude."""
    X = rng.uniform(-6.0, 6.0, (n_samples, 2))
    noised = X + rng.uniform(-6.0, 6.0, X.shape) * noise
    distance = np.hypot(noised[:, :1] - BUMPS[:, 0], noised[:, 1:] - BUMPS[:, 1])
    bumps = BUMPS[:, 2] * np.clip(1.0 - distance / 2.0, 0.0, 1.0)
    strongest = np.argmax(np.abs(bumps), axis=1)
    return X, bumps[np.arange(n_samples), strongest]


# --- the registry ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class BuiltinDataset(ABC):
    """A named data set: how to make it and what it is (n_samples: default size or table rows;
    n_outputs: the number of classes or target columns)."""

    name: str
    task: str
    n_features: int
    n_samples: int
    n_outputs: int
    description: str

    @abstractmethod
    def load(self, samples: int | None, noise: float, rng: np.random.Generator,
             extra_features: Sequence[str] = ()) -> Dataset:
        """The data set; generated ones draw from `rng` and add the `extra_features` columns."""

    def describe(self) -> dict[str, str | int]:
        """What it is, without how it is made: one row of `workbench datasets`."""
        return {field.name: getattr(self, field.name) for field in fields(BuiltinDataset)}


@dataclass(frozen=True)
class GeneratedDataset(BuiltinDataset):
    """Points drawn by a generator; `samples` and `noise` shape them, `extra_features`
    (core/extra_features.py) add columns computed from the two coordinates."""

    generate: Generator

    def load(self, samples: int | None, noise: float, rng: np.random.Generator,
             extra_features: Sequence[str] = ()) -> Dataset:
        X, y = self.generate(samples or self.n_samples, float(noise), rng)
        classification = self.task == "classification"
        extra = in_column_order(extra_features)
        return Dataset(with_extra_features(X, extra), y, self.task, f"builtin:{self.name}",
                       FEATURES_2D + list(extra),
                       BINARY_CLASSES if classification else [], "label" if classification else "value")


@dataclass(frozen=True)
class TableDataset(BuiltinDataset):
    """A shipped CSV table (target in the last column); `samples`, `noise`, `rng` and
    `extra_features` are unused."""

    file_name: str

    def load(self, samples: int | None, noise: float, rng: np.random.Generator,
             extra_features: Sequence[str] = ()) -> Dataset:
        path = TABLES_DIR / self.file_name
        if not path.is_file():
            raise DataError(f"the built-in table {self.name} is missing from {TABLES_DIR}: "
                            "reinstall Workbench (pip install -e . from its source tree)")
        return replace(_read_table(path, self.task), source=f"builtin:{self.name}")


@functools.cache
def _read_table(path: Path, task: str) -> Dataset:
    """A shipped table, read once per process (digits takes 45 ms, and people switch back and
    forth between data sets). Its samples are read-only, as every load shares them."""
    dataset = read_csv(path, task=task)
    dataset.X.flags.writeable = False
    return dataset


def _generated(name: str, task: str, generate: Generator, description: str) -> GeneratedDataset:
    classification = task == "classification"
    return GeneratedDataset(name, task, 2, 500 if classification else 1200,
                            2 if classification else 1, description, generate)


BUILTIN_DATASETS: dict[str, BuiltinDataset] = {spec.name: spec for spec in (
    _generated("circle", "classification", circle, "a disc inside a ring (TF Playground)"),
    _generated("xor", "classification", xor, "the four quadrants, opposite ones alike (TF Playground)"),
    _generated("gauss", "classification", gauss, "two Gaussian blobs (TF Playground)"),
    _generated("spiral", "classification", spiral, "two interleaved spiral arms (TF Playground)"),
    _generated("plane", "regression", plane, "a tilted plane, (x1 + x2) / 10 (TF Playground)"),
    _generated("multi_gauss", "regression", multi_gauss,
               "six bumps of alternating sign (TF Playground)"),
    TableDataset("iris", "classification", 4, 150, 3,
                 "Fisher's iris flowers: 4 measurements, 3 species", "iris.csv"),
    TableDataset("wine", "classification", 13, 178, 3,
                 "chemical analysis of wines from 3 cultivars (UCI)", "wine.csv"),
    TableDataset("breast_cancer", "classification", 30, 569, 2,
                 "Wisconsin diagnostic breast cancer: benign or malignant (UCI)", "breast_cancer.csv"),
    TableDataset("digits", "classification", 64, 1797, 10,
                 "handwritten digits as 8x8 images of 0-16 ink counts (UCI)", "digits.csv"),
    TableDataset("diabetes", "regression", 10, 442, 1,
                 "disease progression after one year from 10 baseline values (Efron et al.)",
                 "diabetes.csv"),
)}


def extra_features_in(dataset: Dataset) -> tuple[str, ...]:
    """The extra features (core/extra_features.py) a generated set's columns hold; () for a table or
    a person's file, whose columns may carry such names and mean anything."""
    spec = BUILTIN_DATASETS.get(dataset.source.removeprefix("builtin:"))
    generated = dataset.source.startswith("builtin:") and isinstance(spec, GeneratedDataset)
    return extra_features_of(dataset.feature_names) if generated else ()


def describe_builtins() -> list[dict[str, str | int]]:
    """The rows of `workbench datasets`, in registry order."""
    return [spec.describe() for spec in BUILTIN_DATASETS.values()]
