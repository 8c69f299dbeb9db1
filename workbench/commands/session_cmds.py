"""Commands on a saved session: `resume`, `predict`, `export`, `history`, `report` and `info`
(shared/CLI.md)."""
from __future__ import annotations

import argparse
import sys
from typing import Any

from workbench.cli import UsageError, json_text


def add_parser(sub: argparse._SubParsersAction) -> None:
    from workbench.commands.train import add_output_options
    from workbench.io.export import EXPORTERS

    resume = sub.add_parser("resume", help="continue a saved session's training",
                            description="Continue training a saved session for N more epochs, exactly "
                                        "as if it had never stopped. Saves back into FILE.h5 unless --save.")
    resume.add_argument("file", metavar="FILE.h5")
    resume.add_argument("--epochs", type=int, required=True, metavar="N", help="epochs to add")
    out = resume.add_argument_group("output")
    out.add_argument("--save", metavar="OUT.h5", help="write the session here instead of FILE.h5")
    add_output_options(out)
    resume.set_defaults(func=run_resume)

    predict = sub.add_parser("predict", help="predict a CSV's rows with a saved model",
                             description="Apply the session's scaler and model to raw rows of a CSV with "
                                         "the training's column names (the target column is ignored).")
    predict.add_argument("file", metavar="FILE.h5")
    predict.add_argument("input", metavar="INPUT.csv")
    predict.add_argument("-o", "--output", metavar="OUT.csv", help="write here instead of standard output")
    predict.set_defaults(func=run_predict)

    export = sub.add_parser("export", help="export the learned weights (npz, safetensors, onnx)",
                            description="Export the model (weights, activations, input scaler); see "
                                        "docs/session_format.md for each layout.")
    export.add_argument("file", metavar="FILE.h5")
    export.add_argument("--format", required=True, choices=list(EXPORTERS))
    export.add_argument("-o", "--output", required=True, metavar="OUT")
    export.set_defaults(func=run_export)

    history = sub.add_parser("history", help="the per-epoch history of a session's runs, as CSV",
                             description="One row per epoch of every run of the session (the earlier "
                                         "runs first, the current one last): its status, losses, "
                                         "metrics, learning rate and seconds.")
    history.add_argument("file", metavar="FILE.h5")
    history.add_argument("-o", "--output", metavar="OUT.csv", help="write here instead of standard output")
    history.set_defaults(func=run_history)

    report = sub.add_parser("report", help="the session as one HTML page (settings, weights, curves, figures)",
                            description="Write a self-contained HTML page: the hyperparameters, the "
                                        "learned parameters by layer, the outcome with the test "
                                        "figures, the curves, the validation confusion matrix or "
                                        "predicted against actual, the features the model relies "
                                        "on, the gradient flow, earlier runs and the search.")
    report.add_argument("file", metavar="FILE.h5")
    report.add_argument("-o", "--output", metavar="OUT.html", help="write here instead of standard output")
    report.set_defaults(func=run_report)

    info = sub.add_parser("info", help="describe a saved session",
                          description="Architecture, hyperparameters, parameter counts, epochs trained, "
                                      "last metrics and data source of a session.")
    info.add_argument("file", metavar="FILE.h5")
    info.add_argument("--json", action="store_true", help="print one JSON object")
    info.set_defaults(func=run_info)


# --- resume ---------------------------------------------------------------------------------------
def run_resume(args: argparse.Namespace) -> int:
    from workbench.commands.train import run_training
    from workbench.io.session import load_session

    if args.epochs < 1:
        raise UsageError(f"--epochs must be at least 1, got {args.epochs}")
    experiment = load_session(args.file)
    args.save = args.save or args.file
    return run_training(experiment, epochs=args.epochs, args=args)


# --- predict --------------------------------------------------------------------------------------
def run_predict(args: argparse.Namespace) -> int:
    from workbench.io.predictions_csv import predict_csv, write_predictions_csv
    from workbench.io.session import load_session

    experiment = load_session(args.file)
    if args.output:
        predictions = write_predictions_csv(experiment, args.input, args.output)
    else:
        predictions = predict_csv(experiment, args.input)
    for note in predictions.notes:
        print(f"note: {note}", file=sys.stderr)
    if not args.output:
        sys.stdout.write(predictions.text)
    return 0


# --- export ---------------------------------------------------------------------------------------
def run_export(args: argparse.Namespace) -> int:
    from workbench.io.export import export
    from workbench.io.session import read_contents

    export(read_contents(args.file), args.format, args.output)
    print(f"exported {args.file} as {args.format} to {args.output}")
    return 0


# --- history --------------------------------------------------------------------------------------
def run_history(args: argparse.Namespace) -> int:
    from workbench.io.history_csv import history_csv, write_history_csv
    from workbench.io.session import read_contents

    contents = read_contents(args.file)
    if args.output:
        write_history_csv(contents, args.output)
    else:
        sys.stdout.write(history_csv(contents))
    return 0


# --- report -------------------------------------------------------------------------------------
def run_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from workbench.io.report_html import report_html, write_report_html
    from workbench.io.session import read_contents

    contents = read_contents(args.file)
    if args.output:
        write_report_html(contents, args.output, Path(args.file).name)
    else:
        sys.stdout.write(report_html(contents, Path(args.file).name))
    return 0


# --- info -----------------------------------------------------------------------------------------
def format_summary(summary: dict[str, Any]) -> str:
    from workbench.core.config import Config
    from workbench.core.config_summary import hyperparameter_rows
    from workbench.core.durations import format_duration
    from workbench.core.tuning import describe_params

    d, cfg = summary["data"], summary["config"]
    out = [f"session   {summary['file']} (Workbench {summary['workbench_version']}, saved {summary['saved']})",
           f"data      {d['source']}: {d['task']}, {d['samples']} samples ({d['train']} train, "
           f"{d['validation']} validation, {d['test']} test), {d['features']} features"
           + (f", {len(d['classes'])} classes" if d["classes"] else "")
           + (f", target {d['target']}" if d["target"] else ""),
           f"          {d['target_summary']}",
           "network   layer      units  activation   weight        bias   parameters"]
    for layer in summary["layers"]:
        shape = " x ".join(str(n) for n in layer["weight_shape"])
        out.append(f"          {layer['name']:<10} {layer['units']:>5}  {layer['activation']:<11}  "
                   f"{shape:<12}  {layer['bias_shape'][0]:>5}  {layer['parameters']:>10}")
    out.append(f"          total parameters {summary['parameters']}")
    for index, (section, rows) in enumerate(hyperparameter_rows(Config.from_dict(cfg))):
        settings = ", ".join(f"{name} {value}" for name, value in rows)
        out.append(f"{'hyper' if index == 0 else '':<10}{section.lower()}: {settings}")
    trained = f"trained   {summary['epochs']} epochs, status {summary['status']}"
    if summary["converged_epoch"] is not None:
        trained += f", converged at epoch {summary['converged_epoch']} ({format_duration(summary['converged_seconds'])})"
    out.append(trained)
    if summary["trained_with"]:
        changed = ", ".join(f"{key} {value}" for key, value in summary["trained_with"].items())
        out.append(f"          with {changed} (the settings above changed since)")
    if summary["last"]:
        figures = ", ".join(f"{k} {'n/a' if v is None else format(v, '.4g')}" for k, v in summary["last"].items())
        out.append(f"last      {figures}")
    if summary["runs"]:
        out.append(f"runs      {summary['runs']} earlier runs")
    tuning = summary["tuning"]
    if tuning:
        counts = ", ".join(f"{n} {state}" for state, n in tuning["trials"].items() if n)
        best = tuning["best"]
        out.append(f"tuning    {tuning['method']} search, {counts}"
                   + (f"; best trial {best['number']}: {tuning['metric']} {best['score']:.4g}"
                      + (f" ± {best['score_std']:.2g}" if best.get("score_std") is not None else "")
                      + f" ({describe_params(best['params'])})" if best else ""))
    return "\n".join(out)


def run_info(args: argparse.Namespace) -> int:
    from workbench.io.session import read_contents
    from workbench.io.session_summary import session_summary

    summary = session_summary(read_contents(args.file), args.file)
    print(json_text(summary) if args.json else format_summary(summary))
    return 0
