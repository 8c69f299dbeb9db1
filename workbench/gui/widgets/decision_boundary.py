"""The model's output over the plane of two raw input features, under the training and validation points.

Two classes: the probability of class 1 on a diverging colour map (white is the 0.5 boundary).
More classes: each cell takes its winning class's colour, paler where the model is unsure.
Regression: the predicted value. Axes are in the features' raw units, as the person knows them.
With more than two features, two boxes pick the pair on the axes (`plane_changed`); the surface is
then a slice with every other feature at its training mean, as the line under the boxes says.
Hovering the surface reads the model's output at the nearest grid point.

The surface is drawn in its colours blended towards the background (pale on a light palette, deep on
a dark one) and the points in the full colours with an outline in the text colour, so a point stays
visible on the region of its own class. The legend sits in a band above the data, not over it.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QSizePolicy, QStackedLayout, QVBoxLayout,
                               QWidget)

from workbench.core.inspection import Boundary
from workbench.gui.widgets.plot_legends import BandLegend
from workbench.gui.widgets.view_base import (
    CATEGORY_COLORS, DIVERGING, InspectionView, base_color, faded, follow_hover, label_axis, set_title,
    style_canvas, style_plot, text_color)

BINARY_COLORS = ("#2166ac", "#b2182b")   # the two ends of DIVERGING: class 0 blue, class 1 red
SURFACE_STRENGTH = 0.5                   # the surface keeps this much of its colour, the rest is background
CLASS_STRENGTH = (0.12, 0.5)             # several classes: from unsure to certain
OUTLINE_ALPHA = 220                      # point outlines: the text colour, nearly opaque
MANY_POINTS = 600                        # above this many samples, points are drawn smaller
POINT_SIZES = {"training": (7, 5), "validation": (10, 7)}   # (few, many) pixels
NEEDS_TWO = ("The decision boundary needs at least 2 features; this data set has {n}.")
COLOR_BAR_LABELS = {"probability": "P(class 1)", "value": "prediction"}


class DecisionBoundaryView(InspectionView):
    """Heatmap of the model's output (ImageItem) with training (circles) and validation (triangles) points."""

    plane_changed = Signal(object)      # (x feature, y feature): the person picked another pair

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        self._shown_points: tuple[np.ndarray, ...] = ()
        self._rect = QRectF()
        self._feature_names: tuple[str, ...] = ()
        self._plane = (0, 1)                  # the pair the boxes show
        self._drawn = None                    # the inspection on screen (the newest may wait to be drawn)

        self.plot_widget = pg.PlotWidget()
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setAspectLocked(False)
        self.legend = BandLegend(self.plot, columns=2)
        self.image = pg.ImageItem(axisOrder="row-major")           # scalar output, on the colour bar's map
        self.class_image = pg.ImageItem(axisOrder="row-major")     # RGBA: winning class per cell
        self.plot.addItem(self.image)
        self.plot.addItem(self.class_image)
        self.color_bar = pg.ColorBarItem(values=(0, 1), colorMap=surface_map(self), interactive=False, width=16,
                                         label=COLOR_BAR_LABELS["probability"], colorMapMenu=False)
        self.color_bar.setImageItem(self.image, insert_in=self.plot)
        self.train_points = pg.ScatterPlotItem(symbol="o", size=POINT_SIZES["training"][0],
                                               brush=pg.mkBrush("#999999"), name="training")
        self.val_points = pg.ScatterPlotItem(symbol="t1", size=POINT_SIZES["validation"][0],
                                             brush=pg.mkBrush("#999999"), name="validation")
        for item in (self.train_points, self.val_points):
            self.plot.addItem(item)
        follow_hover(self.plot, self.plot_widget, self.hover_text)

        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self._plane_bar())
        column.addWidget(self.plot_widget, 1)
        self._stack = QStackedLayout(self)
        self._stack.addWidget(page)
        self._stack.addWidget(self.note)
        self._apply_palette()

    def _plane_bar(self) -> QWidget:
        """x and y boxes over the plot, with what the slice holds fixed; shown for 3 features or more."""
        self.x_box, self.y_box = QComboBox(), QComboBox()
        for box in (self.x_box, self.y_box):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(6)
            box.setToolTip("The feature on this axis; the others are held at their training mean")
            box.currentIndexChanged.connect(self._on_axis_chosen)
        self.held_label = QLabel()            # never widens the dock: clipped when narrow, whole in its tooltip
        self.held_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.plane_bar = QWidget()
        row = QHBoxLayout(self.plane_bar)
        row.setContentsMargins(6, 2, 6, 0)
        for widget in (QLabel("x"), self.x_box, QLabel("y"), self.y_box):
            row.addWidget(widget)
        row.addWidget(self.held_label, 1)
        self.plane_bar.setVisible(False)
        return self.plane_bar

    # --- public API -------------------------------------------------------------------------------
    def shows_boundary(self) -> bool:
        return self._stack.currentWidget() is not self.note

    def plane(self) -> tuple[int, int]:
        """The pair of features the boxes show (x, y)."""
        return self.x_box.currentIndex(), self.y_box.currentIndex()

    @Slot(int)
    def _on_axis_chosen(self, _index: int) -> None:
        """The person picked a feature; picking the other axis' feature swaps the two."""
        x, y = self.plane()
        if x == y:
            before_x, before_y = self._plane
            other, value = (self.y_box, before_x) if self.sender() is self.x_box else (self.x_box, before_y)
            other.blockSignals(True)
            other.setCurrentIndex(value)
            other.blockSignals(False)
        self._plane = self.plane()
        self.plane_changed.emit(self._plane)

    def _show_plane(self, names: tuple[str, ...], boundary: Boundary) -> None:
        """Boxes and the note for a slice (hidden for two-feature data), without emitting a change.
        The boxes keep the person's pick (an inspection begun before it may still arrive); other
        data (other feature names) shows its own pair."""
        self.plane_bar.setVisible(boundary.held > 0)
        if not boundary.held:
            return
        if names != self._feature_names:
            self._feature_names = names
            for box, index in ((self.x_box, boundary.features[0]), (self.y_box, boundary.features[1])):
                box.blockSignals(True)
                box.clear()
                box.addItems(list(names))
                box.setCurrentIndex(index)
                box.blockSignals(False)
            self._plane = boundary.features
        others = "feature" if boundary.held == 1 else f"{boundary.held} features"
        self.held_label.setText(f"{boundary.held} other{'s' if boundary.held > 1 else ''} at their mean")
        self.held_label.setToolTip(f"A slice: the surface is the model's output with the other {others} "
                                   "held at their training mean; each point is drawn at its own two "
                                   "values, so it may sit on another class's region")

    def export_target(self):
        return self.plot

    def hover_text(self, x: float, y: float) -> str | None:
        """The drawn output at the grid point nearest (x, y), in the plot's (raw feature) units;
        None off the surface."""
        inspection = self._drawn
        boundary = None if inspection is None else inspection.boundary
        if boundary is None:
            return None
        xs, ys = boundary.xs, boundary.ys
        i = int(round((x - xs[0]) / (xs[-1] - xs[0]) * (xs.size - 1))) if xs[-1] > xs[0] else 0
        j = int(round((y - ys[0]) / (ys[-1] - ys[0]) * (ys.size - 1))) if ys[-1] > ys[0] else 0
        if not (0 <= i < xs.size and 0 <= j < ys.size):
            return None
        names, classes = inspection.feature_names, inspection.class_names
        value = float(boundary.values[j, i])
        if boundary.kind == "probability":
            output = f"P({classes[1]}) {value:.2f}"
        elif boundary.kind == "class":
            output = f"{classes[int(value)]} (probability {float(boundary.confidence[j, i]):.2f})"
        else:
            output = f"predicted {inspection.target_name} {value:.4g}"
        held = "; other features at their training mean" if boundary.held else ""
        return (f"{names[boundary.features[0]]} {xs[i]:.3g}, {names[boundary.features[1]]} {ys[j]:.3g}"
                f"{held}: {output}")

    # --- drawing -------------------------------------------------------------------------------------
    def _redraw(self) -> None:
        inspection = self._drawn = self._inspection
        if inspection is None or inspection.boundary is None:
            self.image.clear()
            self.class_image.clear()
            self._rect = QRectF()
            self._set_points(None)
            if inspection is not None:
                self.note.setText(NEEDS_TWO.format(n=len(inspection.feature_names)))
                self._stack.setCurrentWidget(self.note)
            return
        self._stack.setCurrentIndex(0)
        boundary = inspection.boundary
        self._show_plane(inspection.feature_names, boundary)
        self._draw_image(boundary, max(len(inspection.class_names), 2))
        self._set_points(boundary, inspection.task)
        x_name, y_name = (inspection.feature_names[f] for f in boundary.features)
        if (self.plot.getAxis("bottom").labelText, self.plot.getAxis("left").labelText) != (x_name, y_name):
            label_axis(self.plot, "bottom", x_name, self)
            label_axis(self.plot, "left", y_name, self)
        title = "Decision boundary" if inspection.task == "classification" else "Prediction surface"
        set_title(self.plot, self, f"{title}, epoch {inspection.epoch}")

    def _draw_image(self, boundary: Boundary, n_classes: int) -> None:
        xs, ys = boundary.xs, boundary.ys
        dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
        dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
        if boundary.kind == "class":
            self.image.clear()
            self.class_image.setImage(_class_image(boundary, n_classes, base_color(self)), autoLevels=False,
                                      levels=(0, 255))
            self.color_bar.setVisible(False)
        else:
            values = np.where(np.isfinite(boundary.values), boundary.values, np.nan)
            levels = boundary.value_range()
            self.class_image.clear()
            self.image.setImage(values, autoLevels=False)
            if tuple(self.color_bar.levels()) != levels:   # setting them re-renders the bar's axis
                self.color_bar.setLevels(levels)
            self.color_bar.setVisible(True)
            if self.color_bar.getAxis("left").labelText != COLOR_BAR_LABELS[boundary.kind]:
                label_axis(self.color_bar, "left", COLOR_BAR_LABELS[boundary.kind], self)
        rect = QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys))
        if rect != self._rect:  # frame the data once; later updates keep the person's zoom
            self._rect = rect
            self.image.setRect(rect)
            self.class_image.setRect(rect)
            self.plot.setRange(rect, padding=0)

    def _set_points(self, boundary: Boundary | None, task: str = "classification") -> None:
        """Scatter the samples; skipped when they are the ones already drawn (they rarely change)."""
        if boundary is None:
            self._shown_points = ()
            self.train_points.clear()
            self.val_points.clear()
            return
        key = (boundary.train_points, boundary.val_points, boundary.train_targets, boundary.val_targets)
        if len(self._shown_points) == 4 and all(map(np.array_equal, key, self._shown_points)):
            return
        self._shown_points = key
        many = len(boundary.train_points) + len(boundary.val_points) > MANY_POINTS
        for item, points, targets in ((self.train_points, boundary.train_points, boundary.train_targets),
                                      (self.val_points, boundary.val_points, boundary.val_targets)):
            size = POINT_SIZES[item.name()][1 if many else 0]
            item.setData(pos=points, brush=_point_brushes(targets, task, boundary), size=size,
                         pen=self._outline(many))

    def _outline(self, many: bool = False):
        """Points' outline: the text colour (dark on light, light on dark), thinner when there are many."""
        return pg.mkPen(faded(text_color(self), OUTLINE_ALPHA if not many else OUTLINE_ALPHA - 60),
                        width=1.0 if not many else 0.8)

    def _apply_palette(self) -> None:
        style_canvas(self.plot_widget, self)
        style_plot(self.plot, self, self.plot.titleLabel.text or "Decision boundary")
        style_plot(self.color_bar, self)
        self.legend.unbox()
        many = len(self._shown_points) == 4 and len(self._shown_points[0]) + len(self._shown_points[1]) > MANY_POINTS
        for item in (self.train_points, self.val_points):
            item.setPen(self._outline(many))
        self.color_bar.setColorMap(surface_map(self))
        if self._inspection is not None:        # the class image is blended towards the old background
            self._mark_dirty()
        self.legend.place()          # the colour bar's restyle may have moved the data area


def surface_map(widget: QWidget) -> pg.ColorMap:
    """DIVERGING blended towards the widget's background: the middle is the background itself."""
    base = np.array(base_color(widget).getRgb()[:3], dtype=np.float64)
    stops = [np.array(c, dtype=np.float64) for c in ((33, 102, 172), (247, 247, 247), (178, 24, 43))]
    colors = [base + (stops[0] - base) * SURFACE_STRENGTH, base, base + (stops[2] - base) * SURFACE_STRENGTH]
    return pg.ColorMap([0.0, 0.5, 1.0], [tuple(int(round(v)) for v in c) for c in colors])


def _class_image(boundary: Boundary, n_classes: int, background: QColor) -> np.ndarray:
    """RGBA cells: the winning class's colour blended towards the background, more where the model is unsure."""
    palette = np.array([QColor(c).getRgb()[:3] for c in CATEGORY_COLORS], dtype=np.float64)
    rgb = palette[boundary.values.astype(np.intp) % len(palette)]
    # confidence runs from 1/n_classes (a guess) to 1 (certain)
    sure = np.clip((boundary.confidence - 1 / n_classes) / (1 - 1 / n_classes), 0, 1)[..., None]
    base = np.array(background.getRgb()[:3], dtype=np.float64)
    low, high = CLASS_STRENGTH
    blended = base + (rgb - base) * (low + (high - low) * sure)
    alpha = np.full(blended.shape[:2] + (1,), 255.0)
    return np.concatenate([blended, alpha], axis=2).astype(np.uint8)


def _point_brushes(targets: np.ndarray, task: str, boundary: Boundary) -> list:
    """One brush per sample: its class's colour, or its target value on the colour map."""
    if task == "regression":
        lo, hi = boundary.value_range()
        return [pg.mkBrush(c) for c in DIVERGING.mapToQColor((np.asarray(targets) - lo) / (hi - lo))]
    colors = BINARY_COLORS if boundary.kind == "probability" else CATEGORY_COLORS
    brushes = [pg.mkBrush(c) for c in colors]
    return [brushes[int(t) % len(brushes)] for t in targets]
