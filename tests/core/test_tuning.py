"""Hyperparameter search: the space, k-fold splits, each method, failures, budgets, the record."""
from __future__ import annotations

import collections
import json
import math
import multiprocessing
import threading
import time

import numpy as np
import pytest

from workbench.core.config import Config
from workbench.core.cross_validation import (HELD_OUT, TEST, TRAIN, SplitError, evaluation_splits,
                                             fold_assignment, score_config)
from workbench.core.data import Dataset
from workbench.core.experiment import Experiment
from workbench.core.search_space import Choice, Fixed, Range, SearchSpace, SpaceError
from workbench.core.tuning import (TuningError, TuningSettings, best_config, open_storage,
                                   param_importances, run_search, trial_counts)


def blobs(n: int = 120, seed: int = 0) -> Dataset:
    """Two overlapping Gaussian classes in 2-D: learnable, but not in one step."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = rng.normal(size=(n, 2)) + np.where(y[:, None] == 1, 1.2, -1.2)
    return Dataset(X, y.astype(np.int64), "classification", "test:blobs", ["a", "b"], ["0", "1"], "c")


def line(n: int = 80, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = 3.0 * X[:, 0] - 2.0 * X[:, 1] + 0.1 * rng.normal(size=n)
    return Dataset(X, y, "regression", "test:line", ["a", "b"], [], "y")


# A deliberately poor base: tiny learning rate, tiny layer. The searches may move both.
BASE = Config().updated({"optimizer.lr": 0.0005, "training.epochs": 8, "training.batch_size": 16,
                         "layers": [{"units": 2, "activation": "tanh"}]})
SMALL_SPACE = {"lr": {"low": 0.0005, "high": 0.2, "log": True}, "units": [2, 8]}


# --- the space ------------------------------------------------------------------------------------------
def test_space_entries_are_fixed_choices_or_ranges_with_types_from_the_hyperparameter():
    space = SearchSpace.from_dict({"lr": {"low": 0.001, "high": 0.1, "log": True},
                                   "units": {"low": 4, "high": 32}, "activation": ["relu", "tanh"],
                                   "epochs": 20, "dropout": [0.1], "optimizer.beta1": [0.8, 0.9]})
    dims = space.dimensions
    assert dims["lr"] == Range(0.001, 0.1, log=True, integer=False)
    assert dims["units"] == Range(4, 32, log=False, integer=True)
    assert dims["activation"] == Choice(("relu", "tanh"))
    assert dims["epochs"] == Fixed(20) and dims["dropout"] == Fixed(0.1)
    assert set(space.varying) == {"lr", "units", "activation", "optimizer.beta1"}
    assert SearchSpace.from_dict(space.to_dict()) == space


@pytest.mark.parametrize("spec, words", [
    ({"speed": [1, 2]}, "speed: unknown hyperparameter"),
    ({"lr": {"low": 0.1, "high": 0.01}}, "lr: low (0.1) must be below high"),
    ({"lr": {"low": 0.0, "high": 0.1, "log": True}}, "lr: a log range needs low > 0"),
    ({"activation": {"low": 1, "high": 2}}, "activation: a range needs a numeric setting"),
    ({"units": {"low": 2.5, "high": 8}}, "units: an integer range needs whole-number"),
    ({"units": ["8"]}, "units: '8' is not an int"),
    ({"lr": []}, "lr: the list of choices is empty"),
    ({"data.noise": [0.1]}, "data.noise: unknown hyperparameter"),
    ({}, "at least one hyperparameter"),
])
def test_bad_spaces_name_the_hyperparameter(spec, words):
    with pytest.raises(SpaceError, match=words.replace("(", r"\(").replace(")", r"\)")):
        SearchSpace.from_dict(spec)


def test_values_the_config_refuses_are_caught_before_the_search():
    for spec, words in (({"activation": ["relu", "swish"]}, "activation: 'swish'"),
                        ({"lr": {"low": 0.01, "high": 5e6}}, "lr: 5000000.0"),
                        ({"hidden_layers": [1, 100]}, "hidden_layers: 100")):
        with pytest.raises(SpaceError, match=words):
            SearchSpace.from_dict(spec).validate(BASE)


def test_space_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "space.json"
    bad.write_text("{not json")
    with pytest.raises(SpaceError, match="space.json: not valid JSON"):
        SearchSpace.read(bad)
    with pytest.raises(SpaceError, match="missing.json: cannot read"):
        SearchSpace.read(tmp_path / "missing.json")
    bad.write_text(json.dumps({"lr": {"low": 1, "hi": 2}}))
    with pytest.raises(SpaceError, match="space.json: lr: unknown key 'hi'"):
        SearchSpace.read(bad)


def test_trial_parameters_become_a_config_with_layers_resized_first():
    space = SearchSpace.from_dict({"hidden_layers": [1, 3], "units": [16], "activation": ["relu"],
                                   "lr": {"low": 0.001, "high": 0.1}, "schedule.name": ["cosine", "step"]})
    config = space.config_for(BASE, {"hidden_layers": 3, "lr": 0.05, "schedule.name": "cosine"})
    assert [(layer.units, layer.activation) for layer in config.layers] == [(16, "relu")] * 3
    assert config.optimizer.lr == 0.05 and config.schedule.name == "cosine"
    assert config.training.epochs == BASE.training.epochs


def test_grid_points_number_every_combination_once():
    space = SearchSpace.from_dict({"units": [2, 4, 8], "activation": ["relu", "tanh"], "epochs": 5,
                                   "lr": {"low": 0.01, "high": 0.1, "points": 2}})
    points = [space.grid_point(i) for i in range(space.grid_size())]
    assert len({tuple(p.items()) for p in points}) == len(points) == 12
    assert {p["units"] for p in points} == {2, 4, 8} and all(set(p) == set(space.varying) for p in points)


def test_a_grid_too_big_to_search_is_refused_naming_its_size():
    huge = {name: {"low": 0.01, "high": 0.5, "points": 100}
            for name in ("lr", "momentum", "l1", "l2", "dropout", "optimizer.beta1")}
    with pytest.raises(TuningError, match=r"the grid has 1,000,000,000,000 combinations, more than "
                                          r"the 1,000,000 .*fewer \"points\".*random or bayes"):
        run_search(BASE, blobs(), SearchSpace.from_dict(huge), TuningSettings(method="grid", jobs=1))


def test_grid_values_cover_ranges_evenly():
    assert Range(1, 4, integer=True).grid_values() == [1, 2, 3, 4]
    assert Range(0.001, 0.1, log=True, points=3).grid_values() == pytest.approx([0.001, 0.01, 0.1])
    assert Range(0.0, 1.0, points=3).grid_values() == [0.0, 0.5, 1.0]
    space = SearchSpace.from_dict({"units": {"low": 2, "high": 4}, "activation": ["relu", "tanh"], "epochs": 5})
    assert space.grid_size() == 6


# --- folds ------------------------------------------------------------------------------------------------
def test_folds_are_disjoint_cover_the_non_test_data_and_are_stratified():
    data = blobs(101)
    config = BASE.updated({"data.test_split": 0.2})
    splits = evaluation_splits(data, config, folds=4)
    test = splits[0] == TEST
    assert test.sum() > 0 and all(((s == TEST) == test).all() for s in splits)
    held_out = np.stack([s == HELD_OUT for s in splits])
    assert (held_out.sum(axis=0) == ~test).all()     # each non-test sample held out exactly once
    assert all(((s == TRAIN) == (~test & (s != HELD_OUT))).all() for s in splits)
    for s in splits:                                  # class balance within one sample per fold
        counts = np.bincount(data.y[s == HELD_OUT], minlength=2)
        assert abs(int(counts[0]) - int(counts[1])) <= 1


def test_the_same_seed_gives_the_same_folds_and_another_seed_other_folds():
    data = blobs()
    first = evaluation_splits(data, BASE, folds=3)
    again = evaluation_splits(data, BASE, folds=3)
    other = evaluation_splits(data, BASE.updated({"training.seed": 7}), folds=3)
    assert all((a == b).all() for a, b in zip(first, again))
    assert any((a != b).any() for a, b in zip(first, other))


def test_fold_counts_outside_the_data_are_refused():
    y = np.arange(5) % 2
    with pytest.raises(SplitError, match="at least 2 folds"):
        fold_assignment(y, "classification", 1, np.random.default_rng(0))
    with pytest.raises(SplitError, match="6 folds but only 5 samples") as caught:
        fold_assignment(y, "classification", 6, np.random.default_rng(0))
    assert caught.value.setting == "folds"
    with pytest.raises(SplitError, match="needs a validation split above 0") as caught:
        evaluation_splits(blobs(), BASE.updated({"data.val_split": 0.0}), folds=0)
    assert caught.value.setting == "val_split"


def test_a_fold_score_is_the_mean_with_its_spread():
    data = blobs()
    score = score_config(BASE.updated({"optimizer.lr": 0.05}), data, evaluation_splits(data, BASE, 3))
    assert len(score.folds) == 3
    assert score.mean == pytest.approx(np.mean(score.folds)) and score.std == pytest.approx(np.std(score.folds))
    single = score_config(BASE, data, evaluation_splits(data, BASE, 0))
    assert single.std is None and single.folds == ()


def test_each_fold_fills_missing_numbers_from_its_own_training_part():
    data = blobs()
    X = data.X.copy()
    X[::9, 0] = np.nan
    gaps = Dataset(X, data.y, data.task, data.source, data.feature_names, data.class_names, "c")
    splits = evaluation_splits(gaps, BASE, 3)
    for split in splits:
        filled = Experiment.create(BASE, gaps, split=split).data
        training = X[split == TRAIN, 0]
        assert filled.scaler.mean[0] == pytest.approx(np.nanmean(training), rel=1e-12)
        assert np.isfinite(filled.X_train).all() and np.isfinite(filled.X_val).all()
    assert len({Experiment.create(BASE, gaps, split=s).data.scaler.mean[0] for s in splits}) == 3
    score = score_config(BASE.updated({"optimizer.lr": 0.05}), gaps, splits)
    assert len(score.folds) == 3 and all(math.isfinite(f) for f in score.folds)


# --- searches ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method, trials", [("grid", None), ("random", 6), ("bayes", 7)])
def test_each_method_does_at_least_as_well_as_the_base(method, trials):
    data = blobs()
    space = SearchSpace.from_dict({**SMALL_SPACE, "lr": {**SMALL_SPACE["lr"], "points": 3}})
    baseline = score_config(BASE, data, evaluation_splits(data, BASE, 0)).mean
    seen = []
    record = run_search(BASE, data, space, TuningSettings(method=method, trials=trials, jobs=1),
                        on_trial=seen.append)
    expected = 6 if method == "grid" else trials
    assert len(record["trials"]) == len(seen) == expected
    assert trial_counts(record)["complete"] == expected
    best = next(t for t in record["trials"] if t["number"] == record["best_trial"])
    assert best["score"] == max(t["score"] for t in record["trials"])
    assert best["score"] >= baseline
    config = best_config(record, BASE)
    assert config.optimizer.lr == best["params"]["lr"] and config.layers[0].units == best["params"]["units"]
    if method == "grid":
        assert sorted((t["params"]["units"], round(t["params"]["lr"], 6)) for t in record["trials"]) == \
            sorted((u, round(lr, 6)) for u in (2, 8) for lr in space.grid()["lr"])


def test_failed_and_diverging_trials_are_recorded_and_the_search_goes_on():
    base = Config().updated({"optimizer.name": "sgd", "training.epochs": 5,
                             "layers": [{"units": 8, "activation": "relu"}]})
    space = SearchSpace.from_dict({"lr": [0.01, 90.0], "training.loss": ["mse", "cross_entropy"]})
    record = run_search(base, line(), space, TuningSettings(method="grid", jobs=1))
    states = {(t["params"]["lr"], t["params"]["training.loss"]): t for t in record["trials"]}
    assert len(states) == 4
    assert states[(0.01, "mse")]["state"] == "complete"
    assert states[(90.0, "mse")]["state"] == "failed"
    assert "diverged" in states[(90.0, "mse")]["message"]
    assert "cross_entropy" in states[(0.01, "cross_entropy")]["message"]
    assert record["best_trial"] == states[(0.01, "mse")]["number"]
    assert math.isfinite(states[(0.01, "mse")]["score"])
    assert record["settings"]["metric"] == "r2"


def test_k_fold_search_records_fold_scores_and_spread():
    record = run_search(BASE, blobs(), SearchSpace.from_dict({"lr": [0.01, 0.1]}),
                        TuningSettings(method="grid", folds=3, jobs=1))
    for trial in record["trials"]:
        assert len(trial["fold_scores"]) == 3
        assert trial["score"] == pytest.approx(np.mean(trial["fold_scores"]))
        assert trial["score_std"] == pytest.approx(np.std(trial["fold_scores"]))


def test_the_median_pruner_stops_trials_that_fall_behind():
    base = BASE.updated({"training.epochs": 10})
    space = SearchSpace.from_dict({"lr": [0.00001, 0.05]})
    record = run_search(base, line(), space,
                        TuningSettings(method="random", trials=12, pruner="median", jobs=1, seed=3))
    pruned = [t for t in record["trials"] if t["state"] == "pruned"]
    assert pruned and all(t["params"]["lr"] == 0.00001 for t in pruned)
    assert all("pruned after epoch" in t["message"] and t["score"] is None for t in pruned)


def test_stop_ends_the_search_early():
    stop = threading.Event()
    record = run_search(BASE, blobs(), SearchSpace.from_dict(SMALL_SPACE),
                        TuningSettings(method="random", trials=50, jobs=1),
                        on_trial=lambda trial: stop.set(), stop=stop)
    assert 1 <= len(record["trials"]) <= 2


def test_a_time_budget_alone_bounds_the_search():
    # no trial count: only the clock ends it, so it runs at least the budget and stops soon after
    started = time.monotonic()
    record = run_search(BASE, blobs(), SearchSpace.from_dict(SMALL_SPACE),
                        TuningSettings(method="random", trials=None, timeout=0.3, jobs=1))
    elapsed = time.monotonic() - started
    longest_trial = max(trial["duration"] for trial in record["trials"])
    assert len(record["trials"]) >= 1 and trial_counts(record)["complete"] == len(record["trials"])
    assert 0.3 <= elapsed < 0.3 + longest_trial + 5.0


def test_parallel_workers_share_the_budget():
    record = run_search(BASE, blobs(), SearchSpace.from_dict(SMALL_SPACE),
                        TuningSettings(method="random", trials=4, jobs=2))
    assert len(record["trials"]) == 4 and trial_counts(record)["complete"] == 4
    assert len({t["params"]["lr"] for t in record["trials"]}) == 4   # no two workers run the same values
    assert record["settings"]["jobs"] == 2


def test_a_seeded_random_search_gives_each_trial_the_same_values_whatever_the_jobs():
    # the values are drawn in one place from the seed, not by whichever worker is free first
    space = SearchSpace.from_dict(SMALL_SPACE)
    runs = [run_search(BASE, blobs(), space, TuningSettings(method="random", trials=6, jobs=jobs, seed=3))
            for jobs in (1, 2, 2)]
    values = [{t["number"]: (t["params"]["lr"], t["params"]["units"]) for t in run["trials"]} for run in runs]
    assert sorted(values[0]) == list(range(6)) and values[0] == values[1] == values[2]
    assert len({lr for lr, _ in values[0].values()}) == 6
    other_seed = run_search(BASE, blobs(), space, TuningSettings(method="random", trials=6, jobs=2, seed=4))
    assert {t["params"]["lr"] for t in other_seed["trials"]}.isdisjoint(lr for lr, _ in values[0].values())


GRID_SPACE = {"lr": {"low": 0.005, "high": 0.2, "log": True, "points": 4}, "units": [2, 4, 8]}


def combinations_run(record) -> collections.Counter:
    return collections.Counter((round(t["params"]["lr"], 9), t["params"]["units"]) for t in record["trials"])


@pytest.mark.parametrize("storage", [None, "sqlite"])
def test_a_parallel_grid_runs_every_combination_exactly_once(storage, tmp_path):
    space = SearchSpace.from_dict(GRID_SPACE)
    url = None if storage is None else f"sqlite:///{tmp_path / 'study.db'}"
    seen = []
    record = run_search(BASE.updated({"training.epochs": 3}), blobs(), space,
                        TuningSettings(method="grid", jobs=2, storage=url), on_trial=seen.append)
    grid = {(round(lr, 9), units) for lr in space.grid()["lr"] for units in (2, 4, 8)}
    counts = combinations_run(record)
    assert set(counts) == grid and set(counts.values()) == {1}
    assert trial_counts(record)["complete"] == len(seen) == 12
    assert len({t["number"] for t in seen}) == 12


def test_a_grid_on_a_shared_storage_runs_only_the_combinations_not_yet_in_the_study(tmp_path):
    settings = TuningSettings(method="grid", trials=5, jobs=1, storage=str(tmp_path / "grid.journal"))
    space = SearchSpace.from_dict(GRID_SPACE)
    first = run_search(BASE, blobs(), space, settings)
    second = run_search(BASE, blobs(), space, settings)
    third = run_search(BASE, blobs(), space, settings)
    assert len(first["trials"]) == 5 and len(second["trials"]) == 10 and len(third["trials"]) == 12
    assert set(combinations_run(third).values()) == {1}
    assert run_search(BASE, blobs(), space, settings)["trials"] == third["trials"]   # nothing left


def _claim_until_empty(url: str, claimed: "multiprocessing.Queue") -> None:
    """A process that claims queued trials of study "race" as fast as it can."""
    import optuna

    from workbench.core.tuning_queue import claim_queued

    storage = open_storage(url)
    study = optuna.load_study(study_name="race", storage=storage)
    numbers = []
    while (trial := claim_queued(study, storage)) is not None:
        numbers.append(trial.number)
        study.tell(trial, 0.0)
    claimed.put(numbers)


@pytest.mark.parametrize("kind", ["sqlite", "journal"])
def test_several_processes_never_claim_the_same_queued_trial(kind, tmp_path):
    # plain SQLite lets two processes both read a trial as waiting and both run it; see _sqlite_storage
    import optuna

    url = f"sqlite:///{tmp_path / 'race.db'}" if kind == "sqlite" else str(tmp_path / "race.journal")
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(study_name="race", storage=open_storage(url))
    for value in range(120):
        study.enqueue_trial({"x": float(value)})
    context = multiprocessing.get_context("spawn")
    claimed = context.Queue()
    workers = [context.Process(target=_claim_until_empty, args=(url, claimed)) for _ in range(3)]
    for worker in workers:
        worker.start()
    per_worker = [claimed.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join()
    counts = collections.Counter(number for numbers in per_worker for number in numbers)
    assert sorted(counts) == list(range(120)) and set(counts.values()) == {1}


def test_a_shared_storage_accumulates_trials_and_refuses_another_search(tmp_path):
    settings = TuningSettings(method="random", trials=2, jobs=1, storage=str(tmp_path / "study.journal"),
                              study="shared")
    space = SearchSpace.from_dict(SMALL_SPACE)
    run_search(BASE, blobs(), space, settings)
    record = run_search(BASE, blobs(), space, settings)
    assert len(record["trials"]) == 4
    with pytest.raises(TuningError, match="study 'shared' was started with a different space.units"):
        run_search(BASE, blobs(), SearchSpace.from_dict({**SMALL_SPACE, "units": [2, 4]}), settings)


@pytest.mark.parametrize("kwargs, words", [
    ({"method": "annealing"}, "method: 'annealing' is not one of"),
    ({"folds": 1}, "folds: 0"), ({"jobs": 0}, "jobs: at least 1"),
    ({"trials": None}, "trials: give a number of trials or a time budget"),
])
def test_bad_settings_are_refused(kwargs, words):
    with pytest.raises(TuningError, match=words):
        TuningSettings(**kwargs)


def test_importances_cover_the_varying_hyperparameters():
    record = run_search(BASE, blobs(), SearchSpace.from_dict({**SMALL_SPACE, "epochs": 6}),
                        TuningSettings(method="random", trials=8, jobs=1))
    importances = param_importances(record)
    assert set(importances) == {"lr", "units"}
    assert sum(importances.values()) == pytest.approx(1.0)


def test_the_tuning_record_round_trips_through_a_session(tmp_path):
    from workbench.core.experiment import Experiment
    from workbench.io.session import load_session, save_session

    data = blobs()
    record = run_search(BASE, data, SearchSpace.from_dict({"lr": [0.01, 90.0]}),
                        TuningSettings(method="grid", jobs=1))
    experiment = Experiment.create(best_config(record, BASE), data)
    experiment.tuning = record
    save_session(tmp_path / "tuned.h5", experiment)
    assert load_session(tmp_path / "tuned.h5").tuning == record
