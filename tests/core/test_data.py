"""Built-in data sets, splits, scaling and the arrays prepared for training."""
import math

import numpy as np
import pytest

from workbench.core.config import Config, DataConfig
from workbench.core.experiment import Experiment
from workbench.core.data import (BUILTIN_DATASETS, DataError, Dataset, PreparedData, Scaler,
                                 describe_builtins, load_dataset, prepare, split_indices)
from workbench.core.datasets_builtin import TABLES_DIR

GENERATED = ["circle", "xor", "gauss", "spiral", "plane", "multi_gauss"]
CLASSIFIERS = ["circle", "xor", "gauss", "spiral"]


def generate(name, seed=0, noise=0.0, samples=None):
    config = DataConfig(dataset=name, noise=noise, samples=samples)
    return load_dataset(config, np.random.default_rng(seed))


# --- generated sets --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", GENERATED)
def test_generated_shape_names_and_default_size(name):
    data = generate(name)
    regression = name in ("plane", "multi_gauss")
    assert data.X.shape == ((1200, 2) if regression else (500, 2))
    assert data.X.dtype == np.float64 and data.feature_names == ["x1", "x2"]
    assert data.source == f"builtin:{name}"
    if regression:
        assert data.task == "regression" and data.y.dtype == np.float64 and data.class_names == []
        assert data.n_outputs == 1
    else:
        assert data.task == "classification" and data.y.dtype == np.int64
        assert data.class_names == ["negative", "positive"] and set(np.unique(data.y)) == {0, 1}


@pytest.mark.parametrize("name", GENERATED)
def test_generated_sample_count_follows_the_config(name):
    assert generate(name, samples=11).X.shape == (11, 2)


@pytest.mark.parametrize("name", GENERATED)
def test_same_seed_same_data_other_seed_other_data(name):
    a, b, c = generate(name, 3, 0.2), generate(name, 3, 0.2), generate(name, 4, 0.2)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


def test_classes_are_balanced_where_playground_draws_halves():
    for name in ("circle", "spiral"):
        assert np.bincount(generate(name, noise=0.0).y).tolist() == [250, 250]
    assert np.bincount(generate("gauss", samples=11).y).tolist() == [6, 5]


def test_circle_inner_disc_and_outer_ring_and_noise_mislabels():
    clean = generate("circle", noise=0.0)
    radius = np.hypot(clean.X[:, 0], clean.X[:, 1])
    assert radius.max() <= 5.0 and not ((radius > 2.5) & (radius < 3.5)).any()
    assert np.array_equal(clean.y, (radius < 2.5).astype(int))
    noisy = generate("circle", noise=0.5)
    noisy_radius = np.hypot(noisy.X[:, 0], noisy.X[:, 1])
    assert (noisy.y != (noisy_radius < 2.5)).mean() > 0.05


def test_xor_quadrants_padding_and_noise():
    clean = generate("xor")
    assert np.abs(clean.X).min() >= 0.3 and np.abs(clean.X).max() <= 5.3
    assert np.array_equal(clean.y, (clean.X[:, 0] * clean.X[:, 1] >= 0).astype(int))
    noisy = generate("xor", noise=0.5)
    assert (noisy.y != (noisy.X[:, 0] * noisy.X[:, 1] >= 0)).mean() > 0.05


def test_gauss_centres_and_variance_growing_with_noise():
    clean, noisy = generate("gauss", samples=4000), generate("gauss", samples=4000, noise=0.5)
    positive = clean.X[clean.y == 1]
    assert np.allclose(positive.mean(axis=0), [2, 2], atol=0.1)
    assert np.allclose(clean.X[clean.y == 0].mean(axis=0), [-2, -2], atol=0.1)
    assert positive.var(axis=0) == pytest.approx([0.5, 0.5], rel=0.15)
    assert noisy.X[noisy.y == 1].var(axis=0) == pytest.approx([4.0, 4.0], rel=0.15)


def test_spiral_arms_and_jitter():
    clean = generate("spiral")
    again = generate("spiral", seed=9)
    assert np.array_equal(clean.X, again.X)          # no noise: the arms themselves
    radius = np.hypot(clean.X[:, 0], clean.X[:, 1])
    assert np.allclose(radius[:250], 5.0 * np.arange(250) / 250)
    assert np.allclose(clean.X[250:], -clean.X[:250])  # the second arm is the first turned by pi
    noisy = generate("spiral", noise=0.3)
    jitter = np.abs(noisy.X - clean.X)
    assert jitter.max() <= 0.3 and jitter.max() > 0.2


def test_plane_value_and_noise():
    clean = generate("plane")
    assert np.abs(clean.X).max() <= 6.0
    assert np.allclose(clean.y, clean.X.sum(axis=1) / 10)
    noisy = generate("plane", noise=0.5)
    error = np.abs(noisy.y - noisy.X.sum(axis=1) / 10)
    assert error.max() <= 0.6 + 1e-12 and error.mean() > 0.05


def test_multi_gauss_bumps_and_noise():
    clean = generate("multi_gauss", samples=4000)
    assert np.abs(clean.y).max() <= 1.0 and clean.y.max() > 0.9 and clean.y.min() < -0.9
    # Around (-4, 2.5) the bump is positive, around (0, 2.5) negative; beyond 2 units from all, 0.
    for (cx, cy), sign in (((-4, 2.5), 1), ((0, 2.5), -1), ((4, -2.5), -1)):
        d = np.hypot(clean.X[:, 0] - cx, clean.X[:, 1] - cy)
        near = d < 2
        assert np.allclose(clean.y[near], sign * (1 - d[near] / 2))
    noisy = generate("multi_gauss", samples=4000, noise=0.5)
    assert not np.allclose(noisy.y, clean.y)


# --- shipped tables -------------------------------------------------------------------------------------
TABLES = {  # name: (n_samples, n_features, n_outputs, task)
    "iris": (150, 4, 3, "classification"),
    "wine": (178, 13, 3, "classification"),
    "breast_cancer": (569, 30, 2, "classification"),
    "digits": (1797, 64, 10, "classification"),
    "diabetes": (442, 10, 1, "regression"),
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_shipped_table_loads_with_its_shape(name):
    data = load_dataset(DataConfig(dataset=name), np.random.default_rng(0))
    n_samples, n_features, n_outputs, task = TABLES[name]
    assert data.X.shape == (n_samples, n_features) and data.n_outputs == n_outputs
    assert data.task == task and data.notes == [] and data.source == f"builtin:{name}"
    assert (TABLES_DIR / f"{name}.csv").is_file()


def test_a_shipped_table_is_read_once_and_shared_read_only():
    first = load_dataset(DataConfig(dataset="digits"), np.random.default_rng(0))
    again = load_dataset(DataConfig(dataset="digits"), np.random.default_rng(1))
    assert again.X is first.X                          # (each gets its own copy of the labels)
    with pytest.raises(ValueError):                    # no load can change what the others see
        first.X[0, 0] = 99.0


def test_shipped_tables_keep_their_meaning():
    rng = np.random.default_rng(0)
    iris = load_dataset(DataConfig(dataset="iris"), rng)
    assert iris.class_names == ["setosa", "versicolor", "virginica"]
    assert np.bincount(iris.y).tolist() == [50, 50, 50] and iris.target_name == "species"
    cancer = load_dataset(DataConfig(dataset="breast_cancer"), rng)
    assert dict(zip(cancer.class_names, np.bincount(cancer.y))) == {"benign": 357, "malignant": 212}
    digits = load_dataset(DataConfig(dataset="digits"), rng)
    assert digits.class_names == [str(d) for d in range(10)]
    assert digits.X.min() == 0 and digits.X.max() == 16 and digits.feature_names[9] == "pixel_1_1"
    diabetes = load_dataset(DataConfig(dataset="diabetes"), rng)
    assert diabetes.y.min() == 25 and diabetes.y.max() == 346


def test_describe_builtins_matches_the_data():
    rows = describe_builtins()
    assert [row["name"] for row in rows] == list(BUILTIN_DATASETS)
    for row in rows:
        assert set(row) == {"name", "task", "n_features", "n_samples", "n_outputs", "description"}
        data = load_dataset(DataConfig(dataset=row["name"]), np.random.default_rng(0))
        assert (row["task"], row["n_features"], row["n_samples"], row["n_outputs"]) == (
            data.task, data.n_features, data.n_samples, data.n_outputs)
        assert row["description"]


def test_unknown_set_and_wrong_task_are_data_errors():
    with pytest.raises(DataError, match="unknown data set 'moons'.*spiral"):
        load_dataset(DataConfig(dataset="moons"), np.random.default_rng(0))
    with pytest.raises(DataError, match="iris is a classification data set"):
        load_dataset(DataConfig(dataset="iris", task="regression"), np.random.default_rng(0))


def test_load_dataset_reads_the_persons_files(tmp_path):
    csv_file = tmp_path / "mine.csv"
    csv_file.write_text("a,b,kind\n1,2,x\n3,4,y\n5,6,x\n")
    data = load_dataset(DataConfig(path=str(csv_file)), np.random.default_rng(0))
    assert data.source == "csv:mine.csv" and data.class_names == ["x", "y"]
    npz_file = tmp_path / "mine.npz"
    np.savez(npz_file, X=np.ones((4, 3)), y=np.array([0.5, 1.0, 1.5, 2.0]))
    assert load_dataset(DataConfig(path=str(npz_file)), None).task == "regression"
    with pytest.raises(DataError, match="mine.npz: .*target"):
        load_dataset(DataConfig(path=str(npz_file), target="b"), None)


def test_a_data_file_opened_once_gives_each_choice_as_reading_it_would(tmp_path):
    from workbench.core.data import open_data_file, read_csv, read_npz

    csv_file = tmp_path / "mine.csv"
    csv_file.write_text("a,b,kind,notes\n" + "".join(f"{i % 4},{i * 0.5},{'xy'[i % 2]},\n" for i in range(12)))
    opened = open_data_file(str(csv_file))
    choices = [("kind", None), ("a", None), ("a", "regression"), ("b", None)]
    expected = [read_csv(csv_file, target, task) for target, task in choices]
    csv_file.unlink()                                # the choices come from the cells read
    for (target, task), want in zip(choices, expected):
        got = opened.dataset(target, task)
        assert (got.task, got.feature_names, got.class_names, got.notes) == \
            (want.task, want.feature_names, want.class_names, want.notes)
        assert np.array_equal(got.X, want.X, equal_nan=True) and np.array_equal(got.y, want.y)
    with pytest.raises(DataError, match="column 4 \\('notes'\\).*no values"):
        opened.dataset()                              # the default target is empty
    with pytest.raises(DataError, match="no target column 'c'"):
        opened.dataset("c")
    one_column = tmp_path / "one.csv"
    one_column.write_text("a\n1\n2\n")
    with pytest.raises(DataError, match="one column only"):   # no choice could use it
        open_data_file(str(one_column))
    npz_file = tmp_path / "mine.npz"
    np.savez(npz_file, X=np.ones((4, 3)), y=np.array([0, 1, 0, 1]))
    archive = open_data_file(str(npz_file))
    assert archive.table is None and archive.dataset() is archive.archive
    assert archive.dataset().task == "classification"
    assert archive.dataset(task="regression").task == read_npz(npz_file, "regression").task == "regression"


# --- splits ---------------------------------------------------------------------------------------------
def test_stratified_split_keeps_class_proportions():
    y = np.repeat([0, 1, 2], [100, 50, 10])
    split = split_indices(y, "classification", 0.2, 0.1, np.random.default_rng(0))
    assert split.dtype == np.int8 and split.shape == y.shape
    for label, size in ((0, 100), (1, 50), (2, 10)):
        counts = np.bincount(split[y == label], minlength=3)
        assert counts.tolist() == [size - round(0.2 * size) - round(0.1 * size),
                                   round(0.2 * size), round(0.1 * size)]


def test_every_class_gets_a_validation_sample_when_it_can():
    y = np.array([0] * 40 + [1, 1] + [2])
    split = split_indices(y, "classification", 0.1, 0.0, np.random.default_rng(0))
    assert np.bincount(split[y == 1]).tolist() == [1, 1]     # one to train on, one to validate
    assert split[y == 2].tolist() == [0]                      # a single sample stays in training
    assert np.bincount(split[y == 0]).tolist() == [36, 4]


def test_split_is_determined_by_the_generator():
    y = np.arange(200) % 3
    a = split_indices(y, "classification", 0.25, 0.25, np.random.default_rng(5))
    b = split_indices(y, "classification", 0.25, 0.25, np.random.default_rng(5))
    c = split_indices(y, "classification", 0.25, 0.25, np.random.default_rng(6))
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_regression_split_counts_and_no_hold_out():
    y = np.linspace(0, 1, 101)
    split = split_indices(y, "regression", 0.2, 0.1, np.random.default_rng(0))
    assert np.bincount(split).tolist() == [71, 20, 10]
    assert not split_indices(y, "regression", 0.0, 0.0, np.random.default_rng(0)).any()
    multi = split_indices(np.zeros((30, 2)), "regression", 0.5, 0.0, np.random.default_rng(0))
    assert np.bincount(multi).tolist() == [15, 15]


# --- scaling and prepared arrays ----------------------------------------------------------------------
def small_dataset(task="classification", n=40):
    rng = np.random.default_rng(1)
    X = np.column_stack([rng.normal(10.0, 3.0, n), np.full(n, 7.0), rng.uniform(-1, 1, n)])
    if task == "classification":
        return Dataset(X, np.arange(n) % 2, task, "test", ["a", "const", "c"], ["no", "yes"], "t")
    return Dataset(X, X[:, 0] * 2.0, task, "test", ["a", "const", "c"], [], "t")


def test_scaler_is_fitted_on_training_rows_only():
    data = small_dataset()
    split = np.zeros(data.n_samples, np.int8)
    split[30:] = 1
    X = data.X.copy()
    X[30:, 0] += 1000.0                                  # validation rows far away
    data = Dataset(X, data.y, data.task, "test", data.feature_names, data.class_names, "t")
    prepared = prepare(data, split)
    assert np.allclose(prepared.scaler.mean, X[:30].mean(axis=0))
    assert np.allclose(prepared.X_train.mean(axis=0), [0, 0, 0], atol=1e-6)
    assert np.allclose(prepared.X_train[:, [0, 2]].std(axis=0), 1, atol=1e-5)
    assert prepared.X_val[:, 0].min() > 100               # scaled with training statistics


def test_missing_numbers_take_the_training_mean_and_nothing_of_the_held_out_rows():
    data = small_dataset()
    split = np.zeros(data.n_samples, np.int8)
    split[30:] = 1
    X = data.X.copy()
    X[[3, 7, 31, 35], 0] = math.nan                      # two gaps among training rows, two held out
    with_gaps = Dataset(X, data.y, data.task, "test", data.feature_names, data.class_names, "t")
    prepared = prepare(with_gaps, split)
    present = ~np.isnan(X[:30, 0])
    assert prepared.scaler.mean[0] == pytest.approx(X[:30, 0][present].mean(), rel=1e-12)
    assert prepared.scaler.scale[0] == pytest.approx(X[:30, 0][present].std(), rel=1e-12)
    assert prepared.X_train[[3, 7], 0].tolist() == [0, 0] and prepared.X_val[[1, 5], 0].tolist() == [0, 0]
    assert np.isfinite(prepared.X_train).all() and np.isfinite(prepared.X_val).all()
    # moving the held-out rows changes neither the statistics nor how the training gaps are filled
    X[30:, 0] += 1000.0
    moved = prepare(Dataset(X, data.y, data.task, "test", data.feature_names, data.class_names, "t"), split)
    assert np.array_equal(moved.scaler.mean, prepared.scaler.mean)
    assert np.array_equal(moved.X_train, prepared.X_train)


def test_a_feature_with_no_training_value_is_centred_on_zero():
    X = np.array([[1.0, math.nan], [2.0, math.nan], [3.0, 5.0]])
    scaler = Scaler.fit(X[:2])
    assert scaler.mean.tolist() == [1.5, 0.0] and scaler.scale.tolist() == [0.5, 1.0]
    assert scaler.transform(X).tolist() == [[-1.0, 0.0], [1.0, 0.0], [3.0, 5.0]]


def test_scaler_statistics_without_gaps_are_numpys_mean_and_std():
    X = np.random.default_rng(0).standard_normal((500, 6)) * 40 + 3
    scaler = Scaler.fit(X)
    assert np.array_equal(scaler.mean, X.mean(axis=0)) and np.array_equal(scaler.scale, X.std(axis=0))


def test_numbers_near_the_float64_limit_are_standardised_without_overflow():
    huge = np.array([[1e308, 1.0], [-1e308, 2.0], [1e308, 3.0], [-1e308, np.nan]])
    scaler = Scaler.fit(huge)
    assert np.isfinite(scaler.mean).all() and np.isfinite(scaler.scale).all()
    assert scaler.mean[0] == pytest.approx(0.0, abs=1e290) and scaler.scale[0] == pytest.approx(1e308)
    assert scaler.mean[1] == 2.0                                   # other columns as before
    np.testing.assert_allclose(scaler.transform(huge)[:, 0], [1, -1, 1, -1])
    experiment = Experiment.create(Config().updated({"training.epochs": 2}), Dataset(
        np.column_stack([np.tile([1e308, -1e308], 20), np.arange(40.0)]), np.arange(40) % 2, "classification",
        "test", ["a", "b"], ["p", "q"], "y"))
    assert np.isfinite(experiment.data.X_train).all()


def test_constant_feature_gets_scale_one():
    scaler = Scaler.fit(small_dataset().X)
    assert scaler.scale[1] == 1.0 and scaler.mean[1] == 7.0
    assert np.all(scaler.transform(small_dataset().X)[:, 1] == 0)
    assert Scaler.fit(np.full((5, 1), 0.1)).scale.tolist() == [1.0]


def test_scaler_rejects_wrong_width_and_bad_values():
    scaler = Scaler.fit(np.ones((3, 2)))
    with pytest.raises(DataError, match="expected 2 features"):
        scaler.transform(np.ones((3, 3)))
    with pytest.raises(DataError, match="positive"):
        Scaler(np.zeros(2), np.array([1.0, 0.0]))


def test_prepared_arrays_dtypes_and_partitions():
    data = small_dataset()
    split = split_indices(data.y, data.task, 0.25, 0.25, np.random.default_rng(0))
    prepared = prepare(data, split)
    assert isinstance(prepared, PreparedData) and prepared.dtype == np.float32
    assert prepared.X_train.dtype == np.float32 and prepared.y_train.dtype == np.int64
    sizes = [prepared.X_train.shape[0], prepared.X_val.shape[0], prepared.X_test.shape[0]]
    assert sizes == np.bincount(split).tolist() and sum(sizes) == data.n_samples
    assert np.array_equal(prepared.y_val, data.y[split == 1])
    wide = prepare(data, split, dtype="float64")
    assert wide.X_test.dtype == np.float64
    assert np.allclose(wide.X_test, prepared.scaler.transform(data.X[split == 2]))


def test_regression_targets_take_the_training_dtype():
    data = small_dataset("regression")
    split = split_indices(data.y, data.task, 0.2, 0.0, np.random.default_rng(0))
    prepared = prepare(data, split)
    assert prepared.y_train.dtype == np.float32 and prepared.y_train.ndim == 1
    two = Dataset(data.X, np.column_stack([data.y, -data.y]), "regression", "t", data.feature_names, [], "t")
    assert two.n_outputs == 2
    assert prepare(two, split).y_val.shape == (int((split == 1).sum()), 2)


def test_prepare_keeps_a_given_scaler_and_checks_the_split():
    data = small_dataset()
    scaler = Scaler(np.zeros(3), np.full(3, 2.0))
    split = np.zeros(data.n_samples, np.int8)
    assert np.allclose(prepare(data, split, scaler).X_train, data.X / 2)
    with pytest.raises(DataError, match="no sample for training"):
        prepare(data, np.ones(data.n_samples, np.int8))
    with pytest.raises(DataError, match="one code per sample"):
        prepare(data, split[:-1])
    with pytest.raises(DataError, match="scaler has 2 features"):
        PreparedData(data, split, Scaler(np.zeros(2), np.ones(2)))


def test_dataset_checks_its_arrays():
    X = np.ones((4, 2))
    with pytest.raises(DataError, match="class indices"):
        Dataset(X, np.array([0, 1, 2, 1]), "classification", "t", ["a", "b"], ["x", "y"], "t")
    with pytest.raises(DataError, match="feature 'b' has no values"):
        Dataset(np.column_stack([np.ones(4), np.full(4, math.nan)]), np.zeros(4), "regression", "t",
                ["a", "b"], [], "t")
    with pytest.raises(DataError, match="infinite"):
        Dataset(np.full((4, 2), math.inf), np.zeros(4), "regression", "t", ["a", "b"], [], "t")
    with pytest.raises(DataError, match="feature names"):
        Dataset(X, np.zeros(4), "regression", "t", ["a"], [], "t")
