"""Playground's extra input features, clicked in the real window's Data panel."""
from gui_helpers import edit, train_to_end


def test_ticking_the_squares_lets_a_network_without_hidden_layers_solve_circle(qtbot, window):
    panel = window.data_panel
    edit(window, {"data.dataset": "circle", "layers": [], "training.epochs": 60})
    assert all(box.isEnabled() and not box.isChecked() for box in panel.extra_feature_boxes.values())
    panel.extra_feature_boxes["x2^2"].click()
    panel.extra_feature_boxes["x1^2"].click()
    assert window.controller.config.data.extra_features == ("x1^2", "x2^2")
    experiment = window.controller.experiment
    assert experiment.data.dataset.feature_names == ["x1", "x2", "x1^2", "x2^2"]
    assert experiment.network.get_weights()["dense_0/weight"].shape == (4, 2)
    assert "4 features" in panel.summary.text()
    report = train_to_end(qtbot, window)
    assert report.val_metric >= 0.97
    window.boundary_view.flush()
    boundary = window.boundary_view._inspection.boundary
    assert boundary.held == 0 and window.boundary_view.plane_bar.isHidden()   # no slice: computed
    window.network_view.flush()
    assert {"x1^2", "x2^2"} <= {item.textItem.toPlainText() for item in window.network_view._labels}

    window.undo_action.trigger()                      # one box at a time, each its own undo step
    assert window.controller.config.data.extra_features == ("x2^2",)
    assert not panel.extra_feature_boxes["x1^2"].isChecked() and panel.extra_feature_boxes["x2^2"].isChecked()
    assert window.controller.experiment.data.dataset.X.shape[1] == 3


def test_a_table_keeps_its_columns_and_the_boxes_wait_for_a_generated_set(qtbot, window):
    panel = window.data_panel
    panel.extra_feature_boxes["sin(x1)"].click()
    edit(window, {"data.dataset": "iris"})
    assert not panel.extra_features.isEnabled() and panel.extra_feature_boxes["sin(x1)"].isChecked()
    assert window.controller.experiment.data.dataset.X.shape[1] == 4
    edit(window, {"data.dataset": "xor"})
    assert panel.extra_features.isEnabled()
    assert window.controller.experiment.data.dataset.feature_names == ["x1", "x2", "sin(x1)"]


def test_each_box_shows_its_feature_over_the_plane_as_playground_does(window):
    from workbench.gui.widgets.data_panel import feature_thumbnail

    image = feature_thumbnail("x1^2", 19).pixmap(19, 19).toImage()
    middle, edge = image.pixelColor(9, 9), image.pixelColor(0, 9)
    assert middle.red() == middle.green() == middle.blue() > 240          # x1 = 0: white
    assert edge.red() > 150 and edge.blue() < 80                            # x1 = -6: the largest value, red
    saddle = feature_thumbnail("x1*x2", 19).pixmap(19, 19).toImage()
    assert saddle.pixelColor(0, 0).blue() > saddle.pixelColor(0, 0).red()   # top left: x1 < 0 < x2, negative
    assert not window.data_panel.extra_feature_boxes["sin(x1)"].icon().isNull()
