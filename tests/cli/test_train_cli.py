"""`workbench train` and `workbench datasets`: JSON output, progress, exit codes, one-line errors."""
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from workbench.cli import main
from workbench.io.session import load_session

ROOT = Path(__file__).resolve().parents[2]
FAST = ["--samples", "120", "--epochs", "3"]


def run(capsys, *argv):
    try:
        status = main(list(argv))
    except SystemExit as exc:  # argparse's own usage errors
        status = exc.code
    out = capsys.readouterr()
    return status, out.out, out.err


def test_train_json_has_the_contract_keys(capsys):
    status, out, err = run(capsys, "train", *FAST, "--json")
    assert status == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    for key in ("epochs", "train_loss", "val_loss", "val_accuracy", "parameters", "seconds",
                "samples_per_second", "status"):
        assert key in result
    assert result["epochs"] == 3 and result["status"] == "completed"
    assert result["parameters"] == (2 * 8 + 8) + (8 * 8 + 8) + (8 * 2 + 2)
    # 3 epochs cannot be followed by the rule's 10 quiet ones
    assert result["converged_epoch"] is None and result["converged_seconds"] is None


def test_train_prints_a_progress_line_per_epoch(capsys):
    status, out, _ = run(capsys, "train", *FAST, "--layers", "4")
    assert status == 0
    assert [line.split()[1] for line in out.splitlines() if line.startswith("epoch")] == ["1/3", "2/3", "3/3"]
    assert "result:" in out


def test_on_a_terminal_progress_is_one_bar_redrawn_in_place():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    from workbench.commands.train import ProgressPrinter
    from workbench.core.config import Config
    from workbench.core.experiment import Experiment
    from workbench.core.trainer import Trainer

    screen = Terminal()
    printer = ProgressPrinter(screen)
    for report in Trainer(Experiment.create(Config().updated({"training.epochs": 3, "data.samples": 60}))).run():
        printer.show(report)
    text = screen.getvalue()
    assert text.startswith("\r[") and text.count("\n") == 2          # the bar's end, then the status line
    assert "] epoch 3/3" in text.split("\n")[0].split("\r")[-1]


def test_regression_reports_r2(capsys):
    status, out, _ = run(capsys, "train", "--dataset", "plane", *FAST, "--json")
    assert status == 0
    assert "val_r2" in json.loads(out.splitlines()[-1])


def test_config_file_and_overrides(tmp_path, capsys):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"layers": [{"units": 3, "activation": "relu"}], "training": {"epochs": 2}}))
    status, out, _ = run(capsys, "train", "--config", str(cfg), "--samples", "100", "--json")
    result = json.loads(out.splitlines()[-1])
    assert status == 0 and result["epochs"] == 2
    assert result["parameters"] == (2 * 3 + 3) + (3 * 2 + 2)
    status, out, _ = run(capsys, "train", "--config", str(cfg), "--samples", "100", "--epochs", "1", "--layers", "", "--json")
    result = json.loads(out.splitlines()[-1])
    assert result["epochs"] == 1 and result["parameters"] == 2 * 2 + 2


@pytest.mark.parametrize("argv, needle", [
    (["--lr", "-1"], "--lr"),
    (["--batch-size", "0"], "--batch-size"),
    (["--layers", "8,x"], "--layers"),
    (["--activation", "os.system"], "--activation"),
    (["--val-split", "0.99"], "--val-split"),
    (["--layers", "70000"], "--layers: 70000 is outside"),
    (["--warmup", "-1"], "--warmup: -1 is outside"),
    (["--lr", "1e7"], "--lr: 10000000.0 is outside"),
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["--dataset", "moons"], "--dataset: unknown data set 'moons'"),
])
def test_usage_errors_exit_2_with_one_line(capsys, argv, needle):
    status, _, err = run(capsys, "train", *argv)
    assert status == 2
    assert needle in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("argv, status, needle", [
    (["traim"], 2, "'traim' is neither a command"),
    (["missing.h5"], 1, "missing.h5 does not exist"),
])
def test_a_word_that_is_no_command_nor_file_is_one_line_not_a_window(tmp_path, monkeypatch, capsys,
                                                                     argv, status, needle):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *argv)
    assert (code, out) == (status, "") and err.startswith(f"workbench: error: {needle}")
    assert len(err.splitlines()) == 1


def test_the_app_without_a_display_is_one_line_not_a_qt_abort(monkeypatch, capsys):
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = run(capsys)
    assert code == 1 and err.startswith("workbench: error: no display") and len(err.splitlines()) == 1


def test_bad_config_file_is_a_usage_error(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    status, _, err = run(capsys, "train", "--config", str(bad))
    assert status == 2 and "not valid JSON" in err
    bad.write_text(json.dumps({"optimizer": {"name": "os.system"}}))
    status, _, err = run(capsys, "train", "--config", str(bad))
    assert status == 2 and "os.system" in err


def test_bad_csv_exits_1_with_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,label\n1,2,x\n3,oops,y\n")
    status, _, err = run(capsys, "train", "--data", str(bad), "--epochs", "1")
    assert status == 1
    assert len(err.strip().splitlines()) == 1 and "bad.csv" in err and "Traceback" not in err


def test_divergence_exits_1_with_advice(capsys):
    status, out, err = run(capsys, "train", "--dataset", "plane", "--optimizer", "sgd", "--lr", "100",
                           "--layers", "32", "--activation", "relu", "--epochs", "30", "--json")
    assert status == 1
    assert json.loads(out.splitlines()[-1])["status"] == "diverged"
    assert "learning rate" in err and len(err.strip().splitlines()) == 1


def test_datasets_lists_builtins(capsys):
    status, out, _ = run(capsys, "datasets")
    assert status == 0
    for name in ("circle", "xor", "gauss", "spiral", "plane", "multi_gauss", "iris", "digits"):
        assert name in out
    status, out, _ = run(capsys, "datasets", "--json")
    assert {row["name"] for row in json.loads(out)} >= {"spiral", "iris"}


@pytest.mark.parametrize("launcher", [["-m", "workbench"], [str(ROOT / "main.py")]])
def test_entry_points_run_headless(launcher):
    out = subprocess.run([sys.executable, *launcher, "train", "--samples", "60", "--epochs", "1", "--json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.splitlines()[-1])["epochs"] == 1


@pytest.mark.parametrize("command", [["train", *FAST], ["tune", *FAST, "--trials", "1", "--jobs", "1"]])
def test_an_unsavable_save_path_fails_before_any_training(tmp_path, capsys, command):
    for target, reason in [(tmp_path / "missing" / "run.h5", "does not exist"), (tmp_path, "is a folder")]:
        status, out, err = run(capsys, *command, "--save", str(target))
        assert status == 1 and reason in err and len(err.strip().splitlines()) == 1
        assert "epoch" not in out and "trial" not in out        # nothing was trained
    assert list(tmp_path.iterdir()) == []                        # and no temporary file left behind


def test_a_csv_with_gaps_trains_saves_reopens_and_resumes(tmp_path, capsys, gappy_csv):
    saved = tmp_path / "gaps.h5"
    status, out, err = run(capsys, "train", "--data", str(gappy_csv), "--epochs", "3", "--save", str(saved))
    assert status == 0, err
    assert "20 missing numbers (a: 12, b: 8) will take their column's mean over the training rows" in out + err

    experiment = load_session(saved)
    X = experiment.data.dataset.X
    assert np.isnan(X[:, 0]).sum() == 12 and np.isnan(X[:, 1]).sum() == 8       # kept as loaded
    assert np.isfinite(experiment.data.X_train).all() and np.isfinite(experiment.data.X_val).all()
    status, _, err = run(capsys, "resume", str(saved), "--epochs", "2")
    assert status == 0, err
    assert load_session(saved).epochs_trained == 5


def test_columns_left_out_train_save_and_predict(tmp_path, capsys):
    people = tmp_path / "people.csv"
    people.write_text("id,name,a,b,label\n" + "".join(
        f"{1000 + i},person{i},{i % 7 / 7:.3f},{i % 5 / 5:.2f},{'yes' if i % 7 / 7 + i % 5 / 5 > 1 else 'no'}\n"
        for i in range(150)))
    status, _, err = run(capsys, "train", "--data", str(people), "--epochs", "1")
    assert status == 1 and "'name'" in err and "leave the column out" in err and len(err.strip().splitlines()) == 1
    saved = tmp_path / "people.h5"
    status, out, err = run(capsys, "train", "--data", str(people), "--exclude", "id", "--exclude", "name",
                           "--epochs", "2", "--json", "--save", str(saved))
    assert status == 0, err
    assert json.loads(out.strip().splitlines()[-1])["parameters"] == (2 * 8 + 8) + (8 * 8 + 8) + (8 * 2 + 2)
    experiment = load_session(saved)
    assert experiment.config.data.exclude == ("id", "name")
    assert experiment.data.dataset.feature_names == ["a", "b"]
    status, out, err = run(capsys, "predict", str(saved), str(people))     # the left-out columns are ignored
    assert status == 0, err
    assert len(out.strip().splitlines()) == 151


@pytest.mark.parametrize("argv, status, needle", [
    (["--exclude", "label"], 1, "the target column 'label' cannot be left out"),
    (["--exclude", "nope"], 1, "cannot leave out 'nope': no such column"),
    (["--target", "a", "--exclude", "a"], 2, "--exclude: the target column 'a' cannot be left out"),
    (["--exclude", "a", "--exclude", "a"], 2, "--exclude: names a column twice"),
])
def test_bad_columns_to_leave_out_are_one_line(tmp_path, capsys, argv, status, needle):
    data = tmp_path / "small.csv"
    data.write_text("a,b,label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(20)))
    code, _, err = run(capsys, "train", "--data", str(data), "--epochs", "1", *argv)
    assert code == status and needle in err and len(err.strip().splitlines()) == 1


def test_json_gives_the_roc_areas_for_two_classes_only(capsys, tmp_path):
    from sklearn.metrics import roc_auc_score

    from workbench.io.session import load_session

    path = tmp_path / "bc.h5"
    status, out, _ = run(capsys, "train", "--dataset", "breast_cancer", "--epochs", "3", "--test-split", "0.2",
                         "--json", "--save", str(path))
    result = json.loads(out.strip().splitlines()[-1])
    assert status == 0
    session = load_session(path)
    for split in ("val", "test"):
        X, y = getattr(session.data, f"X_{split}"), getattr(session.data, f"y_{split}")
        assert result[f"{split}_auc"] == pytest.approx(roc_auc_score(y, session.network.predict(X)[:, 1]))
    for dataset in ("iris", "plane"):
        status, out, _ = run(capsys, "train", "--dataset", dataset, "--epochs", "1", "--json")
        assert status == 0 and "val_auc" not in json.loads(out.strip().splitlines()[-1])


def test_class_weights_from_the_command_line_are_saved_and_shown(tmp_path, capsys):
    path = tmp_path / "weighted.h5"
    argv = ["train", "--dataset", "breast_cancer", "--epochs", "5", "--class-weight", "balanced", "--quiet"]
    assert main(argv + ["--json", "--save", str(path)]) == 0
    weighted = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert main(["train", "--dataset", "breast_cancer", "--epochs", "5", "--quiet", "--json"]) == 0
    plain = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert weighted["val_loss"] != plain["val_loss"]
    assert main(["info", str(path)]) == 0
    assert "class weights balanced" in capsys.readouterr().out
