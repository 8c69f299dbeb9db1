"""Save -> load -> save gives equal content, over random architectures, hyperparameters and weights."""
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from session_builders import dump
from workbench.core.config import Config, registry_names
from workbench.core.data import Dataset
from workbench.core.experiment import Experiment
from workbench.core.trainer import Trainer
from workbench.io.session import load_session, save_session

layers = st.lists(st.fixed_dictionaries({
    "units": st.integers(1, 5), "activation": st.sampled_from(registry_names("activation")),
    "dropout": st.sampled_from([0.0, 0.25]), "init": st.sampled_from(registry_names("init"))}), max_size=3)

configs = st.builds(
    lambda layers, optimizer, lr, dtype, l2, batch, seed: Config().updated({
        "layers": layers, "optimizer.name": optimizer, "optimizer.lr": lr, "training.dtype": dtype,
        "training.l2": l2, "training.batch_size": batch, "training.seed": seed, "training.epochs": 3}),
    layers, st.sampled_from(registry_names("optimizer")), st.sampled_from([0.001, 0.01]),
    st.sampled_from(["float32", "float64"]), st.sampled_from([0.0, 0.01]), st.integers(1, 8),
    st.integers(0, 2**32 - 1))


def random_dataset(rng: np.random.Generator, task: str, n_features: int) -> Dataset:
    X = rng.standard_normal((20, n_features))
    if task == "classification":
        return Dataset(X, np.arange(20) % 3, task, "builtin:test", [f"f{i}" for i in range(n_features)],
                       ["a", "b", "c"], "label")
    return Dataset(X, rng.standard_normal(20), task, "builtin:test", [f"f{i}" for i in range(n_features)], [], "t")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(config=configs, task=st.sampled_from(["classification", "regression"]), n_features=st.integers(1, 4),
       epochs=st.integers(0, 3), weights_seed=st.integers(0, 1000))
def test_save_load_save_gives_equal_content(tmp_path, config, task, n_features, epochs, weights_seed):
    rng = np.random.default_rng(weights_seed)
    experiment = Experiment.create(config, random_dataset(rng, task, n_features))
    list(Trainer(experiment).run(epochs=epochs))
    experiment.network.flat_params[...] = rng.standard_normal(experiment.network.flat_params.shape)
    first, second = tmp_path / "first.h5", tmp_path / "second.h5"
    save_session(first, experiment)
    save_session(second, load_session(first))
    assert dump(first) == dump(second)


def test_the_config_a_run_trained_with_survives_a_later_edit_and_a_reopen(tmp_path):
    experiment = Experiment.create(Config().updated({"training.epochs": 2, "optimizer.lr": 0.03}))
    list(Trainer(experiment).run())
    unchanged, edited = tmp_path / "unchanged.h5", tmp_path / "edited.h5"
    save_session(unchanged, experiment)
    trained_with = experiment.config
    experiment.config = trained_with.updated({"optimizer.lr": 0.01})    # edited after training
    save_session(edited, experiment)
    assert "/@trained_config" not in dump(unchanged) and "/@trained_config" in dump(edited)   # only when it differs
    back = load_session(edited)
    assert back.config.optimizer.lr == 0.01 and back.trained_config == trained_with
    back.reset()
    assert back.runs[0].config == trained_with
