"""What the target looks like, in a line a person reads before training: each class's rows, with a
warning when one class is much rarer than another (accuracy then flatters a model that misses
it); or, for regression, the target's range, mean and spread (a network's output starts near 0,
so a target in the hundreds takes longer to learn)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

IMBALANCE_RATIO = 3.0       # the largest class this many times the smallest: say so
SHOWN_CLASSES = 10          # classes named in the line; more are summed up


def class_counts(y: np.ndarray, n_classes: int) -> list[int]:
    """Rows per class index (int class indices)."""
    return [int(n) for n in np.bincount(np.asarray(y, dtype=np.int64), minlength=n_classes)]


def target_summary(task: str, y: np.ndarray, class_names: Sequence[str], target_name: str) -> str:
    """"Classes: setosa: 50, versicolor: 50, virginica: 50." or "Target progression: 25 to 346,
    mean 152, std 77." (the first target of several)."""
    if task == "classification":
        counts = class_counts(y, len(class_names))
        named = ", ".join(f"{name}: {n:,}" for name, n in list(zip(class_names, counts))[:SHOWN_CLASSES])
        more = len(class_names) - SHOWN_CLASSES
        text = f"Classes: {named}" + (f" and {more} more" if more > 0 else "") + "."
        smallest, largest = min(counts), max(counts)
        if smallest and largest >= IMBALANCE_RATIO * smallest:
            text += (f" Imbalanced: the largest class has {largest / smallest:.0f}x the rows of the "
                     "smallest, so accuracy can look good while the small class is missed: watch "
                     "each class's recall (the confusion matrix) and the ROC curve, or weigh the "
                     "classes (class weights: balanced).")
        return text
    values = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    first = values[:, 0]
    several = f" (the first of {values.shape[1]})" if values.shape[1] > 1 else ""
    return (f"Target {target_name}{several}: {first.min():.4g} to {first.max():.4g}, "
            f"mean {first.mean():.3g}, std {first.std():.3g}.")
