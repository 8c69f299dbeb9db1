"""Optimizers: in-place update rules over the network's flat parameter and gradient buffers.

Every rule updates the whole network with a handful of vectorised calls on `network.flat_params`,
and keeps its state (slots such as `velocity`, `m`, `v`) in flat buffers of the same layout. The
state is exposed per parameter name only by `state_dict()` (copies), so files name it
`dense_0/weight` like the weights; `load_state_dict` restores it exactly, so resuming continues
bit-identically. Formulas follow PyTorch's `torch.optim` (momentum buffers accumulate gradients and
are scaled by the learning rate when applied).

An update is a dozen elementwise passes. Over a large network, each pass over whole buffers would
stream them from main memory again, so the rules walk the buffers in chunks small enough that one
chunk of every buffer stays in the CPU's cache through all the passes (on a network of two million
parameters: 3x faster on a machine whose last-level cache could not hold the state); a small
network is one chunk. Each element is computed the same way either way, so results do not depend
on the chunk size.
"""
from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from workbench.core.config import OptimizerConfig

# Bytes of one buffer's chunk (262,144 float32 or 131,072 float64): parameters, gradients, two
# slots and the scratch of one chunk take 5 MiB, within a last-level cache. Chunks that fit a core's
# 1 MiB L2 gained nothing over these (NumPy's loops are not bound by L3's bandwidth) and cost more
# calls: on a 2-million-parameter network, Adam 3.8 ms a step with 256 KiB chunks, 3.4-3.6 with
# 1 MiB, 3.6 with 2 MiB and 4.2 with none (AMD EPYC, 1 MiB L2, 32 MiB L3).
CHUNK_BYTES = 1024 * 1024
# The update rules call ufuncs with an explicit output rather than `a *= b`, and hold their numbers
# (learning rate, betas, ...) in 0-d arrays of the parameters' dtype rather than as scalars: NumPy's
# operator dispatch and its conversion of a scalar each cost more than the arithmetic on a tiny
# network, and every step makes a dozen calls.
_add, _sub, _mul = np.add, np.subtract, np.multiply


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
        self.weights = network.weight_arrays     # one array per layer (biases excluded)
        self.slots = {slot: np.zeros_like(self.params) for slot in self.slot_names}
        self.steps = 0
        self.rate = self.constant(0.0)            # the step's learning rate (as the rule applies it)
        size = self.params.size
        chunk = CHUNK_BYTES // self.params.dtype.itemsize
        scratch = np.empty(min(size, chunk), dtype=self.params.dtype)
        # (params, grads, scratch, *slots in slot_names order), as views of each chunk
        self.chunks = [(self.params[lo:lo + chunk], self.grads[lo:lo + chunk], scratch[:min(chunk, size - lo)],
                        *(self.slots[name][lo:lo + chunk] for name in self.slot_names))
                       for lo in range(0, size, chunk)]

    def step(self, lr: float) -> None:
        """Apply one update with learning rate `lr` (a Python float) from the current gradients."""
        self.steps += 1
        self.rate[()] = lr               # the rules scale by it (Adam replaces it with its corrected rate)
        self._update(float(lr))

    def _update(self, lr: float) -> None:
        raise NotImplementedError

    def constant(self, value: float) -> np.ndarray:
        """`value` as a 0-d array of the parameters' dtype (rounded as NumPy rounds a Python float
        for them); set a new value with `array[()] = value`."""
        return np.array(value, dtype=self.params.dtype)

    # --- state ------------------------------------------------------------------------------------
    def checkpoint(self) -> tuple[int, dict[str, np.ndarray]]:
        """The step count and copies of the slots, for `rollback` (cheaper than a state dict)."""
        return self.steps, {slot: buffer.copy() for slot, buffer in self.slots.items()}

    def rollback(self, checkpoint: tuple[int, dict[str, np.ndarray]]) -> None:
        """Return to a `checkpoint()`, in place (the chunk views stay valid)."""
        self.steps, slots = checkpoint
        for slot, buffer in slots.items():
            self.slots[slot][...] = buffer

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
        rate = self.rate
        for p, g, s in self.chunks:
            _mul(g, rate, s)
            _sub(p, s, p)


class Momentum(Optimizer):
    """velocity = momentum * velocity + g;  p -= lr * velocity"""

    name = "momentum"
    slot_names = ("velocity",)

    def __init__(self, config: OptimizerConfig, network):
        super().__init__(config, network)
        self.mu = self.constant(config.momentum)

    def _update(self, lr: float) -> None:
        mu, rate = self.mu, self.rate
        for p, g, s, velocity in self.chunks:
            _mul(velocity, mu, velocity)
            _add(velocity, g, velocity)
            _mul(velocity, rate, s)
            _sub(p, s, p)


class Nesterov(Momentum):
    """velocity = momentum * velocity + g;  p -= lr * (g + momentum * velocity)"""

    name = "nesterov"

    def _update(self, lr: float) -> None:
        mu, rate = self.mu, self.rate
        for p, g, s, velocity in self.chunks:
            _mul(velocity, mu, velocity)
            _add(velocity, g, velocity)
            _mul(velocity, mu, s)
            _add(s, g, s)
            _mul(s, rate, s)
            _sub(p, s, p)


class Adagrad(Optimizer):
    """sum_sq += g^2;  p -= lr * g / (sqrt(sum_sq) + eps)"""

    name = "adagrad"
    slot_names = ("sum_sq",)

    def __init__(self, config: OptimizerConfig, network):
        super().__init__(config, network)
        self.eps = self.constant(config.eps)

    def _update(self, lr: float) -> None:
        eps, rate = self.eps, self.rate
        for p, g, s, sum_sq in self.chunks:
            _mul(g, g, s)
            _add(sum_sq, s, sum_sq)
            np.sqrt(sum_sq, s)
            _add(s, eps, s)
            np.divide(g, s, s)
            _mul(s, rate, s)
            _sub(p, s, p)


class RMSprop(Optimizer):
    """sq_avg = rho * sq_avg + (1 - rho) g^2;  step = g / (sqrt(sq_avg) + eps);
    with momentum > 0: velocity = momentum * velocity + step, p -= lr * velocity; else p -= lr * step."""

    name = "rmsprop"

    def __init__(self, config: OptimizerConfig, network):
        self.slot_names = ("sq_avg", "velocity") if config.momentum > 0 else ("sq_avg",)
        super().__init__(config, network)
        self.decay, self.eps, self.mu = (self.constant(v)
                                         for v in (1.0 - config.rho, config.eps, config.momentum))

    def _update(self, lr: float) -> None:
        decay, eps, mu, rate = self.decay, self.eps, self.mu, self.rate
        for p, g, s, sq_avg, *velocity in self.chunks:
            _mul(g, g, s)
            _sub(s, sq_avg, s)
            _mul(s, decay, s)
            _add(sq_avg, s, sq_avg)           # rho * sq_avg + (1 - rho) g^2
            np.sqrt(sq_avg, s)
            _add(s, eps, s)
            np.divide(g, s, s)
            if velocity:
                _mul(velocity[0], mu, velocity[0])
                _add(velocity[0], s, velocity[0])
                _mul(velocity[0], rate, s)
            else:
                _mul(s, rate, s)
            _sub(p, s, p)


class Adam(Optimizer):
    """m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
    p -= lr * m_hat / (sqrt(v_hat) + eps) with m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t).

    Computed as lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps * sqrt(1 - b2^t)), the same
    value with no temporary arrays for m_hat and v_hat.
    """

    name = "adam"
    slot_names = ("m", "v")

    def __init__(self, config: OptimizerConfig, network):
        super().__init__(config, network)
        self.c1, self.c2 = self.constant(1.0 - config.beta1), self.constant(1.0 - config.beta2)
        self.eps = self.constant(0.0)           # eps * sqrt(1 - b2^t), set each step

    def _update(self, lr: float) -> None:
        cfg, c1, c2, eps, rate = self.config, self.c1, self.c2, self.eps, self.rate
        root_c2 = math.sqrt(1.0 - cfg.beta2 ** self.steps)
        eps[()] = cfg.eps * root_c2
        rate[()] = lr * root_c2 / (1.0 - cfg.beta1 ** self.steps)
        sqrt, divide = np.sqrt, np.divide
        for p, g, s, m, v in self.chunks:
            _sub(g, m, s)
            _mul(s, c1, s)
            _add(m, s, m)                     # b1 m + (1 - b1) g
            _mul(g, g, s)
            _sub(s, v, s)
            _mul(s, c2, s)
            _add(v, s, v)                     # b2 v + (1 - b2) g^2
            sqrt(v, s)
            _add(s, eps, s)
            divide(m, s, s)
            _mul(s, rate, s)
            _sub(p, s, p)


class AdamW(Adam):
    """Adam with decoupled weight decay: weights *= 1 - lr * weight_decay before the Adam step.

    Only weights decay, never biases (as the L1/L2 penalties).
    """

    name = "adamw"

    def __init__(self, config: OptimizerConfig, network):
        super().__init__(config, network)
        self.keep = self.constant(1.0)          # 1 - lr * weight_decay, set each step

    def _update(self, lr: float) -> None:
        if self.config.weight_decay:
            keep = self.keep
            keep[()] = 1.0 - lr * self.config.weight_decay
            for W in self.weights:
                _mul(W, keep, W)
        super()._update(lr)


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Momentum, Nesterov, Adagrad, RMSprop, Adam, AdamW)
}


def make_optimizer(config: OptimizerConfig, network) -> Optimizer:
    """The optimizer named in `config`, bound to `network`'s flat buffers."""
    return OPTIMIZERS[config.name](config, network)
