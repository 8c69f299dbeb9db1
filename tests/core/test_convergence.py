"""Convergence: the epoch after which the loss improved by less than a tolerance (a share of the
run's whole improvement) for `patience` epochs."""
import math

import numpy as np
import pytest

from workbench.core.convergence import converged_index, find_convergence
from workbench.core.history import History


def history_of(val_loss, train_loss=None, seconds=1.0):
    n = len(val_loss)
    return History(epoch=list(range(1, n + 1)), train_loss=list(train_loss or [1.0] * n),
                   val_loss=list(val_loss), train_metric=[0.5] * n, val_metric=[0.5] * n,
                   lr=[0.01] * n, seconds=[seconds] * n)


def test_plateau_after_a_drop_converges_at_the_start_of_the_plateau():
    losses = [1.0, 0.5, 0.25, 0.2] + [0.2] * 10
    assert converged_index(losses, tolerance=0.01, patience=10) == 3
    assert converged_index(losses, tolerance=0.01, patience=11) is None  # not enough epochs after it


def test_tolerance_is_a_share_of_the_whole_improvement():
    losses = [1.0, 0.5, 0.11, 0.105, 0.1] + [0.1] * 5
    # from index 2 on the loss falls by 0.01, about 1 % of its whole fall (0.9): converged there
    assert converged_index(losses, tolerance=0.012, patience=5) == 2
    # with a tighter tolerance the last small gains count: converged only at index 4
    assert converged_index(losses, tolerance=0.001, patience=5) == 4
    shifted_and_scaled = [3.0 + v * 1000 for v in losses]   # the rule does not depend on units
    assert converged_index(shifted_and_scaled, tolerance=0.012, patience=5) == 2


def test_steady_decline_never_converges():
    losses = list(np.linspace(1.0, 0.5, 50))
    assert converged_index(losses, tolerance=0.01, patience=5) is None
    # a geometric decline converges once 99 % of its fall is done (10 ** (-3 k / 49) <= 0.011 from
    # k = 32 on), with epochs to spare after it
    geometric = list(np.geomspace(1.0, 0.001, 50))
    assert converged_index(geometric, tolerance=0.01, patience=5) == 32


def test_a_noisy_loss_near_zero_converges_where_its_fall_ends():
    # a regression that fits almost exactly: after the fall, the loss wanders between 1e-5 and 1e-4
    # and sets a new record now and then; relative to the loss itself it would never converge
    rng = np.random.default_rng(0)
    fall = [1.0, 0.3, 0.1, 0.03, 0.005]     # 0.005 is within 1 % of the whole fall of the best
    tail = list(10.0 ** rng.uniform(-5, -4, 100))
    assert converged_index(fall + tail, tolerance=0.01, patience=10) == 4


def test_a_later_breakthrough_moves_the_converged_epoch():
    plateau = [1.0, 0.6] + [0.6] * 10
    assert converged_index(plateau, 0.01, 5) == 1
    assert converged_index(plateau + [0.1] + [0.1] * 6, 0.01, 5) == 12


def test_noise_above_the_best_does_not_delay_convergence():
    losses = [1.0, 0.3, 0.35, 0.31, 0.4, 0.302, 0.33, 0.36]
    assert converged_index(losses, tolerance=0.01, patience=5) == 1


def test_diverged_tail_is_ignored():
    losses = [1.0, 0.5] + [0.5] * 5 + [math.inf, math.nan]
    assert converged_index(losses, 0.01, 5) == 1
    assert converged_index([math.nan] * 4, 0.01, 1) is None


def test_bad_settings_are_rejected():
    with pytest.raises(ValueError):
        converged_index([1.0], tolerance=1.0, patience=1)
    with pytest.raises(ValueError):
        converged_index([1.0], tolerance=0.1, patience=-1)


def test_find_convergence_reports_epoch_and_seconds():
    found = find_convergence(history_of([1.0, 0.5, 0.3] + [0.3] * 10, seconds=0.5), 0.01, 10)
    assert found.epoch == 3 and found.seconds == pytest.approx(1.5)


def test_find_convergence_uses_training_loss_without_validation():
    history = history_of([math.nan] * 8, train_loss=[2.0, 1.0] + [1.0] * 6)
    assert find_convergence(history, 0.01, 5).epoch == 2
    assert find_convergence(history_of([]), 0.01, 5) is None
