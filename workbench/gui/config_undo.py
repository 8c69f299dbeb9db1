"""Undo of configuration edits, and how much memory the undo history may hold.

Every step keeps the samples before and after it, so undo and redo never read a file again (and
never meet a file that changed since). A large import holds hundreds of MB (60,000 x 785 numbers:
377 MB), so the history keeps at most a budget of samples besides the current ones and forgets its
oldest steps beyond it, as an editor limits its undo: the steps that remain undo exactly.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Sequence

from PySide6.QtGui import QUndoCommand, QUndoStack

from workbench.core.config import Config
from workbench.core.data import Dataset

if TYPE_CHECKING:
    from workbench.gui.session_controller import SessionController

MERGE_SECONDS = 1.5         # edits of one control within this time undo as one step (typing)
UNDO_SAMPLES_BUDGET = 1 << 30      # bytes of samples the history may hold besides the current ones


class ConfigEdit(QUndoCommand):
    """One configuration edit; consecutive quick edits of the same control merge into one."""

    _merge_ids: dict[str, int] = {}

    def __init__(self, controller: "SessionController", before: Config, after: Config, text: str,
                 merge_key: str | None, datasets: tuple[Dataset, Dataset]):
        super().__init__(text)
        self._controller = controller
        self.before, self.after = before, after
        # the samples under before and after: undo and redo use them instead of reading a file again
        self.datasets = datasets
        self._merge_key = merge_key
        self._stamp = time.monotonic()
        self._applied = True        # edit() applied it already; the push's redo() must not repeat it

    def copy(self, mergeable: bool) -> "ConfigEdit":
        """The same step, to push again onto a rebuilt stack (its push applies nothing)."""
        twin = ConfigEdit(self._controller, self.before, self.after, self.text(),
                          self._merge_key if mergeable else None, self.datasets)
        twin._stamp = self._stamp
        return twin

    def id(self) -> int:
        if self._merge_key is None:
            return -1
        return self._merge_ids.setdefault(self._merge_key, len(self._merge_ids) + 1)

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, ConfigEdit) or other._merge_key != self._merge_key:
            return False
        if other._stamp - self._stamp > MERGE_SECONDS:
            return False
        self.after, self._stamp = other.after, other._stamp
        self.datasets = (self.datasets[0], other.datasets[1])
        return True

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._controller._apply(self.after, self.datasets[1])

    def undo(self) -> None:
        self._controller._apply(self.before, self.datasets[0])


def samples_bytes(dataset: Dataset) -> int:
    return dataset.X.nbytes + dataset.y.nbytes


def steps_over_budget(steps: Sequence[tuple[Dataset, Dataset]], current: Dataset, budget: int) -> int:
    """How many of the oldest steps (each step's samples before and after, oldest first) to forget so
    that the samples the others hold, besides `current`, take at most `budget` bytes.

    A data set shared by several steps counts once; a step is kept only with both of its own."""
    held, total = {id(current)}, 0
    for index in range(len(steps) - 1, -1, -1):
        for dataset in steps[index]:
            if id(dataset) not in held:
                held.add(id(dataset))
                total += samples_bytes(dataset)
        if total > budget:
            return index + 1
    return 0


def forget_oldest(stack: QUndoStack, count: int) -> None:
    """Rebuild `stack` without its `count` oldest steps; the clean state stays where it was, or is
    gone if it was among them. Only right after a push, when every step is applied (QUndoStack
    cannot drop its oldest commands itself)."""
    if stack.index() != stack.count():
        raise ValueError("forget_oldest needs every step applied")
    clean = stack.cleanIndex()
    kept = [stack.command(i) for i in range(count, stack.count())]
    # pushed again, steps must not merge: whether they did depended on the clean state at the time
    copies = [command.copy(mergeable=command is kept[-1]) for command in kept]
    stack.clear()                       # clean at index 0, which is the state at `count`
    if clean < count:
        stack.resetClean()
    for position, command in enumerate(copies, start=count + 1):
        stack.push(command)
        if position == clean:
            stack.setClean()
