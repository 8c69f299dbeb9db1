"""The learning-rate range test: a fresh copy trains, the session is untouched, the same seed gives
the same curve, a runaway loss ends it, and the rate it suggests trains well."""
import threading

import numpy as np
import pytest

from workbench.core.config import Config
from workbench.core.experiment import Experiment
from workbench.core.lr_finder import SMOOTHING, find_learning_rate, sweep_rates
from workbench.core.trainer import Trainer


def iris(**changes):
    return Experiment.create(Config().updated({"data.dataset": "iris", "layers.units": 16, **changes}))


def test_the_sweep_leaves_the_session_untouched_and_repeats_exactly():
    experiment = iris(**{"training.epochs": 3})
    for _ in Trainer(experiment).run():
        pass
    weights = experiment.network.get_weights()
    optimizer_state = experiment.optimizer.checkpoint()
    rng_state = experiment.rng.bit_generator.state
    first = find_learning_rate(experiment, steps=60)
    second = find_learning_rate(experiment, steps=60)
    np.testing.assert_array_equal(first.losses, second.losses)          # from the seed's initial weights
    for name, value in experiment.network.get_weights().items():
        np.testing.assert_array_equal(value, weights[name])
    assert experiment.rng.bit_generator.state == rng_state and experiment.epochs_trained == 3
    steps, slots = experiment.optimizer.checkpoint()
    assert steps == optimizer_state[0] and slots.keys() == optimizer_state[1].keys()
    for slot, buffer in slots.items():
        np.testing.assert_array_equal(buffer, optimizer_state[1][slot])


def test_rates_grow_geometrically_and_the_curve_is_the_smoothed_batch_losses():
    sweep = find_learning_rate(iris(), min_lr=1e-4, max_lr=1.0, steps=40)
    assert sweep.ended == "completed" and len(sweep.lrs) == 40
    np.testing.assert_allclose(sweep.lrs, 1e-4 * 10 ** (np.arange(40) * 4 / 39))
    expected, average = [], 0.0
    for i, loss in enumerate(sweep.losses, start=1):
        average = SMOOTHING * average + (1 - SMOOTHING) * loss
        expected.append(average / (1 - SMOOTHING ** i))
    np.testing.assert_allclose(sweep.smoothed, expected)
    assert sweep.smoothed[0] == sweep.losses[0]                          # bias-corrected: no pull to 0
    lowest = int(np.argmin(sweep.smoothed))
    assert sweep.lowest_lr == sweep.lrs[lowest] and sweep.suggestion == pytest.approx(sweep.lowest_lr / 10)


def test_the_suggested_rate_trains_well():
    experiment = iris()
    sweep = find_learning_rate(experiment)
    assert 1e-4 < sweep.suggestion < 1.0, sweep.advice()
    tuned = iris(**{"optimizer.lr": sweep.suggestion, "training.epochs": 60})
    for report in Trainer(tuned).run():
        pass
    assert report.status == "completed" and report.val_metric >= 0.9


def test_a_runaway_loss_ends_the_sweep_without_nan():
    experiment = Experiment.create(Config().updated({"data.dataset": "plane", "optimizer.name": "sgd"}))
    sweep = find_learning_rate(experiment, min_lr=1e-3, max_lr=1e6, steps=200)
    assert sweep.ended == "diverged" and len(sweep.lrs) < 200
    assert np.isfinite(sweep.losses).all() and np.isfinite(sweep.smoothed).all()
    assert sweep.smoothed[-1] > 4 * sweep.smoothed.min()
    assert sweep.suggestion is not None and sweep.suggestion < sweep.lrs[-1]


def test_a_loss_that_never_falls_gives_no_suggestion():
    experiment = Experiment.create(Config().updated({"data.dataset": "plane", "optimizer.name": "sgd"}))
    sweep = find_learning_rate(experiment, min_lr=100.0, max_lr=1e4, steps=20)
    assert sweep.suggestion is None and sweep.lowest_lr is None
    assert sweep.advice().startswith("the loss did not fall at any rate tried")


def test_a_loss_still_falling_at_the_highest_rate_says_so():
    # rates up to 1e-3 are all too low for iris at Adam: the loss only falls
    sweep = find_learning_rate(iris(), max_lr=1e-3)
    assert sweep.lowest_lr == sweep.lrs[-1] == pytest.approx(1e-3) and sweep.ended == "completed"
    assert sweep.advice().endswith("still falling at the highest rate tried, so a wider range may "
                                   "find a turn and a better rate")
    assert "still falling" not in find_learning_rate(iris()).advice()


def test_a_stop_request_ends_the_sweep():
    stop = threading.Event()
    stop.set()
    sweep = find_learning_rate(iris(), stop=stop)
    assert sweep.ended == "stopped" and len(sweep.lrs) == 0 and sweep.suggestion is None


@pytest.mark.parametrize("low, high, steps, fragment", [
    (0.0, 1.0, 50, "0 < lowest < highest"), (1.0, 0.1, 50, "0 < lowest < highest"),
    (1e-3, float("inf"), 50, "0 < lowest < highest"), (1e-3, 1.0, 4, "steps: 4 is outside"),
])
def test_bad_sweep_settings_are_refused(low, high, steps, fragment):
    with pytest.raises(ValueError, match=fragment):
        sweep_rates(low, high, steps)
