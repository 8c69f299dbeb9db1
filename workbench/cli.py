"""The `workbench` command: subcommands per shared/CLI.md; with no subcommand, the GUI.

Each command group lives in its own module under `workbench.commands` and is imported only when
used, so `workbench train` never loads Qt and `workbench --help` starts fast.
"""
from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import sys
from pathlib import Path
from typing import Any, NoReturn, Sequence

# subcommand -> module that provides add_parser(subparsers) for it
COMMANDS: dict[str, str] = {
    "train": "workbench.commands.train",
    "datasets": "workbench.commands.train",
    "resume": "workbench.commands.session_cmds",
    "predict": "workbench.commands.session_cmds",
    "export": "workbench.commands.session_cmds",
    "info": "workbench.commands.session_cmds",
    "history": "workbench.commands.session_cmds",
    "report": "workbench.commands.session_cmds",
    "tune": "workbench.commands.tune",
    "lr-find": "workbench.commands.lr_find",
    "importance": "workbench.commands.importance",
    "learning-curve": "workbench.commands.learning_curve",
    "cross-validate": "workbench.commands.cross_validate",
    "gradient-flow": "workbench.commands.gradient_flow",
}


def json_text(value: Any) -> str:
    """A command's `--json` object as strict JSON: NaN and infinities (a diverged run's figures)
    become null, as JSON has no such numbers and strict readers refuse them."""
    return json.dumps(_finite(value), allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


class UsageError(Exception):
    """A command line that cannot be run as given (exit status 2)."""


class OneLineParser(argparse.ArgumentParser):
    """Usage errors as one line (argparse prints the whole usage text first); subcommands inherit it."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="workbench",
        description="Build, train and tune neural networks. With no command, opens the desktop app "
                    "(optionally on a saved session FILE.h5).")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    seen: set[str] = set()
    for module_name in dict.fromkeys(COMMANDS.values()):
        module = importlib.import_module(module_name)
        module.add_parser(sub)
        seen.add(module_name)
    return parser


def _run_gui(argv: Sequence[str]) -> int:
    gui = OneLineParser(prog="workbench", description="Open the desktop app.")
    gui.add_argument("session", nargs="?", help="a saved session (.h5) to open")
    gui.add_argument("--debug", action="store_true")
    args = gui.parse_args(list(argv))
    if args.session is not None and not Path(args.session).is_file():
        if Path(args.session).suffix.lower() != ".h5":
            print(f"workbench: error: {args.session!r} is neither a command ({', '.join(COMMANDS)}) "
                  "nor a session file (see workbench --help)", file=sys.stderr)
            return 2
        print(f"workbench: error: {args.session} does not exist", file=sys.stderr)
        return 1
    if not _has_display():
        print("workbench: error: no display to open the window on (DISPLAY is not set); the commands "
              "(workbench train, tune, ...) run without one", file=sys.stderr)
        return 1
    from workbench.gui.app import run_app  # Qt is loaded only here

    return run_app(args.session)


def _has_display() -> bool:
    """Whether Qt can open a window: without one Qt aborts the process with a misleading message."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    words = [a for a in argv if a != "--debug"]
    if not words or (words[0] not in COMMANDS and not words[0].startswith("-")):
        return _run_gui(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return _run_gui(argv)
    try:
        return int(args.func(args) or 0)
    except UsageError as err:
        print(f"workbench {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`workbench info run.h5 | head -2`): stop quietly, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except MemoryError:
        print(f"workbench {args.command}: error: out of memory", file=sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001 - the one place that turns errors into one line
        if args.debug:
            raise
        print(f"workbench {args.command}: error: {str(err) or type(err).__name__}", file=sys.stderr)
        return 1
