"""The numbers the live views draw, computed off the GUI thread as one immutable `Inspection`.

`inspect(experiment)` runs on the training worker a few times per second, so it must stay cheap
(a few milliseconds on the default spiral network): every figure is computed on at most
`MAX_SAMPLES` rows and the decision boundary on a `GRID_SIZE` x `GRID_SIZE` grid. It never changes
the experiment: predictions and gradients come from a private copy of the network, so it can also
inspect a replay snapshot while training continues.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, Mapping

import numpy as np
from threadpoolctl import ThreadpoolController

from workbench.core.config import output_activation
from workbench.core.data import TRAIN, VALIDATION
from workbench.core.metrics import confusion_matrix, roc_auc, roc_curve
from workbench.core.network import Network
from workbench.core.plane_grid import plane_grid
from workbench.core.unit_maps import UnitMaps, unit_maps

N_BINS = 40
GRID_SIZE = 80
WIDE_GRID_SIZE = 40        # a slice through data wider than WIDE_FEATURES: a quarter of the forward work
WIDE_FEATURES = 64
MAX_SAMPLES = 2000
OUTPUT_SAMPLES = 500       # training rows whose layer outputs the histograms and unit counts use
DEAD_SPREAD = 1e-6         # a unit whose output varies less than this over those rows is dead
SATURATED_SLOPE = 0.01     # tanh, sigmoid: saturated where the slope is under 1 % of the steepest
EDGE_MARGIN = 1.5          # histogram edges start this much wider than the values they were fit to
SMALLEST_SPAN = 1e-6       # half-width of the edges for an all-zero array
_GRAD_SEED = 0             # dropout masks of the inspection gradient; never the training stream
# BLAS threads are limited as in training (two OpenBLAS threads on small matrices are erratic here:
# 5 ms became 90 ms); a controller made once makes each limit cost microseconds, not a library scan.
_BLAS = ThreadpoolController()
# the slope of a bounded activation from its output, as a share of its steepest (at 0)
_RELATIVE_SLOPE = {"tanh": lambda A: 1.0 - A * A, "sigmoid": lambda A: 4.0 * A * (1.0 - A)}


@dataclass(frozen=True)
class ArrayStats:
    """Summary of one parameter array (weights or biases) as a person reads it."""

    shape: tuple[int, ...]
    count: int
    mean: float
    std: float
    min: float
    max: float
    norm: float

    @classmethod
    def of(cls, values: np.ndarray) -> "ArrayStats":
        v = np.asarray(values, dtype=np.float64)
        return cls(shape=tuple(v.shape), count=int(v.size), mean=float(v.mean()), std=float(v.std()),
                   min=float(v.min()), max=float(v.max()), norm=float(np.linalg.norm(v.ravel())))


@dataclass(frozen=True)
class LayerStats:
    """What training learned in one layer, beside the hyperparameters that shaped it."""

    name: str                   # dense_0, dense_1, ...; the last is the output layer
    units: int
    activation: str
    weight: ArrayStats
    bias: ArrayStats


@dataclass(frozen=True)
class UnitStats:
    """How a hidden layer's units behave on training rows: the activation's side of its story."""

    units: int
    dead: int                   # units whose output is the same for every row: they pass nothing on
    saturated: float | None     # tanh, sigmoid: share of outputs on the flat ends, where gradients vanish


@dataclass(frozen=True)
class Histogram:
    """Counts of finite values over fixed edges; NaN and infinities are counted apart."""

    edges: np.ndarray           # (N_BINS + 1,)
    counts: np.ndarray          # (N_BINS,) int64
    nonfinite: int


@dataclass(frozen=True)
class Boundary:
    """The model's output over a grid of two raw input features, and the samples to draw on it.

    `values[j, i]` belongs to (`xs[i]`, `ys[j]`). `kind` says what it holds: "probability" (two
    classes: probability of class 1), "class" (more classes: the winning class, its probability in
    `confidence`), or "value" (regression: the first predicted output). With more than two
    features the grid is a slice: `features` are the two varied, every other one is held at its
    training mean (what a standardised input of 0 means), and the points are the samples' values of
    the two features (their other features differ, so a point may sit on another class's region).
    """

    xs: np.ndarray
    ys: np.ndarray
    values: np.ndarray
    kind: str
    confidence: np.ndarray | None
    train_points: np.ndarray    # (n, 2) raw features
    train_targets: np.ndarray   # (n,) class index or first target value
    val_points: np.ndarray
    val_targets: np.ndarray
    features: tuple[int, int] = (0, 1)   # the columns on the x and y axes
    held: int = 0                        # how many other features the slice holds at their mean

    def value_range(self) -> tuple[float, float]:
        """Regression: the range a colour map spans, the predictions and the targets together (so
        a point and the surface under it read alike); (0, 1) for probabilities and classes."""
        if self.kind != "value":
            return 0.0, 1.0
        both = np.concatenate([self.values.ravel(), self.train_targets, self.val_targets])
        both = both[np.isfinite(both)]
        if not both.size:
            return 0.0, 1.0
        low, high = float(both.min()), float(both.max())
        return (low, high) if high > low else (low - 1.0, high + 1.0)


@dataclass(frozen=True)
class Roc:
    """Two classes: the ROC curve of the probability of class 1 on the evaluated rows, and its area."""

    fpr: np.ndarray
    tpr: np.ndarray
    auc: float


@dataclass(frozen=True)
class Inspection:
    """A snapshot of everything the views draw; plain NumPy, safe to pass across threads."""

    epoch: int
    task: str
    layers: list[LayerStats]
    histograms: dict[str, Histogram]    # "dense_0/weight", "dense_0/bias", "dense_0/weight_grad",
                                        # "dense_0/output" (what the layer passes on), ...
    bin_edges: dict[str, np.ndarray]    # the edges used; pass back to `inspect` to keep them fixed
    boundary: Boundary | None           # data with two features or more
    confusion: np.ndarray | None        # classification: rows actual, columns predicted
    predictions: tuple[np.ndarray, np.ndarray] | None   # regression: actual, predicted
    evaluated_on: str                   # "validation" or "training": where confusion/predictions come from
    roc: Roc | None                     # two classes only (and both among the evaluated rows)
    weights: dict[str, np.ndarray]      # copies, for the network diagram
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    target_name: str
    units: dict[str, UnitStats] = field(default_factory=dict)   # hidden layers, by name
    unit_maps: UnitMaps | None = None   # hidden units' outputs over the boundary's plane


def inspect(experiment, params: Mapping[str, np.ndarray] | None = None,
            bin_edges: Mapping[str, np.ndarray] | None = None, epoch: int | None = None,
            plane: tuple[int, int] = (0, 1)) -> Inspection:
    """Everything the views draw for the current weights, or for `params` (a replay snapshot).

    `plane`: the two features (column indices) the decision boundary varies; a pair the data does
    not have (another data set's choice) falls back to the first two.

    `bin_edges` (from `histogram_edges` or an earlier inspection) keeps histogram bins fixed for a
    run; when values outgrow them the span doubles until they fit, so bins change rarely and never
    jitter. `epoch` labels a snapshot (default: the epochs trained). Diverged weights (NaN, inf)
    are inspected without warnings: the histograms count them apart.
    """
    if params is None:
        weights = experiment.network.get_weights()
    else:
        weights = {k: np.array(v) for k, v in params.items()}
    network = private_network(experiment, weights)
    with computing(experiment):
        outputs, units = _layer_outputs(experiment, network)
        arrays = {**_with_gradients(weights, loss_gradients(experiment, network)), **outputs}
        start = {**_initial_edges(arrays), **(bin_edges or {})}
        edges = {k: _fitted_edges(v, start[k]) for k, v in arrays.items()}
        predictions, confusion, evaluated_on, roc = _evaluation(experiment, network)
        boundary = _boundary(experiment, network, plane)
        maps = unit_maps(network, experiment.data, tuple(layer.activation for layer in experiment.config.layers),
                         plane)
        layers = _layer_stats(experiment, weights)
    dataset = experiment.data.dataset
    return Inspection(
        epoch=experiment.epochs_trained if epoch is None else int(epoch),
        task=experiment.task,
        layers=layers,
        histograms={k: _histogram(arrays[k], edges[k]) for k in arrays},
        bin_edges=edges,
        boundary=boundary,
        confusion=confusion,
        predictions=predictions,
        evaluated_on=evaluated_on,
        roc=roc,
        weights=weights,
        feature_names=tuple(dataset.feature_names),
        class_names=tuple(dataset.class_names),
        target_name=dataset.target_name,
        units=units,
        unit_maps=maps,
    )


def decision_boundary(experiment, plane: tuple[int, int] = (0, 1)) -> Boundary | None:
    """The boundary alone (as `inspect` computes it), for the current weights."""
    network = private_network(experiment, experiment.network.get_weights())
    with computing(experiment):
        return _boundary(experiment, network, plane)


def histogram_edges(experiment, weights: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Fixed bin edges per parameter, gradient and layer output for a run, fit to the current
    values (or `weights`, a copy of them) with room to grow."""
    weights = experiment.network.get_weights() if weights is None else weights
    with computing(experiment):
        network = private_network(experiment, weights)
        grads = loss_gradients(experiment, network)
        return _initial_edges({**_with_gradients(weights, grads), **_layer_outputs(experiment, network)[0]})


@contextmanager
def computing(experiment) -> Iterator[None]:
    """NumPy warnings off (diverged weights are expected here) and BLAS threads as in training."""
    with np.errstate(all="ignore"), _BLAS.limit(limits=experiment.config.training.threads, user_api="blas"):
        yield


# --- parameters ------------------------------------------------------------------------------------
def _layer_names(params: Mapping[str, np.ndarray]) -> list[str]:
    names = {key.split("/")[0] for key in params}
    return sorted(names, key=lambda name: int(name.rsplit("_", 1)[1]))


def _layer_stats(experiment, weights: Mapping[str, np.ndarray]) -> list[LayerStats]:
    activations = [layer.activation for layer in experiment.config.layers]
    activations.append(output_activation(experiment.task))
    return [LayerStats(name=name, units=int(weights[f"{name}/bias"].shape[0]), activation=activations[i],
                       weight=ArrayStats.of(weights[f"{name}/weight"]),
                       bias=ArrayStats.of(weights[f"{name}/bias"]))
            for i, name in enumerate(_layer_names(weights))]


def private_network(experiment, weights: Mapping[str, np.ndarray]) -> Network:
    """A copy of the experiment's network holding `weights`, so inspection never touches the real one."""
    dataset = experiment.data.dataset
    network = Network(dataset.X.shape[1], experiment.config.layers, dataset.n_outputs,
                      output_activation(dataset.task), experiment.config.training.dtype)
    network.set_weights(weights)
    return network


def loss_gradients(experiment, network: Network) -> dict[str, np.ndarray]:
    """The training-loss gradient at the network's weights, over up to MAX_SAMPLES training rows."""
    data = experiment.data
    if data.X_train.shape[0] == 0:
        return {}
    rows = _spread(data.X_train.shape[0])
    training = experiment.config.training
    loss = experiment.config.loss_for(experiment.task)
    network.train_step_grads(data.X_train[rows], data.y_train[rows], loss, training.l1, training.l2,
                             np.random.default_rng(_GRAD_SEED), experiment.class_weights())
    return {k: np.array(v) for k, v in network.grads.items()}


def _layer_outputs(experiment, network: Network) -> tuple[dict[str, np.ndarray], dict[str, UnitStats]]:
    """Every layer's output on up to OUTPUT_SAMPLES training rows (keyed "dense_0/output"), and
    for each hidden layer its dead units and, when bounded, its saturated share."""
    X = experiment.data.X_train
    if X.shape[0] == 0:
        return {}, {}
    rows = np.linspace(0, X.shape[0] - 1, min(X.shape[0], OUTPUT_SAMPLES)).astype(np.intp)
    layers = experiment.config.layers
    outputs, units = {}, {}
    for i, A in enumerate(network.layer_outputs(X[rows])):
        outputs[f"dense_{i}/output"] = A
        if i < len(layers):
            with np.errstate(invalid="ignore"):
                dead = int(np.count_nonzero(~(np.ptp(A, axis=0) > DEAD_SPREAD)))   # NaN counts as dead
            slope = _RELATIVE_SLOPE.get(layers[i].activation)
            saturated = None if slope is None else float(np.mean(slope(A.astype(np.float64)) < SATURATED_SLOPE))
            units[f"dense_{i}"] = UnitStats(A.shape[1], dead, saturated)
    return outputs, units


def _with_gradients(weights: Mapping[str, np.ndarray],
                    grads: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Parameters and their gradients in one dict; gradients are keyed "dense_0/weight_grad"."""
    return {**weights, **{f"{k}_grad": g for k, g in grads.items()}}


# --- histograms ------------------------------------------------------------------------------------
def _initial_edges(arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Symmetric edges a margin wider than each array's values.

    Biases often start at zero, so their edges are at least as wide as their layer's weights.
    """
    edges = {}
    for name, values in arrays.items():
        if name.endswith("/output"):
            edges[name] = _range_edges(values)
            continue
        half = _max_abs(values)
        if "/bias" in name:
            half = max(half, _max_abs(arrays.get(name.replace("/bias", "/weight"))))
        edges[name] = _symmetric_edges(EDGE_MARGIN * half)
    return edges


def _max_abs(values: np.ndarray | None) -> float:
    if values is None:
        return 0.0
    finite = values[np.isfinite(values)]
    return float(np.abs(finite).max()) if finite.size else 0.0


def _range_edges(values: np.ndarray) -> np.ndarray:
    """Edges over the values' range, a quarter of it wider on each side (outputs are not centred
    on zero: a relu layer's are all at or above it)."""
    finite = values[np.isfinite(values)]
    if not finite.size:
        return _symmetric_edges(SMALLEST_SPAN)
    low, high = float(finite.min()), float(finite.max())
    pad = max((high - low) * (EDGE_MARGIN - 1) / 2, SMALLEST_SPAN)
    return np.linspace(low - pad, high + pad, N_BINS + 1)


def _symmetric_edges(half: float) -> np.ndarray:
    half = half if half > SMALLEST_SPAN else SMALLEST_SPAN
    return np.linspace(-half, half, N_BINS + 1)


def _fitted_edges(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """`edges` if they hold every finite value; else widened around their centre, doubling the span."""
    finite = values[np.isfinite(values)]
    lo, hi = float(edges[0]), float(edges[-1])
    if not finite.size or (finite.min() >= lo and finite.max() <= hi):
        return np.asarray(edges, dtype=np.float64)
    centre, half = (lo + hi) / 2, max((hi - lo) / 2, SMALLEST_SPAN)
    reach = max(centre - float(finite.min()), float(finite.max()) - centre)
    while half < reach:
        half *= 2
    return np.linspace(centre - half, centre + half, len(edges))


def _histogram(values: np.ndarray, edges: np.ndarray) -> Histogram:
    """np.histogram on the finite values only (it raises on NaN), over edges that hold them all."""
    finite = np.isfinite(values)
    counts, _ = np.histogram(values[finite], bins=edges)
    return Histogram(edges=edges, counts=counts.astype(np.int64), nonfinite=int(values.size - finite.sum()))


# --- predictions -----------------------------------------------------------------------------------
def _spread(n: int) -> np.ndarray | slice:
    """At most MAX_SAMPLES evenly spread row indices (all rows when there are few)."""
    if n <= MAX_SAMPLES:
        return slice(None)
    return np.linspace(0, n - 1, MAX_SAMPLES).astype(np.intp)


def _evaluation(experiment, network: Network):
    """(predictions, confusion, split name, ROC) on the validation rows, or the training rows
    without any."""
    data = experiment.data
    split, X, y = ("validation", data.X_val, data.y_val) if data.X_val.shape[0] else (
        "training", data.X_train, data.y_train)
    rows = _spread(X.shape[0])
    X, y = X[rows], y[rows]
    if X.shape[0] == 0:
        return None, None, split, None
    out = network.predict(X)
    if experiment.task == "classification":
        n_classes = out.shape[1]
        roc = None
        if n_classes == 2:
            fpr, tpr = roc_curve(y, out[:, 1])
            roc = Roc(fpr, tpr, roc_auc(fpr, tpr)) if fpr.size else None
        return None, confusion_matrix(y, out.argmax(axis=1), n_classes), split, roc
    actual = np.asarray(y, dtype=np.float64).reshape(out.shape[0], -1)
    return (actual, out.astype(np.float64)), None, split, None


def _boundary(experiment, network: Network, plane: tuple[int, int]) -> Boundary | None:
    """The output over a raw-feature grid around the data in the `plane` features, the others at
    their training mean; None for data with fewer than two features."""
    data = experiment.data
    n_features = data.dataset.X.shape[1] if data.dataset.X.ndim == 2 else 0
    grid = plane_grid(data, plane, GRID_SIZE if n_features <= WIDE_FEATURES else WIDE_GRID_SIZE)
    if grid is None:
        return None
    shape = (grid.ys.size, grid.xs.size)
    out = network.predict(grid.inputs)
    confidence = None
    if experiment.task == "regression":
        kind, values = "value", out[:, 0]
    elif out.shape[1] == 2:
        kind, values = "probability", out[:, 1]
    else:
        kind, values, confidence = "class", out.argmax(axis=1), out.max(axis=1).reshape(shape)
    train = _points(data.dataset, data.split == TRAIN, grid.features)
    val = _points(data.dataset, data.split == VALIDATION, grid.features)
    return Boundary(xs=grid.xs, ys=grid.ys, values=values.reshape(shape).astype(np.float64), kind=kind,
                    confidence=None if confidence is None else confidence.astype(np.float64),
                    train_points=train[0], train_targets=train[1], val_points=val[0], val_targets=val[1],
                    features=grid.features, held=grid.held)


def _points(dataset, mask: np.ndarray, plane: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The `plane` features and the (first) target of the masked samples, at most MAX_SAMPLES of
    them; a sample with a missing coordinate has no place on the plane and is left out."""
    pair = dataset.X[:, list(plane)]
    mask = mask & ~np.isnan(pair).any(axis=1)
    X, y = pair[mask], np.asarray(dataset.y)[mask]
    rows = _spread(X.shape[0])
    y = y[rows]
    return X[rows], (y if y.ndim == 1 else y[:, 0])
