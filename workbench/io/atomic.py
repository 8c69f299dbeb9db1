"""Atomic file replacement: write beside the target, fsync, then swap it in with `os.replace`.

Sessions and exports both save this way, so the previous file survives a full disk, a crash or a
kill at any moment of a save.
"""
from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path
from typing import Iterator

from workbench.io import h5safe


class SessionSaveError(OSError):
    """A session could not be written; the previous file at the target is unchanged."""


@contextlib.contextmanager
def replacing(path: str | os.PathLike) -> Iterator[str]:
    """Yield a temporary path beside `path`; when the block succeeds, fsync it and swap it in.

    On any failure the temporary file is removed and `path` is left as it was. Used for sessions
    and exports alike.
    """
    target, folder, tmp = _temporary_beside(path)
    try:
        os.chmod(tmp, _file_mode(target))
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        _fsync_folder(folder)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError) and not isinstance(err, SessionSaveError):
            raise SessionSaveError(f"cannot save {target}: {_reason(err)}; the previous file is unchanged") from None
        raise


def check_writable(path: str | os.PathLike) -> None:
    """Raise `SessionSaveError` now if `path` could not be saved (no such folder, no permission),
    so that a long training run or search is not lost to a typo in `--save`."""
    target, _, tmp = _temporary_beside(path)
    os.unlink(tmp)
    if target.is_dir():
        raise SessionSaveError(f"cannot save {target}: it is a folder")


def _temporary_beside(path: str | os.PathLike) -> tuple[Path, Path, str]:
    """(target, its folder, a new empty temporary file in that folder)."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as err:
        raise SessionSaveError(f"cannot save {target}: {_folder_problem(folder, err)}") from None
    os.close(fd)
    return target, folder, tmp


def _file_mode(target: Path) -> int:
    """The replaced file's permissions, or the usual ones for a new file (mkstemp makes 0600)."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def _folder_problem(folder: Path, err: OSError) -> str:
    if isinstance(err, FileNotFoundError):
        return f"the folder {folder} does not exist"
    if isinstance(err, NotADirectoryError):
        return f"{folder} is not a folder"
    if isinstance(err, PermissionError):
        return f"no permission to write in {folder}"
    return _reason(err)


def _reason(err: OSError) -> str:
    if err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or "No space" in str(err) \
            or "File too large" in str(err):
        return "the disk is full (or the file size limit was reached)"
    return err.strerror or h5safe.first_line(err)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (a no-op where folders cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
