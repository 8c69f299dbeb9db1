"""Learning-rate schedules: the rate used in each epoch, from the base rate and the epoch number.

An optional linear warm-up comes first: over `warmup_epochs` epochs the rate climbs from
lr / warmup_epochs to lr. The schedule then runs over the remaining epochs, counted from 0.
"""
from __future__ import annotations

import math
from typing import Callable

from workbench.core.config import ScheduleConfig

# (schedule, base_lr, epoch after warm-up, epochs after warm-up) -> learning rate
Schedule = Callable[[ScheduleConfig, float, int, int], float]


def constant(cfg: ScheduleConfig, base_lr: float, epoch: int, total: int) -> float:
    return base_lr


def step(cfg: ScheduleConfig, base_lr: float, epoch: int, total: int) -> float:
    """Multiply by `gamma` every `step_size` epochs."""
    return base_lr * cfg.gamma ** (epoch // cfg.step_size)


def exponential(cfg: ScheduleConfig, base_lr: float, epoch: int, total: int) -> float:
    """Multiply by `gamma` every epoch."""
    return base_lr * cfg.gamma ** epoch


def cosine(cfg: ScheduleConfig, base_lr: float, epoch: int, total: int) -> float:
    """Half a cosine from base_lr down towards `min_lr`, reached after `total` epochs (as PyTorch's
    CosineAnnealingLR with T_max = total); epochs beyond that stay at `min_lr`."""
    progress = min(epoch / max(total, 1), 1.0)
    return cfg.min_lr + (base_lr - cfg.min_lr) * 0.5 * (1.0 + math.cos(math.pi * progress))


SCHEDULES: dict[str, Schedule] = {
    "constant": constant,
    "step": step,
    "exponential": exponential,
    "cosine": cosine,
}


def learning_rate(schedule: ScheduleConfig, base_lr: float, epoch: int, total_epochs: int) -> float:
    """The learning rate for 0-based `epoch` of a run of `total_epochs`, as a Python float."""
    warmup = schedule.warmup_epochs
    if epoch < warmup:
        return float(base_lr * (epoch + 1) / warmup)
    rule = SCHEDULES[schedule.name]
    return float(rule(schedule, base_lr, epoch - warmup, total_epochs - warmup))
