"""The training loop: determinism, resume, stop, early stopping, divergence, snapshots."""
import math
import threading

import numpy as np
import pytest

from workbench.core.config import Config
from workbench.core.data import DataError, Dataset
from workbench.core.experiment import Experiment, Snapshots
from workbench.core.trainer import Trainer

FAST = {"training.epochs": 12, "data.samples": 200, "training.batch_size": 16}


def make(changes=None):
    return Experiment.create(Config().updated({**FAST, **(changes or {})}))


def train(exp, epochs=None, stop=None):
    return list(Trainer(exp).run(epochs=epochs, stop=stop))


def test_same_seed_gives_bit_identical_weights_and_history():
    changes = {"layers": [{"units": 8, "activation": "relu", "dropout": 0.2}], "training.seed": 7}
    a, b = make(changes), make(changes)
    train(a), train(b)
    assert np.array_equal(a.network.flat_params, b.network.flat_params)
    assert a.history.train_loss == b.history.train_loss
    c = make({**changes, "training.seed": 8})
    train(c)
    assert not np.array_equal(a.network.flat_params, c.network.flat_params)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"])
def test_resuming_in_memory_equals_training_straight(optimizer):
    changes = {"optimizer.name": optimizer, "layers": [{"units": 6, "dropout": 0.1}]}
    straight = make(changes)
    train(straight, epochs=10)
    split = make(changes)
    train(split, epochs=4)
    train(split, epochs=6)
    assert np.array_equal(straight.network.flat_params, split.network.flat_params)
    assert straight.history.val_loss == split.history.val_loss


def test_reports_and_history_agree():
    exp = make()
    reports = train(exp)
    assert [r.epoch for r in reports] == list(range(1, 13))
    assert reports[-1].status == "completed" and all(r.status == "running" for r in reports[:-1])
    assert exp.history.val_loss == [r.val_loss for r in reports]
    assert exp.epochs_trained == 12 and exp.status == "completed"
    assert train(exp) == []  # nothing left to do


def test_stop_before_first_batch_trains_nothing():
    exp = make()
    before = exp.network.flat_params.copy()
    stop = threading.Event()
    stop.set()
    reports = train(exp, stop=stop)
    assert [r.status for r in reports] == ["stopped"]
    assert exp.epochs_trained == 0
    assert np.array_equal(before, exp.network.flat_params)


def test_stop_mid_run_keeps_whole_epochs():
    exp = make({"training.epochs": 1000})
    stop = threading.Event()
    seen = []
    for report in Trainer(exp).run(stop=stop):
        seen.append(report)
        if report.epoch == 3:
            stop.set()
    assert seen[-1].status == "stopped"
    assert exp.epochs_trained == 3
    for name, value in exp.network.get_weights().items():
        assert np.array_equal(value, exp.snapshots[3][name])


def test_huge_learning_rate_diverges_with_finite_weights_and_advice():
    exp = make({"data.dataset": "plane", "optimizer.name": "sgd", "optimizer.lr": 100.0,
                "layers": [{"units": 32, "activation": "relu"}], "training.epochs": 50})
    reports = train(exp)
    assert reports[-1].status == "diverged"
    assert "learning rate" in reports[-1].message
    assert np.isfinite(exp.network.flat_params).all()
    assert all(math.isfinite(v) for v in exp.history.train_loss)
    assert exp.status == "diverged" and exp.epochs_trained < 50


class StopAfter(threading.Event):
    """A stop flag that turns itself on at its n-th check (the trainer checks before each batch)."""

    def __init__(self, checks: int):
        super().__init__()
        self.left = checks

    def is_set(self) -> bool:
        self.left -= 1
        return self.left < 0


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_a_stop_mid_epoch_rewinds_weights_optimizer_and_rng_so_resuming_equals_training_straight(optimizer):
    changes = {"optimizer.name": optimizer, "layers": [{"units": 6, "dropout": 0.2}]}
    straight = make(changes)
    train(straight, epochs=6)
    stopped = make(changes)
    batches = math.ceil(stopped.data.X_train.shape[0] / 16)
    reports = train(stopped, epochs=6, stop=StopAfter(2 * batches + 3))   # 3 batches into epoch 3
    assert reports[-1].status == "stopped" and stopped.epochs_trained == 2
    assert stopped.optimizer.steps == 2 * batches
    train(stopped, epochs=4)
    assert np.array_equal(straight.network.flat_params, stopped.network.flat_params)
    for slot, value in straight.optimizer.slots.items():
        assert np.array_equal(value, stopped.optimizer.slots[slot])
    assert straight.history.train_loss == stopped.history.train_loss


@pytest.mark.parametrize("optimizer", ["momentum", "nesterov"])
def test_divergence_leaves_no_nan_in_the_optimizer_state(optimizer):
    exp = make({"data.dataset": "plane", "optimizer.name": optimizer, "optimizer.lr": 100.0,
                "layers": [{"units": 16, "activation": "relu"}], "training.epochs": 50})
    reports = train(exp)
    assert reports[-1].status == "diverged"
    batches = math.ceil(exp.data.X_train.shape[0] / 16)
    assert exp.optimizer.steps == exp.epochs_trained * batches        # the last whole epoch's state
    assert all(np.isfinite(buffer).all() for buffer in exp.optimizer.slots.values())
    assert np.isfinite(exp.network.flat_params).all()


def test_early_stopping_restores_best_weights():
    exp = make({"training.epochs": 400, "training.early_stopping": 5, "data.samples": 60,
                "data.noise": 0.5, "layers": [{"units": 64, "activation": "relu"}],
                "optimizer.lr": 0.05})
    reports = train(exp)
    final = reports[-1]
    assert final.status == "early_stopped", final
    assert exp.epochs_trained < 400
    assert final.epoch - final.best_epoch >= 5
    best = exp.snapshots[final.best_epoch]
    for name, value in exp.network.get_weights().items():
        assert np.array_equal(value, best[name])


def test_learning_rate_change_applies_from_next_epoch():
    exp = make({"training.epochs": 6})
    trainer = Trainer(exp)
    lrs = []
    for report in trainer.run():
        lrs.append(report.lr)
        if report.epoch == 2:
            trainer.set_learning_rate(0.001)
    assert lrs[:2] == [0.01, 0.01] and lrs[2:] == [0.001] * 4


def test_snapshots_are_thinned_to_a_bound():
    exp = make({"training.epochs": 1})
    snaps = Snapshots(limit=10)
    for epoch in range(0, 501):
        snaps.record(epoch, exp.network)
    assert len(snaps) <= 11
    assert 0 in snaps and 500 in snaps
    middle = sorted(snaps)[1:-1]
    assert len({b - a for a, b in zip(middle, middle[1:])}) == 1  # evenly spaced


def test_reset_archives_the_run_and_repeats_exactly():
    exp = make()
    train(exp)
    first = exp.network.flat_params.copy()
    exp.reset()
    assert len(exp.runs) == 1 and exp.runs[0].status == "completed"
    assert exp.epochs_trained == 0 and list(exp.snapshots) == [0]
    train(exp)
    assert np.array_equal(first, exp.network.flat_params)


def test_a_new_validation_split_re_splits_a_files_samples_without_reading_it_again(tmp_path):
    path = tmp_path / "blobs.csv"
    rng = np.random.default_rng(3)
    rows = [f"{a:.3f},{b:.3f},{'yes' if a + b > 0 else 'no'}" for a, b in rng.normal(size=(120, 2))]
    path.write_text("a,b,label\n" + "\n".join(rows) + "\n")
    config = Config().updated({"data.path": str(path), "training.epochs": 3})
    exp = Experiment.create(config)
    train(exp)
    wider = config.updated({"data.val_split": 0.4, "training.seed": 7})
    expected = Experiment.create(wider)              # what reading the file again would give
    path.unlink()                                    # ... which is no longer possible
    exp.reset(wider)
    assert np.array_equal(exp.data.split, expected.data.split)
    assert np.array_equal(exp.network.flat_params, expected.network.flat_params)
    with pytest.raises(DataError):                   # another target column is other samples
        exp.reset(wider.updated({"data.target": "a"}))


def test_a_generated_set_is_generated_again_for_a_new_seed_but_not_for_a_new_split():
    exp = make({"data.noise": 0.2})                  # noise is where the seed shows
    X = exp.data.dataset.X
    exp.reset(exp.config.updated({"data.val_split": 0.3}))
    assert exp.data.dataset.X is X
    exp.reset(exp.config.updated({"training.seed": exp.config.training.seed + 1}))
    assert not np.array_equal(exp.data.dataset.X, X)


def test_a_new_hyperparameter_keeps_the_prepared_data_and_trains_as_a_fresh_start():
    exp = make({"data.noise": 0.2})
    train(exp)
    prepared = exp.data
    faster = exp.config.updated({"optimizer.lr": 0.05, "layers": [{"units": 6, "activation": "relu"}]})
    exp.reset(faster)
    assert exp.data is prepared                      # not split and scaled again
    fresh = Experiment.create(faster)
    train(exp), train(fresh)
    assert np.array_equal(exp.network.flat_params, fresh.network.flat_params)
    assert exp.history.train_loss == fresh.history.train_loss
    for changes in ({"data.val_split": 0.3}, {"training.dtype": "float64"}, {"training.seed": 5}):
        exp.reset(exp.config.updated(changes))     # each alone needs a new split or new arrays
        assert exp.data is not prepared
        prepared = exp.data
    with pytest.raises(ValueError):                  # shared between runs, so nobody writes into it
        prepared.X_train[0, 0] = 1.0


def test_next_run_builds_the_reset_without_touching_the_experiment_and_adopt_makes_it_current():
    exp = make({"data.noise": 0.2})
    train(exp)
    trained, config = exp.network.flat_params.copy(), exp.config
    wider = config.updated({"layers": [{"units": 6, "activation": "relu"}]})
    assert not exp.needs_samples(wider) and not exp.needs_samples(config.updated({"data.val_split": 0.4}))
    assert exp.needs_samples(config.updated({"data.noise": 0.3}))
    assert exp.needs_samples(config.updated({"training.seed": 99}))       # a generated set's samples
    fresh = exp.next_run(wider)
    assert exp.config == config and exp.epochs_trained == 12 and exp.runs == []
    assert np.array_equal(exp.network.flat_params, trained)
    assert fresh.data is exp.data and fresh.config == wider and fresh.epochs_trained == 0
    exp.adopt(fresh)
    assert exp.network is fresh.network and exp.config == wider and exp.status == "new"
    assert len(exp.runs) == 1 and exp.runs[0].config == config and len(exp.runs[0].history) == 12
    exp.adopt(exp.next_run())                         # an untrained run is not archived
    assert len(exp.runs) == 1


def test_a_run_is_kept_with_the_config_it_trained_with_not_a_later_edit():
    exp = make({"optimizer.lr": 0.03})
    train(exp)
    trained_with = exp.config
    assert exp.trained_config == trained_with
    exp.config = trained_with.updated({"optimizer.lr": 0.01})     # a training knob edited afterwards
    exp.reset()
    assert exp.runs[0].config == trained_with and exp.trained_config is None
    assert exp.config.optimizer.lr == 0.01


def test_a_run_continued_after_an_edit_is_kept_with_the_config_of_its_last_epochs():
    exp = make({"training.epochs": 4, "optimizer.lr": 0.03})
    train(exp)
    exp.config = exp.config.updated({"training.epochs": 8, "optimizer.lr": 0.01})
    train(exp)                                        # epochs 5-8 at the new rate
    assert exp.history.lr[-1] == 0.01 and exp.trained_config == exp.config
    exp.reset()
    assert exp.runs[0].config.optimizer.lr == 0.01 and len(exp.runs[0].history) == 8


def test_same_samples_compares_what_loading_reads():
    from workbench.core.config import DataConfig
    from workbench.core.data import same_samples

    spiral, csv = DataConfig(), DataConfig(path="a.csv")
    assert same_samples(spiral, DataConfig(val_split=0.5, test_split=0.1), same_seed=True)
    assert not same_samples(spiral, spiral, same_seed=False)
    assert not same_samples(spiral, DataConfig(noise=0.1), same_seed=True)
    assert not same_samples(spiral, DataConfig(dataset="xor"), same_seed=True)
    assert same_samples(csv, DataConfig(path="a.csv", val_split=0.4, samples=99), same_seed=False)
    assert not same_samples(csv, DataConfig(path="a.csv", target="x"), same_seed=True)
    assert not same_samples(csv, DataConfig(path="a.csv", task="regression"), same_seed=True)
    assert not same_samples(csv, spiral, same_seed=True)


def test_a_reset_that_cannot_build_changes_nothing(tmp_path):
    from workbench.core.data import DataError

    exp = make()
    train(exp)
    missing = exp.config.updated({"data.path": str(tmp_path / "gone.csv")})
    with pytest.raises(DataError):
        exp.reset(missing)
    assert exp.runs == [] and exp.epochs_trained == 12


def test_predict_scales_raw_rows_with_the_training_scaler():
    exp = Experiment.create(Config().updated({"data.dataset": "iris", "training.epochs": 5}))
    for _ in Trainer(exp).run():
        pass
    raw = exp.data.dataset.X[:7]
    expected = exp.network.predict((raw - exp.data.scaler.mean) / exp.data.scaler.scale)
    np.testing.assert_allclose(exp.predict(raw), expected, rtol=1e-5, atol=1e-6)
    # the raw rows, not the scaled ones: the same numbers scaled again predict otherwise
    assert not np.allclose(exp.predict(raw), exp.predict(exp.data.scaler.transform(raw)), atol=1e-3)
    with pytest.raises(DataError, match="expected 4 features per sample"):
        exp.predict(np.zeros((2, 3)))


def test_regression_starts_from_the_training_targets_mean():
    experiment = Experiment.create(Config().updated({"data.dataset": "diabetes"}))
    bias = experiment.network.get_weights()["dense_2/bias"]
    assert bias == pytest.approx([float(np.mean(experiment.data.y_train))])        # not the validation rows'
    assert bias != pytest.approx([float(np.mean(experiment.data.dataset.y))])
    first = next(iter(Trainer(experiment).run(1)))
    assert first.val_metric > -0.5                                                   # -3.65 from a zero bias
    rng = np.random.default_rng(0)
    two = Dataset(rng.normal(size=(80, 2)), np.c_[rng.normal(5, 1, 80), rng.normal(-300, 1, 80)],
                  "regression", "two", ["a", "b"], [], "y")
    multi = Experiment.create(Config(), two)
    assert multi.network.get_weights()["dense_2/bias"] == pytest.approx(multi.data.y_train.mean(axis=0), rel=1e-6)
    classifier = Experiment.create(Config())
    assert not classifier.network.get_weights()["dense_2/bias"].any()               # classes start at zero
