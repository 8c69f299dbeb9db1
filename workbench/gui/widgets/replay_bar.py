"""The replay bar: an epoch slider over the stored snapshots, and a button back to the live view."""
from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget


class ReplayBar(QWidget):
    """Pick a stored epoch to see the weights as they were then; `epoch_selected(None)` is live."""

    epoch_selected = Signal(object)     # int epoch, or None for the live (latest) state

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("Replay: drag to see weights, histograms, diagram and decision "
                               "boundary as they were at a stored epoch.")
        self.label = QLabel()
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance("Epoch 0000000 of 0000000"))
        self.live_button = QPushButton("Live")
        self.live_button.setToolTip("Leave replay and show the current weights.")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(QLabel("Replay:"))
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        layout.addWidget(self.live_button)
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.live_button.clicked.connect(self.go_live)
        self._epochs: list[int] = []
        self.replay_epoch: int | None = None
        self.set_epochs(())

    def set_epochs(self, epochs: Sequence[int]) -> None:
        """The stored snapshot epochs (sorted); keeps a replayed epoch if it is still stored."""
        self._epochs = sorted(int(e) for e in epochs)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, len(self._epochs) - 1))
        position = (self._epochs.index(self.replay_epoch) if self.replay_epoch in self._epochs
                    else len(self._epochs) - 1)
        self.slider.setValue(max(0, position))
        self.slider.blockSignals(False)
        if self.replay_epoch is not None and self.replay_epoch not in self._epochs:
            self.replay_epoch = None
        self.slider.setEnabled(len(self._epochs) > 1)
        self._show()

    def select_epoch(self, epoch: int) -> None:
        """Move the slider to a stored epoch (the nearest one at or before it)."""
        earlier = [i for i, e in enumerate(self._epochs) if e <= epoch]
        self.slider.setValue(earlier[-1] if earlier else 0)

    @Slot()
    def go_live(self) -> None:
        if self.replay_epoch is None:
            return
        self.replay_epoch = None
        self.slider.blockSignals(True)
        self.slider.setValue(self.slider.maximum())
        self.slider.blockSignals(False)
        self._show()
        self.epoch_selected.emit(None)

    @Slot(int)
    def _on_slider_moved(self, position: int) -> None:
        if not self._epochs:
            return
        self.replay_epoch = self._epochs[position]
        self._show()
        self.epoch_selected.emit(self.replay_epoch)

    def _show(self) -> None:
        last = self._epochs[-1] if self._epochs else 0
        if self.replay_epoch is None:
            self.label.setText(f"Live (epoch {last})")
        else:
            self.label.setText(f"Epoch {self.replay_epoch} of {last}")
        self.live_button.setEnabled(self.replay_epoch is not None)
