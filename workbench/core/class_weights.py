"""Class weights: how much each class's rows count in the loss, for data where one class is rare.

"none" counts every row alike. "balanced" weighs class c by n / (K * n_c) over the training rows
(n rows, K classes, n_c of class c; scikit-learn's `class_weight="balanced"`): every class then
carries the same total weight, and a row's weight averages 1 over the training rows, so the loss
keeps its scale. The weights come from the training rows alone; the validation (and test) loss
uses the same weights, so that early stopping and the curves measure what training minimises.
Regression has no classes: the setting is ignored there.
"""
from __future__ import annotations

import numpy as np

CLASS_WEIGHTS = ("none", "balanced")


def class_weights(name: str, y_train: np.ndarray, n_classes: int, dtype: np.dtype | str) -> np.ndarray | None:
    """Per-class weights (n_classes,) in `dtype`, or None when every row counts alike. A class with
    no training row gets weight 1 (no row of it is trained on; its validation rows count as usual)."""
    if name not in CLASS_WEIGHTS:
        raise ValueError(f"class weights must be one of {', '.join(CLASS_WEIGHTS)}, got {name!r}")
    if name == "none":
        return None
    counts = np.bincount(np.asarray(y_train, dtype=np.int64), minlength=n_classes).astype(np.float64)
    present = counts > 0
    weights = np.ones(n_classes)
    weights[present] = counts.sum() / (present.sum() * counts[present])
    return weights.astype(dtype)
