"""Encoding new rows for a trained model: a CSV read against the feature names seen in training.

Training turns a CSV into features with `core.tabular.read_csv`: numeric columns as they are, text
columns one-hot as `column=value`. Predicting must build the same columns in the same order from
raw rows, whatever else the new file holds (the target column, extra columns, another order).
This module reuses tabular's CSV reading and number parsing, so both sides parse cells alike.

Missing values are treated as in training: a missing number takes the training mean (the
scaler's mean), a neutral input, and a missing text value sets none of its column's one-hot
features; so does a text value that training never saw.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from workbench.core.csv_cells import MISSING, counted, read_table
from workbench.core.data_error import DataError


@dataclass(frozen=True)
class EncodedRows:
    """Features in training order (float64, rows × features) and what a person should know."""

    X: np.ndarray
    row_numbers: np.ndarray      # each row's line in the file, as a spreadsheet shows it
    notes: list[str]


def _column_of(feature: str, header: Sequence[str]) -> tuple[str, str | None]:
    """The source column of a feature, and the one-hot category (None for a numeric feature)."""
    if feature in header:
        return feature, None
    for at in range(len(feature)):
        if feature[at] == "=" and feature[:at] in header:
            return feature[:at], feature[at + 1:]
    return feature.split("=", 1)[0], ""


def encode_csv(path: str | Path, feature_names: Sequence[str], fill: np.ndarray) -> EncodedRows:
    """Read `path` and build the features named `feature_names`; `fill` holds each one's default.

    Raises `DataError` naming every missing column at once, or the row and column of a bad cell.
    """
    table = read_table(path)
    header = list(table.header)
    sources = [_column_of(name, header) for name in feature_names]
    missing = list(dict.fromkeys(column for column, category in sources
                                 if column not in header or category == ""))
    if missing:
        trained_on = _training_columns(sources)
        if len(missing) == len(trained_on):     # another file altogether: say what it holds instead
            raise DataError(f"none of the columns the model was trained on ({', '.join(trained_on)}); "
                            f"the file's columns: {_some(header)}", path=path)
        raise DataError(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                        f"(the model was trained on columns: {', '.join(trained_on)})", path=path)
    n_rows = len(table.row_numbers)
    X = np.zeros((n_rows, len(feature_names)))
    notes: list[str] = []
    parsed: dict[str, np.ndarray] = {}
    for j, (column, category) in enumerate(sources):
        c = header.index(column)
        if category is not None:
            X[:, j] = [cell == category for cell in table.cells(c)]
            continue
        if column not in parsed:
            numbers = table.numbers(c)
            if len(numbers.bad):
                row = int(numbers.bad[0])
                raise table.error(f"{table.cells(c)[row]!r} is not a number", row_index=row, column=c)
            if numbers.missing.any():
                notes.append(f"filled {counted(int(numbers.missing.sum()), 'missing value')} of column {column!r} "
                             "with the training mean")
            parsed[column] = np.where(numbers.missing, fill[j], numbers.values)
        X[:, j] = parsed[column]
    notes.extend(_unseen_categories(table, header, sources))
    return EncodedRows(X, np.asarray(table.row_numbers), notes)


def _training_columns(sources: Sequence[tuple[str, str | None]]) -> list[str]:
    return list(dict.fromkeys(column for column, _ in sources))


def _some(names: Sequence[str], shown: int = 10) -> str:
    """The first few names, and how many more there are."""
    listed = ", ".join(names[:shown])
    return listed if len(names) <= shown else f"{listed} and {len(names) - shown} more"


def _unseen_categories(table, header: list[str], sources: Sequence[tuple[str, str | None]]) -> list[str]:
    """A note per text column holding values training never saw (they set no feature)."""
    known: dict[str, set[str]] = {}
    for column, category in sources:
        if category is not None:
            known.setdefault(column, set()).add(category)
    notes = []
    for column, categories in known.items():
        cells = table.cells(header.index(column))
        unseen = sorted({cell for cell in cells if cell and cell not in categories and cell.lower() not in MISSING})
        if unseen:
            shown = ", ".join(repr(v) for v in unseen[:5]) + (", ..." if len(unseen) > 5 else "")
            notes.append(f"column {column!r} has values not seen in training ({shown}); they set no feature")
    return notes
