"""Parallel tuning: wall time of 16 trials with --jobs 2 against --jobs 1 (target: ratio <= 0.6).

Run: python tests/benchmarks/bench_tuning.py   (takes 10-20 seconds on 2 idle cores)

Each trial trains a small network for under a second, so process start-up (spawned workers import
NumPy, Optuna and Workbench) is part of what is measured, as it is for a person.
"""
from __future__ import annotations

import os
import time

from workbench.core.config import Config
from workbench.core.data import load_dataset
from workbench.core.search_space import SearchSpace
from workbench.core.seeding import streams
from workbench.core.tuning import TuningSettings, run_search, trial_counts

TRIALS = 16
TARGET = 0.6
BASE = Config().updated({"data.dataset": "spiral", "data.samples": 600, "training.epochs": 450,
                         "training.batch_size": 16, "layers": [{"units": 16, "activation": "tanh"}] * 2})
SPACE = SearchSpace.from_dict({"lr": {"low": 0.001, "high": 0.05, "log": True},
                               "activation": ["relu", "tanh"]})


def wall_time(jobs: int) -> float:
    dataset = load_dataset(BASE.data, streams(BASE.training.seed).data)
    started = time.perf_counter()
    record = run_search(BASE, dataset, SPACE, TuningSettings(method="random", trials=TRIALS, jobs=jobs))
    seconds = time.perf_counter() - started
    counts = trial_counts(record)
    print(f"--jobs {jobs}: {TRIALS} trials in {seconds:.2f} s ({counts['complete']} complete)")
    return seconds


def main() -> None:
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} before the run")
    one = wall_time(1)
    two = wall_time(2)
    ratio = two / one
    verdict = "meets" if ratio <= TARGET else "misses"
    print(f"ratio jobs2/jobs1 = {ratio:.2f} ({verdict} the target of {TARGET}); "
          f"load average {os.getloadavg()[0]:.2f} after the run")


if __name__ == "__main__":
    main()
