"""What training reports: one `EpochReport` per epoch, and the `History` that collects them."""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Mapping, Sequence

import numpy as np

STATUSES = ("running", "completed", "early_stopped", "diverged", "stopped")


@dataclass(frozen=True)
class EpochReport:
    """The figures of one finished epoch; immutable, so it can cross threads safely."""

    epoch: int                    # epochs trained in total, 1-based
    total_epochs: int             # the run's target
    train_loss: float             # mean loss over the epoch's batches (with regularisation)
    val_loss: float               # nan when there is no validation split
    train_metric: float           # accuracy or R² after the epoch
    val_metric: float
    lr: float
    seconds: float                # this epoch's wall time
    samples_per_second: float
    status: str = "running"       # running | completed | early_stopped | diverged | stopped
    best_epoch: int | None = None
    message: str = ""             # for a person: why training stopped and what to change

    @property
    def finished(self) -> bool:
        return self.status != "running"


_COLUMNS = ("epoch", "train_loss", "val_loss", "train_metric", "val_metric", "lr", "seconds")


@dataclass
class History:
    """Per-epoch curves, all of equal length; the session file stores them as 1-D arrays."""

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    train_metric: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.epoch)

    def append(self, report: EpochReport) -> None:
        for name in _COLUMNS:
            getattr(self, name).append(getattr(report, name))

    def extend(self, reports: Sequence[EpochReport]) -> None:
        """Append many reports, a column at a time (the GUI gets them in batches)."""
        for name in _COLUMNS:
            getattr(self, name).extend([getattr(report, name) for report in reports])

    def as_arrays(self) -> dict[str, np.ndarray]:
        out = {name: np.asarray(getattr(self, name), dtype=np.float64) for name in _COLUMNS}
        out["epoch"] = np.asarray(self.epoch, dtype=np.int64)
        return out

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> "History":
        """Rebuild from equal-length 1-D arrays (missing columns are an error)."""
        missing = [name for name in _COLUMNS if name not in arrays]
        if missing:
            raise ValueError(f"history lacks {', '.join(missing)}")
        lengths = {len(arrays[name]) for name in _COLUMNS}
        if len(lengths) != 1:
            raise ValueError("history columns have different lengths")
        values = {name: [float(v) for v in arrays[name]] for name in _COLUMNS}
        values["epoch"] = [int(v) for v in arrays["epoch"]]
        return cls(**values)

    def copy(self) -> "History":
        return History(**{f.name: list(getattr(self, f.name)) for f in fields(self)})

    def best_epoch(self) -> int | None:
        """The epoch with the lowest validation loss (training loss when there is no validation)."""
        curve = self.val_loss if any(math.isfinite(v) for v in self.val_loss) else self.train_loss
        finite = [(v, e) for v, e in zip(curve, self.epoch) if math.isfinite(v)]
        return min(finite)[1] if finite else None
