"""`workbench gradient-flow FILE.h5`: every layer's weight gradient over a saved session's replay
snapshots (core/gradient_flow.py), and whether it vanishes or explodes on its way back.

Prints a row per snapshot (at most `MAX_ROWS`, spread over the run, the first and last always) with
each layer's root-mean-square gradient, then the advice; `--json` prints every snapshot.
"""
from __future__ import annotations

import argparse

import numpy as np

from workbench.cli import UsageError, json_text
from workbench.core.gradient_flow import GradientFlow, NoGradients, gradient_flow

MAX_ROWS = 12


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "gradient-flow", help="each layer's weight gradient over a saved session's snapshots",
        description="Measure the root-mean-square weight gradient of every layer at each replay "
                    "snapshot of the session (the training loss on up to 2,000 training rows) and say "
                    "whether it vanishes or explodes between the output and the first layer. Nothing "
                    "is saved.")
    parser.add_argument("file", metavar="FILE.h5")
    parser.add_argument("--json", action="store_true", help="print one JSON object with every snapshot")
    parser.set_defaults(func=run_gradient_flow)


def run_gradient_flow(args: argparse.Namespace) -> int:
    from workbench.io.session import load_session

    try:
        flow = gradient_flow(load_session(args.file))
    except NoGradients as err:
        raise UsageError(f"{args.file}: {err}") from None
    print(json_text(flow_summary(flow)) if args.json else format_flow(flow))
    return 0


def flow_summary(flow: GradientFlow) -> dict:
    """The JSON object: the layers, the snapshots' epochs, rms[snapshot][layer], and the advice."""
    return {"layers": list(flow.layers), "epochs": flow.epochs.tolist(), "rms": flow.rms.tolist(),
            "first_to_output": [flow.ratio(row) for row in range(flow.epochs.size)], "advice": flow.advice()}


def format_flow(flow: GradientFlow) -> str:
    """A header of layer names, a row per shown snapshot, then the advice."""
    rows = np.unique(np.linspace(0, flow.epochs.size - 1, min(MAX_ROWS, flow.epochs.size)).round().astype(int))
    width = max(10, *(len(name) for name in flow.layers))
    lines = [f"{'epoch':>7}  " + "  ".join(f"{name:>{width}}" for name in flow.layers)]
    for row in rows:
        lines.append(f"{flow.epochs[row]:>7,}  " + "  ".join(f"{value:>{width}.3g}" for value in flow.rms[row]))
    lines.append(flow.advice())
    return "\n".join(lines)
