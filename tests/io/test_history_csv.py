"""The history export: every run's epochs as one CSV table that a spreadsheet or pandas reads."""
import csv
import io

import pytest

from workbench.core.config import Config
from workbench.core.experiment import Experiment
from workbench.core.trainer import Trainer
from workbench.io.atomic import SessionSaveError
from workbench.io.contents import contents_of
from workbench.io.history_csv import history_csv, write_history_csv


def trained(changes, runs=(4,)):
    """An experiment that trained one run per entry of `runs` (epochs), reset between them."""
    exp = Experiment.create(Config().updated({"data.samples": 60, **changes}))
    for index, epochs in enumerate(runs):
        if index:
            exp.reset(exp.config.updated({"optimizer.lr": 0.05}))
        for _ in Trainer(exp).run(epochs=epochs):
            pass
    return exp


def table(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_every_run_s_epochs_in_order_with_its_figures():
    exp = trained({}, runs=(3, 5))
    rows = table(history_csv(contents_of(exp)))
    assert list(rows[0]) == ["run", "status", "epoch", "train_loss", "val_loss", "train_accuracy",
                             "val_accuracy", "lr", "seconds"]
    assert [(r["run"], r["epoch"]) for r in rows] == [("1", str(e)) for e in range(1, 4)] + [
        ("2", str(e)) for e in range(1, 6)]
    assert {r["status"] for r in rows} == {"completed"}
    earlier, current = exp.runs[0].history, exp.history
    assert [float(r["train_loss"]) for r in rows[:3]] == earlier.train_loss      # exactly, via repr
    assert [float(r["val_accuracy"]) for r in rows[3:]] == current.val_metric
    assert [float(r["lr"]) for r in rows] == [0.01] * 3 + [0.05] * 5
    assert all(float(r["seconds"]) > 0 for r in rows)


def test_regression_names_r2_and_missing_figures_are_empty_cells():
    exp = trained({"data.dataset": "plane", "data.val_split": 0.0})
    rows = table(history_csv(contents_of(exp)))
    assert "val_r2" in rows[0] and "train_r2" in rows[0]
    assert {r["val_loss"] for r in rows} == {""} and {r["val_r2"] for r in rows} == {""}
    assert all(float(r["train_r2"]) <= 1 for r in rows)


def test_a_session_that_never_trained_has_the_header_only():
    text = history_csv(contents_of(Experiment.create(Config())))
    assert text == "run,status,epoch,train_loss,val_loss,train_accuracy,val_accuracy,lr,seconds\n"


def test_writing_replaces_the_file_atomically_and_names_a_missing_folder(tmp_path):
    contents = contents_of(trained({}))
    path = tmp_path / "history.csv"
    path.write_text("old")
    write_history_csv(contents, path)
    assert path.read_text(encoding="utf-8") == history_csv(contents)
    assert [p.name for p in tmp_path.iterdir()] == ["history.csv"]       # no temporary file left
    with pytest.raises(SessionSaveError, match="folder .*missing does not exist"):
        write_history_csv(contents, tmp_path / "missing" / "history.csv")
