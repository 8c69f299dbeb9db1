"""Test-wide settings (Qt renders offscreen, so the suite runs with no display) and shared fixtures."""
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def gappy_csv(tmp_path):
    """80 rows of two numeric features and a two-class target, with 20 cells missing ('' or '?'):
    12 in `a`, 8 in `b`, both in rows 0 and 77 (so 18 rows miss at least one number)."""
    rows = [f"{'' if i % 7 == 0 else i % 10},{'?' if i % 11 == 0 else (i * 3) % 8},{'ab'[i % 2]}"
            for i in range(80)]
    path = tmp_path / "gaps.csv"
    path.write_text("a,b,kind\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path
