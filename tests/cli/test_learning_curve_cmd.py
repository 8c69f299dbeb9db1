"""`workbench learning-curve`: the table and advice, the JSON object, and the exit codes."""
import json

import pytest

from workbench.cli import main


def test_prints_a_row_per_share_and_the_advice(capsys):
    assert main(["learning-curve", "--dataset", "iris", "--epochs", "10", "--shares", "0.25,0.5,1"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == ("learning curve: accuracy of fresh runs on shares of the training rows, scored on "
                        "30 validation rows")
    assert lines[1].split() == ["share", "rows", "epochs", "train", "accuracy", "val", "accuracy"]
    assert [line.split()[:3] for line in lines[2:5]] == [["0.25", "30", "40"], ["0.50", "60", "20"],
                                                         ["1.00", "120", "10"]]
    assert lines[-1][0].isupper() and lines[-1].endswith(".") and len(lines) == 6


def test_json_has_every_point_and_repeats(capsys):
    argv = ["learning-curve", "--dataset", "plane", "--samples", "200", "--epochs", "5", "--shares", "0.5,1",
            "--json"]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["metric"] == "r2" and first["rows"] == [80, 160] and first["val_rows"] == 40
    assert len(first["val_metric"]) == len(first["train_loss"]) == 2 and first["advice"]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out) == first


@pytest.mark.parametrize("argv, fragment", [
    (["--shares", "0.5,0.2"], "--shares: shares must grow"),
    (["--shares", "half"], "'half' is not a comma-separated list of shares"),
    (["--val-split", "0"], "this session has none: set a validation split (--val-split)"),
])
def test_bad_requests_are_usage_errors(capsys, argv, fragment):
    try:
        status = main(["learning-curve", "--epochs", "2", *argv])
    except SystemExit as exc:                # argparse's own usage errors
        status = exc.code
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1 and fragment in err


def test_progress_goes_to_stderr_a_line_per_share_and_not_with_json(capsys):
    argv = ["learning-curve", "--dataset", "iris", "--epochs", "2", "--shares", "0.5,1"]
    assert main(argv) == 0
    assert capsys.readouterr().err.splitlines() == ["50% of the training rows (1 of 2)…",
                                                    "100% of the training rows (2 of 2)…"]
    assert main([*argv, "--json"]) == 0
    assert capsys.readouterr().err == ""
