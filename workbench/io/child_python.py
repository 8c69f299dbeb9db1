"""Running a piece of Workbench in a fresh Python process (an isolated session read, an ONNX export).

The child must import the same `workbench` as this process: the one installed, or a checkout run
by path (`python /path/to/checkout/main.py` from another folder, where the child's own search path
would find no Workbench, or another version). So the folder holding this process's package goes
first on the child's PYTHONPATH.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Sequence

PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])   # the folder that holds workbench/


def child_command(code: str, args: Sequence[str]) -> list[str]:
    """The command line running `code` (Python source) with `args` in this interpreter."""
    return [sys.executable, "-c", code, *args]


def child_env(**extra: str) -> dict[str, str]:
    """This process's environment, with its Workbench first on the path, and `extra` set."""
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": PACKAGE_PARENT + (os.pathsep + path if path else ""), **extra}
