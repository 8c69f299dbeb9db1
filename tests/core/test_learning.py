"""The network really learns: reference problems reach the accuracy a person would expect."""
from workbench.core.config import Config
from workbench.core.experiment import Experiment
from workbench.core.trainer import Trainer


def final_metrics(changes):
    exp = Experiment.create(Config().updated(changes))
    reports = list(Trainer(exp).run())
    return reports[-1]


def test_spiral_with_two_tanh_layers_of_eight():
    report = final_metrics({"data.dataset": "spiral", "optimizer.lr": 0.01, "training.epochs": 300,
                            "layers": [{"units": 8, "activation": "tanh", "init": "xavier"}] * 2})
    assert report.val_metric >= 0.95, report


def test_iris():
    report = final_metrics({"data.dataset": "iris", "training.epochs": 60,
                            "layers": [{"units": 8, "activation": "relu"}]})
    assert report.val_metric >= 0.9, report


def test_plane_regression():
    report = final_metrics({"data.dataset": "plane", "training.epochs": 40,
                            "layers": [{"units": 8, "activation": "tanh", "init": "xavier"}]})
    assert report.val_metric >= 0.95, report
