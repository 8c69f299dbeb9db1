"""`workbench importance FILE.h5`: which features a saved model relies on (core/importance.py).

Prints the features from the most to the least important, with the fall in accuracy or R² when
each is shuffled (the mean over the repeats, and its spread) and a bar; `--json` prints one object.
"""
from __future__ import annotations

import argparse

from workbench.cli import UsageError, json_text
from workbench.core.importance import (DEFAULT_REPEATS, MAX_REPEATS, SPLITS, FeatureImportance,
                                       NothingToPermute, permutation_importance)
from workbench.core.metrics import METRIC_LABELS

BAR_WIDTH = 30              # characters of the bar of the most important feature


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "importance", help="which features a saved model relies on (permutation importance)",
        description="Shuffle each feature's values among the rows, one feature at a time, and "
                    "report how far the accuracy or R² falls: the features the model relies on "
                    "fall most. Measured on the validation rows by default. Nothing is saved.")
    parser.add_argument("file", metavar="FILE.h5")
    parser.add_argument("--split", choices=list(SPLITS), default=None,
                        help="the rows to shuffle (default: val, or train when there is no validation split)")
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS, metavar="N",
                        help=f"shuffles per feature, 1 to {MAX_REPEATS} (default {DEFAULT_REPEATS})")
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="seed of the shuffles (default 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run_importance)


def run_importance(args: argparse.Namespace) -> int:
    from workbench.io.session import load_session

    if not 1 <= args.repeats <= MAX_REPEATS:
        raise UsageError(f"--repeats must be between 1 and {MAX_REPEATS}, got {args.repeats}")
    experiment = load_session(args.file)
    try:
        result = permutation_importance(experiment, args.split, args.repeats, args.seed)
    except NothingToPermute as err:
        raise UsageError(f"{err} in {args.file}; pick another with --split") from None
    print(json_text(importance_summary(result)) if args.json else format_importance(result))
    return 0


def importance_summary(result: FeatureImportance) -> dict:
    """The JSON object: what was measured, then the features ranked."""
    return {"metric": result.metric_name, "baseline": result.baseline, "split": result.split,
            "samples": result.samples, "repeats": result.repeats, "epoch": result.epoch,
            "features": [{"name": result.names[i], "columns": list(result.columns[i]),
                          "mean": float(result.mean[i]), "std": float(result.std[i])}
                         for i in result.ranked()]}


def format_importance(result: FeatureImportance) -> str:
    """Two lines on what was measured, then one line per feature, the most important first."""
    label = METRIC_LABELS[result.metric_name]
    lines = [f"permutation importance: the fall in {SPLITS[result.split]} {label} when a feature is shuffled",
             f"{result.samples:,} rows, {result.repeats} shuffles each, the weights of epoch "
             f"{result.epoch}; {label} with no feature shuffled: {result.baseline:.4f}"]
    order = result.ranked()
    width = max([len("feature"), *(len(result.names[i]) for i in order)])
    lines.append(f"{'feature':<{width}}  {'fall':>8}  {'± std':>7}")
    top = max(float(result.mean[order[0]]), 0.0) if order else 0.0
    for i in order:
        mean = float(result.mean[i])
        bar = "#" * round(BAR_WIDTH * mean / top) if top > 0 and mean > 0 else ""
        lines.append(f"{result.names[i]:<{width}}  {mean:>8.4f}  {float(result.std[i]):>7.4f}  {bar}")
    return "\n".join(lines)
