"""Saving is atomic: a kill at any moment, a full disk or an unwritable folder never damages the old file."""
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from session_builders import build_contents
from workbench.io.session import SessionSaveError, read_contents, write_contents

HERE = Path(__file__).parent


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def weights_of(path) -> np.ndarray:
    return read_contents(path).params["dense_0/weight"]


def test_a_save_replaces_the_file_and_leaves_nothing_behind(tmp_path):
    path = tmp_path / "run.h5"
    first, second = build_contents(1), build_contents(2)
    write_contents(path, first)
    os.chmod(path, 0o640)
    write_contents(path, second)
    assert np.array_equal(weights_of(path), second.params["dense_0/weight"])
    assert leftovers(tmp_path) == [] and (path.stat().st_mode & 0o777) == 0o640


def test_killing_a_saving_process_at_random_moments_never_damages_the_file(tmp_path):
    """Fork a child that saves in a loop, kill it at a random moment, load; many times.

    The child reports each finished save through a pipe, so the parent can kill it after a random
    number of finished saves plus a random part of the next one, however slow the machine is.
    """
    path = tmp_path / "run.h5"
    variants = [build_contents(seed, epochs=20) for seed in (1, 2)]
    expected = [v.params["dense_0/weight"] for v in variants]
    write_contents(path, variants[0])
    started = time.perf_counter()
    write_contents(path, variants[0])
    save_seconds = time.perf_counter() - started
    rng = random.Random(0)
    outcomes = set()
    for attempt in range(30):
        done_r, done_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child saves variants 1, 0, 1, ... until it is killed
            try:
                os.close(done_r)
                i = 0
                while True:
                    i += 1
                    write_contents(path, variants[i % 2])
                    os.write(done_w, b".")
            finally:
                os._exit(1)
        os.close(done_w)
        for _ in range(rng.randrange(3)):
            os.read(done_r, 1)
        time.sleep(rng.uniform(0, save_seconds))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(done_r)
        loaded = weights_of(path)
        outcomes.add(next((i for i, w in enumerate(expected) if np.array_equal(loaded, w)), None))
        for stray in leftovers(tmp_path):   # a SIGKILL is the one case that can leave a temp file
            (tmp_path / stray).unlink()
    assert None not in outcomes, "a kill left a file that is neither the old nor the new one"
    assert outcomes == {0, 1}, "the kills should land both before and after some swaps"


CHILD_SAVE = """
import os, resource, signal, sys
sys.path.insert(0, {here!r})
from session_builders import build_contents
from workbench.io.session import SessionSaveError, write_contents
contents = build_contents(2, epochs=40)
{limit}
try:
    write_contents(sys.argv[1], contents)
except SessionSaveError as err:
    print(err)
    sys.exit(3)
"""


def run_child(limit: str, path: Path) -> subprocess.CompletedProcess:
    code = CHILD_SAVE.format(here=str(HERE), limit=limit)
    return subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)


def test_a_full_disk_gives_a_clear_error_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "run.h5"
    write_contents(path, build_contents(1))
    before = path.read_bytes()
    limit = ("signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
             "resource.setrlimit(resource.RLIMIT_FSIZE, (40000, 40000))")
    done = run_child(limit, path)
    assert done.returncode == 3, done.stderr
    assert done.stdout.strip() == f"cannot save {path}: the disk is full (or the file size limit was reached); " \
                                  "the previous file is unchanged"
    assert path.read_bytes() == before and leftovers(tmp_path) == []


def test_an_unwritable_folder_gives_a_clear_error(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    os.chmod(folder, 0o555)
    drop = "os.setuid(65534)" if os.geteuid() == 0 else ""   # root ignores folder permissions
    done = run_child(drop, folder / "run.h5")
    assert done.returncode == 3, done.stderr
    assert done.stdout.strip() == f"cannot save {folder / 'run.h5'}: no permission to write in {folder}"
    assert list(folder.iterdir()) == []


def test_a_missing_folder_gives_a_clear_error(tmp_path):
    with pytest.raises(SessionSaveError, match="folder .* does not exist"):
        write_contents(tmp_path / "nowhere" / "run.h5", build_contents())
