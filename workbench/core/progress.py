"""How far work of several fresh runs has got (cross-validation's folds, the learning curve's
shares), for a progress bar: the share of all their epochs trained, and which run is training."""
from __future__ import annotations

from typing import Callable, Sequence

ProgressCallback = Callable[[float, str], None]   # (share of the work done, 0 to 1; "fold 2 of 5")


class RunsProgress:
    """Reports `on_progress` as run `index` trains its epochs; a run that stops early (early
    stopping) counts as whole once the next one starts."""

    def __init__(self, on_progress: ProgressCallback | None, epochs: Sequence[int], stages: Sequence[str]):
        self._on_progress = on_progress
        self._before = [sum(epochs[:index]) for index in range(len(epochs))]
        self._total = max(1, sum(epochs))
        self._stages = list(stages)

    def epoch(self, index: int, epoch: int) -> None:
        """Run `index` has trained `epoch` epochs (0 as it starts)."""
        if self._on_progress is not None:
            self._on_progress(min(1.0, (self._before[index] + epoch) / self._total), self._stages[index])
