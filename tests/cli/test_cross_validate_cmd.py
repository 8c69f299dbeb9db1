"""`workbench cross-validate`: the table, the estimate and the advice, the JSON object, the exit codes."""
import json

import numpy as np
import pytest

from workbench.cli import main
from workbench.core.config import Config
from workbench.core.cross_validation import cross_validate
from workbench.core.experiment import samples_for


def test_prints_a_row_per_fold_the_estimate_and_the_advice(capsys):
    assert main(["cross-validate", "--dataset", "iris", "--epochs", "10", "--folds", "3"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split() == ["fold", "rows", "epochs", "train", "accuracy", "val", "accuracy"]
    assert [line.split()[:3] for line in lines[1:4]] == [["1", "50", "10"], ["2", "50", "10"], ["3", "50", "10"]]
    config = Config().updated({"data.dataset": "iris", "training.epochs": 10})
    expected = cross_validate(config, samples_for(config), 3)
    assert lines[4] == f"{expected.summary()[0].upper()}{expected.summary()[1:]}."
    assert lines[5] == expected.advice() and len(lines) == 6


def test_json_has_every_fold_and_repeats(capsys):
    argv = ["cross-validate", "--dataset", "plane", "--samples", "200", "--epochs", "5", "--folds", "4",
            "--test-split", "0.2", "--json"]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["metric"] == "r2" and first["val_rows"] == [40, 40, 40, 40] and first["epochs"] == [5] * 4
    assert first["mean"] == pytest.approx(np.mean(first["val_metric"])) and first["std"] >= 0
    assert len(first["train_metric"]) == 4 and first["advice"].endswith(".")
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out) == first


@pytest.mark.parametrize("argv, fragment", [
    (["--folds", "1"], "--folds: cross-validation needs at least 2 folds, not 1"),
    (["--folds", "9999"], "--folds: 9999 folds but only 500 samples to share among them"),
    (["--folds", "two"], "argument --folds: invalid int value: 'two'"),
])
def test_bad_requests_are_usage_errors(capsys, argv, fragment):
    try:
        status = main(["cross-validate", "--epochs", "2", *argv])
    except SystemExit as exc:                # argparse's own usage errors
        status = exc.code
    assert status == 2 and fragment in capsys.readouterr().err


def strict(text):
    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")
    return json.loads(text, parse_constant=refuse)


def test_a_diverged_fold_is_null_in_strict_json(capsys):
    assert main(["cross-validate", "--dataset", "plane", "--samples", "100", "--optimizer", "sgd", "--lr", "1e5",
                 "--epochs", "5", "--folds", "2", "--json"]) == 0
    result = strict(capsys.readouterr().out)
    assert result["val_metric"] == [None, None] and result["mean"] is None
    assert result["advice"].startswith("The run on fold 1 diverged")


def test_progress_goes_to_stderr_a_line_per_fold_and_not_with_json_or_quiet(capsys):
    argv = ["cross-validate", "--dataset", "iris", "--epochs", "3", "--folds", "3"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == ["fold 1 of 3…", "fold 2 of 3…", "fold 3 of 3…"] and "fold 1 of 3" not in out
    for quiet in (["--json"], ["--quiet"], ["-q"]):
        assert main([*argv, *quiet]) == 0
        assert capsys.readouterr().err == ""
