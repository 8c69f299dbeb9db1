"""The hyperparameters of a `Config` as (section, setting, value) text, for people to read.

The app's "Parameters vs hyperparameters" view and `workbench info` show the same rows: only the
settings that apply (an optimizer's own knobs, a schedule's own knobs, a generated set's size).
"""
from __future__ import annotations

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
                ("loss", t.loss or "task default"), ("L1", f"{t.l1:g}"), ("L2", f"{t.l2:g}"),
                ("gradient clipping", f"{t.clip_norm:g}" if t.clip_norm else "off"),
                ("early stopping", f"{t.early_stopping} epochs" if t.early_stopping else "off"),
                ("seed", str(t.seed)), ("dtype", t.dtype)]
    return [("Data", data), ("Architecture", layers), ("Optimizer", optimizer), ("Schedule", schedule),
            ("Training", training)]
