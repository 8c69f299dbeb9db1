"""One seed, four independent random streams, so that changing one use never shifts another."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Streams(NamedTuple):
    data: np.random.Generator    # generating built-in data sets
    split: np.random.Generator   # choosing validation and test samples
    init: np.random.Generator    # initial weights
    train: np.random.Generator   # shuffling and dropout masks (saved in sessions)


def streams(seed: int) -> Streams:
    """The four generators for `seed`; the same seed always gives the same streams."""
    children = np.random.SeedSequence(seed).spawn(4)
    return Streams(*(np.random.Generator(np.random.PCG64(child)) for child in children))
