"""The per-epoch history of a session's runs as one CSV table, for a spreadsheet or pandas.

One row per epoch of every run that trained: the earlier runs of the session first (run 1, 2,
...), the current run last, each with its status. Metrics are named by the task (`val_accuracy`
or `val_r2`, as `train --json` names them); an epoch without a figure (no validation split) has an
empty cell. Written atomically like every file Workbench saves.
"""
from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path
from typing import Iterator, Mapping

import numpy as np

from workbench.core.metrics import METRIC_NAMES
from workbench.io.atomic import replacing
from workbench.io.contents import HISTORY_COLUMNS, SessionContents


def history_header(task: str) -> list[str]:
    """The session file's history columns, the metric named by the task."""
    metric = METRIC_NAMES[task]
    return ["run", "status"] + [name.replace("metric", metric) for name in HISTORY_COLUMNS]


def history_rows(contents: SessionContents) -> Iterator[list[str]]:
    """The table's rows after the header, run by run."""
    runs = [(run.status, run.history) for run in contents.runs] + [(contents.status, contents.history)]
    trained = [(status, history) for status, history in runs if history["epoch"].shape[0]]
    for number, (status, history) in enumerate(trained, start=1):
        yield from _run_rows(number, status, history)


def _run_rows(number: int, status: str, history: Mapping[str, np.ndarray]) -> Iterator[list[str]]:
    columns = [history[name] for name in HISTORY_COLUMNS[1:]]
    for index, epoch in enumerate(history["epoch"]):
        yield [str(number), status, str(int(epoch))] + [_number(column[index]) for column in columns]


def _number(value: float) -> str:
    value = float(value)
    return repr(value) if math.isfinite(value) else ""


def history_csv(contents: SessionContents) -> str:
    """The whole table as text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(history_header(contents.data.task))
    writer.writerows(history_rows(contents))
    return out.getvalue()


def write_history_csv(contents: SessionContents, path: str | os.PathLike) -> None:
    with replacing(path) as tmp:
        Path(tmp).write_text(history_csv(contents), encoding="utf-8")
