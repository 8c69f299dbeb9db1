"""Progress of the commands that train several fresh runs (`cross-validate`, `learning-curve`),
on stderr so that their table or JSON on stdout stays whole: on a terminal one bar redrawn in
place and erased at the end, elsewhere (a log file, a pipe) a line as each run starts."""
from __future__ import annotations

import argparse
import time
from typing import TextIO

from workbench.commands.train import BAR_INTERVAL, BAR_WIDTH


def add_quiet_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")


class RunsProgressPrinter:
    """A core ProgressCallback (share done, "fold 2 of 5") that shows it; `close` ends the bar."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.bar = bool(getattr(stream, "isatty", lambda: False)())
        self.last_draw = 0.0
        self.stage: str | None = None
        self.width = 0                      # of the bar's line, to erase it

    def __call__(self, fraction: float, stage: str) -> None:
        if not self.bar:
            if stage != self.stage:
                print(f"{stage}…", file=self.stream, flush=True)
        else:
            now = time.perf_counter()
            if stage != self.stage or now - self.last_draw >= BAR_INTERVAL:
                self.last_draw = now
                filled = round(fraction * BAR_WIDTH)
                line = f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {stage}"
                self.stream.write(f"\r{line:<{self.width}}")
                self.stream.flush()
                self.width = len(line)
        self.stage = stage

    def close(self) -> None:
        if self.bar and self.width:
            self.stream.write(f"\r{' ' * self.width}\r")
            self.stream.flush()
            self.width = 0
