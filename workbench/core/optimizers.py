"""Optimizers: in-place update rules over the network's flat parameter and gradient buffers.

Every rule updates the whole network with a handful of vectorised calls on `network.flat_params`,
and keeps its state (slots such as `velocity`, `m`, `v`) in flat buffers of the same layout. The
state is exposed per parameter name only by `state_dict()` (copies), so files name it
`dense_0/weight` like the weights; `load_state_dict` restores it exactly, so resuming continues
bit-identically. Formulas follow PyTorch's `torch.optim` (momentum buffers accumulate gradients and
are scaled by the learning rate when applied).
"""
from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from workbench.core.config import OptimizerConfig


class OptimizerStateError(ValueError):
    """A saved optimizer state does not fit this optimizer or network."""


class Optimizer:
    """Base class: flat slots, the step count, and the state dict. Subclasses define `_update`."""

    name = ""
    slot_names: tuple[str, ...] = ()

    def __init__(self, config: OptimizerConfig, network):
        self.config = config
        self.network = network
        self.params = network.flat_params
        self.grads = network.flat_grads
        self.weights = network.flat_weights      # the weight slice (biases excluded)
        self.scratch = np.empty_like(self.params)
        self.slots = {slot: np.zeros_like(self.params) for slot in self.slot_names}
        self.steps = 0

    def step(self, lr: float) -> None:
        """Apply one update with learning rate `lr` (a Python float) from the current gradients."""
        self.steps += 1
        self._update(float(lr))

    def _update(self, lr: float) -> None:
        raise NotImplementedError

    # --- state ------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """{"name", "step", "slots": {param_name: {slot_name: array copy}}}."""
        views = self.network.param_views
        return {"name": self.name, "step": self.steps,
                "slots": {param: {slot: np.array(views(buffer)[param]) for slot, buffer in self.slots.items()}
                          for param in self.network.params} if self.slots else {}}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore a `state_dict()`; raises OptimizerStateError naming what does not fit."""
        if state.get("name") != self.name:
            raise OptimizerStateError(f"optimizer state is for {state.get('name')!r}, not {self.name!r}")
        steps = state.get("step")
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
            raise OptimizerStateError(f"optimizer state: step must be a whole number >= 0, got {steps!r}")
        slots = state.get("slots") or {}
        shapes = self.network.param_shapes()
        unknown = sorted(set(slots) - set(shapes))
        if unknown:
            raise OptimizerStateError(f"optimizer state: {unknown[0]} is not a parameter of this network")
        restored = {slot: np.zeros_like(self.params) for slot in self.slot_names}
        for param, shape in shapes.items():
            given = slots.get(param, {})
            if set(given) != set(self.slot_names):
                raise OptimizerStateError(
                    f"optimizer state: {param}: expected slots {sorted(self.slot_names)}, got {sorted(given)}")
            for slot, buffer in restored.items():
                value = np.asarray(given[slot])
                if value.shape != shape:
                    raise OptimizerStateError(
                        f"optimizer state: {param}/{slot}: expected {shape}, got {value.shape}")
                self.network.param_views(buffer)[param][...] = value
        for slot, buffer in restored.items():
            self.slots[slot][...] = buffer
        self.steps = int(steps)


class SGD(Optimizer):
    """p -= lr * g"""

    name = "sgd"

    def _update(self, lr: float) -> None:
        np.multiply(self.grads, lr, out=self.scratch)
        self.params -= self.scratch


class Momentum(Optimizer):
    """velocity = momentum * velocity + g;  p -= lr * velocity"""

    name = "momentum"
    slot_names = ("velocity",)

    def _update(self, lr: float) -> None:
        velocity, s = self.slots["velocity"], self.scratch
        velocity *= self.config.momentum
        velocity += self.grads
        np.multiply(velocity, lr, out=s)
        self.params -= s


class Nesterov(Optimizer):
    """velocity = momentum * velocity + g;  p -= lr * (g + momentum * velocity)"""

    name = "nesterov"
    slot_names = ("velocity",)

    def _update(self, lr: float) -> None:
        velocity, s, mu = self.slots["velocity"], self.scratch, self.config.momentum
        velocity *= mu
        velocity += self.grads
        np.multiply(velocity, mu, out=s)
        s += self.grads
        s *= lr
        self.params -= s


class Adagrad(Optimizer):
    """sum_sq += g^2;  p -= lr * g / (sqrt(sum_sq) + eps)"""

    name = "adagrad"
    slot_names = ("sum_sq",)

    def _update(self, lr: float) -> None:
        sum_sq, s, g = self.slots["sum_sq"], self.scratch, self.grads
        np.multiply(g, g, out=s)
        sum_sq += s
        np.sqrt(sum_sq, out=s)
        s += self.config.eps
        np.divide(g, s, out=s)
        s *= lr
        self.params -= s


class RMSprop(Optimizer):
    """sq_avg = rho * sq_avg + (1 - rho) g^2;  step = g / (sqrt(sq_avg) + eps);
    with momentum > 0: velocity = momentum * velocity + step, p -= lr * velocity; else p -= lr * step."""

    name = "rmsprop"

    def __init__(self, config: OptimizerConfig, network):
        self.slot_names = ("sq_avg", "velocity") if config.momentum > 0 else ("sq_avg",)
        super().__init__(config, network)

    def _update(self, lr: float) -> None:
        sq_avg, s, g = self.slots["sq_avg"], self.scratch, self.grads
        np.multiply(g, g, out=s)
        s -= sq_avg
        s *= 1.0 - self.config.rho
        sq_avg += s                       # rho * sq_avg + (1 - rho) g^2
        np.sqrt(sq_avg, out=s)
        s += self.config.eps
        np.divide(g, s, out=s)
        if "velocity" in self.slots:
            velocity = self.slots["velocity"]
            velocity *= self.config.momentum
            velocity += s
            np.multiply(velocity, lr, out=s)
        else:
            s *= lr
        self.params -= s


class Adam(Optimizer):
    """m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
    p -= lr * m_hat / (sqrt(v_hat) + eps) with m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t).

    Computed as lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps * sqrt(1 - b2^t)), the same
    value with no temporary arrays for m_hat and v_hat.
    """

    name = "adam"
    slot_names = ("m", "v")

    def _update(self, lr: float) -> None:
        cfg, s, g, m, v = self.config, self.scratch, self.grads, self.slots["m"], self.slots["v"]
        np.subtract(g, m, out=s)
        s *= 1.0 - cfg.beta1
        m += s                            # b1 m + (1 - b1) g
        np.multiply(g, g, out=s)
        s -= v
        s *= 1.0 - cfg.beta2
        v += s                            # b2 v + (1 - b2) g^2
        root_c2 = math.sqrt(1.0 - cfg.beta2 ** self.steps)
        np.sqrt(v, out=s)
        s += cfg.eps * root_c2
        np.divide(m, s, out=s)
        s *= lr * root_c2 / (1.0 - cfg.beta1 ** self.steps)
        self.params -= s


class AdamW(Adam):
    """Adam with decoupled weight decay: weights *= 1 - lr * weight_decay before the Adam step.

    Only weights decay, never biases (as the L1/L2 penalties).
    """

    name = "adamw"

    def _update(self, lr: float) -> None:
        if self.config.weight_decay:
            self.weights *= 1.0 - lr * self.config.weight_decay
        super()._update(lr)


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Momentum, Nesterov, Adagrad, RMSprop, Adam, AdamW)
}


def make_optimizer(config: OptimizerConfig, network) -> Optimizer:
    """The optimizer named in `config`, bound to `network`'s flat buffers."""
    return OPTIMIZERS[config.name](config, network)
