"""Writes tests/io/golden_v1.h5, the reference session of format version 1.

Run once when the format version changes (never to make a failing test pass):
    python tests/io/make_golden.py
"""
from pathlib import Path

from session_builders import build_contents
from workbench.core.config import Config
from workbench.io.session import write_contents

GOLDEN = Path(__file__).with_name("golden_v1.h5")


def golden_contents():
    """A small regression session with every optional part: snapshots, an earlier run, tuning."""
    config = Config().updated({"layers": [{"units": 3, "activation": "gelu", "dropout": 0.1}],
                               "optimizer.name": "adam", "training.epochs": 4, "training.seed": 7})
    return build_contents(7, config=config, task="regression", n_features=2, n_outputs=1,
                          n_samples=10, epochs=4)


if __name__ == "__main__":
    write_contents(GOLDEN, golden_contents())
    print(f"wrote {GOLDEN}")
