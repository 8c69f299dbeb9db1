"""Training speed: Workbench's NumPy MLP against PyTorch (CPU) and scikit-learn, in one process.

Every framework trains the same network (ReLU hidden layers, softmax cross-entropy) on the same
synthetic data, with the same batch size, Adam, float32 and one thread (torch.set_num_threads(1);
threadpoolctl limits NumPy's BLAS). Workbench is timed through the real `Trainer` (its per-epoch
`seconds` cover the batch loop: shuffling, gathering, forward, backward, Adam). The frameworks take
turns (a few epochs each, twice), so that a change in the machine's load hits all of them alike;
the first epoch of each turn warms up and is dropped, and the median of the timed epochs is reported. Run `python tests/benchmarks/bench_training.py
--help` for options; see tests/benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from workbench.core.config import Config
from workbench.core.experiment import Experiment
from workbench.core.tabular import Dataset
from workbench.core.trainer import Trainer

LR = 0.001


@dataclass(frozen=True)
class Workload:
    name: str
    sizes: tuple[int, ...]       # features, hidden..., classes
    samples: int
    batch_size: int
    target: str                  # the goal, as stated for this workload

    @property
    def steps(self) -> int:
        return -(-self.samples // self.batch_size)


WORKLOADS = {
    "W1": Workload("W1", (2, 8, 8, 2), 1000, 10, ">= 30,000 steps/s"),
    "W2": Workload("W2", (64, 128, 64, 10), 1797, 32, "<= 0.30x torch"),
    "W3": Workload("W3", (784, 256, 128, 10), 60000, 128, "<= 0.80x torch"),
    "W4": Workload("W4", (784, 1024, 1024, 10), 20000, 256, "<= 0.90x torch"),
}


def synthetic(w: Workload, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Standard-normal features and classes from a random linear projection (learnable)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((w.samples, w.sizes[0])).astype(np.float32)
    y = np.argmax(X @ rng.standard_normal((w.sizes[0], w.sizes[-1])), axis=1).astype(np.int64)
    return X, y


EpochRunner = Callable[[], float]      # trains one epoch, returns its seconds


# --- Workbench ----------------------------------------------------------------------------------
def workbench_runner(w: Workload, X: np.ndarray, y: np.ndarray, epochs: int, dtype: str) -> EpochRunner:
    """Epochs of the real Trainer, one per call, `epochs` at most."""
    config = Config().updated({
        "layers": [{"units": u, "activation": "relu", "init": "he"} for u in w.sizes[1:-1]],
        "optimizer.name": "adam", "optimizer.lr": LR, "training.batch_size": w.batch_size,
        "training.epochs": epochs, "training.dtype": dtype, "training.threads": 1,
        "data.val_split": 0.0})
    dataset = Dataset(X, y, "classification", "benchmark", [f"x{i}" for i in range(X.shape[1])],
                      [str(c) for c in range(w.sizes[-1])], "class")
    reports = Trainer(Experiment.create(config, dataset)).run()   # sets one BLAS thread itself
    return lambda: next(reports).seconds


# --- PyTorch ------------------------------------------------------------------------------------
def torch_runner(w: Workload, X: np.ndarray, y: np.ndarray, dtype: str = "float32") -> EpochRunner | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    torch.manual_seed(0)
    layers: list = []
    for fan_in, fan_out in zip(w.sizes[:-2], w.sizes[1:-1]):
        layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers, torch.nn.Linear(w.sizes[-2], w.sizes[-1])).to(getattr(torch, dtype))
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X.astype(dtype)), torch.from_numpy(y)

    def epoch() -> float:
        started = time.perf_counter()
        order = torch.randperm(w.samples)
        total = 0.0
        for s in range(0, w.samples, w.batch_size):
            idx = order[s:s + w.batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(Xt[idx]), yt[idx])
            loss.backward()
            optimizer.step()
            total += loss.item()                   # Workbench's trainer also reads every batch loss
        return time.perf_counter() - started

    return epoch


# --- scikit-learn -------------------------------------------------------------------------------
def sklearn_runner(w: Workload, X: np.ndarray, y: np.ndarray) -> EpochRunner | None:
    try:
        from sklearn.neural_network import MLPClassifier
    except ImportError:
        return None
    model = MLPClassifier(hidden_layer_sizes=w.sizes[1:-1], activation="relu", solver="adam",
                          alpha=0.0, batch_size=w.batch_size, learning_rate_init=LR, shuffle=True,
                          random_state=0)
    classes = np.arange(w.sizes[-1])

    def epoch() -> float:
        started = time.perf_counter()
        with threadpool_limits(limits=1, user_api="blas"):
            model.partial_fit(X, y, classes=classes)      # one pass over the data
        return time.perf_counter() - started

    return epoch


def median_epochs(runners: dict[str, EpochRunner | None], epochs: int, rounds: int) -> dict[str, float | None]:
    """Each runner's median epoch. The runners take turns, `rounds` times: each turn is a warm-up
    epoch (dropped: caches are cold after another framework ran) and `epochs` timed ones."""
    present = {name: run for name, run in runners.items() if run is not None}
    seconds: dict[str, list[float]] = {name: [] for name in present}
    for _ in range(rounds):
        for name, run in present.items():
            run()
            seconds[name] += [run() for _ in range(epochs)]
    return {name: statistics.median(seconds[name]) if name in seconds else None for name in runners}


# --- report -------------------------------------------------------------------------------------
def _fmt(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:9.1f} ms"


def _ratio(ours: float, other: float | None) -> str:
    return "-" if other is None else f"{ours / other:5.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="W1,W2,W3,W4", help="comma-separated (default: all)")
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs per framework and turn (default 3)")
    parser.add_argument("--rounds", type=int, default=2, help="turns each framework takes (default 2)")
    parser.add_argument("--float64", default="W2,W3", help="workloads also timed in float64 ('' for none)")
    parser.add_argument("--no-sklearn", action="store_true", help="skip scikit-learn (slow on W3/W4)")
    args = parser.parse_args()
    names = [n.strip() for n in args.workloads.split(",") if n.strip()]
    doubles = {n.strip() for n in args.float64.split(",") if n.strip()}
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; one BLAS thread; "
          f"median of {args.rounds} turns of {args.epochs} epochs, each after a warm-up epoch")
    header = (f"{'':4} {'workbench':>12} {'torch':>12} {'ratio':>7} {'sklearn':>12} {'ratio':>7} {'f64/f32':>8} "
              f"{'torch f64/f32':>14}  target")
    print(header)
    for name in names:
        w = WORKLOADS[name]
        X, y = synthetic(w)
        trained = (args.epochs + 1) * args.rounds
        runners = {"ours": workbench_runner(w, X, y, trained, "float32"), "torch": torch_runner(w, X, y),
                   "sklearn": None if args.no_sklearn else sklearn_runner(w, X, y)}
        if name in doubles:
            runners["ours64"] = workbench_runner(w, X, y, trained, "float64")
            runners["torch64"] = torch_runner(w, X, y, "float64")      # the peer's own float64 cost
        medians = median_epochs(runners, args.epochs, args.rounds)
        ours, torch_s, sk = medians["ours"], medians["torch"], medians["sklearn"]
        f64 = _ratio(medians["ours64"], ours) if name in doubles else "-"
        torch_f64 = _ratio(medians["torch64"], torch_s) if name in doubles and torch_s else "-"
        print(f"{name:4} {_fmt(ours):>12} {_fmt(torch_s):>12} {_ratio(ours, torch_s):>7} {_fmt(sk):>12} "
              f"{_ratio(ours, sk):>7} {f64:>8} {torch_f64:>14}  {w.target}")
        print(f"{'':4} {w.steps / ours:,.0f} steps/s ({ours / w.steps * 1e6:.1f} µs per step)"
              + ("" if torch_s is None else f"; torch {w.steps / torch_s:,.0f} steps/s"))


if __name__ == "__main__":
    main()
