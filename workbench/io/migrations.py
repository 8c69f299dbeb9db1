"""Format versions: which versions this Workbench reads, and the chain that upgrades older files.

A step in `MIGRATIONS` turns a file of version N, opened for writing, into version N + 1. Loading an
older file checks it, copies it to a temporary file, runs the steps from its version up to
`FORMAT_VERSION` on the copy, and reads the copy with the normal, fully checked reader; the user's
file is never modified. Version 1 is the first published format, so the chain is empty today; the
next change that existing readers could not follow adds `MIGRATIONS[1]` and bumps the version.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterator

import h5py

from workbench.io import h5safe
from workbench.io.h5safe import SessionFormatError
from workbench.io.text_checksum import check_text_crc32, store_text_crc32

FORMAT = "workbench-session"
FORMAT_VERSION = 1

# from-version -> step that upgrades an open file (mode "r+") to from-version + 1
MIGRATIONS: dict[int, Callable[[h5py.File], None]] = {}


def check_version(version: int, where: str) -> None:
    """Refuse versions that are newer than this program or that no migration chain reaches."""
    if version > FORMAT_VERSION:
        raise SessionFormatError(
            f"{where}: written by a newer Workbench (session format {version}; this version reads "
            f"up to {FORMAT_VERSION}); please update Workbench to open it")
    if any(v not in MIGRATIONS for v in range(version, FORMAT_VERSION)):
        raise SessionFormatError(f"{where}: session format {version} is unknown; it cannot be read")


@contextlib.contextmanager
def upgraded_copy(path: str | os.PathLike, version: int) -> Iterator[str]:
    """A temporary copy of `path` migrated from `version` to `FORMAT_VERSION`, removed afterwards."""
    with h5safe.open_checked(path) as h5:
        h5safe.check_structure(h5)
        check_text_crc32(h5, Path(path).name)      # a damaged file is refused before it is changed
    fd, tmp = tempfile.mkstemp(prefix=f".{Path(path).name}.", suffix=".migrating.h5")
    os.close(fd)
    try:
        shutil.copyfile(path, tmp)
        with h5py.File(tmp, "r+") as h5:
            for step_from in range(version, FORMAT_VERSION):
                MIGRATIONS[step_from](h5)
                h5.attrs["format_version"] = step_from + 1
            store_text_crc32(h5)                   # the steps changed text
        yield tmp
    finally:
        os.unlink(tmp)
