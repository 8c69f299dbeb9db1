"""The learning-rate range test (L. Smith, "Cyclical Learning Rates for Training Neural Networks",
2017): train a fresh copy of the network for a few hundred mini-batches while the learning rate
grows exponentially from tiny to huge, and watch the loss. Where it falls fastest the rate is
useful; where it turns and climbs the rate is too high.

The sweep runs on a fresh run built from the configuration and its seed (the initial weights
training would start from), so the session's own weights, optimizer state and history are never
touched, and the same configuration gives the same curve. It uses the configured optimizer,
batch size, dropout, L1/L2 and clipping; the schedule and warm-up are what it replaces.

The suggestion is a tenth of the rate at the smoothed curve's lowest point (the rule of thumb of
Smith and of fastai): the lowest point is already on the edge of instability, and a tenth of it
is still on the steep part of the fall.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Iterator

import numpy as np
from threadpoolctl import threadpool_limits

from workbench.core.config import Config
from workbench.core.experiment import Experiment
from workbench.core.regularization import clip_grad_norm

DEFAULT_MIN_LR = 1e-5
DEFAULT_MAX_LR = 10.0
DEFAULT_STEPS = 100
MAX_STEPS = 10_000
SMOOTHING = 0.9            # exponential moving average of the batch losses (bias-corrected)
DIVERGED_FACTOR = 4.0      # the sweep ends once the smoothed loss exceeds this times its lowest
TINY_LOSS = 1e-12


@dataclass(frozen=True)
class LRSweep:
    """One range test: the rates tried, the batch losses and their smoothed curve, the advice."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggestion: float | None      # None when no rate made the loss fall
    lowest_lr: float | None       # the rate at the smoothed curve's lowest point
    ended: str                    # "completed", "diverged" (the loss ran away) or "stopped"

    def advice(self) -> str:
        """One sentence for a person."""
        if self.suggestion is None:
            return ("the loss did not fall at any rate tried: try a smaller lowest rate, or check "
                    "the data and the loss")
        advice = (f"suggested learning rate {self.suggestion:.3g}: a tenth of {self.lowest_lr:.3g}, "
                  f"where the smoothed loss was lowest")
        if self.lowest_lr == self.lrs[-1]:
            advice += ("; it was still falling at the highest rate tried, so a wider range may "
                       "find a turn and a better rate")
        return advice


def sweep_rates(min_lr: float, max_lr: float, steps: int) -> np.ndarray:
    """The rates tried, spaced evenly on a log scale from `min_lr` to `max_lr`."""
    if not (0 < min_lr < max_lr) or not math.isfinite(max_lr):
        raise ValueError(f"the learning rates must grow: 0 < lowest < highest, got {min_lr:g} and {max_lr:g}")
    if not 5 <= steps <= MAX_STEPS:
        raise ValueError(f"steps: {steps} is outside the allowed range [5, {MAX_STEPS}]")
    return np.geomspace(min_lr, max_lr, steps)


def find_learning_rate(experiment: Experiment, config: Config | None = None,
                       min_lr: float = DEFAULT_MIN_LR, max_lr: float = DEFAULT_MAX_LR,
                       steps: int = DEFAULT_STEPS, stop: threading.Event | None = None) -> LRSweep:
    """Run the range test on a fresh run of `config` (default: the experiment's) and its data."""
    config = config or experiment.config
    lrs = sweep_rates(min_lr, max_lr, steps)
    losses: list[float] = []
    smoothed: list[float] = []
    average, lowest, ended = 0.0, math.inf, "completed"
    fresh = experiment.next_run(config)
    with threadpool_limits(limits=config.training.threads, user_api="blas"), \
            np.errstate(over="ignore", invalid="ignore"):
        for step, loss in enumerate(_batch_losses(fresh, lrs), start=1):
            if stop is not None and stop.is_set():
                ended = "stopped"
                break
            if not math.isfinite(loss):
                ended = "diverged"
                break
            # an exponential moving average, bias-corrected so its first values are not pulled to 0
            average = SMOOTHING * average + (1 - SMOOTHING) * loss
            losses.append(loss)
            smoothed.append(average / (1 - SMOOTHING ** step))
            lowest = min(lowest, smoothed[-1])
            if smoothed[-1] > DIVERGED_FACTOR * max(lowest, TINY_LOSS):   # a loss of 0 is no yardstick
                ended = "diverged"
                break
    best = int(np.argmin(smoothed)) if smoothed else 0
    lowest_lr = float(lrs[best]) if best > 0 else None      # at the first rate: it never fell
    return LRSweep(lrs[:len(losses)], np.asarray(losses), np.asarray(smoothed),
                   lowest_lr / 10 if lowest_lr else None, lowest_lr, ended)


def _batch_losses(experiment: Experiment, lrs: np.ndarray) -> Iterator[float]:
    """Train one mini-batch per rate, reshuffling after each pass over the training split; yield
    each batch's loss (measured before its update, as training reports it)."""
    net, data, rng = experiment.network, experiment.data, experiment.rng
    t = experiment.config.training
    loss_name = experiment.config.loss_for(experiment.task)
    weights = experiment.class_weights()
    n = data.X_train.shape[0]
    batch_size = min(t.batch_size, n)
    order = np.empty(0, dtype=np.intp)
    start = n
    for lr in lrs:
        if start + batch_size > n:                  # a new pass (a short last batch is skipped)
            order, start = rng.permutation(n), 0
        idx = order[start:start + batch_size]
        start += batch_size
        loss = net.train_step_grads(data.X_train[idx], data.y_train[idx], loss_name, t.l1, t.l2, rng, weights)
        if math.isfinite(loss):
            if t.clip_norm:
                clip_grad_norm(net.flat_grads, t.clip_norm)
            experiment.optimizer.step(float(lr))
        yield float(loss)
