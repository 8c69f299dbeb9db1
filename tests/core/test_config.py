"""Hyperparameters: validation names the field, JSON round trips, dotted updates."""
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.core.config import (DTYPES, MAX_HIDDEN_LAYERS, MAX_UNITS, TASKS, Config, ConfigError, DataConfig,
                                   LayerConfig, OptimizerConfig, ScheduleConfig, TrainingConfig,
                                   output_activation, registry_names)


def test_defaults_round_trip_through_json():
    config = Config()
    again = Config.from_json(config.to_json())
    assert again == config
    assert json.loads(config.to_json())["layers"][0]["units"] == 8


def unit(high: float = 1.0) -> st.SearchStrategy[float]:
    return st.floats(0.0, high, allow_nan=False)


def choice(kind: str) -> st.SearchStrategy[str]:
    return st.sampled_from(registry_names(kind))


names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
any_config = st.builds(
    Config,
    data=st.builds(DataConfig, dataset=names, path=st.none() | names, target=st.none(),
                   task=st.none() | st.sampled_from(TASKS), exclude=st.lists(names, unique=True, max_size=3).map(tuple),
                   samples=st.none() | st.integers(10, 10_000_000), noise=unit(0.5), val_split=unit(0.45),
                   test_split=unit(0.45)),
    layers=st.lists(st.builds(LayerConfig, units=st.integers(1, MAX_UNITS), activation=choice("activation"),
                              dropout=unit(0.95), init=choice("init")), max_size=MAX_HIDDEN_LAYERS).map(tuple),
    optimizer=st.builds(OptimizerConfig, name=choice("optimizer"), lr=st.floats(1e-9, 1e6), momentum=unit(0.9999),
                        beta1=unit(0.9999), beta2=unit(0.999999), rho=unit(0.9999), eps=st.floats(1e-12, 1.0),
                        weight_decay=unit()),
    schedule=st.builds(ScheduleConfig, name=choice("schedule"), warmup_epochs=st.integers(0, 1_000_000),
                       step_size=st.integers(1, 1_000_000), gamma=st.floats(1e-9, 1.0), min_lr=unit(1e6)),
    training=st.builds(TrainingConfig, epochs=st.integers(1, 10_000_000), batch_size=st.integers(1, 1_000_000),
                       loss=st.none() | choice("loss"), l1=unit(10.0), l2=unit(10.0), clip_norm=unit(1e6),
                       early_stopping=st.integers(0, 1_000_000), restore_best=st.booleans(),
                       seed=st.integers(0, 2**32 - 1), dtype=st.sampled_from(DTYPES), threads=st.integers(1, 256)))


@given(config=any_config)
def test_every_valid_configuration_round_trips_through_json_exactly(config):
    text = config.to_json()
    again = Config.from_json(text)
    assert again == config and again.to_json() == text
    assert Config.from_dict(json.loads(text)) == config


def test_updated_applies_dotted_paths_and_validates():
    config = Config().updated({"optimizer.lr": 0.1, "training.epochs": 5, "layers.activation": "relu"})
    assert config.optimizer.lr == 0.1 and config.training.epochs == 5
    assert all(layer.activation == "relu" for layer in config.layers)
    with pytest.raises(ConfigError, match="lr"):
        Config().updated({"optimizer.lr": -1.0})


@pytest.mark.parametrize("changes, field", [
    ({"optimizer.lr": 0.0}, "optimizer.lr"),
    ({"training.batch_size": 0}, "training.batch_size"),
    ({"training.dtype": "float16"}, "training.dtype"),
    ({"optimizer.name": "os.system"}, "optimizer.name"),
    ({"data.val_split": 0.95}, "data.val_split"),
    ({"training.epochs": 2.5}, "training.epochs"),
    ({"training.l2": float("nan")}, "training.l2"),
    ({"layers": [{"units": 0}]}, "layers[0].units"),
    ({"layers": [{"units": 4, "activation": "__import__"}]}, "layers[0].activation"),
    ({"layers": [{"units": 4, "dropout": 1.0}]}, "layers[0].dropout"),
    ({"data.exclude": "id"}, "data.exclude"),
    ({"data.exclude": ["id", ""]}, "data.exclude"),
    ({"data.exclude": ["id", "id"]}, "data.exclude"),
    ({"data.exclude": [3]}, "data.exclude"),
    ({"data.target": "id", "data.exclude": ["id"]}, "data.exclude"),
])
def test_invalid_values_name_the_field(changes, field):
    with pytest.raises(ConfigError) as err:
        Config().updated(changes)
    assert err.value.field == field
    assert field in str(err.value)


def test_unknown_keys_are_rejected():
    with pytest.raises(ConfigError, match="unknown"):
        Config.from_dict({"training": {"epoch": 3}})
    with pytest.raises(ConfigError, match="unknown section"):
        Config.from_dict({"trainer": {}})
    with pytest.raises(ConfigError, match="not valid JSON"):
        Config.from_json("{nope")


def test_ints_for_float_fields_become_python_floats():
    config = Config.from_dict({"optimizer": {"lr": 1}})
    assert type(config.optimizer.lr) is float


def test_depth_and_width_limits():
    deep = Config().replace(layers=tuple(LayerConfig(4096) for _ in range(16)))
    assert len(deep.layers) == 16
    assert Config().replace(layers=()).layers == ()


def test_regression_rejects_cross_entropy_and_output_follows_task():
    config = Config().updated({"training.loss": "cross_entropy"})
    with pytest.raises(ConfigError, match="regression"):
        config.validate_for("regression")
    assert Config().loss_for("regression") == "mse"
    assert output_activation("classification") == "softmax"
    assert output_activation("regression") == "linear"


def test_columns_left_out_round_trip_as_a_list():
    config = Config().updated({"data.path": "people.csv", "data.exclude": ["id", "name"]})
    assert config.data.exclude == ("id", "name")
    assert '"exclude": ["id", "name"]' in config.to_json()
    assert Config.from_json(config.to_json()) == config
    assert Config.from_dict({"data": {"path": "people.csv"}}).data.exclude == ()     # older files
    assert "exclude" not in Config().to_json()          # nothing left out: the JSON older versions read


def test_settings_that_differ_include_one_the_json_leaves_out_at_its_default():
    from workbench.core.config_summary import differing_settings, flat_settings

    plain = Config().updated({"data.path": "x.csv"})
    leaves_out = plain.updated({"data.exclude": ["id"]})
    for configs in ([plain, leaves_out], [leaves_out, plain]):       # either may come first
        assert differing_settings(configs) == ["data.exclude"]
    assert flat_settings(leaves_out)["data.exclude"] == "id" and "data.exclude" not in flat_settings(plain)
    assert differing_settings([plain, plain.updated({"optimizer.lr": 0.5})]) == ["optimizer.lr"]
