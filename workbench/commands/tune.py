"""`workbench tune`: hyperparameter search from the command line (docs/tuning.md).

The training options give the base configuration; `--space` says what varies. Progress is one line
per finished trial; `--json` prints the best configuration, its score and the trial counts as the
last line; `--save` trains the best configuration and writes it as a session with the trial table.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any, Mapping, TextIO

from workbench.cli import UsageError, json_text
from workbench.commands.options import add_training_options, config_from_args
from workbench.core.config import Config
from workbench.core.cross_validation import SplitError, evaluation_splits
from workbench.core.search_space import DEFAULT_SPACE, SearchSpace, SpaceError
from workbench.core.tuning import (PRUNERS, SAMPLERS, TuningError, TuningSettings, best_config,
                                   best_trial, describe_params, run_search, trial_counts)

DEFAULT_TRIALS = 20


def add_parser(sub: argparse._SubParsersAction) -> None:
    tune = sub.add_parser(
        "tune", help="hyperparameter search (grid, random or Bayesian), optionally k-fold",
        description="Search hyperparameters around a base configuration (the training options). "
                    "See docs/tuning.md for the --space file and for running workers on several "
                    "machines.")
    add_training_options(tune)
    search = tune.add_argument_group("search")
    search.add_argument("--method", choices=tuple(SAMPLERS), default="bayes",
                        help="grid, random, or bayes (TPE); default bayes")
    search.add_argument("--space", metavar="FILE.json",
                        help="the search space (default: lr, units and activation)")
    search.add_argument("--trials", type=int, metavar="N",
                        help=f"trials to run (default {DEFAULT_TRIALS}; grid: the whole grid; "
                             "with only --timeout: no limit)")
    search.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="time budget; trials started before it ends still finish")
    search.add_argument("--folds", type=int, default=0, metavar="K",
                        help="score by k-fold cross-validation (0: the validation split)")
    search.add_argument("--pruner", choices=tuple(PRUNERS), default="none",
                        help="stop hopeless trials early from their per-epoch validation score")
    search.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="trials in parallel processes (default: the number of cores)")
    search.add_argument("--storage", metavar="URL",
                        help="an Optuna storage shared by several processes or machines: "
                             "sqlite:///study.db, postgresql://user:pw@host/db, or a journal file path")
    search.add_argument("--study", default="workbench", metavar="NAME",
                        help="the study's name in --storage (default workbench)")
    out = tune.add_argument_group("output")
    out.add_argument("--save", metavar="FILE.h5",
                     help="train the best configuration and save it with the table of trials")
    out.add_argument("--json", action="store_true",
                     help="print one JSON object with the best configuration as the last line")
    out.add_argument("--quiet", "-q", action="store_true", help="no progress lines")
    tune.set_defaults(func=run_tune)


def run_tune(args: argparse.Namespace) -> int:
    base = config_from_args(args)
    space = _space_from_args(args, base)
    settings = _settings_from_args(args, base)
    from workbench.core.data import load_dataset
    from workbench.core.seeding import streams

    if args.save:
        from workbench.io.atomic import check_writable

        check_writable(args.save)          # before the search, not after it
    dataset = load_dataset(base.data, streams(base.training.seed).data)
    _check_splits(dataset, base, settings.folds)
    quiet = args.json or args.quiet
    printer = TrialPrinter(sys.stdout, settings.trials)
    started = time.perf_counter()
    record = run_search(base, dataset, space, settings, on_trial=None if quiet else printer.show)
    seconds = time.perf_counter() - started
    best = best_config(record, base)
    if best is not None and args.save:
        _save_best(best, dataset, record, args.save, quiet)
    summary = summarize(record, best, seconds)
    if args.json:
        print(json_text(summary), flush=True)
    elif not args.quiet:
        print(format_summary(summary, record), flush=True)
    if best is None:
        counts = trial_counts(record)
        first = next((t["message"] for t in record["trials"] if t["message"]), "no trial finished")
        print(f"workbench tune: error: no trial completed ({counts['failed']} failed, "
              f"{counts['pruned']} pruned; first: {first})", file=sys.stderr)
        return 1
    return 0


def _space_from_args(args: argparse.Namespace, base: Config) -> SearchSpace:
    """The --space file (or the default space), checked against the base and the method."""
    try:
        space = SearchSpace.read(args.space) if args.space else SearchSpace.from_dict(DEFAULT_SPACE)
    except SpaceError as err:
        raise UsageError(f"--space {err}" if args.space else str(err)) from None   # names the file
    try:
        space.validate(base)
        if args.method == "grid":
            space.check_grid()
    except SpaceError as err:
        raise UsageError(f"--space {args.space}: {err}" if args.space else str(err)) from None
    return space


def _check_splits(dataset: Any, base: Config, folds: int) -> None:
    """Folds or a validation split that the data cannot give are usage errors naming the option,
    found before any worker starts."""
    try:
        evaluation_splits(dataset, base, folds)
    except SplitError as err:
        raise UsageError(f"--{err.setting.replace('_', '-')}: {err.reason}") from None


def _settings_from_args(args: argparse.Namespace, base: Config) -> TuningSettings:
    trials = args.trials
    if trials is None and args.method != "grid" and args.timeout is None:
        trials = DEFAULT_TRIALS
    try:
        return TuningSettings(method=args.method, trials=trials, timeout=args.timeout,
                              folds=args.folds, jobs=args.jobs, seed=base.training.seed,
                              pruner=args.pruner, storage=args.storage, study=args.study)
    except TuningError as err:
        raise UsageError(f"--{err}") from None


def _save_best(best: Config, dataset: Any, record: dict[str, Any], path: str, quiet: bool) -> None:
    from workbench.core.experiment import Experiment
    from workbench.core.trainer import Trainer
    from workbench.io.session import save_session

    if not quiet:
        print(f"training the best configuration ({best.training.epochs} epochs)", flush=True)
    experiment = Experiment.create(best, dataset)
    for _report in Trainer(experiment).run():
        pass
    experiment.tuning = record
    save_session(path, experiment)
    if not quiet:
        print(f"saved {path} (status {experiment.status})")


class TrialPrinter:
    """One line per finished trial: its number, state, score and parameters, and the best so far."""

    def __init__(self, stream: TextIO, budget: int | None):
        self.stream, self.budget = stream, budget
        self.done = 0
        self.best: tuple[float, int] | None = None

    def show(self, trial: Mapping[str, Any]) -> None:
        self.done += 1
        score = trial["score"]
        if score is not None and (self.best is None or score > self.best[0]):
            self.best = (score, trial["number"])
        figure = "" if score is None else format_score(score, trial["score_std"])
        best = f"best {self.best[0]:.4f} (#{self.best[1]})" if self.best else ""
        count = f"[{self.done}/{self.budget}]" if self.budget else f"[{self.done}]"
        line = (f"trial {trial['number']:>3} {trial['state']:<8} {figure:<17} "
                f"{describe_params(trial['params'])}  {trial['duration']:.1f} s  {best} {count}")
        if trial["state"] != "complete" and trial["message"]:
            line += f"\n    {trial['message']}"
        print(line, file=self.stream, flush=True)


def format_score(score: float, std: float | None) -> str:
    return f"{score:.4f}" if std is None else f"{score:.4f} ± {std:.4f}"


def summarize(record: Mapping[str, Any], best: Config | None, seconds: float) -> dict[str, Any]:
    """The --json object: the best configuration, its score, and the trials by state."""
    trial = best_trial(record)
    return {"best_trial": record["best_trial"],
            "score": trial["score"] if trial else None,
            "score_std": trial["score_std"] if trial else None,
            "metric": record["settings"]["metric"],
            "params": trial["params"] if trial else None,
            "best_config": best.to_dict() if best else None,
            "trials": trial_counts(record),
            "study": record["settings"]["study"],
            "seconds": round(seconds, 3)}


def format_summary(summary: Mapping[str, Any], record: Mapping[str, Any]) -> str:
    counts = ", ".join(f"{n} {state}" for state, n in summary["trials"].items() if n)
    if summary["best_trial"] is None:
        return f"no trial completed ({counts or 'no trials'})"
    trial = best_trial(record)
    return (f"best: trial {summary['best_trial']}, {summary['metric']} "
            f"{format_score(summary['score'], summary['score_std'])}, "
            f"{describe_params(trial['params'])}\ntrials: {counts} in {summary['seconds']:.1f} s")
