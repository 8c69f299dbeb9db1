"""What a saved session holds, as one JSON-ready dict: `workbench info` prints it (as text or
`--json`), and the HTML report (io/report_html.py) lays it out.

Figures come from the file's contents; the test split's are computed from the saved weights
(core/holdout.py), so they match what `train --json` reported when the run ended.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from workbench.core.config_summary import differing_settings, flat_settings
from workbench.core.convergence import convergence_summary
from workbench.core.history import History
from workbench.core.experiment import Experiment
from workbench.core.holdout import evaluate_test_split
from workbench.core.metrics import METRIC_NAMES
from workbench.core.target_summary import class_counts, target_summary
from workbench.io.contents import SessionContents, experiment_from


def session_summary(contents: SessionContents, file: str,
                    experiment: Experiment | None = None) -> dict[str, Any]:
    """Everything `info` shows, as JSON-ready values (`experiment`: the contents restored, when
    the caller has it already; the test figures need it)."""

    d = contents.data
    layers = []
    for name in contents.layer_names:
        weight, bias = contents.params[f"{name}/weight"], contents.params[f"{name}/bias"]
        layers.append({"name": name, "units": int(bias.shape[0]), "activation": contents.activations[name],
                       "weight_shape": list(weight.shape), "bias_shape": list(bias.shape),
                       "parameters": int(weight.size + bias.size)})
    metric = METRIC_NAMES[d.task]
    history = contents.history
    last = {}
    if contents.epochs_trained:
        for column, key in (("train_loss", "train_loss"), ("val_loss", "val_loss"),
                            ("train_metric", f"train_{metric}"), ("val_metric", f"val_{metric}")):
            value = float(history[column][-1])
            last[key] = value if np.isfinite(value) else None
    split_counts = np.bincount(d.split.astype(np.int64), minlength=3)
    if contents.epochs_trained and split_counts[2]:
        last.update(_test_figures(experiment or experiment_from(contents), metric))
    return {
        "file": file,
        "format_version": 1,
        "workbench_version": contents.workbench_version,
        "saved": contents.saved,
        "data": {"source": d.source, "task": d.task, "samples": int(d.X.shape[0]),
                 "train": int(split_counts[0]), "validation": int(split_counts[1]),
                 "test": int(split_counts[2]), "features": len(d.feature_names),
                 "target": d.target_name, "classes": d.class_names,
                 "class_counts": class_counts(d.y, len(d.class_names)) if d.task == "classification" else [],
                 "target_summary": target_summary(d.task, d.y, d.class_names, d.target_name)},
        "layers": layers,
        "parameters": sum(layer["parameters"] for layer in layers),
        "config": contents.config.to_dict(),
        "trained_with": _trained_with(contents),
        "epochs": contents.epochs_trained,
        "status": contents.status,
        **convergence_summary(History.from_arrays(history)),
        "last": last,
        "runs": len(contents.runs),
        "tuning_trials": len(contents.tuning["trials"]) if contents.tuning else 0,
        "tuning": _tuning_summary(contents.tuning),
    }


def _test_figures(experiment: Experiment, metric: str) -> dict[str, float | None]:
    """The saved weights on the test rows (train --json's test_... keys)."""
    score = evaluate_test_split(experiment)
    return {key: value if np.isfinite(value) else None
            for key, value in (("test_loss", score.loss), (f"test_{metric}", score.metric))}


def _trained_with(contents: Any) -> dict[str, str]:
    """The settings the current run trained with where `config` has changed since (an edit after
    training, for the next epochs or the next run); empty when it trained with `config`."""

    trained = contents.trained_config
    if trained is None:
        return {}
    flat = flat_settings(trained)
    return {key: flat.get(key, "") for key in differing_settings([trained, contents.config])}


def _tuning_summary(record: dict[str, Any] | None) -> dict[str, Any] | None:
    """The search's method, trials by state and best trial, for `info`."""
    if not record:
        return None
    from workbench.core.tuning import best_trial, trial_counts     # optuna: loaded only for a search

    best, settings = best_trial(record), record.get("settings", {})
    return {"method": settings.get("method"), "metric": settings.get("metric", "score"),
            "trials": trial_counts(record),
            "best": None if best is None else {key: best.get(key) for key in ("number", "score", "score_std", "params")}}
