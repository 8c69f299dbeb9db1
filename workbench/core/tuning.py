"""Hyperparameter search with Optuna: grid, random or Bayesian (TPE) sampling, optional pruning,
trials in parallel processes, and the tuning record that sessions store under /tuning.

How the parallel search works: every worker process opens the same Optuna storage (the one given
with `--storage`, else a temporary journal file) and runs trials until the shared budget (a
counter of trials and a deadline) is spent. Workers on other machines pointed at the same storage
and study join in the same way. Each finished trial is sent to the parent for progress, and the
record is read back from the storage at the end, so it holds every machine's trials.

A grid search does not sample: the parent queues the grid's combinations in the study (Optuna's
`enqueue_trial`) a few ahead of its workers, skipping any already in the study, and every worker
claims queued trials one at a time until the parent has queued the last one and none is left.
The storage's claim is atomic, so each combination runs once however many processes take part.
A random search on a private storage is queued the same way, its values drawn in the parent from
the seed, so that trial n has the same values whatever the number of workers (the queue:
`tuning_queue.py`).

Optuna is imported inside the functions that use it, so importing this module stays cheap.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import queue as queue_module
import re
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from typing import Any, Callable

import numpy as np

from workbench.core.config import Config
from workbench.core.cross_validation import TrialFailed, evaluation_splits, score_config
from workbench.core.data import Dataset
from workbench.core.metrics import METRIC_NAMES
from workbench.core.search_space import SearchSpace, SpaceError
from workbench.core.tuning_queue import TrialFeed, grid_points, next_queued, run_queued, sampled_points
from workbench.core.tuning_record import (best_config, best_trial, best_trial_number, describe_params,
                                          param_importances, trial_counts, trial_record)

METRICS = METRIC_NAMES
STORAGE_ATTEMPTS = 4
RETRIED_ERRORS = ("IntegrityError", "ProgrammingError", "OperationalError")  # SQLAlchemy's names
POSTGRES_DRIVER_HINT = 'pip install "workbench[postgres]", or pip install psycopg2-binary'
FEED_SECONDS = 0.5           # the parent queues more at least this often (others may take its queue)
TrialCallback = Callable[[dict[str, Any]], None]


class TuningError(ValueError):
    """A search that cannot run as asked (bad settings, unreachable storage, a mismatched study)."""


# --- samplers and pruners (registries; Optuna imported when one is built) ----------------------------
def _queued_grid_sampler(space: SearchSpace, seed: int) -> Any:
    """Grid trials come from the queue with every varying value fixed, so this never draws.

    Not Optuna's GridSampler: its processes each pick a combination not yet started, so with
    several they can pick the same one, and it lists the whole grid in memory.
    """
    from optuna.samplers import RandomSampler

    return RandomSampler(seed=seed)


def _random_sampler(space: SearchSpace, seed: int) -> Any:
    from optuna.samplers import RandomSampler

    return RandomSampler(seed=seed)


def _tpe_sampler(space: SearchSpace, seed: int) -> Any:
    from optuna.samplers import TPESampler

    # few random start-up trials so that small budgets still get model-guided proposals;
    # constant_liar keeps parallel workers from proposing the same point
    return TPESampler(seed=seed, n_startup_trials=5, constant_liar=True)


def _no_pruner(max_epochs: int) -> Any:
    from optuna.pruners import NopPruner

    return NopPruner()


def _median_pruner(max_epochs: int) -> Any:
    from optuna.pruners import MedianPruner

    return MedianPruner(n_startup_trials=4, n_warmup_steps=max(1, max_epochs // 5))


def _hyperband_pruner(max_epochs: int) -> Any:
    from optuna.pruners import HyperbandPruner

    return HyperbandPruner(min_resource=1, max_resource=max(max_epochs, 2), reduction_factor=3)


SAMPLERS: dict[str, Callable[[SearchSpace, int], Any]] = {
    "grid": _queued_grid_sampler, "random": _random_sampler, "bayes": _tpe_sampler}
PRUNERS: dict[str, Callable[[int], Any]] = {
    "none": _no_pruner, "median": _median_pruner, "hyperband": _hyperband_pruner}


# --- settings -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TuningSettings:
    """How to search: method, budget (trials and/or seconds), scoring (folds), parallelism, storage."""

    method: str = "bayes"
    trials: int | None = 20          # trials this search runs (shared by its jobs); None: no limit
    timeout: float | None = None     # seconds; trials started before the deadline finish
    folds: int = 0                   # 0: score on the validation split; k >= 2: k-fold mean
    jobs: int = 1                    # parallel worker processes
    seed: int = 0
    pruner: str = "none"
    storage: str | None = None       # Optuna storage URL, or a journal file path; None: temporary
    study: str = "workbench"

    def __post_init__(self) -> None:
        checks = [
            (self.method in SAMPLERS, "method", f"{self.method!r} is not one of {', '.join(SAMPLERS)}"),
            (self.pruner in PRUNERS, "pruner", f"{self.pruner!r} is not one of {', '.join(PRUNERS)}"),
            (self.trials is None or self.trials >= 1, "trials", "at least 1"),
            (self.timeout is None or self.timeout > 0, "timeout", "more than 0 seconds"),
            (self.folds == 0 or self.folds >= 2, "folds", "0 (the validation split) or at least 2"),
            (self.jobs >= 1, "jobs", "at least 1"),
            (bool(self.study), "study", "a name is needed"),
            (self.method == "grid" or self.trials is not None or self.timeout is not None,
             "trials", "give a number of trials or a time budget"),
        ]
        for ok, name, message in checks:
            if not ok:
                raise TuningError(f"{name}: {message}")

    def to_record(self, metric: str) -> dict[str, Any]:
        """The record's settings (the storage URL is left out: it may hold a password)."""
        return {"method": self.method, "trials": self.trials, "timeout": self.timeout,
                "folds": self.folds, "jobs": self.jobs, "seed": self.seed, "metric": metric,
                "direction": "maximize", "pruner": self.pruner, "study": self.study}


# --- one search -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Job:
    """Everything a worker needs to run trials (sent to worker processes)."""

    base: Config
    dataset: Dataset
    space: SearchSpace
    settings: TuningSettings
    splits: list[np.ndarray]
    storage: str | None
    single_thread: bool        # worker processes keep BLAS to one thread each


class _Budget:
    """Trials left and the deadline, shared by all worker processes of one search."""

    def __init__(self, context: Any, trials: int | None, deadline: float | None):
        self._left = context.Value("q", -1 if trials is None else trials)
        self.deadline = deadline

    def claim(self) -> bool:
        if self.deadline is not None and time.time() >= self.deadline:
            return False
        with self._left.get_lock():
            if self._left.value == 0:
                return False
            if self._left.value > 0:
                self._left.value -= 1
            return True


def run_search(base: Config, dataset: Dataset, space: SearchSpace, settings: TuningSettings,
               on_trial: TrialCallback | None = None, stop: threading.Event | None = None) -> dict[str, Any]:
    """Search `space` around `base` on `dataset`; returns the tuning record (architecture.md).

    `on_trial` receives each finished trial's record entry (from this process's workers) as it
    comes; `stop` ends the search early (the running trials are abandoned and marked failed).
    A trial that diverges or fails is recorded as failed and the search goes on.
    """
    try:
        space.validate(base)
        if settings.method == "grid":
            space.check_grid()
        splits = evaluation_splits(dataset, base, settings.folds)
    except (SpaceError, ValueError) as err:
        raise TuningError(str(err)) from None
    on_trial = on_trial or (lambda record: None)
    stop = stop or threading.Event()
    deadline = time.time() + settings.timeout if settings.timeout else None
    context = multiprocessing.get_context(_start_method())
    budget = _Budget(context, settings.trials, deadline)
    job = _Job(base, dataset, space, settings, splits, settings.storage, settings.jobs > 1)
    metric = METRICS[dataset.task]
    if settings.jobs == 1:
        study, storage = _open_study(job, worker=0)
        if _queued(settings):
            _work_queued(study, storage, job, budget, stop, on_trial, _trial_feed(study, job).top_up)
        else:
            _work(study, job, budget, stop, on_trial)
        return _record(study, job, metric)
    with tempfile.TemporaryDirectory(prefix="workbench-tune-") as folder:
        if job.storage is None:
            job = replace(job, storage=os.path.join(folder, "study.journal"))
        study, _ = _open_study(job, worker=0)   # creates the study (and checks it) before workers start
        feed = _trial_feed(study, job) if _queued(settings) else None
        errors = _run_workers(job, context, budget, stop, on_trial, feed)
        record = _record(study, job, metric)
    if errors and not record["trials"]:
        raise TuningError(errors[0])
    return record


def _start_method() -> str:
    """Fork starts workers in milliseconds, but is unsafe once other threads run (the GUI, its
    worker thread) and on macOS: then spawn, which starts a fresh interpreter (about half a second)."""
    forkable = sys.platform.startswith("linux") and threading.active_count() == 1
    return "fork" if forkable else "spawn"


def _run_workers(job: _Job, context: Any, budget: _Budget, stop: threading.Event,
                 on_trial: TrialCallback, feed: TrialFeed | None) -> list[str]:
    """Start `jobs` worker processes, relay their finished trials, stop them on request; for a
    queued search, keep queuing trials (`feed`) and tell the workers once the last one is queued."""
    messages = context.Queue()
    worker_stop = context.Event()
    all_queued = context.Event()
    if feed is None or not feed.top_up():
        all_queued.set()
    next_feed = time.monotonic() + FEED_SECONDS
    workers = [context.Process(target=_worker_main,
                               args=(job, index, budget, worker_stop, all_queued, messages),
                               name=f"workbench-tune-{index + 1}", daemon=True)
               for index in range(job.settings.jobs)]
    for worker in workers:
        worker.start()
    errors: list[str] = []
    running = len(workers)
    try:
        while running:
            if stop.is_set():
                worker_stop.set()
            try:
                kind, payload = messages.get(timeout=0.05)
            except queue_module.Empty:
                if not any(worker.is_alive() for worker in workers) and messages.empty():
                    break       # a worker was killed before it could say it was done
                kind, payload = "idle", None
            if (feed is not None and not all_queued.is_set() and not stop.is_set()
                    and (kind == "trial" or time.monotonic() >= next_feed)):
                next_feed = time.monotonic() + FEED_SECONDS
                if not feed.top_up():
                    all_queued.set()
            if kind == "trial":
                on_trial(payload)
            elif kind == "error":
                errors.append(payload)
            elif kind == "done":
                running -= 1
    finally:
        worker_stop.set()
        for worker in workers:
            worker.join(timeout=10)
            if worker.is_alive():
                worker.terminate()
                worker.join()
    return errors


def _worker_main(job: _Job, index: int, budget: _Budget, stop: Any, all_queued: Any,
                 messages: Any) -> None:
    """Entry point of a worker process: run trials until the budget is spent; report each one."""
    from threadpoolctl import threadpool_limits

    report = lambda trial: messages.put(("trial", trial))  # noqa: E731
    try:
        with threadpool_limits(limits=1):
            study, storage = _open_study(job, worker=index)
            if _queued(job.settings):
                _work_queued(study, storage, job, budget, stop, report, lambda: not all_queued.is_set())
            else:
                _work(study, job, budget, stop, report)
    except KeyboardInterrupt:
        pass            # Ctrl-C reaches every process of the group; the parent reports it once
    except Exception as err:  # noqa: BLE001 - reported to the parent as one line
        messages.put(("error", f"worker {index + 1}: {err}"))
    finally:
        messages.put(("done", index))


def _work(study: Any, job: _Job, budget: _Budget, stop: Any, on_trial: TrialCallback) -> None:
    """Run sampled trials one at a time, each claimed from the shared budget, until it runs out."""
    objective = _Objective(job, stop)
    report = lambda _study, frozen: on_trial(trial_record(frozen))  # noqa: E731
    while not stop.is_set() and budget.claim():
        study.optimize(objective, n_trials=1, catch=(TrialFailed,), callbacks=[report])


def _queued(settings: TuningSettings) -> bool:
    """Whether the search queues its trials' values in the study for the workers to claim.

    A grid always does (each combination runs once). A random search does on a private storage:
    its values are drawn in one place from the seed, so trial n gets the same values whatever
    `jobs` is and whichever worker is free first, and a seeded search repeats exactly. On a
    shared storage each command draws its own (the seed mixed with the process id).
    """
    return settings.method == "grid" or (settings.method == "random" and settings.storage is None)


def _work_queued(study: Any, storage: Any, job: _Job, budget: _Budget, stop: Any,
                 on_trial: TrialCallback, queuing: Callable[[], bool]) -> None:
    """Run queued trials one at a time, in the order queued, until the budget runs out or none is
    left.

    `queuing()` says whether more trials may still be queued; in the parent's own process (one
    job) it queues them itself.
    """
    objective = _Objective(job, stop)
    while not stop.is_set() and budget.claim():
        trial = next_queued(study, storage, queuing, stop)
        if trial is None:
            return
        on_trial(trial_record(run_queued(study, trial, objective)))


def _trial_feed(study: Any, job: _Job) -> TrialFeed:
    """The feed that queues this search's trials, two per worker ahead.

    A grid's combinations come in a random order: the search's seed, mixed with the process id on
    a shared storage so that commands started together on several machines rarely queue the same
    combination in the same instant (each skips combinations it finds in the study). A random
    search's values are its sampler's draws from the seed, the same ones it draws in a study of
    its own.
    """
    settings = job.settings
    seed = _sampler_seed(settings.seed, 0, shared=settings.storage is not None)
    grid = settings.method == "grid"
    points = grid_points(job.space, seed) if grid else sampled_points(job.space, SAMPLERS["random"](job.space, seed))
    return TrialFeed(study, job.space, points, ahead=2 * settings.jobs, trials=settings.trials, skip_present=grid)


class _Objective:
    """Optuna's objective: the trial's Config, scored on the splits; failures say why."""

    def __init__(self, job: _Job, stop: Any):
        self.job, self.stop = job, stop
        self.prune = job.settings.pruner != "none"

    def __call__(self, trial: Any) -> float:
        from optuna import TrialPruned

        job = self.job
        trial.set_user_attr("worker", f"{socket.gethostname()}:{os.getpid()}")   # which machine and process ran it (in the storage)
        params = job.space.suggest(trial)
        on_epoch = (lambda epoch, value: _report_epoch(trial, epoch, value)) if self.prune else None
        try:
            config = job.space.config_for(job.base, params)
            if job.single_thread:
                config = config.updated({"training.threads": 1})
            score = score_config(config, job.dataset, job.splits, on_epoch=on_epoch, stop=self.stop)
        except TrialPruned:
            raise
        except TrialFailed as err:
            trial.set_user_attr("message", str(err))
            raise
        except Exception as err:  # noqa: BLE001 - any failure of one trial is recorded, not fatal
            message = f"{type(err).__name__}: {err}"
            trial.set_user_attr("message", message)
            raise TrialFailed(message) from err
        trial.set_user_attr("fold_scores", list(score.folds))
        trial.set_user_attr("score_std", score.std)
        return score.mean


def _report_epoch(trial: Any, epoch: int, value: float) -> None:
    from optuna import TrialPruned

    trial.report(value, epoch)
    if trial.should_prune():
        trial.set_user_attr("message", f"pruned after epoch {epoch} (validation score {value:.4g})")
        raise TrialPruned()


# --- storage and study ------------------------------------------------------------------------------------
def open_storage(url: str | None) -> Any:
    """None (in memory), a database URL (sqlite:///…, postgresql://…) or a journal file path."""
    import optuna

    if url is None:
        return optuna.storages.InMemoryStorage()
    attempt = 0
    while True:
        attempt += 1
        try:
            return _storage_for(url)
        except ImportError as err:   # Optuna re-raises the driver's ModuleNotFoundError as this
            postgres = url.split("://", 1)[0].startswith("postgres")
            reason = f"the PostgreSQL driver is not installed ({POSTGRES_DRIVER_HINT})" if postgres \
                else f"its database driver is not installed ({err.__cause__ or err})"
            raise TuningError(f"storage {redact(url)}: cannot open: {reason}") from None
        except Exception as err:  # noqa: BLE001 - drivers raise many kinds; one line for a person
            # workers started together on a new database race to create its tables: the loser
            # finds them made on its next attempt
            if attempt == STORAGE_ATTEMPTS or type(err).__name__ not in RETRIED_ERRORS:
                first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
                raise TuningError(f"storage {redact(url)}: cannot open ({first_line})") from None
            time.sleep(0.2 * attempt)


def _storage_for(url: str) -> Any:
    import optuna

    if url.split("://", 1)[0] in ("sqlite", "sqlite+pysqlite"):
        return _sqlite_storage(url)
    if "://" in url:
        return optuna.storages.RDBStorage(_with_installed_driver(url), engine_kwargs={"pool_pre_ping": True})
    from optuna.storages.journal import JournalFileBackend

    return optuna.storages.JournalStorage(JournalFileBackend(url))


def _sqlite_storage(url: str) -> Any:
    """An SQLite storage whose every transaction takes the write lock first (BEGIN IMMEDIATE).

    SQLite ignores the row lock (SELECT ... FOR UPDATE) with which Optuna claims a queued trial,
    and Python's sqlite3 begins a transaction only at the first write, so two processes could both
    read a trial as waiting and both run it (4 processes claiming 300 queued trials: 56 ran twice).
    With the lock taken before the read, a claim is atomic. `isolation_level=None` stops sqlite3
    beginning transactions itself; `timeout` lets a process wait its turn for the lock.
    """
    import optuna
    import sqlalchemy

    storage = optuna.storages.RDBStorage(url, engine_kwargs={
        "pool_pre_ping": True, "connect_args": {"isolation_level": None, "timeout": 60}})
    sqlalchemy.event.listen(storage.engine, "begin",
                            lambda connection: connection.exec_driver_sql("BEGIN IMMEDIATE"))
    return storage


def _with_installed_driver(url: str) -> str:
    """`postgresql://` names no driver, and SQLAlchemy 2.1 then wants psycopg 3; use psycopg2 when
    only it is installed (the postgres extra installs psycopg2-binary)."""
    scheme, rest = url.split("://", 1)
    if scheme not in ("postgresql", "postgres"):
        return url
    import importlib.util

    has_psycopg3 = importlib.util.find_spec("psycopg") is not None
    driver = "postgresql" if has_psycopg3 or importlib.util.find_spec("psycopg2") is None else "postgresql+psycopg2"
    return f"{driver}://{rest}"


def redact(url: str) -> str:
    """The URL with any password replaced, for messages."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def _open_study(job: _Job, worker: int) -> tuple[Any, Any]:
    """Create or join the study with this worker's sampler (refusing a study of another search);
    returns it and its storage (a grid worker claims queued trials through the storage)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)  # failed trials are in the record, not logs
    settings = job.settings
    seed = _sampler_seed(settings.seed, worker, shared=settings.storage is not None)
    storage = open_storage(job.storage)
    study = optuna.create_study(
        storage=storage, study_name=settings.study, direction="maximize",
        sampler=SAMPLERS[settings.method](job.space, seed),
        pruner=PRUNERS[settings.pruner](max_epochs(job.space, job.base)), load_if_exists=True)
    if study.direction != optuna.study.StudyDirection.MAXIMIZE:
        raise TuningError(f"study {settings.study!r} minimises; use another --study name")
    _check_signature(study, _signature(job))
    return study, storage


def _sampler_seed(seed: int, worker: int, shared: bool) -> int:
    """Each worker samples differently; with a shared storage, machines differ too (by process id)."""
    parts = [seed, worker, os.getpid()] if shared else [seed, worker]
    return int(np.random.SeedSequence(parts).generate_state(1)[0]) if worker or shared else seed


def _signature(job: _Job) -> dict[str, Any]:
    """What must agree between processes that work on one study (JSON-normalised)."""
    config = job.base.to_dict()
    config["data"].pop("path")        # the same file may live at another path on another machine
    config["training"].pop("threads")
    return json.loads(json.dumps({"space": job.space.to_dict(), "config": config,
                                  "folds": job.settings.folds}))


def _check_signature(study: Any, signature: dict[str, Any]) -> None:
    stored = study.user_attrs.get("workbench")
    if stored is None:
        study.set_user_attr("workbench", signature)
        return
    if stored != signature:
        raise TuningError(f"study {study.study_name!r} was started with a different "
                          f"{_first_difference(stored, signature)}; give every worker the same "
                          "options and --space, or use another --study name")


def _first_difference(a: Any, b: Any, path: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                return _first_difference(a.get(key), b.get(key), f"{path}.{key}" if path else key)
    return f"{path} ({a!r} in the study, {b!r} here)"


def max_epochs(space: SearchSpace, base: Config) -> int:
    """The most epochs any trial trains (the pruners' resource bound)."""
    dim = space.dimensions.get("epochs")
    return int(max(dim.edge_values())) if dim is not None else base.training.epochs


# --- the record -----------------------------------------------------------------------------------------
def _record(study: Any, job: _Job, metric: str) -> dict[str, Any]:
    """The tuning record; trials still queued (a stopped or timed-out queued search) have not run
    and are left out (a later grid search on the same storage runs them)."""
    from optuna.trial import TrialState

    ran = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL, TrialState.RUNNING)
    trials = [trial_record(t) for t in study.get_trials(deepcopy=False, states=ran)]
    return {"settings": job.settings.to_record(metric), "space": job.space.to_dict(),
            "trials": trials, "best_trial": best_trial_number(trials)}


__all__ = ["METRICS", "SAMPLERS", "PRUNERS", "TuningError", "TuningSettings", "run_search",
           "trial_record", "best_trial", "best_trial_number", "best_config", "trial_counts",
           "describe_params", "param_importances", "open_storage", "redact", "max_epochs"]
