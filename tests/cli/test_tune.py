"""`workbench tune`: JSON result, progress, errors, --save, and workers cooperating on one study."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest

from workbench.cli import main

# tiny data and training, so a trial takes a few tens of milliseconds
QUICK = ["--dataset", "gauss", "--samples", "80", "--epochs", "4", "--layers", "4", "--jobs", "1"]


def write_space(tmp_path, space) -> str:
    path = tmp_path / "space.json"
    path.write_text(json.dumps(space))
    return str(path)


def test_json_gives_the_best_configuration_score_and_trials_by_state(tmp_path, capsys):
    space = write_space(tmp_path, {"lr": [0.003, 0.03, 0.3], "activation": ["relu", "tanh"]})
    assert main(["tune", *QUICK, "--method", "grid", "--space", space, "--json"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    result = json.loads(out[-1])
    assert result["trials"] == {"complete": 6, "pruned": 0, "failed": 0, "running": 0}
    assert result["metric"] == "accuracy" and 0.0 <= result["score"] <= 1.0
    assert result["best_config"]["optimizer"]["lr"] == result["params"]["lr"]
    assert result["best_config"]["layers"][0]["activation"] == result["params"]["activation"]
    assert result["best_config"]["training"]["epochs"] == 4


def test_progress_shows_each_trial_and_the_summary(capsys):
    assert main(["tune", *QUICK, "--method", "random", "--trials", "3", "--folds", "2"]) == 0
    out = capsys.readouterr().out
    assert out.count("complete") >= 3 and "[3/3]" in out and " ± " in out
    assert "best: trial" in out


def test_save_writes_the_best_configuration_trained_with_its_trials(tmp_path, capsys):
    from workbench.io.session import load_session

    path = tmp_path / "tuned.h5"
    assert main(["tune", *QUICK, "--method", "random", "--trials", "2", "--save", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    experiment = load_session(path)
    assert experiment.epochs_trained == 4
    assert experiment.config.to_dict() == result["best_config"]
    assert len(experiment.tuning["trials"]) == 2 and experiment.tuning["best_trial"] == result["best_trial"]


@pytest.mark.parametrize("argv, words", [
    (["--folds", "1"], "--folds: 0 (the validation split) or at least 2"),
    (["--method", "grid", "--trials", "0"], "--trials: at least 1"),
    (["--space", "nowhere.json"], "--space nowhere.json: cannot read"),
    (["--folds", "500"], "--folds: 500 folds but only 80 samples"),
    (["--val-split", "0"], "--val-split: scoring on the validation split needs a validation split above 0"),
])
def test_usage_errors_exit_2_with_one_line(argv, words, capsys):
    assert main(["tune", *QUICK, *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1


def test_a_space_value_the_config_refuses_is_a_usage_error_naming_the_file(tmp_path, capsys):
    space = write_space(tmp_path, {"optimizer": ["adam", "lion"]})
    assert main(["tune", *QUICK, "--space", space]) == 2
    assert f"--space {space}: optimizer: 'lion' is not allowed" in capsys.readouterr().err


def test_a_grid_too_big_to_search_is_a_usage_error_naming_its_size(tmp_path, capsys):
    huge = write_space(tmp_path, {name: {"low": 0.01, "high": 0.5, "points": 1000}
                                  for name in ("lr", "momentum", "l1", "l2")})
    assert main(["tune", *QUICK, "--method", "grid", "--space", huge]) == 2
    err = capsys.readouterr().err.strip()
    assert f"--space {huge}: the grid has 1,000,000,000,000 combinations" in err
    assert "random or bayes" in err and len(err.splitlines()) == 1
    assert main(["tune", *QUICK, "--method", "random", "--trials", "1", "--space", huge, "--json"]) == 0


def test_an_unreachable_storage_is_one_line_without_the_password(capsys):
    url = "postgresql://someone:secret@127.0.0.1:1/none"
    assert main(["tune", *QUICK, "--trials", "1", "--storage", url]) == 1
    err = capsys.readouterr().err.strip()
    assert "cannot open" in err and "secret" not in err and len(err.splitlines()) == 1


def test_a_missing_postgres_driver_says_how_to_install_it(monkeypatch, capsys):
    for module in ("psycopg", "psycopg2"):       # None in sys.modules: "import" fails as if absent
        monkeypatch.setitem(sys.modules, module, None)
    url = "postgresql://someone:secret@127.0.0.1:5432/none"
    assert main(["tune", *QUICK, "--trials", "1", "--storage", url]) == 1
    err = capsys.readouterr().err.strip()
    assert 'the PostgreSQL driver is not installed (pip install "workbench[postgres]"' in err
    assert "psycopg2-binary" in err and "secret" not in err and len(err.splitlines()) == 1


def test_no_completed_trial_exits_1_naming_the_failures(tmp_path, capsys):
    space = write_space(tmp_path, {"training.loss": ["cross_entropy"], "lr": [0.01, 0.1]})
    argv = ["tune", "--dataset", "plane", "--samples", "60", "--epochs", "2", "--jobs", "1",
            "--method", "grid", "--space", space]
    assert main(argv) == 1
    assert "no trial completed (2 failed" in capsys.readouterr().err


@pytest.mark.postgres
def test_two_workers_cooperate_on_one_postgres_study(tmp_path):
    url = os.environ.get("WORKBENCH_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("WORKBENCH_TEST_POSTGRES_URL is not set (.ci/run starts PostgreSQL and sets it)")
    import optuna

    from workbench.core.tuning import open_storage

    study = f"test-{uuid.uuid4().hex[:12]}"
    space = write_space(tmp_path, {"lr": {"low": 0.001, "high": 0.3, "log": True}, "units": [2, 4, 8]})
    argv = [sys.executable, "-m", "workbench", "tune", *QUICK[:-2], "--epochs", "15", "--jobs", "1",
            "--method", "bayes", "--trials", "4", "--space", space, "--storage", url, "--study", study,
            "--json"]
    workers = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    for worker, (out, err) in zip(workers, outputs):
        assert worker.returncode == 0, err
    storage = open_storage(url)
    trials = optuna.load_study(study_name=study, storage=storage).get_trials(deepcopy=False)
    assert len(trials) == 8 and all(t.state.name == "COMPLETE" for t in trials)
    by_worker: dict[str, int] = {}
    for trial in trials:
        by_worker[trial.user_attrs["worker"]] = by_worker.get(trial.user_attrs["worker"], 0) + 1
    assert sorted(by_worker.values()) == [4, 4]
    last = max((json.loads(out.strip().splitlines()[-1]) for out, _ in outputs),
               key=lambda result: result["trials"]["complete"])
    assert last["trials"]["complete"] == 8 and last["study"] == study
    optuna.delete_study(study_name=study, storage=storage)
