"""File → Predict a CSV: the trained model's predictions for a file's rows, written off the GUI
thread from a copy of the session (while a run goes on, at an epoch boundary), with a clear
message for a file the model cannot read."""
import csv

import numpy as np
from PySide6.QtWidgets import QFileDialog

from gui_helpers import edit, train_to_end
from gui_helpers import start_long_run, stop_run

ROWS = "x1,x2,label\n1.5,-2,whatever\n,3,b\n-1,-1,\n"


def predicted(qtbot, window, timeout=20_000):
    return qtbot.waitSignal(window.controller.predictions_written, timeout=timeout)


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def file_menu_action(window, text):
    menu = window.menuBar().actions()[0].menu()
    return next(action for action in menu.actions() if action.text().replace("&", "") == text)


def test_predicts_a_csvs_rows_with_the_trained_model(qtbot, window, dialogs, monkeypatch, tmp_path):
    edit(window, {"training.epochs": 30})
    train_to_end(qtbot, window)
    source = tmp_path / "new.csv"
    source.write_text(ROWS, encoding="utf-8")
    dialogs.open_path = str(source)
    suggested = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda _parent, _title, name, *rest: suggested.append(name) or (str(tmp_path / "out"), "")))
    with predicted(qtbot, window) as done:
        file_menu_action(window, "Predict a CSV…").trigger()
    path, predictions, epochs = done.args
    assert suggested == [str(tmp_path / "new-predictions.csv")]
    assert path == str(tmp_path / "out.csv") and epochs == 30 and predictions.rows == 3
    rows = read_rows(path)
    experiment = window.controller.experiment
    mean_x1 = float(experiment.data.scaler.mean[0])          # the gap takes the training mean
    expected = experiment.predict(np.array([[1.5, -2.0], [mean_x1, 3.0], [-1.0, -1.0]]))
    assert [r["row"] for r in rows] == ["2", "3", "4"]        # numbered as in the file
    got = np.array([[float(r["probability_negative"]), float(r["probability_positive"])] for r in rows])
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert [r["prediction"] for r in rows] == [["negative", "positive"][i] for i in expected.argmax(axis=1)]
    message = window.statusBar().currentMessage()
    assert message.startswith("Predicted 3 rows into out.csv with the model of epoch 30")
    assert "filled 1 missing value of column 'x1' with the training mean" in message
    assert not dialogs.texts("warning")


def test_predicting_while_training_uses_an_epoch_boundary_and_keeps_the_run_going(
        qtbot, window, dialogs, tmp_path):
    source = tmp_path / "new.csv"
    source.write_text(ROWS, encoding="utf-8")
    dialogs.open_path, dialogs.save_path = str(source), str(tmp_path / "p.csv")
    start_long_run(qtbot, window, epochs=2)
    with predicted(qtbot, window) as done:
        window.predict_action.trigger()
    _, predictions, epochs = done.args
    assert window.runner.state == "training" and epochs >= 2
    live = window.controller.experiment
    stop_run(qtbot, window)
    weights = live.snapshots[epochs]                          # the weights of the epoch it names
    scaled = live.data.scaler.transform(np.array([[1.5, -2.0]]), live.network.dtype)
    live.network.set_weights(weights)
    first = read_rows(tmp_path / "p.csv")[0]
    np.testing.assert_allclose(float(first["probability_positive"]), live.network.predict(scaled)[0, 1],
                               rtol=1e-6)
    assert predictions.text.splitlines()[0] == "row,prediction,probability_negative,probability_positive"


def test_a_file_the_model_cannot_read_is_one_clear_message(qtbot, window, dialogs, tmp_path):
    train_to_end(qtbot, window, epochs=2)
    bad = tmp_path / "other.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    dialogs.open_path, dialogs.save_path = str(bad), str(tmp_path / "p.csv")
    with qtbot.waitSignal(window.controller.file_failed, timeout=10_000) as failed:
        window.predict_action.trigger()
    assert failed.args[0] == "predict"
    (kind, title, text), = dialogs.shown
    assert title == "Cannot predict" and "none of the columns the model was trained on (x1, x2)" in text
    assert not (tmp_path / "p.csv").exists()

    bad.write_text("x1,x2\n1,oops\n", encoding="utf-8")      # a bad cell: its row and column
    with qtbot.waitSignal(window.controller.file_failed, timeout=10_000):
        window.predict_action.trigger()
    assert "row 2" in dialogs.texts("warning")[-1] and "'oops' is not a number" in dialogs.texts("warning")[-1]

    good = tmp_path / "good.csv"                             # the input is never overwritten
    good.write_text(ROWS, encoding="utf-8")
    dialogs.open_path = dialogs.save_path = str(good)
    with qtbot.waitSignal(window.controller.file_failed, timeout=10_000):
        window.predict_action.trigger()
    assert "would replace the rows they predict" in dialogs.texts("warning")[-1]
    assert good.read_text(encoding="utf-8") == ROWS
    train_to_end(qtbot, window, epochs=1)                    # the window goes on working
    assert window.controller.experiment.epochs_trained == 3


def test_cancelling_either_file_dialog_predicts_nothing(qtbot, window, dialogs, tmp_path):
    source = tmp_path / "new.csv"
    source.write_text(ROWS, encoding="utf-8")
    dialogs.open_path, dialogs.save_path = "", str(tmp_path / "p.csv")
    window.predict_action.trigger()
    dialogs.open_path, dialogs.save_path = str(source), ""
    window.predict_action.trigger()
    qtbot.wait(200)
    assert not window.controller.writing and sorted(p.name for p in tmp_path.iterdir()) == ["new.csv"]
