"""TensorFlow Playground's extra input features for the generated 2-D sets: x1^2, x2^2, x1*x2,
sin(x1) and sin(x2), computed from the two coordinates and added after them as more columns.

With them a smaller network (or none: no hidden layer) draws curved boundaries, as a person learns
in Playground: `circle` is a line in x1^2 and x2^2. What each feature is lives here only, so the
generated data, the decision boundary's plane and the hidden units' maps compute it alike.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

# name -> the column from (x1, x2); the order is the one the columns take in the data
EXTRA_FEATURES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}
BASE_FEATURES = ("x1", "x2")


def in_column_order(names: Sequence[str]) -> tuple[str, ...]:
    """`names` in the order their columns take (the order of `EXTRA_FEATURES`)."""
    return tuple(name for name in EXTRA_FEATURES if name in names)


def with_extra_features(X: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """(n, 2) coordinates -> (n, 2 + len(names)): the coordinates, then each named feature."""
    x1, x2 = X[:, 0], X[:, 1]
    return np.column_stack([X[:, :2]] + [EXTRA_FEATURES[name](x1, x2) for name in in_column_order(names)])


def extra_features_of(feature_names: Sequence[str]) -> tuple[str, ...]:
    """The extra features a generated set's columns hold (after x1 and x2); () for other data.

    Read off the names, so a saved session knows its columns without its configuration. Only a
    generated set's names are given here (a table or a file may name a column "x1^2" freely)."""
    if tuple(feature_names[:2]) != BASE_FEATURES:
        return ()
    extra = tuple(feature_names[2:])
    return extra if extra == in_column_order(extra) and len(extra) == len(set(extra)) else ()
