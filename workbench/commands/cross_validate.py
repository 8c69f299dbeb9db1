"""`workbench cross-validate`: fresh runs of one configuration on k folds (core/cross_validation.py),
each scored on the fold it held out, with the mean, the spread and what they say.

The training options give the configuration, as for `train`; `--folds` how many folds. `--json`
prints one object with every fold. Progress goes to stderr (not with `--json` or `--quiet`).
"""
from __future__ import annotations

import argparse
import sys

from workbench.cli import UsageError, json_text
from workbench.commands.options import add_training_options, config_from_args
from workbench.commands.runs_progress import RunsProgressPrinter, add_quiet_option
from workbench.core.cross_validation import DEFAULT_FOLDS, CrossValidation, SplitError, cross_validate
from workbench.core.experiment import samples_for
from workbench.core.metrics import METRIC_LABELS


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "cross-validate", help="k-fold cross-validation of one configuration: the score's mean and spread",
        description="Train a fresh run per fold of the rows not held out for testing, each on the other "
                    "folds, and score it on its own fold (the folds `tune --folds` uses). Nothing is saved.")
    add_training_options(parser)
    parser.add_argument("--folds", type=int, default=DEFAULT_FOLDS, metavar="K",
                        help=f"folds, at least 2 (default {DEFAULT_FOLDS})")
    parser.add_argument("--json", action="store_true", help="print one JSON object with every fold")
    add_quiet_option(parser)
    parser.set_defaults(func=run_cross_validate)


def run_cross_validate(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    dataset = samples_for(config)
    for note in dataset.notes:
        print(f"note: {note}", file=sys.stderr)
    progress = None if args.json or args.quiet else RunsProgressPrinter(sys.stderr)
    try:
        result = cross_validate(config, dataset, args.folds, on_progress=progress)
    except SplitError as err:
        raise UsageError(f"--{err.setting.replace('_', '-')}: {err.reason}") from None
    finally:
        if progress is not None:
            progress.close()
    print(json_text(result_summary(result)) if args.json else format_result(result))
    return 0


def result_summary(result: CrossValidation) -> dict:
    """The JSON object: the mean, the spread, the advice and every fold."""
    return {"metric": result.metric_name, "mean": result.mean, "std": result.std, "advice": result.advice(),
            "train_metric": result.train_metric.tolist(), "val_metric": result.val_metric.tolist(),
            "val_rows": result.val_rows.tolist(), "epochs": result.epochs.tolist()}


def format_result(result: CrossValidation) -> str:
    """A row per fold, then the estimate and the advice."""
    label = METRIC_LABELS[result.metric_name]
    lines = [f"{'fold':>4}  {'rows':>7}  {'epochs':>6}  {'train ' + label:>14}  {'val ' + label:>12}"]
    for fold, (rows, epochs, train, val) in enumerate(zip(result.val_rows, result.epochs, result.train_metric,
                                                          result.val_metric), start=1):
        lines.append(f"{fold:>4}  {rows:>7,}  {epochs:>6,}  {train:>14.4f}  {val:>12.4f}")
    summary = result.summary()
    lines += [f"{summary[0].upper()}{summary[1:]}.", result.advice()]
    return "\n".join(lines)
