"""`workbench lr-find`: the printed curve and advice, the JSON object, and the exit codes."""
import json

import pytest

from workbench.cli import main


def test_prints_a_coarse_curve_and_the_suggestion(capsys):
    assert main(["lr-find", "--dataset", "iris", "--layers", "16", "--steps", "80"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("learning-rate range test: ") and "of 80 mini-batches" in lines[0]
    assert lines[1].split() == ["learning", "rate", "smoothed", "loss"]
    assert sum("<- lowest" in line for line in lines) == 1
    assert lines[-1].startswith("suggested learning rate ")
    rates = [float(line.split()[0]) for line in lines[2:-1]]
    assert rates == sorted(rates) and rates[0] == pytest.approx(1e-5)


def test_json_has_every_point_and_the_same_advice(capsys):
    argv = ["lr-find", "--dataset", "iris", "--optimizer", "sgd", "--min-lr", "1e-4", "--max-lr", "1",
            "--steps", "30", "--json"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["steps"] == len(result["lrs"]) == len(result["losses"]) == len(result["smoothed"]) <= 30
    assert result["lrs"][0] == pytest.approx(1e-4)
    assert result["suggestion"] == pytest.approx(result["lowest_lr"] / 10)
    assert result["ended"] in ("completed", "diverged")
    assert main(argv) == 0                                       # the seed fixes the curve
    assert json.loads(capsys.readouterr().out)["losses"] == result["losses"]


@pytest.mark.parametrize("argv, fragment", [
    (["--min-lr", "1", "--max-lr", "0.5"], "the learning rates must grow"),
    (["--steps", "2"], "steps: 2 is outside the allowed range [5, 10000]"),
    (["--lr", "-1"], "--lr: -1.0 is outside the allowed range"),
    (["--steps", "many"], "invalid int value: 'many'"),
])
def test_bad_options_are_usage_errors(capsys, argv, fragment):
    try:
        status = main(["lr-find", *argv])
    except SystemExit as exc:      # argparse's own usage errors
        status = exc.code
    assert status == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and fragment in err


def test_a_bad_data_file_is_one_error_line(tmp_path, capsys):
    (tmp_path / "empty.csv").write_text("")
    assert main(["lr-find", "--data", str(tmp_path / "empty.csv")]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "empty.csv" in err and "Traceback" not in err
