"""`workbench importance`: the ranked table, the JSON object and the exit codes."""
import json

import pytest

from workbench.cli import main


@pytest.fixture(scope="module")
def iris_session(tmp_path_factory):
    path = tmp_path_factory.mktemp("importance") / "iris.h5"
    assert main(["train", "--dataset", "iris", "--layers", "16", "--epochs", "60", "--quiet",
                 "--save", str(path)]) == 0
    return path


def test_prints_the_features_most_important_first(iris_session, capsys):
    assert main(["importance", str(iris_session)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == ("permutation importance: the fall in validation accuracy when a feature "
                        "is shuffled")
    assert lines[1].startswith("30 rows, 5 shuffles each, the weights of epoch 60; ")
    assert lines[2].split() == ["feature", "fall", "±", "std"]
    rows = [line.split() for line in lines[3:]]
    assert {row[0] for row in rows[:2]} == {"petal_length_cm", "petal_width_cm"} and len(rows) == 4
    falls = [float(row[1]) for row in rows]
    assert falls == sorted(falls, reverse=True)
    assert rows[0][3] == "#" * 30                  # the longest bar is the first feature's


def test_json_ranks_every_feature_and_the_seed_fixes_it(iris_session, capsys):
    argv = ["importance", str(iris_session), "--json", "--repeats", "3", "--seed", "7"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["metric"] == "accuracy" and result["split"] == "val" and result["repeats"] == 3
    assert result["samples"] == 30 and result["epoch"] == 60 and 0.9 <= result["baseline"] <= 1
    assert sorted(c for f in result["features"] for c in f["columns"]) == [0, 1, 2, 3]
    means = [f["mean"] for f in result["features"]]
    assert means == sorted(means, reverse=True)
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out) == result
    assert main(["importance", str(iris_session), "--json", "--split", "train"]) == 0
    assert json.loads(capsys.readouterr().out)["samples"] == 120


@pytest.mark.parametrize("extra, status, fragment", [
    (["--split", "test"], 2, "the test split has no rows in "),
    (["--repeats", "0"], 2, "--repeats must be between 1 and 100, got 0"),
    (["--split", "holdout"], 2, "invalid choice: 'holdout'"),
])
def test_bad_requests_are_usage_errors(iris_session, capsys, extra, status, fragment):
    try:
        code = main(["importance", str(iris_session), *extra])
    except SystemExit as exc:                      # argparse's own usage errors
        code = exc.code
    err = capsys.readouterr().err.strip()
    assert code == status and len(err.splitlines()) == 1 and fragment in err


def test_a_file_that_is_not_a_session_is_one_error_line(tmp_path, capsys):
    (tmp_path / "bad.h5").write_bytes(b"not hdf5")
    assert main(["importance", str(tmp_path / "bad.h5")]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "bad.h5" in err
