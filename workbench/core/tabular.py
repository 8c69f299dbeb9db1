"""Tables of samples: the `Dataset` record, and reading a person's CSV or .npz file into one.

The public entry is `workbench.core.data`, which re-exports everything here. A CSV's cells come
from `workbench.core.csv_cells`; this module decides what they mean. Reading never runs
code from the file (no pickle) and every problem a file can have becomes one `DataError` line that
names the file and, where there is one, the row and column as a spreadsheet shows them (the header
is row 1, the first column is column 1).

Missing-value policy for CSV files (cells that are empty or read `?`, `NA` or `NaN`, any case):
- a missing target drops its row;
- a missing number stays NaN in `Dataset.X` and takes the mean of the training rows when the data
  is prepared for training (0 after standardising, a neutral input), so that no statistic of the
  validation or test rows reaches training (`workbench.core.data.Scaler`);
- a missing text value leaves all of that column's one-hot features at 0;
- a feature column with no value at all is left out.
Each of these is recorded as one line in `Dataset.notes`, which the CLI and the GUI show.
"""
from __future__ import annotations

import re
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from workbench.core.csv_cells import Numbers, Table, counted, read_table
from workbench.core.data_error import DataError

TASKS = ("classification", "regression")
MAX_INFERRED_CLASSES = 20    # an integer target with at most this many values is a class label
MAX_CLASSES = 1000           # more classes than this is almost surely a regression target
MAX_CATEGORIES = 100         # one-hot encoding a text column with more values is refused
_INTEGER = re.compile(r"[+-]?\d+")


@dataclass(frozen=True, eq=False)
class Dataset:
    """Raw samples and what they mean: X float64 (n_samples, n_features), unscaled, NaN where a
    number is missing (never infinite; every feature has at least one value).

    `y` holds int64 class indices into `class_names` (classification) or float64 values,
    (n_samples,) or (n_samples, n_outputs) (regression, `class_names` empty). `notes` tells a person
    what loading changed (imputed cells, dropped rows, encoded columns).
    """

    X: np.ndarray
    y: np.ndarray
    task: str
    source: str
    feature_names: list[str]
    class_names: list[str]
    target_name: str
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        X = np.asarray(self.X, dtype=np.float64)
        y = np.asarray(self.y)
        class_names = [str(n) for n in self.class_names]
        if self.task not in TASKS:
            raise DataError(f"task {self.task!r} is not one of {', '.join(TASKS)}", path=self.source)
        if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
            raise DataError(f"X must be samples x features, got shape {X.shape}", path=self.source)
        if len(self.feature_names) != X.shape[1]:
            raise DataError(f"{len(self.feature_names)} feature names for {X.shape[1]} features",
                            path=self.source)
        if np.isinf(X).any():
            raise DataError("X holds infinite values", path=self.source)
        empty = np.flatnonzero(np.isnan(X).all(axis=0))
        if empty.size:
            raise DataError(f"feature {self.feature_names[empty[0]]!r} has no values", path=self.source)
        if y.ndim == 0 or y.shape[0] != X.shape[0]:
            raise DataError(f"y has shape {y.shape}, X has {X.shape[0]} samples", path=self.source)
        y = (_checked_classes(y, class_names, self.source) if self.task == "classification"
             else _checked_values(y, class_names, self.source))
        normalized = {"X": X, "y": y, "class_names": class_names,
                      "feature_names": [str(n) for n in self.feature_names],
                      "notes": [str(n) for n in self.notes]}
        for name, value in normalized.items():
            object.__setattr__(self, name, value)   # frozen: normalise once, here

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    @property
    def n_outputs(self) -> int:
        """The width of the output layer: the number of classes, or of target columns."""
        if self.task == "classification":
            return len(self.class_names)
        return 1 if self.y.ndim == 1 else int(self.y.shape[1])


def _checked_classes(y: np.ndarray, class_names: list[str], source: str) -> np.ndarray:
    if len(class_names) < 2 or len(set(class_names)) != len(class_names):
        raise DataError("classification needs at least two distinct class names", path=source)
    if y.ndim != 1 or y.dtype.kind not in "biu":
        raise DataError("class labels must be one integer per sample", path=source)
    if y.size and (y.min() < 0 or y.max() >= len(class_names)):
        raise DataError(f"class indices must lie in 0..{len(class_names) - 1}", path=source)
    return y.astype(np.int64)


def _checked_values(y: np.ndarray, class_names: list[str], source: str) -> np.ndarray:
    if class_names:
        raise DataError("a regression target has no class names", path=source)
    if y.ndim not in (1, 2) or y.dtype.kind not in "biuf":
        raise DataError("a regression target must be numbers, (samples,) or (samples, outputs)",
                        path=source)
    y = y.astype(np.float64)
    if not np.isfinite(y).all():
        raise DataError("the target holds values that are not finite", path=source)
    return y


# --- classes ----------------------------------------------------------------------------------
def number_text(value: float) -> str:
    """A numeric label as a person writes it: 3 rather than 3.0."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def _label_order(label: str) -> tuple[int, float, str]:
    """Numbers first in numeric order (9 before 10), then text alphabetically."""
    try:
        return (0, float(label), "")
    except ValueError:
        return (1, 0.0, label)


def encode_classes(labels: Sequence[str], *, path: str | Path, target: str) -> tuple[np.ndarray, list[str]]:
    """Class indices (int64) and the sorted class names for one label per sample."""
    names, inverse = np.unique(np.asarray(labels, dtype=str), return_inverse=True)
    order = sorted(range(len(names)), key=lambda i: _label_order(str(names[i])))
    if len(order) < 2:
        only = f" ({str(names[0])!r})" if len(order) else ""
        raise DataError(f"target {target!r} has only one class{only}; classification needs at least two",
                        path=path)
    if len(order) > MAX_CLASSES:
        raise DataError(f"target {target!r} has {len(order)} different values, too many classes "
                        f"(at most {MAX_CLASSES}); use task regression if they are numbers", path=path)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[inverse.ravel()], [str(names[i]) for i in order]


def _is_class_target(values: np.ndarray, all_integers: bool) -> bool:
    """Few distinct integers are class labels; anything else numeric is a regression target."""
    return all_integers and len(np.unique(values)) <= MAX_INFERRED_CLASSES


# --- CSV -----------------------------------------------------------------------------------------
def read_csv(path: str | Path, target: str | None = None, task: str | None = None,
             stop: threading.Event | None = None, exclude: Sequence[str] = ()) -> Dataset:
    """A CSV file with a header row (comma, semicolon or tab) as a Dataset.

    `target` names the target column (default: the last). The task is inferred from it unless
    given: text or a few distinct integers mean classification, other numbers regression. Text
    feature columns are one-hot encoded as `column=value` features; the columns named in
    `exclude` (an ID, a name) are left out. See the module docstring for the missing-value
    policy. Raises ReadStopped once `stop` is set.
    """
    _check_task(task, path)
    return csv_dataset(read_csv_table(path, stop), target, task, exclude)


def read_csv_table(path: str | Path, stop: threading.Event | None = None) -> Table:
    """A CSV file's cells (the slow part of `read_csv`, seconds for a large file), for a caller
    that tries several targets or tasks on one file (`csv_dataset`). Raises DataError for a file
    that no choice of target can read, ReadStopped once `stop` is set."""
    table = read_table(path, stop)
    if len(table.header) < 2:
        raise DataError("found one column only; a CSV needs feature columns and a target column "
                        "separated by commas, semicolons or tabs", path=path)
    return table


def csv_dataset(table: Table, target: str | None = None, task: str | None = None,
                exclude: Sequence[str] = ()) -> Dataset:
    """The Dataset a CSV's cells give with this target column, task and columns left out (see
    `read_csv`)."""
    _check_task(task, table.path)
    t = _target_index(table, target)
    left_out = _excluded_indices(table, t, exclude)
    notes: list[str] = []
    y, class_names, task, keep = _read_target(table, t, task, notes)
    X, feature_names = _read_features(table, {t} | left_out, keep, notes)
    return Dataset(X, y, task, f"csv:{Path(table.path).name}", feature_names, class_names,
                   table.header[t], notes)


def _check_task(task: str | None, path: str | Path) -> None:
    if task is not None and task not in TASKS:
        raise DataError(f"task {task!r} is not one of {', '.join(TASKS)}", path=path)


def _target_index(table: Table, target: str | None) -> int:
    if target is None:
        return len(table.header) - 1
    if target in table.header:
        return table.header.index(target)
    raise DataError(f"no target column {target!r}; the columns are {', '.join(table.header)}",
                    path=table.path)


def _excluded_indices(table: Table, t: int, exclude: Sequence[str]) -> set[int]:
    unknown = [name for name in exclude if name not in table.header]
    if unknown:
        raise DataError(f"cannot leave out {unknown[0]!r}: no such column; the columns are "
                        f"{', '.join(table.header)}", path=table.path)
    if table.header[t] in exclude:
        raise DataError(f"the target column {table.header[t]!r} cannot be left out", path=table.path)
    return {table.header.index(name) for name in exclude}


def _read_target(table: Table, t: int, task: str | None,
                 notes: list[str]) -> tuple[np.ndarray, list[str], str, np.ndarray]:
    """Target values, class names, the task, and the mask of rows kept (target present)."""
    name = table.header[t]
    numbers = table.numbers(t)
    keep = ~numbers.missing
    if not keep.any():
        raise table.error("the target column has no values", column=t)
    if not keep.all():
        dropped = table.row_numbers[~keep]
        shown = ", ".join(str(r) for r in dropped[:10]) + (", ..." if len(dropped) > 10 else "")
        notes.append(f"dropped {counted(len(dropped), 'row')} with no target value "
                     f"({'row' if len(dropped) == 1 else 'rows'} {shown})")
    is_text = len(numbers.bad) > 0
    cells = table.cells(t) if is_text else []
    if task == "regression" and is_text:
        raise table.error(f"{cells[numbers.bad[0]]!r} is not a number; a regression target must be "
                          "numbers", row_index=int(numbers.bad[0]), column=t)
    if task is None and is_text and numbers.mostly_numbers and _numbers_alone_are_regression(cells, numbers):
        # a few words among measurements are typos, not classes (each would be a class of one)
        raise table.error(f"{cells[numbers.bad[0]]!r} is not a number (the target's other values are)",
                          row_index=int(numbers.bad[0]), column=t)
    values = numbers.values[keep]
    if task is None:
        # integers written as such ("1.0" is a measurement): the text is needed for few values only
        all_integers = (not is_text and len(np.unique(values)) <= MAX_INFERRED_CLASSES
                        and all(_INTEGER.fullmatch(cell) for cell in table.cells(t, keep)))
        task = "classification" if is_text or _is_class_target(values, all_integers) else "regression"
    if task == "regression":
        return values, [], task, keep
    labels = table.cells(t, keep) if is_text else [number_text(v) for v in values]
    y, class_names = encode_classes(labels, path=table.path, target=name)
    return y, class_names, task, keep


def _numbers_alone_are_regression(cells: list[str], numbers: Numbers) -> bool:
    """Whether the column's numeric cells, without its text cells, would be a regression target."""
    numeric = ~numbers.missing
    numeric[numbers.bad] = False
    all_integers = all(_INTEGER.fullmatch(cells[i]) for i in np.flatnonzero(numeric))
    return len(set(cells)) > MAX_CLASSES or not _is_class_target(numbers.values[numeric], all_integers)


def _read_features(table: Table, skipped: set[int], keep: np.ndarray,
                   notes: list[str]) -> tuple[np.ndarray, list[str]]:
    """Numeric columns as they are (NaN for missing cells), text columns one-hot; the target and
    the columns left out (`skipped`) are not features."""
    blocks: list[np.ndarray] = []
    names: list[str] = []
    missing: dict[str, int] = {}
    for c, header in enumerate(table.header):
        if c in skipped:
            continue
        numbers = table.numbers(c, keep)
        if numbers.missing.all():
            notes.append(f"left out column {header!r}: it has no values")
            continue
        if len(numbers.bad) == 0 or numbers.mostly_numbers:
            blocks.append(_numeric_feature(table, c, numbers, keep, missing)[:, None])
            names.append(header)
        else:
            block, categories = _one_hot(table, c, table.cells(c, keep), numbers.missing, notes)
            blocks.append(block)
            names.extend(f"{header}={category}" for category in categories)
    if not blocks:
        besides = "the target and the columns left out" if len(skipped) > 1 else "the target"
        raise DataError(f"no feature columns besides {besides}", path=table.path)
    if missing:
        counts = ", ".join(f"{name}: {count}" for name, count in missing.items())
        notes.append(f"{counted(sum(missing.values()), 'missing number')} ({counts}) will take their "
                     f"column's mean over the training rows")
    return np.hstack(blocks), names


def _numeric_feature(table: Table, c: int, numbers: Numbers, keep: np.ndarray,
                     missing: dict[str, int]) -> np.ndarray:
    if len(numbers.bad):
        row = int(np.flatnonzero(keep)[numbers.bad[0]])
        raise table.error(f"{table.cells(c)[row]!r} is not a number (the column's other values are)",
                          row_index=row, column=c)
    if numbers.missing.any():
        missing[table.header[c]] = int(numbers.missing.sum())
    return numbers.values


def _one_hot(table: Table, c: int, cells: list[str], missing: np.ndarray,
             notes: list[str]) -> tuple[np.ndarray, list[str]]:
    header = table.header[c]
    present = np.flatnonzero(~missing)
    categories, codes = np.unique(np.asarray(cells, dtype=str)[present], return_inverse=True)
    if len(categories) > MAX_CATEGORIES:
        raise table.error(f"{len(categories)} different text values, too many to one-hot encode "
                          f"(at most {MAX_CATEGORIES}); leave the column out or turn it into numbers",
                          column=c)
    block = np.zeros((len(cells), len(categories)))
    block[present, codes.ravel()] = 1.0
    note = f"encoded text column {header!r} as {len(categories)} one-hot features"
    if missing.any():
        note += f" ({counted(int(missing.sum()), 'missing value')} set no feature)"
    notes.append(note)
    return block, [str(category) for category in categories]


# --- NumPy archives ------------------------------------------------------------------------------
def read_npz(path: str | Path, task: str | None = None) -> Dataset:
    """A NumPy .npz archive with arrays `X` (samples x features) and `y`, loaded without pickle.

    Integer or boolean `y` with few distinct values, or text `y`, means classification; other
    numbers regression (one column or several), unless `task` says otherwise.
    """
    _check_task(task, path)
    X, y = _npz_arrays(path)
    X = _npz_features(X, path)
    if y.ndim == 0 or y.ndim > 2 or y.shape[0] != X.shape[0]:
        raise DataError(f"y has shape {y.shape}; it needs one entry per row of X ({X.shape[0]})", path=path)
    if y.dtype.kind not in "biufUS":
        raise DataError(f"y has dtype {y.dtype}; it must hold numbers or text labels", path=path)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    is_text = y.dtype.kind in "US"
    if task is None:
        task = "classification" if is_text or (
            y.ndim == 1 and _is_class_target(y, y.dtype.kind in "biu")) else "regression"
    feature_names = [f"x{i + 1}" for i in range(X.shape[1])]
    source = f"npz:{Path(path).name}"
    if task == "regression":
        if is_text:
            raise DataError("y holds text; a regression target must be numbers", path=path)
        _check_finite(y.astype(np.float64).reshape(len(y), -1), path, "y")
        return Dataset(X, y.astype(np.float64), task, source, feature_names, [], "y")
    if y.ndim != 1:
        raise DataError(f"y has shape {y.shape}; class labels must be one per sample", path=path)
    if is_text:
        labels = [str(v) for v in y.astype(str)]
    else:
        _check_finite(y.astype(np.float64)[:, None], path, "y")
        labels = [number_text(v) for v in y]
    y_index, class_names = encode_classes(labels, path=path, target="y")
    return Dataset(X, y_index, task, source, feature_names, class_names, "y")


def _npz_arrays(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    file = Path(path)
    if not file.is_file():
        raise DataError("no such file" if not file.exists() else "not a file", path=path)
    try:
        with open(file, "rb") as f:
            magic = f.read(6)
    except OSError as err:
        raise DataError(f"cannot read the file ({err.strerror})", path=path) from None
    if not magic:
        raise DataError("the file is empty", path=path)
    if magic == b"\x93NUMPY":
        raise DataError("a single .npy array, not an .npz archive with X and y", path=path)
    if not magic.startswith(b"PK"):
        raise DataError("not a NumPy .npz archive (save one with numpy.savez(path, X=X, y=y))", path=path)
    try:
        archive = np.load(file, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise DataError(f"not a NumPy .npz archive ({_first_line(err)})", path=path) from None
    with archive:
        missing = [name for name in ("X", "y") if name not in archive.files]
        if missing:
            found = ", ".join(archive.files) or "none"
            raise DataError(f"no array {' or '.join(missing)} in the archive (found: {found})", path=path)
        return _npz_member(archive, "X", path), _npz_member(archive, "y", path)


def _npz_member(archive: np.lib.npyio.NpzFile, name: str, path: str | Path) -> np.ndarray:
    try:
        return archive[name]
    except ValueError as err:
        if "allow_pickle" in str(err):
            raise DataError(f"array {name} holds Python objects, which are never unpickled; save "
                            "plain numeric arrays", path=path) from None
        raise DataError(f"array {name} cannot be read ({_first_line(err)})", path=path) from None
    except (OSError, EOFError, zipfile.BadZipFile) as err:
        raise DataError(f"array {name} cannot be read ({_first_line(err)})", path=path) from None


def _npz_features(X: np.ndarray, path: str | Path) -> np.ndarray:
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise DataError(f"X has shape {X.shape}; it must be samples x features", path=path)
    if X.dtype.kind not in "biuf":
        raise DataError(f"X has dtype {X.dtype}; it must hold numbers", path=path)
    X = X.astype(np.float64)
    _check_finite(X, path, "X")
    return X


def _check_finite(values: np.ndarray, path: str | Path, name: str) -> None:
    bad = np.argwhere(~np.isfinite(values))
    if len(bad):
        row, column = (int(i) + 1 for i in bad[0])
        raise DataError(f"{name} holds {values[row - 1, column - 1]} (not a finite number)",
                        path=path, row=row, column=str(column))


def _first_line(err: BaseException) -> str:
    return str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__
