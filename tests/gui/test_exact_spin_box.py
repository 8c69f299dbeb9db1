"""Spin boxes hold a hyperparameter exactly as the configuration has it, show it in few digits and
step without float dust; every decimal control of the window shows an odd value as it is."""
import pytest

from workbench.core.config import Config
from workbench.gui.widgets.exact_spin_box import ExactSpinBox, ScientificSpinBox


def test_the_value_is_kept_exactly_and_shown_in_as_few_digits_as_it_takes(qtbot):
    box = ExactSpinBox(0.0, 10.0)
    qtbot.addWidget(box)
    for value, text in ((1e-06, "1e-06"), (0.125, "0.125"), (0.000383333, "0.000383333"), (3.0, "3")):
        box.setValue(value)
        assert box.value() == value and box.text() == text


def test_arrows_step_by_a_fixed_step_a_decade_below_the_value_or_by_decades(qtbot):
    fixed, adaptive, decades = ExactSpinBox(0.0, 0.9, step=0.05), ExactSpinBox(0.0, 1.0, zero_step=1e-5), \
        ScientificSpinBox(1e-12, 1.0)
    for box in (fixed, adaptive, decades):
        qtbot.addWidget(box)
    fixed.setValue(0.1)
    fixed.stepBy(1)
    assert fixed.value() == 0.15                       # not 0.15000000000000002
    fixed.stepBy(100)
    assert fixed.value() == 0.9                        # clamped at the top
    adaptive.setValue(0.0)
    adaptive.stepBy(1)
    assert adaptive.value() == 1e-5
    adaptive.setValue(0.1)
    adaptive.stepBy(1)
    assert adaptive.value() == pytest.approx(0.11)
    decades.setValue(1e-8)
    decades.stepBy(4)
    assert decades.value() == pytest.approx(1e-7)


def test_every_decimal_control_shows_an_odd_value_as_it_is(window):
    odd = {"training.l1": 3e-6, "training.l2": 1e-6, "training.clip_norm": 0.004, "optimizer.weight_decay": 1e-6,
           "optimizer.momentum": 0.91234, "schedule.gamma": 0.123457, "schedule.min_lr": 1e-7,
           "data.val_split": 0.125, "data.test_split": 0.075, "data.noise": 0.125}
    config = Config().updated({**odd, "layers": [{"units": 8, "dropout": 0.125}]})
    window.hyperparameter_form.set_config(config)
    window.data_panel.set_config(config)
    window.architecture_editor.set_config(config, 2, 2, "classification")
    controls = {path: window.hyperparameter_form.control(path) for path in window.hyperparameter_form.controls}
    for path, value in odd.items():
        control = controls.get(path) or window.data_panel._fields[path]
        assert control.value() == value, path
    assert window.architecture_editor.table.cellWidget(0, 3).value() == 0.125
