"""When did training converge? The epoch after which the validation loss stopped improving much.

Definition (the early-stopping rule applied in hindsight): training has converged at the first epoch
whose best-so-far loss is within `tolerance` (a fraction, 0.01 = 1 %) of the best loss reached by
the end, provided at least `patience` epochs followed it. The tolerance is a share of the run's
whole improvement (the first epoch's loss minus the best), not of the loss itself: a loss near zero
that wanders by a factor of ten between epochs (a regression that fits almost exactly) then
converges where its fall ends, instead of never, and a curve still falling steadily does not
converge. A later breakthrough moves the epoch later, which is what a person comparing convergence
rates wants to see.

The validation loss is used; with no validation split (all NaN), the training loss. Non-finite
values (a diverged tail) are ignored.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from workbench.core.history import History

DEFAULT_TOLERANCE = 0.01
DEFAULT_PATIENCE = 10


@dataclass(frozen=True)
class Convergence:
    """Where a run converged: the epoch (1-based, so also the epochs it took) and the seconds."""

    epoch: int
    seconds: float      # wall time of epochs 1..epoch


def converged_index(losses: Sequence[float], tolerance: float = DEFAULT_TOLERANCE,
                    patience: int = DEFAULT_PATIENCE) -> int | None:
    """0-based index of the converged epoch in `losses`, or None when it has not converged (yet)."""
    if not 0.0 <= tolerance < 1.0 or patience < 0:
        raise ValueError("tolerance must be in [0, 1) and patience must not be negative")
    values = np.asarray(losses, dtype=np.float64)
    finite = np.isfinite(values)
    if not finite.any():
        return None
    indices = np.flatnonzero(finite)
    start, last = values[indices[0]], int(indices[-1])
    best_so_far = np.minimum.accumulate(np.where(finite, values, np.inf)[:last + 1])
    final_best = best_so_far[-1]
    within = final_best + tolerance * (start - final_best)
    first = int(np.flatnonzero(best_so_far <= within)[0])
    if last - first < patience:
        return None
    return first


def find_convergence(history: History, tolerance: float = DEFAULT_TOLERANCE,
                     patience: int = DEFAULT_PATIENCE) -> Convergence | None:
    """The convergence of a run's history (validation loss, else training loss), or None."""
    has_val = any(math.isfinite(v) for v in history.val_loss)
    index = converged_index(history.val_loss if has_val else history.train_loss, tolerance, patience)
    if index is None:
        return None
    return Convergence(epoch=int(history.epoch[index]), seconds=float(sum(history.seconds[:index + 1])))


def convergence_summary(history: History) -> dict[str, int | float | None]:
    """`converged_epoch` and `converged_seconds` under the default rule (the GUI's, until a person
    changes it), None when the run has not converged: the figures `train --json` and `info` give."""
    found = find_convergence(history)
    return {"converged_epoch": found.epoch if found else None,
            "converged_seconds": round(found.seconds, 4) if found else None}
