"""The undo history's memory budget: the oldest steps are forgotten once their samples exceed it."""
import numpy as np
from PySide6.QtGui import QUndoStack

from workbench.core.config import Config
from workbench.core.data import Dataset
from workbench.gui.config_undo import ConfigEdit, forget_oldest, samples_bytes, steps_over_budget
from gui_helpers import edit


def _dataset(samples: int) -> Dataset:
    return Dataset(np.zeros((samples, 1)), np.arange(samples) % 2, "classification", "test", ["x"],
                   ["a", "b"], "label")


def test_steps_over_budget_counts_each_data_set_once_and_never_the_current_one():
    a, b, c, current = _dataset(100), _dataset(100), _dataset(100), _dataset(10_000)
    size = samples_bytes(a)
    assert size == 100 * 8 + 100 * 8
    steps = [(a, b), (b, b), (b, c), (c, current), (current, current)]
    assert steps_over_budget(steps, current, 3 * size) == 0             # a, b, c fit
    assert steps_over_budget(steps, current, 2 * size) == 1             # a goes with the oldest step
    assert steps_over_budget(steps, current, size) == 3                 # only c: the steps from (c, current)
    assert steps_over_budget(steps, current, 0) == 4                    # only the step that holds nothing else
    assert steps_over_budget([], current, 0) == 0


def _switch(window, name):
    edit(window, {"data.dataset": name}, f"Data set {name}")
    assert window.controller.experiment.data.dataset.source == f"builtin:{name}"


def test_the_history_forgets_its_oldest_data_beyond_the_budget(window):
    controller, stack = window.controller, window.controller.undo_stack
    size = samples_bytes(controller.experiment.data.dataset)       # the generated sets are all alike
    controller.undo_samples_budget = 2 * size
    _switch(window, "circle")
    edit(window, {"optimizer.lr": 0.05}, "lr")                      # shares the samples, holds nothing more
    _switch(window, "xor")
    assert stack.count() == 3 and window.statusBar().currentMessage() == ""
    _switch(window, "gauss")                                        # now spiral, circle and xor: one too many
    assert stack.count() == 3
    assert [stack.text(i) for i in range(3)] == ["lr", "Data set xor", "Data set gauss"]
    assert "Undo forgot its oldest step" in window.statusBar().currentMessage()
    for _ in range(3):
        window.undo_action.trigger()
    assert controller.experiment.data.dataset.source == "builtin:circle"
    assert controller.config.optimizer.lr == 0.01 and not window.undo_action.isEnabled()
    for _ in range(3):
        window.redo_action.trigger()
    assert controller.experiment.data.dataset.source == "builtin:gauss"
    assert controller.config.optimizer.lr == 0.05


def test_forgetting_keeps_the_saved_state_where_it_is(window, tmp_path):
    controller, stack = window.controller, window.controller.undo_stack
    controller.undo_samples_budget = 2 * samples_bytes(controller.experiment.data.dataset)
    _switch(window, "circle")
    _switch(window, "xor")
    controller.save(str(tmp_path / "saved.h5"))
    assert not controller.modified
    _switch(window, "gauss")                       # forgets the step from spiral
    assert stack.count() == 2 and controller.modified and window.isWindowModified()
    window.undo_action.trigger()
    assert controller.config.data.dataset == "xor" and not controller.modified
    assert not window.isWindowModified()
    window.redo_action.trigger()
    _switch(window, "spiral")                      # forgets the step from circle: xor is the first state
    assert stack.count() == 2 and stack.cleanIndex() == 0
    _switch(window, "circle")                      # and the saved state goes with the next one
    assert stack.count() == 2 and stack.cleanIndex() == -1
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert controller.config.data.dataset == "gauss" and not window.undo_action.isEnabled()
    assert controller.modified and window.isWindowModified()

def test_a_forgotten_history_still_merges_quick_edits_of_the_last_control(window):
    controller, stack = window.controller, window.controller.undo_stack
    controller.undo_samples_budget = 0             # keep nothing but the current samples
    spin = window.data_panel._fields["data.noise"]
    for value in (0.1, 0.2):                        # one step (merged), new samples each time
        spin.setValue(value)
    assert stack.count() == 0                      # the step held the samples before it: forgotten
    edit(window, {"optimizer.lr": 0.05}, "lr")
    assert stack.count() == 1                      # holds only the current samples
    assert controller.config.data.noise == 0.2


def test_steps_pushed_again_do_not_merge_where_they_did_not_before(qtbot):
    stack, config, samples = QUndoStack(), Config(), (_dataset(4), _dataset(4))

    def push(text, key=None):
        stack.push(ConfigEdit(None, config, config, text, key, samples))

    push("first")
    push("noise 0.1", "noise")
    stack.setClean()
    push("noise 0.2", "noise")           # the step before is the saved state: no merge
    stack.setClean()
    push("lr")
    forget_oldest(stack, 1)
    assert [stack.text(i) for i in range(stack.count())] == ["noise 0.1", "noise 0.2", "lr"]
    assert stack.cleanIndex() == 2 and stack.index() == 3
