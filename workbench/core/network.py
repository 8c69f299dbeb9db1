"""The multilayer perceptron: parameters in one flat buffer, forward and backward in a reused workspace.

Layers are `dense_0 … dense_L` (the last is the output layer). All weights, then all biases, live
in one flat array `flat_params` (weights first, so regularisation and weight decay touch one
contiguous slice); `params["dense_i/weight"]` (fan_in × fan_out) and `params["dense_i/bias"]`
(fan_out,) are views into it, and `grads` / `flat_grads` mirror that layout. An optimizer therefore
updates the whole network with a few vectorised calls.

Forward and backward write into a workspace allocated once per batch size (pre-activations Z,
activations A, deltas, dropout masks); a smaller last batch uses row views of the larger one. The
first layer computes no gradient for its input.
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


class WeightsError(ValueError):
    """Weights given to `set_weights` do not fit the network; the message names the parameter."""


@dataclass
class _Workspace:
    """Every array one batch size needs, and the per-layer call plans that use them."""

    rows: int
    Z: list[np.ndarray]
    A: list[np.ndarray]
    delta: list[np.ndarray] = field(default_factory=list)       # dL/dZ per layer (training only)
    scratch: list[np.ndarray] = field(default_factory=list)     # hidden layers' derivatives
    mask: list[np.ndarray | None] = field(default_factory=list)
    dropped: list[np.ndarray | None] = field(default_factory=list)
    head: OutputHead | None = None
    ones: np.ndarray | None = None                              # (rows,) of 1, for bias gradients
    forward_plan: list[tuple] = field(default_factory=list)
    backward_plan: list[tuple] = field(default_factory=list)

    def rows_view(self, n: int) -> "_Workspace":
        """The same buffers cut to the first n rows (for a smaller last batch); plans are rebuilt."""
        cut = (lambda arrays: [None if a is None else a[:n] for a in arrays])
        return _Workspace(n, cut(self.Z), cut(self.A), cut(self.delta), cut(self.scratch),
                          cut(self.mask), cut(self.dropped), ones=None if self.ones is None else self.ones[:n])


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

        shapes = self.param_shapes()
        weight_names = [f"{name}/weight" for name in self.layer_names]
        bias_names = [f"{name}/bias" for name in self.layer_names]
        self._offsets: dict[str, tuple[int, int]] = {}
        start = 0
        for name in weight_names + bias_names:
            size = int(np.prod(shapes[name]))
            self._offsets[name] = (start, start + size)
            start += size
        self.n_weights = self._offsets[bias_names[0]][0]
        self.flat_params = np.zeros(start, dtype=self.dtype)
        self.flat_grads = np.zeros(start, dtype=self.dtype)
        self.flat_weights = self.flat_params[:self.n_weights]
        self.flat_weight_grads = self.flat_grads[:self.n_weights]
        self.params = self.param_views(self.flat_params)
        self.grads = self.param_views(self.flat_grads)
        self._W = [self.params[n] for n in weight_names]
        self._b = [self.params[n] for n in bias_names]
        self._dW = [self.grads[n] for n in weight_names]
        self._db = [self.grads[n] for n in bias_names]
        self._penalty_scratch: np.ndarray | None = None
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

    def param_views(self, flat: np.ndarray) -> dict[str, np.ndarray]:
        """Named, shaped views into a flat buffer laid out like `flat_params` (optimizer slots use it)."""
        shapes = self.param_shapes()
        return {name: flat[lo:hi].reshape(shapes[name]) for name, (lo, hi) in self._offsets.items()}

    # --- parameters -------------------------------------------------------------------------------
    def initialize(self, rng: np.random.Generator) -> None:
        """Draw every weight with its layer's initialiser (in layer order); biases start at zero."""
        for W, init in zip(self._W, self.inits):
            INITIALIZERS[init](W, rng)
        for b in self._b:
            b.fill(0)

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
        X = np.asarray(X, dtype=self.dtype)
        ws = self._workspace(X.shape[0], training)
        return np.array(self._forward(ws, X, training, rng))

    def predict(self, X: np.ndarray, batch_size: int = PREDICT_BATCH) -> np.ndarray:
        """Outputs for X (probabilities or values) without dropout, computed in batches."""
        X = np.asarray(X)
        out = np.empty((X.shape[0], self.layer_sizes[-1]), dtype=self.dtype)
        for start in range(0, X.shape[0], batch_size):
            chunk = np.asarray(X[start:start + batch_size], dtype=self.dtype)
            out[start:start + chunk.shape[0]] = self._forward(self._workspace(chunk.shape[0], False), chunk,
                                                              False, None)
        return out

    def train_step_grads(self, X: np.ndarray, Y: np.ndarray, loss: str, l1: float, l2: float,
                         rng: np.random.Generator | None) -> float:
        """Forward with dropout, backward; fill `grads`. Returns the batch-mean loss plus the penalty."""
        if not (isinstance(X, np.ndarray) and (X.dtype is self.dtype or X.dtype == self.dtype)):
            X = np.asarray(X, dtype=self.dtype)
        ws = self._workspace(X.shape[0], True)
        self._forward(ws, X, True, rng)
        value = ws.head.delta(loss, Y)
        dot, ones = np.dot, ws.ones
        for inputs_T, dZ, dW, db, W_T, below, mask, backward, Z, A, scratch in ws.backward_plan:
            dot(X.T if inputs_T is None else inputs_T, dZ, out=dW)
            dot(ones, dZ, out=db)                   # column sums, as a BLAS call
            if below is not None:
                dot(dZ, W_T, out=below)
                if mask is not None:
                    np.multiply(below, mask, below)
                backward(below, Z, A, scratch)
        if l1 or l2:
            if self._penalty_scratch is None:
                self._penalty_scratch = np.empty_like(self.flat_weights)
            value += add_penalty_gradient(self.flat_weights, self.flat_weight_grads, l1, l2,
                                          self._penalty_scratch)
        return value

    # --- internals --------------------------------------------------------------------------------
    def _forward(self, ws: _Workspace, X: np.ndarray, training: bool,
                 rng: np.random.Generator | None) -> np.ndarray:
        """Run the layers; returns the output layer's activations (a workspace array)."""
        inputs, dot, add = X, np.dot, np.add
        for W, b, Z, A, forward, mask, dropped, rate in ws.forward_plan:
            dot(inputs, W, out=Z)
            add(Z, b, out=Z)
            forward(Z, A)
            if training and mask is not None:
                if rng is None:
                    raise ValueError("dropout during training needs a random generator")
                draw_dropout_mask(mask, rate, rng)
                np.multiply(A, mask, out=dropped)
                inputs = dropped
            else:
                inputs = A
        return inputs

    def _workspace(self, rows: int, training: bool) -> _Workspace:
        """The workspace for `rows` samples: cached, or row views of a larger one, or new."""
        key = (rows, training)
        if key == self._last_key:                 # every full batch of an epoch asks for the same one
            return self._last_workspace
        ws = self._workspaces.get(key)
        if ws is not None:
            self._last_key, self._last_workspace = key, ws
            return ws
        larger = [w for (r, t), w in self._workspaces.items() if t == training and r > rows]
        if larger:
            ws = max(larger, key=lambda w: w.rows).rows_view(rows)
        else:
            for old in [k for k in self._workspaces if k[1] == training]:
                del self._workspaces[old]          # views of a smaller buffer set: rebuilt on demand
            ws = self._allocate(rows, training)
        self._workspaces[key] = ws = self._plan(ws)
        self._last_key, self._last_workspace = key, ws
        return ws

    def _allocate(self, rows: int, training: bool) -> _Workspace:
        empty = (lambda width: np.empty((rows, width), dtype=self.dtype))
        widths = self.layer_sizes[1:]
        Z = [empty(w) for w in widths]
        A = [empty(w) if act.needs_input else z for act, z, w in zip(self.activations, Z, widths)]
        ws = _Workspace(rows, Z, A)
        if training:
            ws.delta = [empty(w) for w in widths]
            ws.ones = np.ones(rows, dtype=self.dtype)
            ws.scratch = [empty(w) for w in widths[:-1]]   # hidden layers: activation derivatives
            ws.mask = [empty(w) if rate > 0 else None for rate, w in zip(self.dropout, widths)]
            ws.dropped = [empty(w) if rate > 0 else None for rate, w in zip(self.dropout, widths)]
        return ws

    def _plan(self, ws: _Workspace) -> _Workspace:
        """Bind the per-layer arrays into tuples once, so that a step spends little time in Python."""
        n_layers = len(self._W)
        masks = ws.mask or [None] * n_layers
        dropped = ws.dropped or [None] * n_layers
        ws.forward_plan = [(self._W[i], self._b[i], ws.Z[i], ws.A[i], self.activations[i].forward,
                            masks[i], dropped[i], self.dropout[i]) for i in range(n_layers)]
        if ws.delta:
            last = n_layers - 1
            ws.head = OutputHead(ws.Z[last], ws.A[last], ws.delta[last], self.output_activation)
            outputs = [d if d is not None else a for d, a in zip(dropped, ws.A)]
            no_lower_layer = (None,) * 6        # the first layer computes no input gradient
            ws.backward_plan = [      # transposed views made once: (inputs.T, dZ, dW, db, W.T, ...)
                (outputs[i - 1].T if i else None, ws.delta[i], self._dW[i], self._db[i], self._W[i].T)
                + ((ws.delta[i - 1], masks[i - 1], self.activations[i - 1].backward, ws.Z[i - 1],
                    ws.A[i - 1], ws.scratch[i - 1]) if i else no_lower_layer)
                for i in range(last, -1, -1)]
        return ws
