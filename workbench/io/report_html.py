"""A session as one self-contained HTML page, to share or hand in: the hyperparameters (what was
set), the parameters (what training learned, layer by layer), the outcome with the test figures,
the loss and metric curves, the validation confusion matrix or predicted-against-actual plot, the
features the model relies on (permutation importance), each layer's gradient over the run, the
earlier runs and the search. Charts are inline SVG; the page has no script and loads nothing, and
every text from the session (a column name, a class label) is escaped.

`workbench report FILE.h5` and the app's File → Export report write the same page (the app's with
the decision boundary's feature pair its view shows; the command's, the first two).
"""
from __future__ import annotations

import os
from html import escape
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from workbench.core.config_summary import differing_settings, flat_settings, hyperparameter_rows
from workbench.core.experiment import Experiment
from workbench.core.gradient_flow import gradient_flow
from workbench.core.gradient_flow import rows_evaluated as gradient_flow_rows
from workbench.core.importance import SPLITS, feature_groups, permutation_importance
from workbench.core.importance import rows_evaluated as importance_rows
from workbench.core.inspection import decision_boundary
from workbench.core.durations import format_duration
from workbench.core.metrics import (METRIC_LABELS, METRIC_NAMES, class_scores, confusion_matrix,
                                    roc_auc, roc_curve)
from workbench.io.atomic import replacing
from workbench.io.contents import SessionContents, experiment_from
from workbench.io.session_summary import session_summary
from workbench.io.svg_boundary import CATEGORY_COLORS, svg_boundary
from workbench.io.svg_chart import Series, svg_chart

TRAIN_COLOR, VAL_COLOR = "#1f77b4", "#ff7f0e"
MAX_SCATTER = 500
IMPORTANCE_ROWS = 20        # features in the importance table, the most important first
FLOW_LINES = 5              # gradient-flow lines; a deeper network shows its first and last layers
# Multiply-adds a computed section may cost (about 2-5 s on a laptop core): a larger network's
# importance or gradient flow is left to its command, so a report never holds the window for minutes
REPORT_WORK = 4e10
IMPORTANCE_MAX_FEATURES = 100   # wider data is left to `workbench importance` (it takes a while)
BAR_EM = 12                 # width of the longest importance bar
STYLE = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}"
         "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 8px;"
         "text-align:left}td.n{text-align:right}h2{margin-top:1.6em;border-bottom:1px solid #ddd}"
         ".note{color:#555;font-size:90%}")


def report_html(contents: SessionContents, name: str, plane: tuple[int, int] = (0, 1)) -> str:
    """The whole page for the session `contents`, titled by `name` (its file name); `plane`, the
    two features of the decision boundary (the app passes the pair its view shows)."""
    experiment = experiment_from(contents)                   # built once: test figures, boundary, evaluation
    summary = session_summary(contents, name, experiment)
    metric = METRIC_NAMES[contents.data.task]
    body = [f"<h1>Workbench report: {escape(name)}</h1>",
            f"<p class='note'>Workbench {escape(str(summary['workbench_version']))}, "
            f"saved {escape(str(summary['saved'] or 'not yet'))}.</p>",
            _data_section(summary["data"]), _hyperparameter_section(contents),
            _parameter_section(contents, summary), _outcome_section(summary, metric),
            _curves_section(contents, metric), _boundary_section(experiment, plane),
            _evaluation_section(experiment), _importance_section(experiment),
            _gradient_flow_section(experiment), _runs_section(contents, metric),
            _tuning_section(summary["tuning"])]
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>Workbench report: {escape(name)}</title><style>{STYLE}</style></head><body>"
            + "".join(body) + "</body></html>\n")


def write_report_html(contents: SessionContents, path: str | os.PathLike, name: str,
                      plane: tuple[int, int] = (0, 1)) -> None:
    with replacing(path) as tmp:
        Path(tmp).write_text(report_html(contents, name, plane), encoding="utf-8")


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _cell(value: Any) -> str:
    numeric = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if value is None or numeric:
        return f"<td class='n'>{_number(value)}</td>"
    return f"<td>{escape(str(value))}</td>"


def _number(value: Any) -> str:
    if value is None or (isinstance(value, (float, np.floating)) and not np.isfinite(value)):
        return "n/a"
    return f"{value:,}" if isinstance(value, (int, np.integer)) else f"{value:.4g}"


def _data_section(d: dict[str, Any]) -> str:
    classes = f", classes {', '.join(d['classes'])}" if d["classes"] else ""
    target = f", target {d['target']}" if d["target"] else ""
    return ("<h2>Data</h2><p>" + escape(
        f"{d['source']}: {d['task']}, {d['samples']:,} samples ({d['train']:,} training, "
        f"{d['validation']:,} validation, {d['test']:,} test), {d['features']} features{classes}{target}")
        + f"</p><p>{escape(d['target_summary'])}</p>")


def _hyperparameter_section(contents: SessionContents) -> str:
    rows = [(section if index == 0 else "", setting, value)      # each section named once
            for section, settings in hyperparameter_rows(contents.config)
            for index, (setting, value) in enumerate(settings)]
    return ("<h2>Hyperparameters: what was set before training</h2>"
            + _table(("section", "setting", "value"), rows))


def _parameter_section(contents: SessionContents, summary: dict[str, Any]) -> str:
    rows = []
    for layer in summary["layers"]:
        weight = contents.params[f"{layer['name']}/weight"].astype(np.float64)
        bias = contents.params[f"{layer['name']}/bias"].astype(np.float64)
        rows.append((layer["name"], layer["activation"], " × ".join(map(str, layer["weight_shape"])),
                     layer["parameters"], float(weight.mean()), float(weight.std()),
                     float(np.linalg.norm(weight)), float(np.linalg.norm(bias))))
    return ("<h2>Parameters: what training learned</h2>"
            + _table(("layer", "activation", "weight shape", "parameters", "weight mean", "weight std",
                      "weight norm", "bias norm"), rows)
            + f"<p>{summary['parameters']:,} parameters in all.</p>")


def _outcome_section(summary: dict[str, Any], metric: str) -> str:
    text = f"{summary['epochs']} epochs, status {summary['status']}"
    if summary["converged_epoch"] is not None:
        text += (f"; converged at epoch {summary['converged_epoch']} "
                 f"({format_duration(summary['converged_seconds'])})")
    last = summary["last"]
    rows = [(split, last.get(f"{key}_loss"), last.get(f"{key}_{metric}"))
            for split, key in (("training", "train"), ("validation", "val"), ("test", "test"))
            if f"{key}_loss" in last]
    figures = _table(("split", "loss", METRIC_LABELS[metric]), rows) if rows else ""
    note = ("<p class='note'>The test rows took no part in training or in any choice: their "
            "figures estimate how the model does on new data.</p>") if "test_loss" in last else ""
    return f"<h2>Outcome</h2><p>{escape(text)}.</p>{figures}{note}"


def _curves_section(contents: SessionContents, metric: str) -> str:
    history = contents.history
    if not history["epoch"].shape[0]:
        why = ("The run diverged before its first epoch ended." if contents.status == "diverged"
               else "Not trained yet.")
        return f"<h2>Curves</h2><p><i>{why}</i></p>"
    epoch = history["epoch"]
    charts = [svg_chart([Series("training", TRAIN_COLOR, epoch, history[f"train_{column}"]),
                         Series("validation", VAL_COLOR, epoch, history[f"val_{column}"])],
                        title, "epoch", label)
              for column, title, label in (("loss", "Loss", "loss"),
                                           ("metric", METRIC_LABELS[metric].capitalize(),
                                            METRIC_LABELS[metric]))]
    return "<h2>Curves</h2>" + "".join(f"<div>{chart}</div>" for chart in charts)


def _boundary_section(experiment: Experiment, plane: tuple[int, int]) -> str:
    """The model's output over the `plane` features (with more, a slice at the others' mean)."""
    boundary = decision_boundary(experiment, plane)
    if boundary is None or not experiment.epochs_trained:
        return ""
    title = "Decision boundary" if experiment.task == "classification" else "Prediction surface"
    note = (f"<p class='note'>A slice: the other {boundary.held} features at their training mean; each "
            "sample is drawn at its own two values.</p>") if boundary.held else ""
    dataset = experiment.data.dataset
    return (f"<h2>{title}</h2>{note}<div>"
            + svg_boundary(boundary, dataset.feature_names, max(len(dataset.class_names), 2)) + "</div>")


def _evaluation_section(experiment: Experiment) -> str:
    """The validation rows through the saved weights: the confusion matrix, or predicted against actual."""
    if not experiment.epochs_trained:
        return ""
    data = experiment.data
    if not data.X_val.shape[0]:
        return ""
    out = experiment.network.predict(data.X_val)
    names = data.dataset.class_names
    if experiment.task == "classification":
        counts = confusion_matrix(data.y_val, out.argmax(axis=1), len(names))
        rows = [[actual] + [int(n) for n in row] for actual, row in zip(names, counts)]
        scores = class_scores(counts)
        per_class = [(name, *(float(scores[key][k]) for key in ("precision", "recall", "f1")),
                      int(scores["support"][k])) for k, name in enumerate(names)]
        return ("<h2>Validation: confusion matrix</h2><p class='note'>rows: actual class, "
                "columns: predicted</p>" + _table(["actual \\ predicted", *names], rows)
                + _table(("class", "precision", "recall", "F1", "rows"), per_class)
                + _roc_chart(data.y_val, out, names))
    actual = np.asarray(data.y_val, dtype=np.float64).reshape(len(out), -1)[:, 0]
    rows = np.linspace(0, len(actual) - 1, min(len(actual), MAX_SCATTER)).astype(np.intp)
    chart = svg_chart([Series("validation rows", VAL_COLOR, actual[rows], out[rows, 0], points=True)],
                      "Predicted against actual", "actual", "predicted", diagonal=True)
    return f"<h2>Validation: predicted against actual</h2><div>{chart}</div>"


def _importance_section(experiment: Experiment) -> str:
    """The features whose shuffling costs the score most, with a bar each (trained sessions with
    at most IMPORTANCE_MAX_FEATURES features; wider ones get a pointer to the command)."""
    if not experiment.epochs_trained:
        return ""
    heading = "<h2>Feature importance: what the model relies on</h2>"
    groups = len(feature_groups(experiment.data.dataset.feature_names))
    if groups > IMPORTANCE_MAX_FEATURES:
        return (f"{heading}<p class='note'>Not computed for {groups} features here; "
                "<code>workbench importance FILE.h5</code> computes it.</p>")
    if _too_costly(experiment, importance_rows(experiment)):
        return (f"{heading}<p class='note'>Not computed for a network this large here (it would take a "
                "while); <code>workbench importance FILE.h5</code> computes it.</p>")
    result = permutation_importance(experiment)
    label = f"{SPLITS[result.split]} {METRIC_LABELS[result.metric_name]}"
    order = result.ranked()[:IMPORTANCE_ROWS]
    top = max(float(result.mean[order[0]]), 0.0)
    rows = []
    for i in order:
        mean, std = float(result.mean[i]), float(result.std[i])
        width = BAR_EM * mean / top if top > 0 and mean > 0 else 0.0
        bar = (f"<span style='display:inline-block;height:.8em;width:{width:.2f}em;"
               f"background:{TRAIN_COLOR}'></span>")
        rows.append(f"<tr><td>{escape(result.names[i])}</td><td class='n'>{mean:.4f}</td>"
                    f"<td class='n'>{std:.4f}</td><td>{bar}</td></tr>")
    more = (f" The {len(order)} most important of {len(result.names)} are listed."
            if len(result.names) > len(order) else "")
    return (f"{heading}<p class='note'>The fall in {escape(label)} when one feature's values are "
            f"shuffled among the {result.samples:,} rows ({result.repeats} shuffles each; {escape(label)} "
            f"with nothing shuffled: {result.baseline:.4f}). Near zero: the model does without it; "
            f"features that carry the same information share the credit.{more}</p>"
            f"<table><tr><th>feature</th><th>fall</th><th>± std</th><th></th></tr>{''.join(rows)}</table>")


def _gradient_flow_section(experiment: Experiment) -> str:
    """Each layer's gradient over the snapshots (log10), and what it says; for a network with
    hidden layers and more than one snapshot. A deep one shows its first, last hidden and output
    layers, between which any vanishing shows."""
    if len(experiment.config.layers) == 0 or len(experiment.snapshots) < 2:
        return ""
    if _too_costly(experiment, gradient_flow_rows(experiment)):
        return ("<h2>Gradient flow</h2><p class='note'>Not computed for a network this large here (it "
                "would take a while); <code>workbench gradient-flow FILE.h5</code> computes it.</p>")
    flow = gradient_flow(experiment)
    count = len(flow.layers)
    shown = range(count) if count <= FLOW_LINES else (0, count - 2, count - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(flow.rms)
    series = [Series(flow.layers[k] + (" (output)" if k == count - 1 else ""),
                     CATEGORY_COLORS[i % len(CATEGORY_COLORS)], flow.epochs, logs[:, k])
              for i, k in enumerate(shown)]
    chart = svg_chart(series, "Gradient RMS per layer", "epoch", "log10 of the gradient RMS")
    return (f"<h2>Gradient flow</h2><p class='note'>The root mean square of each layer's weight gradient "
            f"(the training loss on up to 2,000 training rows) at each of the {flow.epochs.size} replay "
            f"snapshots.</p><div>{chart}</div><p>{escape(flow.advice())}</p>")


def _too_costly(experiment: Experiment, rows: int) -> bool:
    """Whether putting `rows` rows through the network would take the report more than a few
    seconds (it is written before a window may close or open another session)."""
    return rows * experiment.network.weight_count() > REPORT_WORK


def _roc_chart(y: np.ndarray, out: np.ndarray, names: Sequence[str]) -> str:
    """Two classes: the ROC curve of the probability of the second, with its area."""
    if out.shape[1] != 2:
        return ""
    fpr, tpr = roc_curve(y, out[:, 1])
    if not fpr.size:
        return ""
    chart = svg_chart([Series(f"{names[1]} as positive", TRAIN_COLOR, fpr, tpr)],
                      f"ROC curve, AUC {roc_auc(fpr, tpr):.3f}", "false positive rate", "true positive rate",
                      diagonal=True)
    return f"<div>{chart}</div>"


def _runs_section(contents: SessionContents, metric: str) -> str:
    """Every run of the session, the current one last: the settings that differ between them, the
    outcome of each, and their validation losses on one chart."""
    if not contents.runs:
        return ""
    runs = [(str(number), run.config, run.status, run.history)
            for number, run in enumerate(contents.runs, start=1)]
    runs.append(("current", contents.trained_config or contents.config, contents.status, contents.history))
    differing = differing_settings([config for _, config, _, _ in runs])
    rows = []
    for name, config, status, history in runs:
        trained = history["epoch"].shape[0]
        finite = history["val_loss"][np.isfinite(history["val_loss"])]
        flat = flat_settings(config)
        rows.append((name, status, trained, float(finite.min()) if finite.size else None,
                     float(history["val_metric"][-1]) if trained else None,
                     *(flat.get(key, "") for key in differing)))
    chart = svg_chart([Series(f"run {name}" if name != "current" else name,
                              CATEGORY_COLORS[index % len(CATEGORY_COLORS)], history["epoch"],
                              history["val_loss"])
                       for index, (name, _, _, history) in enumerate(runs)],
                      "Validation loss of every run", "epoch", "validation loss")
    return ("<h2>Runs of this session</h2>"
            + _table(("run", "status", "epochs", "best val loss", f"last val {METRIC_LABELS[metric]}",
                      *differing), rows)
            + f"<div>{chart}</div>")


def _tuning_section(tuning: dict[str, Any] | None) -> str:
    if not tuning:
        return ""
    counts = ", ".join(f"{n} {state}" for state, n in tuning["trials"].items() if n)
    best = tuning["best"]
    text = f"{tuning['method']} search: {counts}"
    if best:
        text += f"; best trial {best['number']}, {tuning['metric']} {best['score']:.4g}"
    return f"<h2>Hyperparameter search</h2><p>{escape(text)}.</p>"
