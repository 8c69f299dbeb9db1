"""`workbench gradient-flow FILE.h5`: the table of every layer's gradient, the JSON object, the errors."""
import json

import numpy as np
import pytest

from workbench.cli import main
from workbench.core.gradient_flow import gradient_flow
from workbench.io.session import load_session


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    path = tmp_path_factory.mktemp("flow") / "deep.h5"
    assert main(["train", "--layers", "8,8,8,8", "--activation", "sigmoid", "--init", "xavier", "--epochs", "20",
                 "--quiet", "--save", str(path)]) == 0
    return path


def test_prints_a_row_per_snapshot_spread_over_the_run_and_the_advice(capsys, session):
    assert main(["gradient-flow", str(session)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split() == ["epoch", "dense_0", "dense_1", "dense_2", "dense_3", "dense_4"]
    epochs = [int(line.split()[0]) for line in lines[1:-1]]
    assert len(epochs) == 12 and epochs[0] == 0 and epochs[-1] == 20 and epochs == sorted(set(epochs))
    flow = gradient_flow(load_session(session))
    assert lines[-1] == flow.advice() and "vanished at the start" in lines[-1]
    assert float(lines[1].split()[1]) == pytest.approx(flow.rms[0, 0], rel=1e-2)


def test_json_has_every_snapshot(capsys, session):
    assert main(["gradient-flow", str(session), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    flow = gradient_flow(load_session(session))
    assert out["layers"] == list(flow.layers) and out["epochs"] == list(range(21))
    np.testing.assert_allclose(out["rms"], flow.rms)
    assert out["first_to_output"][0] == pytest.approx(flow.ratio(0)) and out["advice"] == flow.advice()


def test_a_missing_file_is_one_line(capsys, tmp_path):
    assert main(["gradient-flow", str(tmp_path / "none.h5")]) == 1
    assert capsys.readouterr().err.strip().endswith("none.h5: no such file")
