"""The tuning record (the table of a search's trials, as sessions store it under /tuning) and what
is read from it: the best trial and its configuration, counts by state, importances.

Plain data in, plain data out: the GUI, the CLI and sessions use it without running a search.
Optuna is imported only by the functions that need it.
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Mapping

from workbench.core.config import Config
from workbench.core.search_space import SearchSpace

STATES = ("complete", "pruned", "failed", "running")


def _state_names() -> dict[Any, str]:
    from optuna.trial import TrialState

    return {TrialState.COMPLETE: "complete", TrialState.PRUNED: "pruned", TrialState.FAIL: "failed",
            TrialState.RUNNING: "running"}


def trial_record(frozen: Any) -> dict[str, Any]:
    """One row of the record's `trials` from an Optuna FrozenTrial."""
    state = _state_names()[frozen.state]
    end = frozen.datetime_complete
    start = frozen.datetime_start
    if start is None:
        duration = 0.0
    else:
        duration = ((end or type(start).now(start.tzinfo)) - start).total_seconds()
    attrs = frozen.user_attrs
    return {"number": int(frozen.number), "params": dict(frozen.params),
            "score": float(frozen.value) if state == "complete" else None,
            "score_std": attrs.get("score_std") if state == "complete" else None,
            "state": state, "duration": float(duration),
            "fold_scores": [float(v) for v in attrs.get("fold_scores", [])],
            "message": str(attrs.get("message", ""))}


def best_trial_number(trials: list[Mapping[str, Any]]) -> int | None:
    """The complete trial with the highest finite score (the earliest on a tie); None if none."""
    scored = [(t["score"], -t["number"]) for t in trials
              if t["state"] == "complete" and t["score"] is not None and math.isfinite(t["score"])]
    return -max(scored)[1] if scored else None


def best_trial(record: Mapping[str, Any]) -> dict[str, Any] | None:
    number = record.get("best_trial")
    return next((t for t in record["trials"] if t["number"] == number), None)


def best_config(record: Mapping[str, Any], base: Config) -> Config | None:
    """The best trial's configuration built on `base`, or None when no trial completed."""
    best = best_trial(record)
    if best is None:
        return None
    return SearchSpace.from_dict(record["space"]).config_for(base, best["params"])


def trial_counts(record: Mapping[str, Any]) -> dict[str, int]:
    """Number of trials in each state, e.g. {"complete": 14, "pruned": 1, "failed": 1, "running": 0}."""
    counts = dict.fromkeys(STATES, 0)
    for trial in record["trials"]:
        counts[trial["state"]] = counts.get(trial["state"], 0) + 1
    return counts


def describe_params(params: Mapping[str, Any]) -> str:
    """`lr=0.0123 units=16 activation=relu`, for progress lines and tooltips."""
    return " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items())


def param_importances(record: Mapping[str, Any]) -> dict[str, float]:
    """Each varying hyperparameter's share of the score's variation (PED-ANOVA; sums to 1).

    Rebuilt from the record, so a saved search shows its importances too. Empty when there are too
    few complete trials to say. Takes a moment: call it off the GUI thread.
    """
    import optuna
    from optuna.importance import PedAnovaImportanceEvaluator, get_param_importances

    space = SearchSpace.from_dict(record["space"])
    distributions = space.distributions()
    complete = [t for t in record["trials"] if t["state"] == "complete" and t["score"] is not None
                and set(t["params"]) == set(distributions)]
    if not distributions or len(complete) < 3:
        return {}
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(direction="maximize")
    study.add_trials([optuna.trial.create_trial(params=t["params"], distributions=distributions,
                                                value=t["score"]) for t in complete])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            importances = get_param_importances(study, evaluator=PedAnovaImportanceEvaluator())
        except (ValueError, RuntimeError, ZeroDivisionError):
            return {}
    if any("will be equal" in str(w.message) for w in caught):
        return {}   # too few trials to tell the good ones from the rest
    return {name: float(value) for name, value in importances.items()}
