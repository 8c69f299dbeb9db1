"""File → Export / Import hyperparameters: the configuration as JSON, the file `workbench train
--config` reads; importing is one undoable edit, and a bad file is one clear message."""
import json

from gui_helpers import edit, train_to_end
from gui_helpers import start_long_run, stop_run
from test_files import written
from workbench.cli import main
from workbench.core.config import Config

TUNED = {"layers": [{"units": 4, "activation": "relu"}],
         "optimizer": {"name": "sgd", "lr": 0.5}, "training": {"epochs": 7, "batch_size": 32}}


def test_exported_hyperparameters_train_the_same_from_the_command_line(
        qtbot, window, dialogs, tmp_path, capsys):
    edit(window, {"optimizer.lr": 0.03, "training.epochs": 6, "data.dataset": "xor"})
    window.architecture_editor.add_button.click()
    dialogs.save_path = str(tmp_path / "hyper")
    with written(qtbot, window, "config") as done:
        window.export_config_action.trigger()
    assert done.args[1] == str(tmp_path / "hyper.json")
    assert window.statusBar().currentMessage() == "Exported the hyperparameters to hyper.json"
    saved = json.loads((tmp_path / "hyper.json").read_text(encoding="utf-8"))
    assert Config.from_dict(saved) == window.controller.config and len(saved["layers"]) == 3

    assert main(["train", "--config", str(tmp_path / "hyper.json"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["epochs"] == 6 and result["status"] == "completed"
    train_to_end(qtbot, window)                              # the same seed: the same run
    assert result["train_loss"] == window.controller.experiment.history.train_loss[-1]


def test_importing_hyperparameters_is_one_undoable_edit(window, dialogs, tmp_path):
    (tmp_path / "tuned.json").write_text(json.dumps(TUNED), encoding="utf-8")
    before = window.controller.config
    dialogs.open_path = str(tmp_path / "tuned.json")
    window.import_config_action.trigger()
    config = window.controller.config
    assert config == Config.from_dict(TUNED) and not dialogs.shown
    assert window.statusBar().currentMessage() == "Imported the hyperparameters of tuned.json"
    form = window.hyperparameter_form                        # the panels show it
    assert form.control("optimizer.name").currentData() == "sgd" and form.control("optimizer.lr").value() == 0.5
    table = window.architecture_editor.table                  # one hidden layer, then the output
    assert table.rowCount() == 2 and table.cellWidget(0, 1).value() == 4
    assert table.cellWidget(0, 2).currentText() == "relu"
    assert window.controller.experiment.network.params["dense_0/weight"].shape == (2, 4)
    assert window.undo_action.text().replace("&", "") == "Undo Import hyperparameters from tuned.json"
    window.undo_action.trigger()
    assert window.controller.config == before and table.rowCount() == 3
    window.redo_action.trigger()
    window.import_config_action.trigger()                    # the same file again: nothing to do
    assert window.statusBar().currentMessage() == "tuned.json holds the hyperparameters shown already"
    assert window.controller.undo_stack.count() == 1


def test_a_data_file_named_relative_to_the_hyperparameter_file_is_found_beside_it(window, dialogs, tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    rows = "\n".join(f"{i % 5},{(i * 7) % 3},{'ab'[i % 2]}" for i in range(40))
    (folder / "mine.csv").write_text("f1,f2,kind\n" + rows + "\n", encoding="utf-8")
    (folder / "h.json").write_text(json.dumps({"data": {"path": "mine.csv", "target": "kind"}}), encoding="utf-8")
    dialogs.open_path = str(folder / "h.json")
    window.import_config_action.trigger()
    assert not dialogs.shown and window.controller.config.data.path == str(folder / "mine.csv")
    assert window.controller.experiment.data.dataset.class_names == ["a", "b"]


def test_a_bad_hyperparameter_file_is_one_clear_message_and_changes_nothing(window, dialogs, tmp_path):
    edit(window, {"optimizer.lr": 0.02})
    before = window.controller.config
    cases = {
        "range.json": (json.dumps({"optimizer": {"lr": -1}}),
                       "range.json: optimizer.lr: -1.0 is outside the allowed range (0.0, 1000000.0]"),
        "typo.json": (json.dumps({"optimiser": {}}), "typo.json: optimiser: unknown section"),
        "broken.json": ('{"optimizer": {"lr": 0.1,}}', "broken.json: not valid JSON (line 1, column 26)"),
        "latin1.json": (None, "latin1.json: cannot read (UnicodeDecodeError"),
        "huge.json": (" " * (1 << 20) + "{}", "too large for a hyperparameter file"),
        "nodata.json": (json.dumps({"data": {"path": str(tmp_path / "gone.csv")}}),
                        "nodata.json names data that cannot be used: "),
    }
    for name, (text, fragment) in cases.items():
        path = tmp_path / name
        path.write_bytes("{\"data\": {\"target\": \"caf\xe9\"}}".encode("latin-1") if text is None
                         else text.encode("utf-8"))
        dialogs.open_path = str(path)
        window.import_config_action.trigger()
        (kind, title, message), = dialogs.shown
        assert (kind, title) == ("warning", "Cannot import hyperparameters") and fragment in message, message
        dialogs.shown.clear()
        assert window.controller.config == before and window.controller.undo_stack.count() == 1


def test_hyperparameters_cannot_be_imported_while_training(qtbot, window):
    start_long_run(qtbot, window)
    assert not window.import_config_action.isEnabled() and window.export_config_action.isEnabled()
    stop_run(qtbot, window)
    assert window.import_config_action.isEnabled()
