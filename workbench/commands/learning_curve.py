"""`workbench learning-curve`: the training and validation score against the training rows
(core/learning_curve.py) from the command line, with the advice read off the curve.

The training options give the configuration, as for `train`; `--shares` the shares of the
training rows to train on. `--json` prints one object with every point. Progress goes to stderr
(not with `--json` or `--quiet`).
"""
from __future__ import annotations

import argparse
import sys

from workbench.cli import UsageError, json_text
from workbench.commands.options import add_training_options, config_from_args
from workbench.commands.runs_progress import RunsProgressPrinter, add_quiet_option
from workbench.core.experiment import Experiment
from workbench.core.learning_curve import (DEFAULT_SHARES, LearningCurve, NoValidationRows, check_shares,
                                           learning_curve)
from workbench.core.metrics import METRIC_LABELS


def _shares(text: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of shares, e.g. 0.25,0.5,1") from None


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "learning-curve", help="would more data help? scores of fresh runs on growing shares of the training rows",
        description="Train a fresh run on each share of the training rows (per class, nested, with as "
                    "many updates as the full run) and score it on the validation rows. Nothing is saved.")
    add_training_options(parser)
    parser.add_argument("--shares", type=_shares, default=list(DEFAULT_SHARES), metavar="0.1,0.5,1",
                        help="shares of the training rows, growing, at most 1 "
                             f"(default {','.join(f'{s:g}' for s in DEFAULT_SHARES)})")
    parser.add_argument("--json", action="store_true", help="print one JSON object with every point")
    add_quiet_option(parser)
    parser.set_defaults(func=run_learning_curve)


def run_learning_curve(args: argparse.Namespace) -> int:
    try:
        check_shares(args.shares)
    except ValueError as err:
        raise UsageError(f"--shares: {err}") from None
    experiment = Experiment.create(config_from_args(args))
    for note in getattr(experiment.data.dataset, "notes", ()):
        print(f"note: {note}", file=sys.stderr)
    progress = None if args.json or args.quiet else RunsProgressPrinter(sys.stderr)
    try:
        curve = learning_curve(experiment, args.shares, on_progress=progress)
    except NoValidationRows as err:
        raise UsageError(f"{err} (--val-split)") from None
    finally:
        if progress is not None:
            progress.close()
    print(json_text(curve_summary(curve)) if args.json else format_curve(curve))
    return 0


def curve_summary(curve: LearningCurve) -> dict:
    """The JSON object: the advice and every point."""
    return {"metric": curve.metric_name, "val_rows": curve.val_rows, "advice": curve.advice(),
            "shares": curve.shares.tolist(), "rows": curve.rows.tolist(), "epochs": curve.epochs.tolist(),
            "train_metric": curve.train_metric.tolist(), "val_metric": curve.val_metric.tolist(),
            "train_loss": curve.train_loss.tolist(), "val_loss": curve.val_loss.tolist()}


def format_curve(curve: LearningCurve) -> str:
    """A row per point, then the advice."""
    label = METRIC_LABELS[curve.metric_name]
    lines = [f"learning curve: {label} of fresh runs on shares of the training rows, scored on "
             f"{curve.val_rows:,} validation rows",
             f"{'share':>6}  {'rows':>7}  {'epochs':>6}  {'train ' + label:>14}  {'val ' + label:>12}"]
    for share, rows, epochs, train, val in zip(curve.shares, curve.rows, curve.epochs, curve.train_metric,
                                               curve.val_metric):
        lines.append(f"{share:>6.2f}  {rows:>7,}  {epochs:>6,}  {train:>14.4f}  {val:>12.4f}")
    advice = curve.advice()
    lines.append(f"{advice[0].upper()}{advice[1:]}.")
    return "\n".join(lines)
