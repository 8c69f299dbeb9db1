"""Learning-rate schedules at chosen epochs, with and without warm-up."""
import math

import pytest

from workbench.core.config import ScheduleConfig
from workbench.core.schedules import SCHEDULES, learning_rate


def lr(epoch, total=100, **cfg):
    return learning_rate(ScheduleConfig(**cfg), 0.1, epoch, total)


def test_registry():
    assert set(SCHEDULES) == {"constant", "step", "exponential", "cosine"}


def test_constant():
    assert [lr(e) for e in (0, 50, 99)] == [0.1, 0.1, 0.1]


def test_step_decays_every_step_size_epochs():
    values = [lr(e, name="step", step_size=10, gamma=0.5) for e in (0, 9, 10, 19, 20, 35)]
    assert values == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.0125])


def test_exponential():
    assert lr(0, name="exponential", gamma=0.9) == pytest.approx(0.1)
    assert lr(3, name="exponential", gamma=0.9) == pytest.approx(0.1 * 0.9 ** 3)


def test_cosine_runs_from_base_to_min():
    cfg = dict(name="cosine", min_lr=0.01)
    assert lr(0, **cfg) == pytest.approx(0.1)
    assert lr(50, **cfg) == pytest.approx(0.055)
    assert lr(75, **cfg) == pytest.approx(0.01 + 0.09 * 0.5 * (1 + math.cos(0.75 * math.pi)))
    assert lr(100, **cfg) == pytest.approx(0.01)
    assert lr(150, **cfg) == pytest.approx(0.01)     # resumed past the planned end: stays at the floor


def test_warmup_ramps_linearly_then_hands_over():
    cfg = dict(name="cosine", warmup_epochs=4)
    assert [lr(e, total=24, **cfg) for e in range(4)] == pytest.approx([0.025, 0.05, 0.075, 0.1])
    assert lr(4, total=24, **cfg) == pytest.approx(0.1)          # schedule epoch 0
    assert lr(14, total=24, **cfg) == pytest.approx(0.05)        # half-way through the 20 left


def test_warmup_with_step_counts_from_the_end_of_warmup():
    cfg = dict(name="step", warmup_epochs=2, step_size=3, gamma=0.1)
    assert [lr(e, **cfg) for e in (1, 2, 4, 5)] == pytest.approx([0.1, 0.1, 0.1, 0.01])


def test_returns_python_floats():
    assert type(lr(3, name="exponential", gamma=0.5)) is float
