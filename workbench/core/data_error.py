"""The one error every data problem becomes: a line for a person naming file, row and column;
and how a long read is asked to stop."""
from __future__ import annotations

import threading
from pathlib import Path


class DataError(ValueError):
    """A data file or data set cannot be used; the message is one line naming file, row and column."""

    def __init__(self, message: str, *, path: str | Path | None = None, row: int | None = None,
                 column: str | None = None):
        where = ", ".join(part for part in (f"row {row}" if row else "",
                                            f"column {column}" if column else "") if part)
        prefix = ": ".join(str(part) for part in (path, where) if part)
        super().__init__(f"{prefix}: {message}" if prefix else message)
        self.path, self.row, self.column = path, row, column


class ReadStopped(Exception):
    """A read ended early because its caller asked it to (a person cancelled); not a problem of the file."""


def check_stop(stop: threading.Event | None) -> None:
    """Raise ReadStopped if `stop` is set: long reads call this between pieces of work."""
    if stop is not None and stop.is_set():
        raise ReadStopped()
