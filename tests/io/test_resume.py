"""Exact resume: 20 epochs, save, `workbench resume --epochs 20` equals 40 epochs straight."""
import numpy as np
import pytest

from workbench.cli import main
from workbench.io.session import read_contents

BASE = ["train", "--dataset", "spiral", "--samples", "120", "--layers", "6,5", "--dropout", "0.2",
        "--batch-size", "16", "--seed", "3", "--quiet"]


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"])
def test_resume_is_bit_identical_to_training_straight(tmp_path, optimizer):
    split, straight = tmp_path / "split.h5", tmp_path / "straight.h5"
    assert main(BASE + ["--optimizer", optimizer, "--epochs", "20", "--save", str(split)]) == 0
    assert main(["resume", str(split), "--epochs", "20", "--quiet"]) == 0
    assert main(BASE + ["--optimizer", optimizer, "--epochs", "40", "--save", str(straight)]) == 0
    a, b = read_contents(split), read_contents(straight)
    assert a.config == b.config and a.config.training.epochs == 40
    for name in b.params:
        assert np.array_equal(a.params[name], b.params[name]), name
    assert a.optimizer["step"] == b.optimizer["step"]
    for param, slots in b.optimizer["slots"].items():
        for slot, value in slots.items():
            assert np.array_equal(a.optimizer["slots"][param][slot], value), (param, slot)
    assert a.rng_state == b.rng_state
    for column, values in b.history.items():
        if column != "seconds":
            assert np.array_equal(a.history[column], values), column
    assert sorted(a.snapshots) == sorted(b.snapshots)
