"""Does the window slow training down? Throughput with the window open and plots live versus the
headless trainer on the same configuration, and the longest stall of the GUI event loop meanwhile.

    QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_gui.py [--epochs 300] [--repeats 3]

Targets (issue 5): throughput ratio >= 0.9, event-loop stall <= 50 ms.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from workbench.core.config import Config  # noqa: E402
from workbench.core.experiment import Experiment  # noqa: E402
from workbench.core.trainer import Trainer  # noqa: E402

STALL_TICK_MS = 20
SETTLE_MS = 1000


def config_for(epochs: int) -> Config:
    return Config().updated({"training.epochs": epochs})


def headless(config: Config) -> float:
    """Samples per second of the plain trainer (what `workbench train` runs)."""
    exp = Experiment.create(config)
    started = time.perf_counter()
    for _ in Trainer(exp).run():
        pass
    return exp.epochs_trained * exp.data.X_train.shape[0] / (time.perf_counter() - started)


class StallMeter:
    """A fast timer on the GUI thread; the largest gap between its ticks is the worst stall."""

    def __init__(self):
        from PySide6.QtCore import QTimer

        self.worst = 0.0
        self.worst_at = 0.0
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(STALL_TICK_MS)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self.worst = 0.0
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        gap = now - self._last - STALL_TICK_MS / 1000
        if gap > self.worst:
            self.worst, self.worst_at = gap, now
        self._last = now


def with_window(config: Config, scratch: Path) -> tuple[float, float]:
    """Samples per second with the window open and live, and the worst event-loop stall (s)."""
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    from workbench.gui.app import make_application
    from workbench.gui.main_window import MainWindow
    from workbench.gui.session_controller import SessionController

    make_application()
    settings = QSettings(str(scratch / "bench.ini"), QSettings.Format.IniFormat)
    window = MainWindow(SessionController(autosave_dir=scratch / "autosave"), settings)
    window.controller.set_config(config, "benchmark")
    window.resize(1280, 800)
    window.show()
    settle = QEventLoop()                   # first paint of the window is start-up, not training
    QTimer.singleShot(SETTLE_MS, settle.quit)
    settle.exec()
    loop = QEventLoop()
    ended = []
    # the training thread has ended when the runner goes idle (before the window's end-of-run work)
    window.runner.state_changed.connect(lambda state: ended.append(time.perf_counter()) if state == "idle" else None)
    window.runner.run_finished.connect(loop.quit)
    meter = StallMeter()
    meter.start()
    started = time.perf_counter()
    window.train()
    loop.exec()
    elapsed = ended[0] - started
    meter.timer.stop()
    print(f"  worst stall {meter.worst * 1000:.0f} ms at {meter.worst_at - started:.2f} s; "
          f"training ended at {elapsed:.2f} s", file=sys.stderr)
    exp = window.controller.experiment
    rate = exp.epochs_trained * exp.data.X_train.shape[0] / elapsed
    window.runner.shutdown()
    window.replay.shutdown()
    window.hide()
    window.deleteLater()
    return rate, meter.worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    config = config_for(args.epochs)
    plain, gui, stalls = [], [], []
    with tempfile.TemporaryDirectory() as scratch:
        for _ in range(args.repeats):          # interleaved, so machine load hits both alike
            plain.append(headless(config))
            rate, stall = with_window(config, Path(scratch))
            gui.append(rate)
            stalls.append(stall)
    best_plain, best_gui = max(plain), max(gui)
    print(f"configuration: spiral, layers 8-8 tanh, adam, batch 16, {args.epochs} epochs")
    print(f"headless trainer: {best_plain:,.0f} samples/s (best of {args.repeats})")
    print(f"window open, plots live: {best_gui:,.0f} samples/s (best of {args.repeats})")
    print(f"throughput ratio: {best_gui / best_plain:.2f} (target >= 0.90)")
    print(f"worst event-loop stall: {max(stalls) * 1000:.1f} ms (target <= 50 ms); "
          f"per run: {', '.join(f'{s * 1000:.1f}' for s in stalls)} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
