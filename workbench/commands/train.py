"""`workbench train` (headless training) and `workbench datasets` (the built-in data sets)."""
from __future__ import annotations

import argparse
import math
import sys
import time
from typing import Any, TextIO

from workbench.cli import json_text
from workbench.commands.options import add_training_options, config_from_args
from workbench.core.convergence import convergence_summary
from workbench.core.experiment import Experiment
from workbench.core.history import EpochReport
from workbench.core.metrics import METRIC_NAMES
from workbench.core.trainer import Trainer, evaluate_split, split_auc

BAR_INTERVAL = 0.1        # seconds between redraws of the progress bar on a terminal
BAR_WIDTH = 24


def add_parser(sub: argparse._SubParsersAction) -> None:
    train = sub.add_parser("train", help="train a network headless, printing progress",
                           description="Train a network headless. Options not given take their "
                                       "defaults (or the values in --config).")
    add_training_options(train)
    out = train.add_argument_group("output")
    out.add_argument("--save", metavar="FILE.h5", help="write the session (config, data, weights, history)")
    add_output_options(out)
    train.set_defaults(func=run_train)

    datasets = sub.add_parser("datasets", help="list the built-in data sets")
    datasets.add_argument("--json", action="store_true", help="print the list as JSON")
    datasets.set_defaults(func=run_datasets)


def add_output_options(group: argparse._ArgumentGroup) -> None:
    """--json and --quiet, shared by the commands that train (train, resume)."""
    group.add_argument("--json", action="store_true",
                       help="print one JSON object with the final figures as the last line")
    group.add_argument("--quiet", "-q", action="store_true", help="no progress lines")


def run_train(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    experiment = Experiment.create(config)
    for note in getattr(experiment.data.dataset, "notes", ()):
        print(f"note: {note}", file=sys.stderr)
    return run_training(experiment, epochs=None, args=args)


def run_training(experiment: Experiment, epochs: int | None, args: argparse.Namespace) -> int:
    """Train, print progress and the final figures, save if asked; the exit status of the run.

    Shared by `train` and `resume` so both report and save the same way.
    """
    quiet = args.json or args.quiet
    if getattr(args, "save", None):
        from workbench.io.atomic import check_writable

        check_writable(args.save)          # before training, not after it
    progress = ProgressPrinter(sys.stdout) if not quiet else None
    started = time.perf_counter()
    final: EpochReport | None = None
    trained_from = experiment.epochs_trained
    for report in Trainer(experiment).run(epochs=epochs):
        final = report
        if progress:
            progress.show(report)
    seconds = time.perf_counter() - started
    if getattr(args, "save", None):
        from workbench.io.session import save_session  # h5py only when saving

        save_session(args.save, experiment)
        if not quiet:
            print(f"saved {args.save}")
    summary = summarize(experiment, final, seconds, experiment.epochs_trained - trained_from)
    if args.json:
        print(json_text(summary))
    elif not args.quiet:
        print(format_summary(summary))
    if summary["status"] == "diverged":
        print(f"workbench {args.command}: error: {final.message if final else 'training diverged'}",
              file=sys.stderr)
        return 1
    return 0


class ProgressPrinter:
    """Progress of a run: on a terminal, one bar redrawn in place (at most 10 times a second);
    elsewhere (a log file, a pipe), one line per epoch."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.bar = bool(getattr(stream, "isatty", lambda: False)())
        self.last = 0.0

    def show(self, report: EpochReport) -> None:
        if not self.bar:
            print(self._figures(report), file=self.stream, flush=True)
        else:
            now = time.perf_counter()
            if report.finished or now - self.last >= BAR_INTERVAL:
                self.last = now
                done = report.epoch / max(report.total_epochs, 1)
                filled = round(done * BAR_WIDTH)
                bar = "#" * filled + "-" * (BAR_WIDTH - filled)
                self.stream.write(f"\r[{bar}] {self._figures(report)}")
                if report.finished:
                    self.stream.write("\n")
                self.stream.flush()
        if report.finished and report.message:
            print(f"{report.status}: {report.message}", file=self.stream)

    @staticmethod
    def _figures(report: EpochReport) -> str:
        width = len(str(report.total_epochs))
        return (f"epoch {report.epoch:>{width}}/{report.total_epochs}  loss {report.train_loss:.4f}"
                f"  val_loss {report.val_loss:.4f}  train {report.train_metric:.4f}"
                f"  val {report.val_metric:.4f}  lr {report.lr:.3g}")


def summarize(experiment: Experiment, final: EpochReport | None, seconds: float,
              epochs_run: int) -> dict[str, Any]:
    """The --json object of shared/CLI.md (and a few more figures)."""
    h = experiment.history
    last = (lambda col: _num(getattr(h, col)[-1]) if len(h) else None)
    metric = METRIC_NAMES[experiment.task]
    samples = experiment.data.X_train.shape[0] * epochs_run
    summary: dict[str, Any] = {
        "epochs": experiment.epochs_trained,
        "train_loss": last("train_loss"),
        "val_loss": last("val_loss"),
        f"train_{metric}": last("train_metric"),
        f"val_{metric}": last("val_metric"),
        "parameters": experiment.network.parameter_count(),
        "seconds": round(seconds, 4),
        "samples_per_second": round(samples / seconds, 1) if seconds > 0 else None,
        "status": final.status if final else experiment.status,
        "best_epoch": h.best_epoch(),
        **convergence_summary(h),
    }
    if experiment.data.X_test.shape[0]:
        test_loss, test_metric = evaluate_split(experiment, "test")
        summary["test_loss"], summary[f"test_{metric}"] = _num(test_loss), _num(test_metric)
    for split in ("val", "test"):                    # two classes: the ROC curve's area too
        auc = split_auc(experiment, split)
        if auc is not None:
            summary[f"{split}_auc"] = auc
    return summary


def format_summary(summary: dict[str, Any]) -> str:
    parts = [f"{key} {value:.4g}" if isinstance(value, float) else f"{key} {value}"
             for key, value in summary.items() if value is not None]
    return "result: " + ", ".join(parts)


def _num(value: float) -> float | None:
    """JSON has no NaN: missing figures are null."""
    return float(value) if math.isfinite(value) else None


def run_datasets(args: argparse.Namespace) -> int:
    from workbench.core.data import describe_builtins

    rows = describe_builtins()
    if args.json:
        print(json_text(rows))
        return 0
    for row in rows:
        print("{name:<14} {task:<15} {n_features:>3} features {n_samples:>6} samples  {description}".format(**row))
    return 0
