"""Does the window slow training down? Throughput with the window open and plots live versus the
headless trainer on the same configuration, and how smoothly the GUI event loop runs meanwhile.

    QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_gui.py [--epochs 300] [--repeats 3]

Targets (issue 5): throughput ratio >= 0.9, event-loop stall <= 50 ms. The stalls are measured in
runs of their own: the meter's fast timer would otherwise slow the training it is compared with.

Training and the GUI share one Python process, so every millisecond the GUI thread runs Python is
taken from training; the GUI thread's CPU time during the run is printed to show where a low ratio
comes from. Runs of the two kinds alternate, so a change in machine load hits both alike; the
figures still move with the load of a shared machine, so the load average is printed too.
"""
from __future__ import annotations

import argparse
import os
import statistics
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
    """A fast timer on the GUI thread: the gaps between its ticks are the frame gaps, and the largest
    delay beyond its interval is the worst stall."""

    def __init__(self):
        from PySide6.QtCore import Qt, QTimer

        self.gaps: list[float] = []
        self.worst_at = 0.0
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(STALL_TICK_MS)
        self.timer.timeout.connect(self._tick)

    @property
    def worst(self) -> float:
        return max(max(self.gaps, default=0.0) - STALL_TICK_MS / 1000, 0.0)

    def start(self) -> None:
        self._last = time.perf_counter()
        self.gaps = []
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        gap = now - self._last
        if gap > max(self.gaps, default=0.0):
            self.worst_at = now
        self.gaps.append(gap)
        self._last = now


def with_window(config: Config, scratch: Path, meter: StallMeter | None) -> tuple[float, float]:
    """Samples per second with the window open and live, and the GUI thread's share of the run's CPU
    time; with `meter`, its timer ticks meanwhile (it wakes the GUI thread 50 times a second, which
    costs training some time itself, so throughput runs go without it)."""
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    from workbench.gui.app import freeze_startup_objects, make_application
    from workbench.gui.main_window import MainWindow
    from workbench.gui.session_controller import SessionController

    make_application()
    settings = QSettings(str(scratch / "bench.ini"), QSettings.Format.IniFormat)
    window = MainWindow(SessionController(autosave_dir=scratch / "autosave"), settings)
    window.controller.set_config(config, "benchmark")
    window.resize(1280, 800)
    window.show()
    freeze_startup_objects()                # as run_app does
    settle = QEventLoop()                   # first paint of the window is start-up, not training
    QTimer.singleShot(SETTLE_MS, settle.quit)
    settle.exec()
    loop = QEventLoop()
    ended = []

    def on_state(state: str) -> None:
        # the training thread has ended when the runner goes idle (before the window's end-of-run work)
        if state == "idle":
            ended.append((time.perf_counter(), time.thread_time()))

    window.runner.state_changed.connect(on_state)
    window.runner.run_finished.connect(loop.quit)
    if meter is not None:
        meter.start()
    started, cpu_started = time.perf_counter(), time.thread_time()
    window.train()
    loop.exec()
    elapsed, gui_cpu = ended[0][0] - started, ended[0][1] - cpu_started
    if meter is not None:
        meter.timer.stop()
        print(f"  worst stall {meter.worst * 1000:.0f} ms at {meter.worst_at - started:.2f} s", file=sys.stderr)
    print(f"  training ended at {elapsed:.2f} s; GUI thread CPU {gui_cpu * 1000:.0f} ms", file=sys.stderr)
    exp = window.controller.experiment
    rate = exp.epochs_trained * exp.data.X_train.shape[0] / elapsed
    window.runner.shutdown()
    window.inspector.shutdown()
    window.hide()
    window.deleteLater()
    return rate, gui_cpu / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    config = config_for(args.epochs)
    plain, gui, meters, gui_shares = [], [], [], []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as scratch:
        for _ in range(args.repeats):          # interleaved, so machine load hits both alike
            plain.append(headless(config))
            rate, share = with_window(config, Path(scratch), meter=None)
            gui.append(rate)
            gui_shares.append(share)
        for _ in range(args.repeats):          # the event loop's smoothness, measured apart
            meters.append(StallMeter())
            with_window(config, Path(scratch), meters[-1])
    best_plain, best_gui = max(plain), max(gui)
    gaps = [gap for meter in meters for gap in meter.gaps]
    print(f"configuration: spiral, layers 8-8 tanh, adam, batch 16, {args.epochs} epochs; "
          f"{os.cpu_count()} cores, load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(f"headless trainer: {best_plain:,.0f} samples/s (best of {args.repeats})")
    print(f"window open, plots live: {best_gui:,.0f} samples/s (best of {args.repeats})")
    print(f"throughput ratio: {best_gui / best_plain:.2f} (target >= 0.90); per pair: "
          f"{', '.join(f'{g / p:.2f}' for g, p in zip(gui, plain))}")
    print(f"worst event-loop stall: {max(m.worst for m in meters) * 1000:.1f} ms (target <= 50 ms); "
          f"per run: {', '.join(f'{m.worst * 1000:.1f}' for m in meters)} ms")
    print(f"event-loop frame gap: median {statistics.median(gaps) * 1000:.1f} ms, "
          f"95th percentile {statistics.quantiles(gaps, n=20)[-1] * 1000:.1f} ms (timer interval {STALL_TICK_MS} ms)")
    print(f"GUI thread CPU while training: {max(gui_shares):.0%} of the run at most")
    return 0


if __name__ == "__main__":
    sys.exit(main())
