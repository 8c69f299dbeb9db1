"""Parity with scikit-learn: the same weights give the same outputs as its MLP, and the metrics
and losses agree with sklearn.metrics. (scikit-learn is in the test extra; the gradients are
checked against finite differences in test_gradients.py.)"""
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import (accuracy_score, confusion_matrix as sk_confusion_matrix, log_loss,
                             mean_absolute_error, mean_squared_error, r2_score as sk_r2_score)
from sklearn.neural_network import MLPClassifier, MLPRegressor

from workbench.core.config import LayerConfig
from workbench.core.losses import loss_value
from workbench.core.metrics import accuracy, confusion_matrix, r2_score, roc_auc, roc_curve
from workbench.core.network import Network

SKLEARN_ACTIVATION = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic", "linear": "identity"}
HIDDEN = (7, 6)


def twin_networks(activation: str, n_outputs: int, classification: bool, seed: int = 0):
    """Our float64 network and scikit-learn's MLP, holding the same random weights."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 5))
    ours = Network(5, [LayerConfig(units, activation) for units in HIDDEN], n_outputs,
                   "softmax" if classification else "linear", dtype="float64")
    ours.set_weights({name: rng.normal(scale=0.8, size=shape) for name, shape in ours.param_shapes().items()})
    kind = MLPClassifier if classification else MLPRegressor
    theirs = kind(hidden_layer_sizes=HIDDEN, activation=SKLEARN_ACTIVATION[activation], max_iter=1,
                  random_state=0)
    y = rng.integers(0, n_outputs, size=40) if classification else rng.normal(size=(40, n_outputs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs.fit(X, y)                    # builds its layers; the weights are replaced below
    weights = ours.get_weights()
    theirs.coefs_ = [weights[f"dense_{i}/weight"].copy() for i in range(len(HIDDEN) + 1)]
    theirs.intercepts_ = [weights[f"dense_{i}/bias"].copy() for i in range(len(HIDDEN) + 1)]
    return ours, theirs, X


@pytest.mark.parametrize("activation", sorted(SKLEARN_ACTIVATION))
def test_class_probabilities_match_scikit_learns_mlp_with_the_same_weights(activation):
    ours, theirs, X = twin_networks(activation, n_outputs=3, classification=True)
    assert theirs.out_activation_ == "softmax"
    np.testing.assert_allclose(ours.predict(X), theirs.predict_proba(X), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("activation", sorted(SKLEARN_ACTIVATION))
def test_regression_outputs_match_scikit_learns_mlp_with_the_same_weights(activation):
    ours, theirs, X = twin_networks(activation, n_outputs=2, classification=False)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-10, atol=1e-12)


def test_metrics_match_sklearn_metrics():
    rng = np.random.default_rng(1)
    proba = rng.dirichlet(np.ones(4), size=200)
    y = rng.integers(0, 4, size=200)
    assert accuracy(y, proba) == pytest.approx(accuracy_score(y, proba.argmax(axis=1)))
    np.testing.assert_array_equal(confusion_matrix(y, proba.argmax(axis=1), 4),
                                  sk_confusion_matrix(y, proba.argmax(axis=1), labels=range(4)))
    target = rng.normal(size=(200, 3))
    target[:, 2] = 5.0                                      # a constant column, predicted exactly
    predicted = target + rng.normal(scale=0.5, size=target.shape)
    predicted[:, 2] = 5.0
    assert r2_score(target, predicted) == pytest.approx(sk_r2_score(target, predicted))


def test_losses_match_sklearn_metrics():
    rng = np.random.default_rng(2)
    proba = rng.dirichlet(np.ones(3), size=100)
    y = rng.integers(0, 3, size=100)
    assert loss_value("cross_entropy", proba, y) == pytest.approx(log_loss(y, proba, labels=range(3)))
    target, predicted = rng.normal(size=(100, 2)), rng.normal(size=(100, 2))
    assert loss_value("mse", predicted, target) == pytest.approx(mean_squared_error(target, predicted))
    assert loss_value("mae", predicted, target) == pytest.approx(mean_absolute_error(target, predicted))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_roc_curve_and_its_area_match_scikit_learns(seed):
    from sklearn.metrics import roc_auc_score, roc_curve as sk_roc_curve

    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 200)
    score = np.round(rng.uniform(size=200) * 0.6 + y * 0.4, 2)      # rounded: many tied scores
    fpr, tpr = roc_curve(y, score)
    sk_fpr, sk_tpr, _ = sk_roc_curve(y, score, drop_intermediate=False)
    np.testing.assert_allclose(fpr, sk_fpr)
    np.testing.assert_allclose(tpr, sk_tpr)
    assert roc_auc(fpr, tpr) == pytest.approx(roc_auc_score(y, score))


def test_a_roc_curve_needs_both_classes():
    fpr, tpr = roc_curve(np.ones(5), np.linspace(0, 1, 5))
    assert fpr.size == tpr.size == 0 and np.isnan(roc_auc(fpr, tpr))
    assert roc_auc(*roc_curve([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])) == 1.0
    assert roc_auc(*roc_curve([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])) == 0.5      # all tied: chance


def test_per_class_precision_recall_and_f1_match_scikit_learns():
    from sklearn.metrics import precision_recall_fscore_support

    from workbench.core.metrics import class_scores

    rng = np.random.default_rng(4)
    y, predicted = rng.integers(0, 4, 300), rng.integers(0, 4, 300)
    predicted[y == 2] = 2                                      # a class recalled perfectly
    ours = class_scores(confusion_matrix(y, predicted, 4))
    precision, recall, f1, support = precision_recall_fscore_support(y, predicted, labels=[0, 1, 2, 3])
    for name, theirs in (("precision", precision), ("recall", recall), ("f1", f1), ("support", support)):
        np.testing.assert_allclose(ours[name], theirs)
    never = class_scores(np.array([[3, 0], [2, 0]]))           # class 1 never predicted, never right
    assert np.isnan(never["precision"][1]) and never["recall"][1] == 0 and np.isnan(never["f1"][1])
