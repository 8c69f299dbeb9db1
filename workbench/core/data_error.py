"""The one error every data problem becomes: a line for a person naming file, row and column."""
from __future__ import annotations

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
