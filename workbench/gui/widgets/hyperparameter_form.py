"""The hyperparameter form: optimizer, learning rate, schedule, batches, loss, regularisation, precision.

The form is built from a table of `Field`s (config path, label, kind, range), one widget factory per
kind, so every control is made, read, written and tool-tipped the same way. Edits leave as
`config_edited(changes, text, merge_key)`; the session controller validates and applies them.
"""
from __future__ import annotations

import math
from functools import partial
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QPushButton,
                               QScrollArea, QSlider, QSpinBox, QVBoxLayout, QWidget)

from workbench.core.class_weights import CLASS_WEIGHTS
from workbench.core.config import MAX_EPOCHS, MAX_LEARNING_RATE, Config, registry_names
from workbench.gui.widgets.exact_spin_box import ExactSpinBox, ScientificSpinBox
from workbench.gui.widgets.tooltips import tooltip

AUTO = "automatic"          # the loss combo's entry for "by task" (None in the config)


@dataclass(frozen=True)
class Field:
    path: str                       # dotted config path, e.g. "optimizer.lr"
    label: str
    kind: str                       # a key of FACTORIES
    lo: float = 0.0
    hi: float = 1.0
    decimals: int = 4               # float: the first arrow step up from zero is 10**-decimals
    registry: str | None = None     # choice: the registry whose names are offered
    choices: tuple[str, ...] = ()   # choice: fixed names (when no registry)
    relevant: tuple[str, ...] = ()  # enabled only for these optimizer / schedule names


SECTIONS: tuple[tuple[str, tuple[Field, ...]], ...] = (
    ("Optimizer", (
        Field("optimizer.name", "Optimizer", "choice", registry="optimizer"),
        Field("optimizer.lr", "Learning rate", "lr", 1e-6, 10.0),
        Field("optimizer.momentum", "Momentum", "float", 0.0, 0.9999, 4,
              relevant=("momentum", "nesterov", "rmsprop")),
        Field("optimizer.beta1", "Beta 1", "float", 0.0, 0.9999, 4, relevant=("adam", "adamw")),
        Field("optimizer.beta2", "Beta 2", "float", 0.0, 0.999999, 6, relevant=("adam", "adamw")),
        Field("optimizer.rho", "Rho", "float", 0.0, 0.9999, 4, relevant=("rmsprop",)),
        Field("optimizer.eps", "Epsilon", "sci", 1e-12, 1.0,
              relevant=("adagrad", "rmsprop", "adam", "adamw")),
        Field("optimizer.weight_decay", "Weight decay", "float", 0.0, 1.0, 5, relevant=("adamw",)),
    )),
    ("Learning-rate schedule", (
        Field("schedule.name", "Schedule", "choice", registry="schedule"),
        Field("schedule.warmup_epochs", "Warm-up epochs", "int", 0, 1_000_000),
        Field("schedule.step_size", "Step size", "int", 1, 1_000_000, relevant=("step",)),
        Field("schedule.gamma", "Gamma", "float", 1e-6, 1.0, 6, relevant=("step", "exponential")),
        Field("schedule.min_lr", "Minimum lr", "float", 0.0, MAX_LEARNING_RATE, 6, relevant=("cosine",)),
    )),
    ("Training", (
        Field("training.batch_size", "Batch size", "int", 1, 1_000_000),
        Field("training.epochs", "Epochs", "int", 1, MAX_EPOCHS),
        Field("training.loss", "Loss", "choice", registry="loss"),
        Field("training.class_weight", "Class weights", "choice", choices=CLASS_WEIGHTS),
        Field("training.early_stopping", "Early stopping", "int", 0, 1_000_000),
        Field("training.restore_best", "Restore best weights", "bool"),
        Field("training.dtype", "Precision", "choice", choices=("float32", "float64")),
    )),
    ("Regularisation", (
        Field("training.l1", "L1", "float", 0.0, 10.0, 5),
        Field("training.l2", "L2", "float", 0.0, 10.0, 5),
        Field("training.clip_norm", "Gradient clipping", "float", 0.0, 1e6, 2),
    )),
)


class LearningRateControl(QWidget):
    """A log-scale slider for the order of magnitude beside a spin box for the exact value.

    The slider spans the useful rates (`lo` to `hi`); the spin box takes any rate the
    configuration accepts (up to MAX_LEARNING_RATE: a person may watch training diverge), so that
    a rate set elsewhere (a JSON file, a restored run) is shown as it is, the slider at its end."""

    value_changed = Signal(float)
    STEPS_PER_DECADE = 20

    def __init__(self, lo: float, hi: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(round(math.log10(lo) * self.STEPS_PER_DECADE),
                             round(math.log10(hi) * self.STEPS_PER_DECADE))
        self.spin = ScientificSpinBox(lo, MAX_LEARNING_RATE)
        self.spin.setMinimumWidth(self.spin.fontMetrics().horizontalAdvance("0.00001234") + 30)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.spin.valueChanged.connect(self._on_spin_changed)

    def value(self) -> float:
        return float(self.spin.value())

    def setValue(self, value: float) -> None:
        self.spin.setValue(value)
        self.slider.blockSignals(True)
        self.slider.setValue(round(math.log10(value) * self.STEPS_PER_DECADE))
        self.slider.blockSignals(False)

    @Slot(int)
    def _on_slider_moved(self, position: int) -> None:
        value = float(f"{10 ** (position / self.STEPS_PER_DECADE):.3g}")
        self.spin.blockSignals(True)
        self.spin.setValue(value)
        self.spin.blockSignals(False)
        self.value_changed.emit(value)

    @Slot(float)
    def _on_spin_changed(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(round(math.log10(value) * self.STEPS_PER_DECADE))
        self.slider.blockSignals(False)
        self.value_changed.emit(float(value))


class _Control:
    """A widget with uniform get/set/changed, whatever its kind."""

    def __init__(self, widget: QWidget, get: Callable[[], Any], put: Callable[[Any], None],
                 changed: Any):
        self.widget, self.get, self.put, self.changed = widget, get, put, changed


def _choice(field: Field) -> _Control:
    box = QComboBox()
    names = registry_names(field.registry) if field.registry else field.choices
    if field.path == "training.loss":
        box.addItem(AUTO, AUTO)          # None in the config: the task's natural loss
    for name in names:
        box.addItem(name, name)
    return _Control(box, lambda: None if box.currentData() == AUTO else box.currentData(),
                    lambda v: box.setCurrentIndex(box.findData(AUTO if v is None else v)),
                    box.currentIndexChanged)


def _integer(field: Field) -> _Control:
    spin = QSpinBox()
    spin.setRange(int(field.lo), int(field.hi))
    spin.setKeyboardTracking(False)
    return _Control(spin, spin.value, spin.setValue, spin.valueChanged)


def _decimal(field: Field) -> _Control:
    spin = ExactSpinBox(field.lo, field.hi, zero_step=10.0 ** -field.decimals)
    return _Control(spin, lambda: float(spin.value()), spin.setValue, spin.valueChanged)


def _scientific(field: Field) -> _Control:
    spin = ScientificSpinBox(field.lo, field.hi)
    return _Control(spin, lambda: float(spin.value()), spin.setValue, spin.valueChanged)


def _learning_rate(field: Field) -> _Control:
    control = LearningRateControl(field.lo, field.hi)
    return _Control(control, control.value, control.setValue, control.value_changed)


def _flag(field: Field) -> _Control:
    box = QCheckBox()
    return _Control(box, box.isChecked, box.setChecked, box.toggled)


FACTORIES: dict[str, Callable[[Field], _Control]] = {
    "choice": _choice, "int": _integer, "float": _decimal, "sci": _scientific,
    "lr": _learning_rate, "bool": _flag,
}


class HyperparameterForm(QScrollArea):
    """Every training hyperparameter, grouped, each with a tooltip from `tooltips.py`."""

    config_edited = Signal(object, str, str)     # {path: value}, undo text, merge key
    find_lr_requested = Signal()                 # the "Find a learning rate…" button

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget()
        column = QVBoxLayout(body)
        self.controls: dict[str, _Control] = {}
        self._fields: dict[str, Field] = {}
        for title, section in SECTIONS:
            group = QGroupBox(title)
            form = QFormLayout(group)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for field in section:
                control = FACTORIES[field.kind](field)
                control.widget.setToolTip(tooltip(field.path))
                control.widget.setObjectName(field.path)
                control.changed.connect(partial(self._on_control_changed, field.path))
                form.addRow(field.label, control.widget)
                form.labelForField(control.widget).setToolTip(tooltip(field.path))
                self.controls[field.path] = control
                self._fields[field.path] = field
                if field.path == "optimizer.lr":
                    form.addRow("", self._find_lr_button())
            column.addWidget(group)
        column.addStretch(1)
        self.setWidget(body)
        self._training = False

    def _find_lr_button(self) -> QPushButton:
        self.find_lr_button = QPushButton("Find a learning rate…")
        self.find_lr_button.setToolTip(
            "A range test: trains a fresh copy for a few mini-batches at growing rates and suggests "
            "one from where the loss falls fastest (the session is not trained)")
        self.find_lr_button.clicked.connect(self.find_lr_requested)
        return self.find_lr_button

    def control(self, path: str) -> QWidget:
        return self.controls[path].widget

    def set_config(self, config: Config) -> None:
        """Show `config` without emitting edits."""
        for path, control in self.controls.items():
            section, key = path.split(".")
            control.widget.blockSignals(True)
            control.put(getattr(getattr(config, section), key))    # (to_dict leaves defaults out)
            control.widget.blockSignals(False)
        self._update_enabled()

    def set_training(self, training: bool) -> None:
        """While training only the learning rate stays editable (it applies from the next epoch)."""
        self._training = training
        for path, control in self.controls.items():
            control.widget.setEnabled(not training or path == "optimizer.lr")
        self.find_lr_button.setEnabled(not training)
        if not training:
            self._update_enabled()

    def _update_enabled(self) -> None:
        if self._training:
            return
        active = {self.controls["optimizer.name"].get(), self.controls["schedule.name"].get()}
        for path, field in self._fields.items():
            self.controls[path].widget.setEnabled(not field.relevant or bool(active & set(field.relevant)))

    def _on_control_changed(self, path: str, *_value: Any) -> None:
        self._update_enabled()
        label = self._fields[path].label
        self.config_edited.emit({path: self.controls[path].get()}, f"Change {label.lower()}", path)
