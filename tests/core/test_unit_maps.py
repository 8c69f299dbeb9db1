"""Hidden units' maps: each unit's output over the boundary's plane, laid out as one mosaic."""
import numpy as np
import pytest

from workbench.core.config import Config
from workbench.core.data import Dataset
from workbench.core.experiment import Experiment
from workbench.core.inspection import inspect
from workbench.core.trainer import Trainer
from workbench.core.unit_maps import GAP, MAP_SIZE, MAX_UNITS, unit_maps


def maps_of(experiment, plane=(0, 1)):
    return unit_maps(experiment.network, experiment.data,
                     tuple(layer.activation for layer in experiment.config.layers), plane)


def test_a_unit_that_reads_one_feature_draws_a_ramp_along_it():
    experiment = Experiment.create(Config().updated({"layers": [{"units": 2, "activation": "tanh"}],
                                                     "training.dtype": "float64"}))
    weights = experiment.network.get_weights()
    weights["dense_0/weight"] = np.array([[2.0, 0.0], [0.0, -1.0]])   # unit 1: x1; unit 2: -x2
    weights["dense_0/bias"] = np.zeros(2)
    experiment.network.set_weights(weights)
    maps = maps_of(experiment)
    scaler = experiment.data.scaler
    along_x = np.tanh(2.0 * (maps.xs - scaler.mean[0]) / scaler.scale[0])
    along_y = np.tanh(-(maps.ys - scaler.mean[1]) / scaler.scale[1])
    scale = max(np.abs(along_x).max(), np.abs(along_y).max())
    assert maps.scales[0] == pytest.approx(scale)
    np.testing.assert_allclose(maps.tile(0, 0), np.tile(along_x / scale, (MAP_SIZE, 1)), atol=1e-6)
    np.testing.assert_allclose(maps.tile(0, 1), np.tile((along_y / scale)[:, None], (1, MAP_SIZE)), atol=1e-6)
    assert maps.layers == ("dense_0",) and maps.activations == ("tanh",) and maps.units == (2,)
    assert maps.mosaic.shape == (MAP_SIZE, 2 * MAP_SIZE + GAP)
    assert np.isnan(maps.mosaic[:, MAP_SIZE:MAP_SIZE + GAP]).all()        # the gap draws nothing


def test_layers_are_rows_from_the_top_and_wide_layers_show_their_first_units():
    config = Config().updated({"layers": [{"units": 40, "activation": "relu"}, {"units": 3, "activation": "tanh"}]})
    experiment = Experiment.create(config)
    maps = maps_of(experiment)
    step = MAP_SIZE + GAP
    assert maps.units == (40, 3) and maps.mosaic.shape == (2 * step - GAP, MAX_UNITS * step - GAP)
    assert maps.origin(0, 0) == (step, 0) and maps.origin(1, 2) == (0, 2 * step)   # the first layer on top
    assert np.isnan(maps.mosaic[0:MAP_SIZE, 3 * step:]).all()           # the second layer has 3 maps
    assert not np.isnan(maps.tile(0, MAX_UNITS - 1)).any()
    assert np.nanmax(np.abs(maps.mosaic)) == pytest.approx(1.0)          # each layer scaled into [-1, 1]


def test_a_dead_relu_unit_draws_a_flat_map():
    experiment = Experiment.create(Config().updated({"layers": [{"units": 2, "activation": "relu"}]}))
    weights = experiment.network.get_weights()
    weights["dense_0/bias"] = np.array([-100.0, 0.0], dtype=np.float32)
    experiment.network.set_weights(weights)
    maps = maps_of(experiment)
    assert not maps.tile(0, 0).any() and maps.tile(0, 1).any()


def test_more_features_give_a_slice_through_the_pair_chosen():
    experiment = Experiment.create(Config().updated({"data.dataset": "iris"}))
    maps = maps_of(experiment, plane=(2, 3))
    assert maps.features == (2, 3) and maps.held == 2
    petal_length = experiment.data.dataset.X[:, 2]
    assert maps.xs[0] < petal_length.min() and maps.xs[-1] > petal_length.max()


def test_no_hidden_layer_or_a_single_feature_has_no_maps():
    assert maps_of(Experiment.create(Config().updated({"layers": []}))) is None
    one = Dataset(np.linspace(0, 1, 50)[:, None], np.arange(50) % 2, "classification", "one", ["x"], ["a", "b"], "y")
    assert maps_of(Experiment.create(Config(), one)) is None


def test_inspections_carry_the_maps_of_the_weights_they_inspect():
    experiment = Experiment.create(Config().updated({"training.epochs": 20}))
    start = experiment.network.get_weights()
    for _ in Trainer(experiment).run():
        pass
    now, then = inspect(experiment), inspect(experiment, params=start, epoch=0)
    np.testing.assert_array_equal(now.unit_maps.mosaic, maps_of(experiment).mosaic)
    assert not np.allclose(np.nan_to_num(now.unit_maps.mosaic), np.nan_to_num(then.unit_maps.mosaic))
    assert inspect(experiment, plane=(1, 0)).unit_maps.features == (1, 0)
