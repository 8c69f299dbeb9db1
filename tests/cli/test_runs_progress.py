"""The progress of `cross-validate` and `learning-curve` on a terminal: one bar redrawn in place,
throttled, erased at the end so the table starts on a clean line."""
import io

from workbench.commands import runs_progress
from workbench.commands.runs_progress import RunsProgressPrinter


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_one_bar_redrawn_in_place_and_erased(monkeypatch):
    clock = iter([0.0, 0.01, 0.5, 0.51])
    monkeypatch.setattr(runs_progress.time, "perf_counter", lambda: next(clock))
    stream = Terminal()
    printer = RunsProgressPrinter(stream)
    printer(0.0, "fold 1 of 2")
    printer(0.1, "fold 1 of 2")            # 10 ms later: not redrawn
    printer(0.5, "fold 2 of 2")            # a new run: redrawn at once
    printer(0.75, "fold 2 of 2")           # 10 ms later, same run: not redrawn
    printer.close()
    bar = "[" + "-" * 24 + "] fold 1 of 2"
    half = "[" + "#" * 12 + "-" * 12 + "] fold 2 of 2"
    assert stream.getvalue() == f"\r{bar}\r{half}\r{' ' * len(half)}\r"


def test_a_shorter_line_covers_the_longer_one_before_it():
    stream = Terminal()
    printer = RunsProgressPrinter(stream)
    printer(0.0, "100% of the training rows (1 of 2)")
    printer(1.0, "x")
    first, second = stream.getvalue().split("\r")[1:]
    assert len(second) == len(first) and second.rstrip().endswith("] x")


def test_elsewhere_a_line_per_run_and_close_writes_nothing():
    stream = io.StringIO()
    printer = RunsProgressPrinter(stream)
    for fraction, stage in [(0.0, "fold 1 of 2"), (0.3, "fold 1 of 2"), (0.5, "fold 2 of 2")]:
        printer(fraction, stage)
    printer.close()
    assert stream.getvalue() == "fold 1 of 2…\nfold 2 of 2…\n"
