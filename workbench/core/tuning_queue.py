"""Queued trials: a search's trial values queued in its Optuna study a few ahead of the workers,
each claimed and run by whichever process is free first.

A grid search queues its combinations (each runs once, however many processes take part), and a
random search on a private storage queues values drawn in one place from the seed (so trial n
gets the same values whatever the number of workers). The storage's claim is atomic.
Optuna is imported inside the functions that use it.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Iterator

import numpy as np

from workbench.core.cross_validation import TrialFailed
from workbench.core.search_space import SearchSpace

QUEUE_POLL_SECONDS = 0.05    # how often a worker of a queued search looks again for a queued trial


class TrialFeed:
    """Queues `points` as trials of `study`, `ahead` waiting at a time (the parent's job).

    Queuing them all at once would hold every trial as an Optuna trial, about 2 KB each, in every
    process. `trials` is how many this search may queue (None: no limit); with `skip_present`
    (a grid), a point some trial of the study already has is skipped.
    """

    def __init__(self, study: Any, space: SearchSpace, points: Iterator[dict[str, Any]], ahead: int,
                 trials: int | None, skip_present: bool):
        self.study, self.space, self.points = study, space, points
        self.ahead = ahead
        self.skip_present = skip_present
        self.next_point = next(self.points, None)
        self.left = trials

    def top_up(self) -> bool:
        """Queue trials (for a grid: combinations not yet in the study) until `ahead` wait; False
        once every trial this search may queue is queued."""
        from optuna.trial import TrialState

        trials = self.study.get_trials(deepcopy=False)
        waiting = sum(trial.state == TrialState.WAITING for trial in trials)
        names = list(self.space.varying)
        key = lambda params: tuple(params.get(name) for name in names)  # noqa: E731
        present = ({key(t.system_attrs.get("fixed_params", t.params)) for t in trials}
                   if self.skip_present else set())
        while waiting < self.ahead and self.left != 0 and self.next_point is not None:
            point, self.next_point = self.next_point, next(self.points, None)
            if key(point) in present:
                continue
            self.study.enqueue_trial(point)
            waiting += 1
            self.left = None if self.left is None else self.left - 1
        return self.left != 0 and self.next_point is not None


def grid_points(space: SearchSpace, seed: int) -> Iterator[dict[str, Any]]:
    """Every combination of the grid once, in an order drawn from `seed`."""
    for index in np.random.default_rng(seed).permutation(space.grid_size()):
        yield space.grid_point(int(index))


def sampled_points(space: SearchSpace, sampler: Any) -> Iterator[dict[str, Any]]:
    """Values for the space without end, drawn as `sampler` draws them for the trials of a study
    (in a scratch study in memory, one trial at a time)."""
    import optuna
    from optuna.trial import TrialState

    scratch = optuna.create_study(sampler=sampler)
    while True:
        trial = scratch.ask()
        point = space.suggest(trial)
        scratch.tell(trial, state=TrialState.FAIL)   # the draw is all a scratch trial is for
        yield point


def next_queued(study: Any, storage: Any, queuing: Callable[[], bool], stop: Any) -> Any | None:
    """The next queued trial, claimed for this process; None once none is left and none will come.

    `queuing()` says whether more trials may still be queued; it is asked before each look, so a
    trial queued before the parent says it is done is always seen.
    """
    while not stop.is_set():
        more = queuing()
        trial = claim_queued(study, storage)
        if trial is not None or not more:
            return trial
        time.sleep(QUEUE_POLL_SECONDS)
    return None


def claim_queued(study: Any, storage: Any) -> Any | None:
    """A waiting trial of the study, now running in this process; None when none waits.

    `set_trial_state_values(RUNNING)` is the storage's atomic claim: it refuses a trial another
    process claimed first (the journal file: the order of its log; PostgreSQL: a row lock; SQLite:
    see `tuning._sqlite_storage`). Optuna's `study.ask()` claims the same way but, finding none,
    starts a new sampled trial, which a grid must not do.
    """
    import optuna
    from optuna.exceptions import UpdateFinishedTrialError
    from optuna.trial import TrialState

    study_id = storage.get_study_id_from_name(study.study_name)
    for waiting in study.get_trials(deepcopy=False, states=(TrialState.WAITING,)):
        trial_id = storage.get_trial_id_from_study_id_trial_number(study_id, waiting.number)
        try:
            if storage.set_trial_state_values(trial_id, state=TrialState.RUNNING):
                return optuna.trial.Trial(study, trial_id)
        except UpdateFinishedTrialError:
            continue    # another process claimed and finished it meanwhile
    return None


def run_queued(study: Any, trial: Any, objective: Callable[[Any], float]) -> Any:
    """Run a claimed trial and record its end as `study.optimize` would; returns the FrozenTrial."""
    from optuna import TrialPruned
    from optuna.trial import TrialState

    try:
        value = objective(trial)
    except TrialPruned:
        return study.tell(trial, state=TrialState.PRUNED)
    except TrialFailed:
        return study.tell(trial, state=TrialState.FAIL)
    except BaseException:   # Ctrl-C: leave no trial running in the storage, then stop
        study.tell(trial, state=TrialState.FAIL)
        raise
    return study.tell(trial, value)
