"""The multilayer perceptron: parameters in one flat buffer, forward and backward in a reused workspace.

Layers are `dense_0 … dense_L` (the last is the output layer). The flat array `flat_params` holds,
layer after layer, the weights (fan_in × fan_out) and then the biases (fan_out,) of that layer, so
that each layer's weights and bias together are one (fan_in + 1) × fan_out matrix: a bias is the
weight of an input that is always 1. Every matrix product then adds the bias, and one product
gives the weight and bias gradients together. `params["dense_i/weight"]` and
`params["dense_i/bias"]` are views into the flat buffer, and `grads` / `flat_grads` mirror that
layout, so an optimizer updates the whole network with a few vectorised calls.

Forward and backward write into a workspace allocated once per batch size. Hidden layers keep
their arrays transposed, units × samples, with a row of ones under each activation: the next
layer's input, bias column included, is then one contiguous array, and the activation functions
write contiguous memory. The inputs (samples × features, a column of ones beside them) and the
output layer (samples × outputs) keep the usual orientation, so losses and callers see rows of
samples. The first layer computes no gradient for its input.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from workbench.core.activations import ACTIVATIONS, OUTPUT_ACTIVATIONS, Activation
from workbench.core.config import LayerConfig
from workbench.core.initializers import INITIALIZERS
from workbench.core.losses import OutputHead
from workbench.core.regularization import add_penalty_gradient, draw_dropout_mask

OUTPUT_INIT = "xavier"          # the output layer's initialiser (it is not configured)
PREDICT_BATCH = 1024
# Workspaces kept at once: training uses two (full and last batch), evaluation a few more.
WORKSPACE_CACHE = 8


class WeightsError(ValueError):
    """Weights given to `set_weights` do not fit the network; the message names the parameter."""


@dataclass
class _Workspace:
    """Every array one batch size needs, and the per-layer call plans that use them.

    Hidden layers' Z, A, delta, scratch and mask are (units, rows); the output layer's Z, A and
    delta are (rows, outputs).
    """

    inputs: np.ndarray                      # (rows, n_features + 1), last column 1
    features: np.ndarray                    # inputs[:, :-1], where a batch is written
    Z: list[np.ndarray]
    A: list[np.ndarray]
    layer_inputs: list[np.ndarray]          # per layer, its input transposed: (fan_in + 1, rows)
    delta: list[np.ndarray] = field(default_factory=list)       # dL/dZ per layer (training only)
    scratch: list[np.ndarray] = field(default_factory=list)     # hidden layers' derivatives
    mask: list[np.ndarray | None] = field(default_factory=list)
    dropped: list[np.ndarray | None] = field(default_factory=list)
    head: OutputHead | None = None
    forward_plan: list[tuple] = field(default_factory=list)
    backward_plan: list[tuple] = field(default_factory=list)


def _with_ones_row(units: int, rows: int, dtype: np.dtype) -> np.ndarray:
    """A (units + 1, rows) buffer whose last row is 1: an activation with its bias input."""
    buffer = np.empty((units + 1, rows), dtype=dtype)
    buffer[units] = 1
    return buffer


class Network:
    """A fully connected network; see the module docstring for the parameter layout."""

    def __init__(self, n_features: int, layers: Sequence[LayerConfig], n_outputs: int,
                 output_activation: str, dtype: str | np.dtype = "float32"):
        self.dtype = np.dtype(dtype)
        self.output_activation = output_activation
        self.layer_sizes = [int(n_features)] + [layer.units for layer in layers] + [int(n_outputs)]
        self.layer_names = [f"dense_{i}" for i in range(len(layers) + 1)]
        self.activations: list[Activation] = (
            [ACTIVATIONS[layer.activation] for layer in layers] + [OUTPUT_ACTIVATIONS[output_activation]])
        self.dropout = [float(layer.dropout) for layer in layers] + [0.0]
        self.inits = [layer.init for layer in layers] + [OUTPUT_INIT]

        # per layer: weights then bias, i.e. one (fan_in + 1, fan_out) matrix
        self._offsets: dict[str, tuple[int, int]] = {}
        self._matrix_spans: list[tuple[int, int]] = []
        start = 0
        for name, (fan_in, fan_out) in zip(self.layer_names, self.layer_shapes()):
            self._offsets[f"{name}/weight"] = (start, start + fan_in * fan_out)
            self._offsets[f"{name}/bias"] = (start + fan_in * fan_out, start + (fan_in + 1) * fan_out)
            self._matrix_spans.append((start, start + (fan_in + 1) * fan_out))
            start += (fan_in + 1) * fan_out
        self.flat_params = np.zeros(start, dtype=self.dtype)
        self.flat_grads = np.zeros(start, dtype=self.dtype)
        self.params = self.param_views(self.flat_params)
        self.grads = self.param_views(self.flat_grads)
        self._Wb = self._matrices(self.flat_params)           # (fan_in + 1, fan_out): weights and bias
        self._dWb = self._matrices(self.flat_grads)
        # the weights alone (regularisation and weight decay leave biases alone)
        self.weight_arrays = [self.params[f"{name}/weight"] for name in self.layer_names]
        self.weight_grad_arrays = [self.grads[f"{name}/weight"] for name in self.layer_names]
        self._penalty_scratch: list[np.ndarray] | None = None
        self._workspaces: dict[tuple[int, bool], _Workspace] = {}
        self._last_key: tuple[int, bool] | None = None
        self._last_workspace: _Workspace | None = None

    # --- description --------------------------------------------------------------------------
    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """{"dense_0/weight": (fan_in, fan_out), "dense_0/bias": (fan_out,), ...} in layer order."""
        shapes: dict[str, tuple[int, ...]] = {}
        for name, fan_in, fan_out in zip(self.layer_names, self.layer_sizes[:-1], self.layer_sizes[1:]):
            shapes[f"{name}/weight"] = (fan_in, fan_out)
            shapes[f"{name}/bias"] = (fan_out,)
        return shapes

    def layer_shapes(self) -> list[tuple[int, int]]:
        """(fan_in, fan_out) of each layer, the output layer last."""
        return list(zip(self.layer_sizes[:-1], self.layer_sizes[1:]))

    def layer_parameter_counts(self) -> list[int]:
        """Weights plus biases of each layer."""
        return [(fan_in + 1) * fan_out for fan_in, fan_out in self.layer_shapes()]

    def parameter_count(self) -> int:
        """Every learned number in the network."""
        return int(self.flat_params.size)

    def weight_count(self) -> int:
        """The weights alone (the numbers regularisation penalises)."""
        return sum(W.size for W in self.weight_arrays)

    def param_views(self, flat: np.ndarray) -> dict[str, np.ndarray]:
        """Named, shaped views into a flat buffer laid out like `flat_params` (optimizer slots use
        it): every weight, then every bias, in layer order."""
        shapes = self.param_shapes()
        names = [n for n in shapes if n.endswith("/weight")] + [n for n in shapes if n.endswith("/bias")]
        return {name: flat[slice(*self._offsets[name])].reshape(shapes[name]) for name in names}

    def _matrices(self, flat: np.ndarray) -> list[np.ndarray]:
        return [flat[lo:hi].reshape(fan_in + 1, fan_out)
                for (lo, hi), (fan_in, fan_out) in zip(self._matrix_spans, self.layer_shapes())]

    # --- parameters -------------------------------------------------------------------------------
    def initialize(self, rng: np.random.Generator) -> None:
        """Draw every weight with its layer's initialiser (in layer order); biases start at zero."""
        for W, init in zip(self.weight_arrays, self.inits):
            INITIALIZERS[init](W, rng)
        for name in self.layer_names:
            self.params[f"{name}/bias"].fill(0)

    def get_weights(self) -> dict[str, np.ndarray]:
        """Copies of every parameter, in layer order (weight, then bias)."""
        return {name: np.array(self.params[name]) for name in self.param_shapes()}

    def set_weights(self, weights: Mapping[str, np.ndarray]) -> None:
        """Copy parameters in; every name must be present with its exact shape (nothing is changed
        unless all fit)."""
        shapes = self.param_shapes()
        unknown = sorted(set(weights) - set(shapes))
        if unknown:
            raise WeightsError(f"{unknown[0]}: not a parameter of this network")
        arrays = {}
        for name, shape in shapes.items():
            if name not in weights:
                raise WeightsError(f"{name}: missing")
            value = np.asarray(weights[name])
            if value.shape != shape:
                raise WeightsError(f"{name}: expected {shape}, got {value.shape}")
            arrays[name] = value
        for name, value in arrays.items():
            self.params[name][...] = value

    # --- computing --------------------------------------------------------------------------------
    def forward(self, X: np.ndarray, training: bool = False, rng: np.random.Generator | None = None) -> np.ndarray:
        """Output activations for X as a new array; with training=True, dropout masks come from rng."""
        ws = self._workspace(np.shape(X)[0], training)
        np.copyto(ws.features, X, casting="unsafe")
        return np.array(self._forward(ws, training, rng))

    def predict(self, X: np.ndarray, batch_size: int = PREDICT_BATCH) -> np.ndarray:
        """Outputs for X (probabilities or values) without dropout, computed in batches."""
        X = np.asarray(X)
        out = np.empty((X.shape[0], self.layer_sizes[-1]), dtype=self.dtype)
        for start in range(0, X.shape[0], batch_size):
            chunk = X[start:start + batch_size]
            ws = self._workspace(chunk.shape[0], False)
            np.copyto(ws.features, chunk, casting="unsafe")
            out[start:start + chunk.shape[0]] = self._forward(ws, False, None)
        return out

    def layer_outputs(self, X: np.ndarray) -> list[np.ndarray]:
        """What every layer passes on for X, without dropout: one (rows, units) copy per layer,
        the output layer's last. For diagnostics (dead or saturated units); one forward pass."""
        ws = self._workspace(np.shape(X)[0], False)
        np.copyto(ws.features, X, casting="unsafe")
        self._forward(ws, False, None)
        return [np.array(A.T) for A in ws.A[:-1]] + [np.array(ws.A[-1])]

    def batch_inputs(self, rows: int) -> np.ndarray:
        """The (rows, n_features) array a training step on `rows` samples reads: a caller that
        writes each batch into it (`np.take(X, idx, axis=0, out=...)`) and passes it to
        `train_step_grads` saves a copy per step."""
        return self._workspace(rows, True).features

    def train_step_grads(self, X: np.ndarray, Y: np.ndarray, loss: str, l1: float, l2: float,
                         rng: np.random.Generator | None, class_weights: np.ndarray | None = None) -> float:
        """Forward with dropout, backward; fill `grads`. Returns the batch-mean loss (each sample's
        weighted by its class's in `class_weights`, when given) plus the penalty."""
        ws = self._workspace(X.shape[0], True)
        if X is not ws.features:
            np.copyto(ws.features, X, casting="unsafe")
        self._forward(ws, True, rng)
        value = ws.head.delta(loss, Y, class_weights)
        for inputs_T_dot, dZ, dWb, W_dot, dZ_T, below, mask, backward, Z, A, scratch in ws.backward_plan:
            inputs_T_dot(dZ, dWb)                   # weight and bias gradients in one product
            if below is not None:
                W_dot(dZ_T, below)
                if mask is not None:
                    np.multiply(below, mask, below)
                backward(below, Z, A, scratch)
        if l1 or l2:
            if self._penalty_scratch is None:
                self._penalty_scratch = [np.empty_like(W) for W in self.weight_arrays]
            value += add_penalty_gradient(self.weight_arrays, self.weight_grad_arrays, l1, l2,
                                          self._penalty_scratch)
        return value

    # --- internals --------------------------------------------------------------------------------
    def _forward(self, ws: _Workspace, training: bool, rng: np.random.Generator | None) -> np.ndarray:
        """Run the layers on `ws.inputs`; returns the output layer's activations (a workspace array)."""
        for left_dot, right, Z, A, forward, mask, dropped, rate in ws.forward_plan:
            left_dot(right, Z)
            forward(Z, A)
            if mask is not None:                  # training workspaces of layers with dropout
                if rng is None:
                    raise ValueError("dropout during training needs a random generator")
                draw_dropout_mask(mask, rate, rng)
                np.multiply(A, mask, out=dropped)
        return ws.A[-1]

    def _workspace(self, rows: int, training: bool) -> _Workspace:
        """The workspace for `rows` samples: cached, or new (the oldest is dropped beyond a few)."""
        key = (rows, training)
        if key == self._last_key:                 # every full batch of an epoch asks for the same one
            return self._last_workspace
        ws = self._workspaces.get(key)
        if ws is None:
            if len(self._workspaces) >= WORKSPACE_CACHE:
                del self._workspaces[next(iter(self._workspaces))]
            self._workspaces[key] = ws = self._plan(self._allocate(rows, training))
        self._last_key, self._last_workspace = key, ws
        return ws

    def _allocate(self, rows: int, training: bool) -> _Workspace:
        dtype = self.dtype
        widths = self.layer_sizes[1:]
        inputs = np.empty((rows, self.layer_sizes[0] + 1), dtype=dtype)
        inputs[:, -1] = 1
        # hidden activations sit on a row of ones (the next layer's bias input); the output does not
        A_full = [_with_ones_row(w, rows, dtype) for w in widths[:-1]]
        A = [a[:-1] for a in A_full] + [np.empty((rows, widths[-1]), dtype=dtype)]
        Z = [np.empty_like(a) if act.needs_input else a for act, a in zip(self.activations, A)]
        ws = _Workspace(inputs, inputs[:, :-1], Z, A, [inputs.T] + A_full)
        if training:
            ws.delta = [np.empty_like(a) for a in A]
            ws.scratch = [np.empty_like(a) for a in A[:-1]]
            ws.mask = [np.empty_like(a) if rate > 0 else None for rate, a in zip(self.dropout, A)]
            dropped_full = [_with_ones_row(w, rows, dtype) if rate > 0 else None
                            for rate, w in zip(self.dropout[:-1], widths[:-1])]
            ws.dropped = [None if d is None else d[:-1] for d in dropped_full] + [None]
            # a layer after dropout reads the dropped activations
            ws.layer_inputs = [inputs.T] + [d if d is not None else a for d, a in zip(dropped_full, A_full)]
        return ws

    def _plan(self, ws: _Workspace) -> _Workspace:
        """Bind the per-layer arrays into tuples once, so that a step spends little time in Python.

        Products are bound `ndarray.dot` methods: the same BLAS call as `np.dot`, without the
        function's dispatch, which costs more than a small layer's arithmetic."""
        n_layers = len(self._Wb)
        last = n_layers - 1
        masks = ws.mask or [None] * n_layers
        dropped = ws.dropped or [None] * n_layers
        # hidden layers: Z^T = Wb^T inputs^T (units x rows); the output layer: Z = inputs Wb
        ws.forward_plan = [((self._Wb[i].T.dot, ws.layer_inputs[i]) if i < last
                            else (ws.layer_inputs[i].T.dot, self._Wb[i]))
                           + (ws.Z[i], ws.A[i], self.activations[i].forward_for(ws.Z[i], ws.A[i]), masks[i],
                              dropped[i], self.dropout[i])
                           for i in range(n_layers)]
        if ws.delta:
            ws.head = OutputHead(ws.Z[last], ws.A[last], ws.delta[last], self.output_activation)
            no_lower_layer = (None,) * 6        # the first layer computes no input gradient
            plan = []
            for i in range(last, -1, -1):
                # dZ as samples x units, and as units x samples
                dZ, dZ_T = (ws.delta[i], ws.delta[i].T) if i == last else (ws.delta[i].T, ws.delta[i])
                lower = ((ws.delta[i - 1], masks[i - 1], self.activations[i - 1].backward_for(ws.A[i - 1]),
                          ws.Z[i - 1], ws.A[i - 1], ws.scratch[i - 1]) if i else no_lower_layer)
                plan.append((ws.layer_inputs[i].dot, dZ, self._dWb[i], self.weight_arrays[i].dot, dZ_T) + lower)
            ws.backward_plan = plan
        return ws
