"""Durations for a person: milliseconds below a second, then seconds, minutes, hours."""
import math

import pytest

from workbench.core.durations import format_duration


@pytest.mark.parametrize("seconds, text", [
    (0.0042, "4.2 ms"), (0.04, "40 ms"), (0.9994, "999 ms"), (0.9999, "1.0 s"), (2.345, "2.3 s"),
    (59.9, "59.9 s"), (59.96, "1 min 00 s"), (125, "2 min 05 s"), (3599.4, "59 min 59 s"),
    (3725, "1 h 02 min"), (math.nan, "? s"), (math.inf, "? s")])
def test_a_duration_reads_in_the_unit_a_person_expects(seconds, text):
    assert format_duration(seconds) == text
