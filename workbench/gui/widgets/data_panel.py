"""The data panel: a built-in set (with thumbnails of the 2-D ones) or the person's file, the size,
noise and extra features of generated sets, the validation and test split, and the seed."""
from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGridLayout,
                               QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from workbench.core.config import MAX_SAMPLES, MAX_SEED, Config
from workbench.core.data import BUILTIN_DATASETS
from workbench.core.datasets_builtin import GeneratedDataset
from workbench.core.extra_features import EXTRA_FEATURES
from workbench.core.seeding import streams
from workbench.gui.widgets.exact_spin_box import ExactSpinBox
from workbench.gui.widgets.tooltips import tooltip
from workbench.gui.widgets.view_base import DIVERGING

THUMBNAIL = 40
FEATURE_THUMBNAIL = 18
EXTRA_FEATURE_LABELS = {"x1^2": "x1²", "x2^2": "x2²", "x1*x2": "x1·x2", "sin(x1)": "sin(x1)",
                        "sin(x2)": "sin(x2)"}
EXTRA_FEATURE_COLUMNS = 3
CLASS_COLORS = (QColor(240, 140, 40), QColor(40, 110, 220))   # Playground's orange and blue


def dataset_thumbnail(name: str, size: int = THUMBNAIL) -> QIcon:
    """A small scatter of a generated 2-D set (coloured by class or by value); empty for tables."""
    spec = BUILTIN_DATASETS[name]
    if not isinstance(spec, GeneratedDataset):
        return QIcon()
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(250, 250, 250))
    data = spec.load(160, 0.0, streams(0).data)
    X = data.X
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    points = (X - lo) / span * (size - 6) + 3
    y = np.asarray(data.y, dtype=np.float64).reshape(len(X), -1)[:, 0]
    shade = (y - y.min()) / (np.ptp(y) or 1.0)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    for (px, py), s in zip(points, shade):
        painter.setBrush(CLASS_COLORS[int(round(s))] if spec.task == "classification"
                         else _blend(CLASS_COLORS[0], CLASS_COLORS[1], float(s)))
        painter.drawEllipse(QPointF(px, size - py), 1.6, 1.6)
    painter.end()
    return QIcon(pixmap)


def feature_thumbnail(name: str, size: int = FEATURE_THUMBNAIL) -> QIcon:
    """An extra feature's value over the plane (x1 and x2 from -6 to 6), red high, blue low, as
    Playground draws its input features: x1^2 a valley, x1*x2 a saddle, sin(x1) stripes."""
    axis = np.linspace(-6.0, 6.0, size)
    x1, x2 = np.meshgrid(axis, axis[::-1])                 # row 0 at the top: x2 grows upwards
    values = EXTRA_FEATURES[name](x1, x2)
    scaled = 0.5 + 0.5 * values / (np.abs(values).max() or 1.0)
    rgba = np.ascontiguousarray(DIVERGING.map(scaled.ravel(), mode="byte").reshape(size, size, 4))
    image = QImage(rgba.data, size, size, 4 * size, QImage.Format.Format_RGBA8888)
    return QIcon(QPixmap.fromImage(image.copy()))          # copied: `rgba` goes away


def _blend(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(*(round(x + (y - x) * t) for x, y in zip(a.getRgb()[:3], b.getRgb()[:3])))


class DataPanel(QWidget):
    """Edits `config.data` and the seed; `import_requested` asks the window to open a file dialog."""

    config_edited = Signal(object, str, str)     # {path: value}, undo text, merge key
    import_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.dataset_box = QComboBox()
        self.dataset_box.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        for name, spec in BUILTIN_DATASETS.items():
            self.dataset_box.addItem(dataset_thumbnail(name), name, name)
            self.dataset_box.setItemData(self.dataset_box.count() - 1,
                                         f"{spec.description}; {spec.task}, {spec.n_features} features",
                                         Qt.ItemDataRole.ToolTipRole)
        self.dataset_box.setToolTip(tooltip("data.dataset"))
        self.dataset_box.setPlaceholderText("your file (below)")      # shown while a file is in use
        self.import_button = QPushButton("Import CSV or .npz…")
        self.import_button.setToolTip("Use your own data: a CSV with a header row, or a NumPy .npz "
                                      "with arrays X and y.")
        self.file_label = QLabel()
        self.file_label.setWordWrap(True)
        self.samples = _spin(QSpinBox(), 10, MAX_SAMPLES)
        self.noise = ExactSpinBox(0.0, 0.5, step=0.05)
        self.val_split = ExactSpinBox(0.0, 0.9, step=0.05)
        self.test_split = ExactSpinBox(0.0, 0.9, step=0.05)
        # a double spin box of whole numbers: a QSpinBox stops at 2**31 - 1, the seed goes to 2**32 - 1
        self.seed = _spin(QDoubleSpinBox(), 0, MAX_SEED)
        self.seed.setDecimals(0)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Data set", self.dataset_box)
        source_row = QHBoxLayout()
        source_row.addWidget(self.import_button)
        source_row.addStretch(1)
        form.addRow("", source_row)
        form.addRow("", self.file_label)
        self._fields = {"data.samples": self.samples, "data.noise": self.noise,
                        "data.val_split": self.val_split, "data.test_split": self.test_split,
                        "training.seed": self.seed}
        labels = {"data.samples": "Samples", "data.noise": "Noise", "data.val_split": "Validation split",
                  "data.test_split": "Test split", "training.seed": "Seed"}
        for path, widget in self._fields.items():
            widget.setToolTip(tooltip(path))
            form.addRow(labels[path], widget)
            form.labelForField(widget).setToolTip(tooltip(path))
            widget.valueChanged.connect(partial(self._on_field_edited, path, labels[path]))
            if path == "data.noise":
                form.addRow("Extra features", self._extra_feature_boxes())
                form.labelForField(self.extra_features).setToolTip(tooltip("data.extra_features"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        self.dataset_box.currentIndexChanged.connect(self._on_dataset_chosen)
        self.import_button.clicked.connect(self.import_requested)

    def _extra_feature_boxes(self) -> QWidget:
        """One check box per extra feature (core/extra_features.py), as Playground's inputs."""
        self.extra_features = QWidget()
        self.extra_feature_boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout(self.extra_features)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, name in enumerate(EXTRA_FEATURES):
            box = QCheckBox(EXTRA_FEATURE_LABELS[name])
            box.setIcon(feature_thumbnail(name))
            box.setToolTip(tooltip("data.extra_features"))
            box.toggled.connect(self._on_extra_features_edited)
            grid.addWidget(box, i // EXTRA_FEATURE_COLUMNS, i % EXTRA_FEATURE_COLUMNS)
            self.extra_feature_boxes[name] = box
        return self.extra_features

    def set_config(self, config: Config, summary: str = "") -> None:
        """Show `config.data` and the seed without emitting edits."""
        data = config.data
        generated = data.path is None and isinstance(BUILTIN_DATASETS.get(data.dataset), GeneratedDataset)
        # a table or file has the samples it has: the field shows "all rows" (its minimum) then
        self.samples.setSpecialValueText("" if generated else "all rows")
        values = {"data.samples": (data.samples or BUILTIN_DATASETS[data.dataset].n_samples) if generated
                  else self.samples.minimum(),
                  "data.noise": data.noise, "data.val_split": data.val_split,
                  "data.test_split": data.test_split, "training.seed": config.training.seed}
        for path, widget in self._fields.items():
            widget.blockSignals(True)
            widget.setValue(values[path])
            widget.blockSignals(False)
        for name, box in self.extra_feature_boxes.items():
            box.blockSignals(True)
            box.setChecked(name in data.extra_features)
            box.blockSignals(False)
        self.samples.setEnabled(generated)
        self.noise.setEnabled(generated)
        self.extra_features.setEnabled(generated)
        self.dataset_box.blockSignals(True)
        self.dataset_box.setCurrentIndex(-1 if data.path else self.dataset_box.findData(data.dataset))
        self.dataset_box.blockSignals(False)
        details = ([f"target: {data.target}"] if data.target else []) + \
            ([f"left out: {', '.join(data.exclude)}"] if data.exclude else [])
        self.file_label.setText(f"Your file: {data.path}" + (f" ({'; '.join(details)})" if details else "")
                                if data.path else "")
        self.file_label.setVisible(bool(data.path))
        self.summary.setText(summary)

    def _on_dataset_chosen(self, index: int) -> None:
        name = self.dataset_box.itemData(index)
        if name is None:
            return
        self.config_edited.emit({"data.dataset": name, "data.path": None, "data.target": None,
                                 "data.task": None, "data.exclude": (), "data.samples": None},
                                f"Choose data set {name}", "")

    def _on_extra_features_edited(self) -> None:
        chosen = tuple(name for name, box in self.extra_feature_boxes.items() if box.isChecked())
        self.config_edited.emit({"data.extra_features": chosen}, "Change extra features", "")

    def _on_field_edited(self, path: str, label: str, value: Any) -> None:
        if path == "training.seed":
            value = int(value)
        self.config_edited.emit({path: value}, f"Change {label.lower()}", path)


def _spin(widget: Any, lo: float, hi: float) -> Any:
    widget.setRange(lo, hi)
    widget.setKeyboardTracking(False)
    return widget
