"""Inspections (histograms, boundary, confusion, predictions) computed off the GUI thread.

An inspection runs the network forward and backward over up to 2,000 rows: a few milliseconds
for the spiral network, half a second for 784-1024-1024-10. The training worker inspects while a
run goes; `Inspector` does it the rest of the time: for the current weights after an edit, a
reset or an open (`request_live`), and for a stored snapshot the replay bar picks
(`request_replay`). One worker thread; the latest request wins. An inspection done within a
frame comes back at once, so the views show a new network without a frame of the old one.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout
from typing import Any, Mapping

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from workbench.core.experiment import Experiment
from workbench.core.inspection import Inspection, histogram_edges, inspect
from workbench.gui.background import FRAME_SECONDS, finish

Weights = Mapping[str, np.ndarray]


@dataclass
class InspectionChoices:
    """What the person chose to see in the inspections, read by whichever thread inspects next
    (the inspector's worker, the training worker); replacing the attribute is atomic."""

    plane: tuple[int, int] = (0, 1)     # the features the decision boundary varies


class _Signals(QObject):
    done = Signal(int, object)              # request number, Inspection


class Inspector(QObject):
    """Computes inspections on a worker thread; `inspection_ready(inspection, live)` brings them."""

    inspection_ready = Signal(object, bool)

    def __init__(self, parent: QObject | None = None, choices: InspectionChoices | None = None):
        super().__init__(parent)
        self.choices = choices or InspectionChoices()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inspector")
        self._signals = _Signals(self)
        self._signals.done.connect(self._on_done)
        self._number = 0
        self._served = 0                    # the request answered at once, not again by signal
        self._live = False
        # the replayed run's bin edges: (id of its snapshots, edges), fit once on the worker
        self._replay_edges: tuple[int, Weights] | None = None

    def request_live(self, experiment: Experiment) -> Inspection | None:
        """Inspect the current weights: the inspection if it is done within a frame, else None
        and `inspection_ready` later."""
        future = self._start(experiment, experiment.network.get_weights(), experiment.epochs_trained,
                             live=True)
        try:
            inspection = future.result(timeout=FRAME_SECONDS)
        except FutureTimeout:
            return None
        if inspection is not None:
            self._served = self._number
        return inspection

    def request_replay(self, experiment: Experiment, epoch: int) -> None:
        """Inspect the snapshot of `epoch`, with bins fixed for the run (fit to the current weights)."""
        params = experiment.snapshots.get(epoch)
        if params is None:
            return
        key = id(experiment.snapshots)
        known = self._replay_edges[1] if self._replay_edges and self._replay_edges[0] == key else None
        fit_to = None if known is not None else experiment.network.get_weights()
        # snapshots are never changed in place (and `inspect` copies what it is given)
        self._start(experiment, dict(params), epoch, live=False,
                    edges=known, fit_edges_to=fit_to, key=key)

    def cancel(self) -> None:
        """Drop the answers still to come (a run starts: its own inspections are newer)."""
        self._number += 1

    def shutdown(self, window: QWidget | None = None) -> None:
        """Drop what is queued and wait for the inspection under way: with `window`, off the GUI
        thread while it keeps painting (the inspection of a wide network takes seconds)."""
        self.cancel()
        finish(window, "Finishing…", self._worker.shutdown, wait=True, cancel_futures=True)

    def _start(self, experiment: Experiment, weights: Weights, epoch: int, live: bool,
               edges: Weights | None = None, fit_edges_to: Weights | None = None, key: int = 0):
        # a shallow copy: a reset or an edit rebinds the experiment's fields meanwhile, not these
        snapshot = copy.copy(experiment)
        self._number += 1
        self._live = live
        return self._worker.submit(self._inspect, self._number, snapshot, weights, epoch, edges,
                                   fit_edges_to, key)

    def _inspect(self, number: int, experiment: Experiment, weights: Weights, epoch: int,
                 edges: Weights | None, fit_edges_to: Weights | None, key: int) -> Inspection | None:
        """On the worker thread."""
        if number != self._number:
            return None                     # asked again since: not worth computing
        try:
            if fit_edges_to is not None:
                edges = histogram_edges(experiment, fit_edges_to)
                self._replay_edges = (key, edges)
            inspection = inspect(experiment, weights, bin_edges=edges, epoch=epoch, plane=self.choices.plane)
        except Exception:  # noqa: BLE001 - e.g. a network being rebuilt: that frame is not shown
            return None
        self._signals.done.emit(number, inspection)
        return inspection

    @Slot(int, object)
    def _on_done(self, number: int, inspection: Any) -> None:
        if number == self._number and number != self._served:
            self.inspection_ready.emit(inspection, self._live)
