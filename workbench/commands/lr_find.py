"""`workbench lr-find`: the learning-rate range test (core/lr_finder.py) from the command line.

The training options give the configuration, as for `train`; the sweep trains a fresh copy for
`--steps` mini-batches at rates from `--min-lr` to `--max-lr` and prints the curve, coarsely,
with the suggested rate (the app's Find a learning rate shows it as a plot). `--json` prints
one object with every point.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from workbench.cli import UsageError, json_text
from workbench.commands.options import add_training_options, config_from_args
from workbench.core.experiment import Experiment
from workbench.core.lr_finder import (DEFAULT_MAX_LR, DEFAULT_MIN_LR, DEFAULT_STEPS, LRSweep,
                                      find_learning_rate, sweep_rates)

PRINTED_POINTS = 12          # rows of the printed curve (every point is in --json)
ENDINGS = {"completed": "every rate tried", "diverged": "stopped where the loss ran away",
           "stopped": "stopped"}


def add_parser(sub: argparse._SubParsersAction) -> None:
    finder = sub.add_parser(
        "lr-find", help="suggest a learning rate with a range test (a short sweep of rates)",
        description="Train a fresh copy of the network for a few mini-batches while the learning "
                    "rate grows from --min-lr to --max-lr, and suggest a tenth of the rate where "
                    "the smoothed loss was lowest. The session is not trained or saved.")
    add_training_options(finder)
    sweep = finder.add_argument_group("sweep")
    sweep.add_argument("--min-lr", type=float, default=DEFAULT_MIN_LR, metavar="X",
                       help=f"the first rate tried (default {DEFAULT_MIN_LR:g})")
    sweep.add_argument("--max-lr", type=float, default=DEFAULT_MAX_LR, metavar="X",
                       help=f"the last rate tried (default {DEFAULT_MAX_LR:g})")
    sweep.add_argument("--steps", type=int, default=DEFAULT_STEPS, metavar="N",
                       help=f"mini-batches, one rate each, log-spaced (default {DEFAULT_STEPS})")
    finder.add_argument("--json", action="store_true", help="print one JSON object with every point")
    finder.set_defaults(func=run_lr_find)


def run_lr_find(args: argparse.Namespace) -> int:
    try:
        sweep_rates(args.min_lr, args.max_lr, args.steps)
    except ValueError as err:
        raise UsageError(str(err)) from None
    config = config_from_args(args)
    experiment = Experiment.create(config)
    for note in getattr(experiment.data.dataset, "notes", ()):
        print(f"note: {note}", file=sys.stderr)
    sweep = find_learning_rate(experiment, min_lr=args.min_lr, max_lr=args.max_lr, steps=args.steps)
    if args.json:
        print(json_text(sweep_summary(sweep)))
    else:
        print(format_sweep(sweep, args.steps))
    return 0


def sweep_summary(sweep: LRSweep) -> dict:
    """The JSON object: the advice, how the sweep ended, and every point."""
    return {"suggestion": sweep.suggestion, "lowest_lr": sweep.lowest_lr, "ended": sweep.ended,
            "steps": len(sweep.lrs), "advice": sweep.advice(), "lrs": sweep.lrs.tolist(),
            "losses": sweep.losses.tolist(), "smoothed": sweep.smoothed.tolist()}


def format_sweep(sweep: LRSweep, planned: int) -> str:
    """A dozen points of the smoothed curve, the lowest one marked, then the advice."""
    lines = [f"learning-rate range test: {len(sweep.lrs)} of {planned} mini-batches "
             f"({ENDINGS[sweep.ended]})", f"{'learning rate':>14}  {'smoothed loss':>13}"]
    if len(sweep.lrs):
        shown = np.unique(np.linspace(0, len(sweep.lrs) - 1, PRINTED_POINTS).round().astype(int))
        best = int(np.argmin(sweep.smoothed))
        for i in sorted(set(shown.tolist()) | {best}):
            mark = "  <- lowest" if i == best and sweep.lowest_lr is not None else ""
            lines.append(f"{sweep.lrs[i]:>14.3g}  {sweep.smoothed[i]:>13.4g}{mark}")
    lines.append(sweep.advice())
    return "\n".join(lines)
