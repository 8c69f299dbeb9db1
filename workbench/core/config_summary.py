"""The hyperparameters of a `Config` as (section, setting, value) text, for people to read.

The app's "Parameters vs hyperparameters" view and `workbench info` show the same rows: only the
settings that apply (an optimizer's own knobs, a schedule's own knobs, a generated set's size).
`flat_settings` and `differing_settings` compare configs (the runs table, what a run trained with).
"""
from __future__ import annotations

from typing import Sequence

from workbench.core.config import Config
from workbench.core.datasets_builtin import BUILTIN_DATASETS, GeneratedDataset

# The optimizer and schedule knobs each choice reads (the rest of their section does not apply).
OPTIMIZER_KNOBS = {"sgd": (), "momentum": ("momentum",), "nesterov": ("momentum",), "adagrad": ("eps",),
                   "rmsprop": ("rho", "momentum", "eps"), "adam": ("beta1", "beta2", "eps"),
                   "adamw": ("beta1", "beta2", "eps", "weight_decay")}
SCHEDULE_KNOBS = {"constant": (), "step": ("step_size", "gamma"), "exponential": ("gamma",),
                  "cosine": ("min_lr",)}


def hyperparameter_rows(config: Config) -> list[tuple[str, list[tuple[str, str]]]]:
    """(section, [(setting, value), ...]) for the settings that apply to this config."""
    d, o, s, t = config.data, config.optimizer, config.schedule, config.training
    data = [("data set", d.path or d.dataset)]
    if d.path and not d.path.lower().endswith(".npz"):      # an archive's target is always y
        data += [("target column", d.target or "the last")]
        data += [("columns left out", ", ".join(d.exclude))] if d.exclude else []
    generator = None if d.path else BUILTIN_DATASETS.get(d.dataset)
    if isinstance(generator, GeneratedDataset):          # tables and files have no such knobs
        data += [("samples", str(d.samples or generator.n_samples)), ("noise", f"{d.noise:g}")]
        data += [("extra features", ", ".join(d.extra_features))] if d.extra_features else []
    data += [("validation split", f"{d.val_split:g}"), ("test split", f"{d.test_split:g}")]
    layers = [(f"hidden {i}", f"{layer.units} {layer.activation}, {layer.init} init"
               + (f", dropout {layer.dropout:g}" if layer.dropout else ""))
              for i, layer in enumerate(config.layers)]
    layers.append(("output", "follows the task"))
    optimizer = [("optimizer", o.name), ("learning rate", f"{o.lr:g}")]
    optimizer += [(knob, f"{getattr(o, knob):g}") for knob in OPTIMIZER_KNOBS.get(o.name, ())]
    schedule = [("schedule", s.name)]
    schedule += [(knob, f"{getattr(s, knob):g}") for knob in SCHEDULE_KNOBS.get(s.name, ())]
    schedule += [("warm-up epochs", str(s.warmup_epochs))] if s.warmup_epochs else []
    training = [("epochs", str(t.epochs)), ("batch size", str(t.batch_size)),
                ("loss", t.loss or "task default")]
    training += [("class weights", t.class_weight)] if t.class_weight != "none" else []
    training += [("L1", f"{t.l1:g}"), ("L2", f"{t.l2:g}"),
                 ("gradient clipping", f"{t.clip_norm:g}" if t.clip_norm else "off"),
                 ("early stopping", f"{t.early_stopping} epochs" if t.early_stopping else "off"),
                 ("seed", str(t.seed)), ("dtype", t.dtype)]
    return [("Data", data), ("Architecture", layers), ("Optimizer", optimizer), ("Schedule", schedule),
            ("Training", training)]


def flat_settings(config: Config) -> dict[str, str]:
    """Every hyperparameter as 'section.key' -> text; the layers as one readable value. A setting
    the JSON leaves out at its default (`data.exclude`) is missing: read with `.get(key, "")`."""
    data = config.to_dict()
    out = {"layers": ", ".join(f"{l['units']} {l['activation']}" + (f" drop {l['dropout']:g}" if l["dropout"] else "")
                               for l in data.pop("layers")) or "none"}
    for section, values in data.items():
        for key, value in values.items():
            out[f"{section}.{key}"] = ("" if value is None else f"{value:g}" if isinstance(value, float)
                                       else ", ".join(map(str, value)) if isinstance(value, list) else str(value))
    return out


def differing_settings(configs: Sequence[Config]) -> list[str]:
    """The settings whose values are not the same in all `configs`, in a stable order."""
    flats = [flat_settings(c) for c in configs]
    keys = dict.fromkeys(key for flat in flats for key in flat)
    return [key for key in keys if len({flat.get(key, "") for flat in flats}) > 1]
