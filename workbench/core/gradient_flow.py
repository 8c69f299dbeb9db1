"""Gradient flow: how large each layer's weight gradient is over the run, read off the replay
snapshots (epoch 0, the initialisation, included), as the classic plot of vanishing and exploding
gradients draws it.

A layer whose gradient is far smaller than the output layer's learns far more slowly: in a deep
stack of sigmoid or tanh layers the gradient shrinks at every layer on its way back (vanishing);
with too large initial weights it can grow instead (exploding). The gradient at each snapshot is
the inspection's (`loss_gradients`: the training loss on up to 2,000 training rows, on a private
copy of the network), so the session is not touched. Its size is the root mean square over the
layer's weights.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from workbench.core.inspection import MAX_SAMPLES, computing, loss_gradients, private_network

VANISHING = 1e-2         # first layer / last layer below this: the first layers hardly learn
EXPLODING = 1e2          # above this: the first layers' gradients dwarf the output layer's
VANISHING_REMEDY = "Try relu, leaky_relu or elu with he initialisation, fewer layers, or a larger learning rate"
EXPLODING_REMEDY = ("Try a lower learning rate, gradient-norm clipping, or an initialisation scaled to the "
                    "layer (he, xavier, lecun)")


class NoGradients(ValueError):
    """Nothing to measure: no snapshot of the weights."""


@dataclass(frozen=True)
class GradientFlow:
    """Per snapshot (row) and layer (column), the root mean square of the weight gradient."""

    epochs: np.ndarray           # the snapshots' epochs, increasing
    layers: tuple[str, ...]      # dense_0 ... the output layer
    rms: np.ndarray              # (snapshots, layers)

    def ratio(self, row: int = -1) -> float:
        """The first layer's gradient over the output layer's at a snapshot (the latest)."""
        first, last = self.rms[row, 0], self.rms[row, -1]
        return float(first / last) if last > 0 else float("inf") if first > 0 else 1.0

    def advice(self) -> str:
        """What the gradients say for a person, as finished sentences."""
        if len(self.layers) < 2:
            return "The network has no hidden layer: its one layer's gradient has nothing to vanish through."
        if not np.isfinite(self.rms).all():
            return ("The gradients became infinite or NaN: training diverged. Lower the learning rate, "
                    "or clip the gradient norm.")
        at_start, now = self.ratio(0), self.ratio(-1)
        span = (f"{at_start:.2g} times the output layer's at epoch {self.epochs[0]} and {now:.2g} times at "
                f"epoch {self.epochs[-1]}")
        if now < VANISHING:
            return (f"Vanishing gradients: the first layer's gradient is {span}, so the first layers learn "
                    f"far more slowly than the output layer. {VANISHING_REMEDY}.")
        if now > EXPLODING:
            return (f"Exploding gradients: the first layer's gradient is {span}, so the first layers take "
                    f"far larger steps than the output layer. {EXPLODING_REMEDY}.")
        if at_start < VANISHING or at_start > EXPLODING:
            kind, remedy = (("vanished", VANISHING_REMEDY) if at_start < VANISHING
                            else ("exploded", EXPLODING_REMEDY))
            return (f"The gradients {kind} at the start and recovered: the first layer's gradient is "
                    f"{span}, so the first layers found their pace late. {remedy}, so that they learn from "
                    "the start.")
        return (f"The gradient reaches every layer: the first layer's is {span}, within a factor of 100 "
                "either way.")


def rows_evaluated(experiment) -> int:
    """Rows' worth of forward passes `gradient_flow` costs (a backward pass counts as two), to weigh
    its cost first."""
    return 3 * len(experiment.snapshots) * min(experiment.data.X_train.shape[0], MAX_SAMPLES)


def gradient_flow(experiment, stop: threading.Event | None = None) -> GradientFlow:
    """The RMS weight gradient of every layer at each replay snapshot of `experiment` (see the
    module docstring). Raises NoGradients without snapshots; `stop`, once set,
    ends the work with InterruptedError between two snapshots."""
    epochs = sorted(experiment.snapshots)
    if not epochs:
        raise NoGradients("there is no snapshot of the weights to measure: reset the session")
    layers = tuple(experiment.network.layer_names)
    rms = np.empty((len(epochs), len(layers)))
    with computing(experiment):
        for row, epoch in enumerate(epochs):
            if stop is not None and stop.is_set():
                raise InterruptedError("stopped before every snapshot was measured")
            grads = loss_gradients(experiment, private_network(experiment, experiment.snapshots[epoch]))
            for column, layer in enumerate(layers):
                g = grads[f"{layer}/weight"].astype(np.float64)
                rms[row, column] = np.sqrt(np.mean(g * g))
    return GradientFlow(np.array(epochs, dtype=np.int64), layers, rms)
