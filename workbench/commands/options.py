"""Training options shared by `workbench train` and `workbench tune`, turned into a `Config`.

Every option defaults to "not given", so that `--config FILE.json` supplies the base and options
given on the command line override it; what neither gives takes `Config`'s defaults.
"""
from __future__ import annotations

import argparse
import re
from typing import Any

from workbench.cli import UsageError
from workbench.core.class_weights import CLASS_WEIGHTS
from workbench.core.config import TASKS, Config, ConfigError, LayerConfig, registry_names
from workbench.core.datasets_builtin import BUILTIN_DATASETS
from workbench.core.extra_features import EXTRA_FEATURES

# option dest -> dotted config path (the layer options are handled apart: they apply to every layer)
_SIMPLE_OPTIONS = {
    "dataset": "data.dataset", "data": "data.path", "target": "data.target", "task": "data.task",
    "exclude": "data.exclude", "samples": "data.samples", "noise": "data.noise",
    "extra_features": "data.extra_features", "val_split": "data.val_split",
    "test_split": "data.test_split",
    "optimizer": "optimizer.name", "lr": "optimizer.lr", "momentum": "optimizer.momentum",
    "beta1": "optimizer.beta1", "beta2": "optimizer.beta2", "weight_decay": "optimizer.weight_decay",
    "schedule": "schedule.name", "warmup": "schedule.warmup_epochs",
    "epochs": "training.epochs", "batch_size": "training.batch_size", "loss": "training.loss",
    "class_weight": "training.class_weight",
    "l1": "training.l1", "l2": "training.l2", "clip_norm": "training.clip_norm",
    "early_stopping": "training.early_stopping", "seed": "training.seed", "dtype": "training.dtype",
    "threads": "training.threads",
}
_LAYER_OPTIONS = {"activation": "activation", "init": "init", "dropout": "dropout"}
# config field (layer indices dropped) -> the option that sets it, for error messages
_OPTION_OF_FIELD = {path: "--" + dest.replace("_", "-") for dest, path in _SIMPLE_OPTIONS.items()} | {
    "layers": "--layers", "layers.units": "--layers",
    **{f"layers.{key}": f"--{dest}" for dest, key in _LAYER_OPTIONS.items()}}


def _layer_sizes(text: str) -> list[int]:
    if not text.strip():
        return []
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of units, e.g. 8,8") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError("every hidden layer needs at least 1 unit")
    return sizes


def _names(text: str) -> list[str]:
    """A comma-separated list ("" is the empty list)."""
    return [part.strip() for part in text.split(",")] if text.strip() else []


def add_training_options(parser: argparse.ArgumentParser) -> None:
    """The hyperparameter options of shared/CLI.md (plus a few extensions), all optional."""
    data = parser.add_argument_group("data")
    data.add_argument("--config", metavar="FILE.json", help="read hyperparameters from JSON (same shape as a session's config)")
    data.add_argument("--dataset", metavar="NAME", help="a built-in data set (see `workbench datasets`); default spiral")
    data.add_argument("--data", metavar="PATH", help="your own data: a CSV with a header row, or .npz with X and y")
    data.add_argument("--target", metavar="COLUMN", help="the CSV target column (default: the last)")
    data.add_argument("--exclude", action="append", metavar="COLUMN",
                      help="a CSV column to leave out of the features (an ID, a name); repeat for more")
    data.add_argument("--task", choices=TASKS, help="default: inferred from the target")
    data.add_argument("--samples", type=int, metavar="N", help="size of a generated data set")
    data.add_argument("--noise", type=float, metavar="X", help="noise of a generated data set, 0 to 0.5")
    data.add_argument("--extra-features", type=_names, metavar="F,F",
                      help=f"inputs added to a generated data set's x1 and x2, from {', '.join(EXTRA_FEATURES)} "
                           "(quote the list: 'x1^2,x2^2'; '' for none)")
    data.add_argument("--val-split", type=float, metavar="X", help="fraction held out for validation (default 0.2)")
    data.add_argument("--test-split", type=float, metavar="X", help="fraction held out for testing (default 0)")

    model = parser.add_argument_group("network")
    model.add_argument("--layers", type=_layer_sizes, metavar="8,8",
                       help='hidden units per hidden layer; "" means no hidden layer')
    model.add_argument("--activation", choices=registry_names("activation"), help="hidden activation")
    model.add_argument("--init", choices=registry_names("init"), help="weight initialisation")
    model.add_argument("--dropout", type=float, metavar="P", help="dropout rate of every hidden layer")

    train = parser.add_argument_group("training")
    train.add_argument("--optimizer", choices=registry_names("optimizer"))
    train.add_argument("--lr", type=float, metavar="X", help="learning rate")
    train.add_argument("--momentum", type=float, metavar="X")
    train.add_argument("--beta1", type=float, metavar="X", help="Adam's first-moment decay")
    train.add_argument("--beta2", type=float, metavar="X", help="Adam's second-moment decay")
    train.add_argument("--weight-decay", type=float, metavar="X", help="decoupled weight decay (adamw)")
    train.add_argument("--schedule", choices=registry_names("schedule"), help="learning-rate schedule")
    train.add_argument("--warmup", type=int, metavar="N", help="warm-up epochs")
    train.add_argument("--batch-size", type=int, metavar="N")
    train.add_argument("--epochs", type=int, metavar="N")
    train.add_argument("--loss", choices=registry_names("loss"), help="default by task")
    train.add_argument("--class-weight", choices=CLASS_WEIGHTS,
                       help="balanced: each class counts alike in the loss, however rare (default none)")
    train.add_argument("--l1", type=float, metavar="X", help="L1 penalty (with --l2: elastic net)")
    train.add_argument("--l2", type=float, metavar="X", help="L2 penalty")
    train.add_argument("--clip-norm", type=float, metavar="X", help="clip the gradient norm (0: off)")
    train.add_argument("--early-stopping", type=int, metavar="N",
                       help="stop when validation loss has not improved for N epochs")
    train.add_argument("--seed", type=int, metavar="N", help="one seed for data, init, shuffling and dropout")
    train.add_argument("--dtype", choices=("float32", "float64"))
    train.add_argument("--threads", type=int, metavar="N", help="BLAS threads (default 1)")


def config_from_args(args: argparse.Namespace) -> Config:
    """The Config that the options describe; a bad value is a UsageError naming the option."""
    dataset = getattr(args, "dataset", None)
    if dataset is not None and dataset not in BUILTIN_DATASETS:
        raise UsageError(f"--dataset: unknown data set {dataset!r}; the built-in ones are "
                         f"{', '.join(BUILTIN_DATASETS)} (your own file: --data PATH)")
    base = _read_config_file(args.config) if getattr(args, "config", None) else Config()
    changes: dict[str, Any] = {path: getattr(args, dest) for dest, path in _SIMPLE_OPTIONS.items()
                               if getattr(args, dest, None) is not None}
    layer_changes = {key: getattr(args, dest) for dest, key in _LAYER_OPTIONS.items()
                     if getattr(args, dest, None) is not None}
    try:
        layers = [layer.__dict__.copy() for layer in base.layers]
        if getattr(args, "layers", None) is not None:
            template = base.layers[0] if base.layers else LayerConfig()
            layers = [{**template.__dict__, "units": units} for units in args.layers]
        for layer in layers:
            layer.update(layer_changes)
        return base.updated({**changes, "layers": layers})
    except ConfigError as err:
        field_path = re.sub(r"\[\d+\]", "", err.field)
        option = _OPTION_OF_FIELD.get(field_path, f"--config {args.config}: {field_path}"
                                      if getattr(args, "config", None) else field_path)
        raise UsageError(f"{option}: {str(err).split(': ', 1)[-1]}") from None


def _read_config_file(path: str) -> Config:
    from workbench.io.config_json import ConfigFileError, read_config_file

    try:
        return read_config_file(path)
    except ConfigFileError as err:
        raise UsageError(f"--config {err}") from None
