"""Gradient flow: every layer's RMS weight gradient at each replay snapshot, and what it says."""
import threading

import numpy as np
import pytest

from workbench.core.config import Config
from workbench.core.experiment import Experiment
from workbench.core.gradient_flow import GradientFlow, NoGradients, gradient_flow, rows_evaluated
from workbench.core.inspection import loss_gradients, private_network
from workbench.core.trainer import Trainer


def trained(layers, epochs=6, **changes):
    experiment = Experiment.create(Config().updated({"layers": layers, "training.epochs": epochs,
                                                     "training.seed": 2, **changes}))
    list(Trainer(experiment).run())
    return experiment


def test_each_snapshot_gives_every_layers_rms_gradient_and_the_session_is_untouched():
    experiment = trained([{"units": 8, "activation": "tanh"}, {"units": 5, "activation": "relu"}])
    before = {k: v.copy() for k, v in experiment.network.get_weights().items()}
    flow = gradient_flow(experiment)
    assert list(flow.epochs) == sorted(experiment.snapshots) == list(range(7))
    assert flow.layers == ("dense_0", "dense_1", "dense_2") and flow.rms.shape == (7, 3)
    grads = loss_gradients(experiment, private_network(experiment, experiment.snapshots[3]))
    assert flow.rms[3, 1] == pytest.approx(np.sqrt(np.mean(grads["dense_1/weight"].astype(np.float64) ** 2)))
    assert all(np.array_equal(v, before[k]) for k, v in experiment.network.get_weights().items())
    assert experiment.epochs_trained == 6
    assert rows_evaluated(experiment) == 3 * 7 * 400          # forward and backward on spiral's 400 rows


def test_a_deep_sigmoid_stack_vanishes_and_relu_with_he_does_not():
    sigmoid = gradient_flow(trained([{"units": 16, "activation": "sigmoid", "init": "xavier"}] * 7, epochs=2))
    assert sigmoid.ratio(0) < 1e-3
    assert sigmoid.advice().startswith("Vanishing gradients: the first layer's gradient is")
    relu = gradient_flow(trained([{"units": 16, "activation": "relu", "init": "he"}] * 7, epochs=2))
    assert 1e-2 < relu.ratio(0) < 1e2
    assert relu.advice().startswith("The gradient reaches every layer")


def flow(first, last=(1.0, 1.0), epochs=(0, 10)):
    return GradientFlow(np.array(epochs), ("dense_0", "dense_1"), np.column_stack([first, last]).astype(float))


def test_the_advice_tells_vanishing_exploding_recovered_and_diverged_apart():
    assert flow((1e-5, 1e-4)).advice().startswith(
        "Vanishing gradients: the first layer's gradient is 1e-05 times the output layer's at epoch 0 and "
        "0.0001 times at epoch 10, so the first layers learn far more slowly")
    assert flow((500, 300)).advice().startswith("Exploding gradients:")
    assert flow((1e-5, 0.4)).advice().startswith("The gradients vanished at the start and recovered")
    assert flow((500, 3)).advice().startswith("The gradients exploded at the start and recovered")
    assert flow((np.nan, 1)).advice().startswith("The gradients became infinite or NaN: training diverged")
    assert flow((0.5, 0.3)).advice().endswith("within a factor of 100 either way.")
    single = GradientFlow(np.array([0]), ("dense_0",), np.array([[0.2]]))
    assert single.advice().startswith("The network has no hidden layer")
    assert flow((0.0, 0.0), last=(0.0, 0.0)).ratio() == 1.0        # nothing flows anywhere: no ratio to tell


def test_no_snapshot_and_a_stop_are_errors():
    experiment = trained([{"units": 4, "activation": "tanh"}], epochs=1)
    stop = threading.Event()
    stop.set()
    with pytest.raises(InterruptedError):
        gradient_flow(experiment, stop=stop)
    experiment.snapshots.clear()
    with pytest.raises(NoGradients, match="no snapshot of the weights"):
        gradient_flow(experiment)
