"""Training → Evaluate on the test split: the figures of the test rows, once asked for."""
from gui_helpers import edit, train_to_end
from gui_helpers import start_long_run, stop_run
from workbench.core.holdout import evaluate_test_split


def test_the_test_split_is_evaluated_when_asked(qtbot, window, dialogs):
    edit(window, {"data.dataset": "iris", "data.test_split": 0.2, "training.epochs": 15})
    train_to_end(qtbot, window)
    window.test_action.trigger()
    (kind, title, text), = dialogs.shown
    score = evaluate_test_split(window.controller.experiment)
    assert (kind, title) == ("information", "Test split")
    assert f"{score.samples:,} samples, the weights of epoch 15" in text
    assert f"accuracy <b>{score.metric:.4f}</b>" in text and f"loss <b>{score.loss:.4g}</b>" in text
    assert "<th>&nbsp;setosa&nbsp;</th>" in text and "second validation split" in text
    from workbench.core.metrics import class_scores
    recall = class_scores(score.confusion)["recall"]
    assert "<i>recall</i>" in text and "<i>precision</i>" in text and f"<i>{recall[0]:.3f}</i>" in text
    assert window.controller.experiment.epochs_trained == 15          # nothing trained


def test_without_a_test_split_it_says_how_to_make_one(window, dialogs):
    window.test_action.trigger()
    (kind, title, text), = dialogs.shown
    assert (kind, title) == ("information", "No test split")
    assert text.startswith("This session has no test split: set one (Test split in the Data panel")


def test_it_is_off_while_training(qtbot, window):
    start_long_run(qtbot, window)
    assert not window.test_action.isEnabled()
    stop_run(qtbot, window)
    assert window.test_action.isEnabled()
