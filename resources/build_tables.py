"""Rebuild the shipped tables from scikit-learn's bundled copies (run once by a maintainer).

    python resources/build_tables.py

Writes plain UTF-8 CSV files into resources/datasets/: a header row, the features, the target last
(class labels as text where the source names them). Workbench itself never imports scikit-learn;
the CSV files are what it ships and reads.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
from sklearn import datasets

TABLES = Path(__file__).resolve().parent / "datasets"


def column_name(name: str) -> str:
    """'sepal length (cm)' -> 'sepal_length_cm': names that need no quoting anywhere."""
    return re.sub(r"[^0-9a-z/]+", "_", name.lower()).strip("_")


def number(value: float) -> str:
    """The shortest text that reads back to the same float; integers without a decimal point."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def write(name: str, features: list[str], X: np.ndarray, target: str, labels: list[str]) -> None:
    with open(TABLES / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow([column_name(c) for c in features] + [target])
        for row, label in zip(X, labels):
            out.writerow([number(v) for v in row] + [label])
    print(f"{name}.csv: {X.shape[0]} rows, {X.shape[1]} features")


def main() -> None:
    for name, loader, target in (("iris", datasets.load_iris, "species"),
                                 ("wine", datasets.load_wine, "cultivar"),
                                 ("breast_cancer", datasets.load_breast_cancer, "diagnosis")):
        bunch = loader()
        write(name, list(bunch.feature_names), bunch.data, target,
              [str(bunch.target_names[i]) for i in bunch.target])
    digits = datasets.load_digits()
    write("digits", list(digits.feature_names), digits.data, "digit", [str(int(t)) for t in digits.target])
    diabetes = datasets.load_diabetes(scaled=False)
    write("diabetes", list(diabetes.feature_names), diabetes.data, "progression",
          [number(t) for t in diabetes.target])


if __name__ == "__main__":
    main()
