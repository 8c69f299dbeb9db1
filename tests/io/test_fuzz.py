"""Fuzzing the reader: truncated and bit-flipped sessions give a SessionFormatError or the right content.

Never another exception, never a hang (each read has a deadline).
"""
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from session_builders import build_contents
from workbench.io.session import SessionFormatError, read_contents, write_contents

FUZZ = settings(max_examples=150, deadline=timedelta(seconds=2), derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "run.h5"
    contents = build_contents()
    write_contents(path, contents)
    return path.read_bytes(), contents


def read_damaged(tmp_path, raw: bytes, contents):
    path = tmp_path / "damaged.h5"
    path.write_bytes(raw)
    try:
        back = read_contents(path)
    except SessionFormatError as err:
        assert str(err) and "\n" not in str(err)
        return
    # a change the reader cannot see must have hit bytes that hold nothing we read
    assert back.config == contents.config
    assert all(np.array_equal(back.params[k], v) for k, v in contents.params.items())
    assert np.array_equal(back.data.X, contents.data.X) and np.array_equal(back.data.y, contents.data.y)
    assert all(np.array_equal(back.history[k], v) for k, v in contents.history.items())


@FUZZ
@given(fraction=st.floats(0.0, 1.0, exclude_max=True))
def test_truncation_at_any_offset(original, tmp_path, fraction):
    raw, contents = original
    read_damaged(tmp_path, raw[:int(len(raw) * fraction)], contents)


@FUZZ
@given(flips=st.lists(st.tuples(st.floats(0.0, 1.0, exclude_max=True), st.integers(0, 7)),
                      min_size=1, max_size=4))
def test_random_bit_flips(original, tmp_path, flips):
    raw, contents = original
    damaged = bytearray(raw)
    for where, bit in flips:
        damaged[int(len(raw) * where)] ^= 1 << bit
    read_damaged(tmp_path, bytes(damaged), contents)
