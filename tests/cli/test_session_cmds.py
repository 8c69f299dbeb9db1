"""`workbench resume`, `predict`, `export` and `info`: output, exit codes and one-line errors."""
import json

import pytest

from workbench.cli import main
from workbench.io.predictions_csv import escape_cell

TRAIN = ["train", "--dataset", "iris", "--layers", "5", "--epochs", "4", "--seed", "2", "--quiet"]


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "run.h5"
    assert main(TRAIN + ["--save", str(path)]) == 0
    return path


def test_info_shows_architecture_counts_and_metrics(session, capsys):
    assert main(["info", str(session)]) == 0
    text = capsys.readouterr().out
    for fragment in ("builtin:iris", "classification", "dense_0", "dense_1", "softmax",
                     "total parameters 43", "4 epochs", "val_accuracy", "optimizer adam",
                     "beta1 0.9", "xavier init", "early stopping off", "validation split 0.2",
                     "Classes: setosa: 50, versicolor: 50, virginica: 50."):
        assert fragment in text, fragment


def test_info_shows_the_tuning_trials_by_state_and_the_best(tmp_path, capsys):
    path = tmp_path / "tuned.h5"
    assert main(["tune", "--dataset", "gauss", "--samples", "80", "--epochs", "3", "--layers", "4",
                 "--method", "random", "--trials", "3", "--jobs", "1", "--quiet", "--save", str(path)]) == 0
    capsys.readouterr()
    assert main(["info", str(path)]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("tuning"))
    assert "random search, 3 complete; best trial" in line and "accuracy" in line
    assert main(["info", str(path), "--json"]) == 0
    tuning = json.loads(capsys.readouterr().out)["tuning"]
    assert tuning["trials"]["complete"] == 3 and tuning["best"]["number"] in (0, 1, 2)


def test_info_says_what_the_run_trained_with_when_the_settings_changed_since(tmp_path, capsys):
    from workbench.io.session import load_session, save_session

    trained = tmp_path / "run.h5"
    assert main(TRAIN + ["--save", str(trained)]) == 0
    experiment = load_session(trained)
    experiment.config = experiment.config.updated({"optimizer.lr": 0.5, "training.epochs": 10})   # after training
    path = tmp_path / "edited.h5"
    save_session(path, experiment)
    assert main(["info", str(path)]) == 0
    text = capsys.readouterr().out
    assert "learning rate 0.5" in text and "with optimizer.lr 0.01, training.epochs 4 (the settings above" in text
    assert main(["info", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["trained_with"] == {"optimizer.lr": "0.01", "training.epochs": "4"}


def test_info_json(session, capsys):
    assert main(["info", str(session), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert [layer["parameters"] for layer in info["layers"]] == [25, 18]
    assert info["parameters"] == 43 and info["epochs"] == 4 and info["status"] == "completed"
    assert info["data"]["source"] == "builtin:iris" and info["data"]["features"] == 4
    assert info["data"]["class_counts"] == [50, 50, 50]
    assert info["trained_with"] == {}                 # it trained with the config shown
    assert info["config"]["training"]["epochs"] == 4 and set(info["last"]) == {
        "train_loss", "val_loss", "train_accuracy", "val_accuracy"}


def test_info_gives_the_test_figures_train_json_gave(tmp_path, capsys):
    path = tmp_path / "held.h5"
    assert main(TRAIN[:-1] + ["--test-split", "0.2", "--json", "--save", str(path)]) == 0
    trained = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert main(["info", str(path), "--json"]) == 0
    last = json.loads(capsys.readouterr().out)["last"]
    assert last["test_loss"] == pytest.approx(trained["test_loss"], rel=1e-6)
    assert last["test_accuracy"] == pytest.approx(trained["test_accuracy"], rel=1e-6)
    assert main(["info", str(path)]) == 0
    assert f"test_accuracy {trained['test_accuracy']:.4g}" in capsys.readouterr().out


def test_report_writes_the_html_page_to_a_file_or_standard_output(session, tmp_path, capsys):
    assert main(["report", str(session), "-o", str(tmp_path / "r.html")]) == 0
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Workbench report: run.h5" in page
    assert main(["report", str(session)]) == 0
    assert capsys.readouterr().out == page
    assert main(["report", str(tmp_path / "none.h5")]) == 1
    assert "none.h5: no such file" in capsys.readouterr().err


def test_train_and_info_say_where_the_run_converged(tmp_path, capsys):
    from workbench.core.convergence import find_convergence
    from workbench.io.session import load_session

    path = tmp_path / "spiral.h5"
    assert main(["train", "--epochs", "300", "--json", "--save", str(path)]) == 0
    result = json.loads(capsys.readouterr().out.splitlines()[-1])
    found = find_convergence(load_session(path).history)
    assert found is not None and 30 < found.epoch <= 290      # the spiral's fall ends well before 300
    assert result["converged_epoch"] == found.epoch
    assert result["converged_seconds"] == pytest.approx(found.seconds, abs=1e-4)
    assert 0 < result["converged_seconds"] < result["seconds"]
    assert main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["converged_epoch"], info["converged_seconds"]) == (
        result["converged_epoch"], result["converged_seconds"])
    assert main(["info", str(path)]) == 0
    assert f"status completed, converged at epoch {found.epoch} (" in capsys.readouterr().out


def test_history_prints_or_writes_every_epoch_as_csv(session, tmp_path, capsys):
    assert main(["history", str(session)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "run,status,epoch,train_loss,val_loss,train_accuracy,val_accuracy,lr,seconds"
    assert [line.split(",")[:3] for line in lines[1:]] == [["1", "completed", str(e)] for e in range(1, 5)]
    out = tmp_path / "history.csv"
    assert main(["history", str(session), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").splitlines() == lines and capsys.readouterr().out == ""


def test_resume_prints_progress_and_json(session, tmp_path, capsys):
    out = tmp_path / "more.h5"
    assert main(["resume", str(session), "--epochs", "3", "--save", str(out)]) == 0
    text = capsys.readouterr().out
    assert "epoch 7/7" in text and f"saved {out}" in text
    assert main(["resume", str(out), "--epochs", "2", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["epochs"] == 9 and result["status"] == "completed"


@pytest.mark.parametrize("argv, status, fragment", [
    (["info", "missing.h5"], 1, "missing.h5: no such file"),
    (["resume", "RUN", "--epochs", "0"], 2, "--epochs must be at least 1"),
    (["export", "RUN", "--format", "npz", "-o", "/nonexistent/dir/m.npz"], 1, "does not exist"),
    (["history", "missing.h5"], 1, "missing.h5: no such file"),
    (["history", "RUN", "-o", "/nonexistent/dir/h.csv"], 1, "the folder /nonexistent/dir does not exist"),
])
def test_errors_are_one_line(session, capsys, argv, status, fragment):
    argv = [str(session) if a == "RUN" else a for a in argv]
    assert main(argv) == status
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and fragment in err and "Traceback" not in err


def test_a_non_session_file_is_one_clear_error(tmp_path, capsys):
    bad = tmp_path / "notes.h5"
    bad.write_text("hello")
    assert main(["info", str(bad)]) == 1
    assert capsys.readouterr().err.strip() == "workbench info: error: notes.h5: not an HDF5 file " \
                                              "(a Workbench session is an .h5 file)"


def test_predict_names_every_missing_column(session, tmp_path, capsys):
    rows = tmp_path / "rows.csv"
    rows.write_text("sepal_length_cm,petal_width_cm\n5.1,0.2\n")
    assert main(["predict", str(session), str(rows)]) == 1
    err = capsys.readouterr().err.strip()
    assert "missing columns sepal_width_cm, petal_length_cm" in err and len(err.splitlines()) == 1


def test_predict_to_standard_output(session, tmp_path, capsys):
    rows = tmp_path / "rows.csv"
    rows.write_text("petal_width_cm,petal_length_cm,sepal_width_cm,sepal_length_cm\n"
                    "0.2,1.4,3.5,5.1\n2.3,5.4,3.0,6.2\n")
    assert main(["predict", str(session), str(rows)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("row,prediction,probability_") and len(lines) == 3
    assert lines[1].startswith("2,") and lines[2].startswith("3,")


def test_predict_never_writes_over_its_input(session, tmp_path, capsys):
    rows = tmp_path / "rows.csv"
    text = "petal_width_cm,petal_length_cm,sepal_width_cm,sepal_length_cm\n0.2,1.4,3.5,5.1\n"
    rows.write_text(text)
    assert main(["predict", str(session), str(rows), "-o", str(tmp_path / "." / "rows.csv")]) == 1
    assert "would replace the rows they predict" in capsys.readouterr().err
    assert rows.read_text() == text


@pytest.mark.parametrize("text, escaped", [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1+1", "'+1+1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("-2+3", "'-2+3"), ("-0.25", "-0.25"), ("1e-3", "1e-3"), ("setosa", "setosa"),
])
def test_formula_escaping(text, escaped):
    assert escape_cell(text) == escaped
