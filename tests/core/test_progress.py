"""Progress of work made of several fresh runs (cross-validation, the learning curve): the share
of all their epochs trained and which run is training, for a progress bar."""
import numpy as np

from workbench.core.config import Config
from workbench.core.cross_validation import cross_validate
from workbench.core.experiment import Experiment, samples_for
from workbench.core.learning_curve import learning_curve
from workbench.core.progress import RunsProgress


def test_runs_of_different_lengths_fill_the_bar_in_proportion_and_an_early_stop_counts_whole():
    heard = []
    progress = RunsProgress(lambda *report: heard.append(report), [10, 30], ["first", "second"])
    progress.epoch(0, 0)
    progress.epoch(0, 5)
    progress.epoch(1, 0)            # the first run stopped early, after 5 of its 10 epochs
    progress.epoch(1, 30)
    assert heard == [(0.0, "first"), (0.125, "first"), (0.25, "second"), (1.0, "second")]


def test_no_listener_and_no_epochs_are_fine():
    RunsProgress(None, [3], ["only"]).epoch(0, 2)
    heard = []
    RunsProgress(lambda *report: heard.append(report), [0], ["empty"]).epoch(0, 0)
    assert heard == [(0.0, "empty")]


def test_cross_validation_reports_every_epoch_of_every_fold_and_the_same_scores():
    config = Config().updated({"data.dataset": "iris", "training.epochs": 4, "training.seed": 3})
    dataset = samples_for(config)
    heard = []
    result = cross_validate(config, dataset, 3, on_progress=lambda *report: heard.append(report))
    assert [stage for _, stage in heard] == [f"fold {k} of 3" for k in (1, 2, 3) for _ in range(5)]
    fractions = [fraction for fraction, _ in heard]
    assert np.all(np.diff(fractions) >= 0) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions[5] == 4 / 12                                # fold 2 starts after fold 1's 4 epochs
    np.testing.assert_array_equal(result.val_metric, cross_validate(config, dataset, 3).val_metric)


def test_the_learning_curve_weighs_each_share_by_its_epochs():
    experiment = Experiment.create(Config().updated({"data.dataset": "iris", "training.epochs": 5}))
    heard = []
    curve = learning_curve(experiment, shares=(0.5, 1.0), on_progress=lambda *report: heard.append(report))
    assert list(curve.epochs) == [10, 5]
    assert heard[0] == (0.0, "50% of the training rows (1 of 2)")
    assert heard[11] == (10 / 15, "100% of the training rows (2 of 2)")   # the half share trains 10 of 15 epochs
    assert heard[-1] == (1.0, "100% of the training rows (2 of 2)") and len(heard) == 2 + 15


def test_a_share_is_named_in_percent_to_three_figures():
    experiment = Experiment.create(Config().updated({"data.dataset": "iris", "training.epochs": 1}))
    heard = []
    learning_curve(experiment, shares=(1 / 3, 1.0), on_progress=lambda *report: heard.append(report))
    assert heard[0][1] == "33.3% of the training rows (1 of 2)"
