"""A trained model's predictions for the rows of a CSV file, as a CSV table.

One module for `workbench predict` and the app's File → Predict a CSV: the input is encoded the
way the training data was (the same feature columns, one-hot text values, a missing number taking
the training mean), and the output has one line per input row, numbered as in the file: the class
label and each class's probability, or the predicted value(s). Text that a spreadsheet would run
as a formula gets a leading apostrophe. Written atomically like every file Workbench saves.
"""
from __future__ import annotations

import csv
import io
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from workbench.core.datasets_builtin import extra_features_in
from workbench.core.extra_features import with_extra_features
from workbench.core.feature_table import encode_csv
from workbench.io.atomic import replacing

if TYPE_CHECKING:
    from workbench.core.experiment import Experiment

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class Predictions(NamedTuple):
    """The table as CSV text, how many rows it predicts, and the notes on how the input was read."""

    text: str
    rows: int
    notes: list[str]


def escape_cell(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; numbers stay as they are."""
    if text.startswith(FORMULA_PREFIXES):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def prediction_table(experiment: Experiment, X_raw: np.ndarray, row_numbers: np.ndarray) -> list[list[str]]:
    """Header and one line per row: the label and class probabilities, or the predicted values."""
    out = np.asarray(experiment.predict(X_raw), dtype=np.float64)
    dataset = experiment.data.dataset
    if dataset.task == "classification":
        header = ["row", "prediction"] + [f"probability_{name}" for name in dataset.class_names]
        labels = [dataset.class_names[i] for i in out.argmax(axis=1)]
        rows = [[str(r), label] + [repr(float(p)) for p in probs]
                for r, label, probs in zip(row_numbers, labels, out)]
    else:
        out = out.reshape(len(out), -1)
        target = dataset.target_name or "prediction"
        header = ["row"] + ([f"predicted_{target}"] if out.shape[1] == 1
                            else [f"predicted_{target}_{j + 1}" for j in range(out.shape[1])])
        rows = [[str(r)] + [repr(float(v)) for v in values] for r, values in zip(row_numbers, out)]
    return [[escape_cell(cell) for cell in header]] + [[escape_cell(cell) for cell in row] for row in rows]


def predict_csv(experiment: Experiment, input_path: str | os.PathLike) -> Predictions:
    """Predict every row of the CSV at `input_path` (a `DataError` names a missing column or the
    row and column of a bad cell)."""
    data = experiment.data
    names, fill = data.dataset.feature_names, np.asarray(data.scaler.mean)
    extra = extra_features_in(data.dataset)
    if extra:       # the file needs x1 and x2 only: the rest is computed as the generated set did
        encoded = encode_csv(input_path, names[:2], fill[:2])
        encoded = replace(encoded, X=with_extra_features(encoded.X, extra))
    else:
        encoded = encode_csv(input_path, names, fill)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(
        prediction_table(experiment, encoded.X, encoded.row_numbers))
    return Predictions(buffer.getvalue(), len(encoded.row_numbers), list(encoded.notes))


def write_predictions_csv(experiment: Experiment, input_path: str | os.PathLike,
                          output_path: str | os.PathLike) -> Predictions:
    """`predict_csv`, written to `output_path` (which must not be the input: it would be lost)."""
    if Path(output_path).resolve() == Path(input_path).resolve():
        raise ValueError(f"{output_path}: the predictions would replace the rows they predict; "
                         "choose another file name")
    predictions = predict_csv(experiment, input_path)
    with replacing(output_path) as tmp:
        Path(tmp).write_text(predictions.text, encoding="utf-8")
    return predictions
