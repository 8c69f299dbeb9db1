"""A version-1 file written earlier stays readable, and today's writer produces the same layout."""
import subprocess

import numpy as np

from make_golden import GOLDEN, golden_contents
from session_builders import dump
from workbench.io.session import read_contents, write_contents


def test_the_golden_v1_file_reads_with_its_values():
    expected = golden_contents()
    back = read_contents(GOLDEN)
    assert back.config == expected.config and back.data.task == "regression"
    assert back.activations == {"dense_0": "gelu", "dense_1": "linear"}
    for name, value in expected.params.items():
        assert back.params[name].dtype == np.float32 and np.array_equal(back.params[name], value)
    assert back.optimizer["slots"].keys() == expected.optimizer["slots"].keys()
    assert sorted(back.snapshots) == [0, 2, 4] and len(back.runs) == 1
    assert back.tuning == expected.tuning and back.rng_state == expected.rng_state


def test_writing_the_same_contents_today_gives_the_golden_layout(tmp_path):
    path = tmp_path / "today.h5"
    write_contents(path, golden_contents())
    assert dump(path) == dump(GOLDEN)


def test_h5dump_shows_the_documented_layout():
    """Readable without Workbench: `h5dump` (Debian hdf5-tools) lists every documented group."""
    listing = subprocess.run(["h5dump", "-H", str(GOLDEN)], capture_output=True, text=True, check=True).stdout
    for group in ("/data", "/data/scaler", "/model", "/model/dense_0", "/optimizer", "/optimizer/state",
                  "/rng", "/history", "/snapshots", "/runs", "/runs/run_0", "/tuning"):
        assert f'GROUP "{group.rsplit("/", 1)[1]}"' in listing, group
    config = subprocess.run(["h5dump", "-a", "/config", str(GOLDEN)], capture_output=True, text=True,
                            check=True).stdout
    assert '\\"optimizer\\"' in config or '"optimizer"' in config
