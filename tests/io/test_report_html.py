"""The HTML report: every section from the session's own figures, text from the data escaped,
nothing loaded or run by the page, and charts that survive a diverged curve."""
import re
from html import escape

import numpy as np
import pytest

from workbench.core.config import Config
from workbench.core.data import Dataset
from workbench.core.experiment import Experiment
from workbench.core.gradient_flow import gradient_flow
from workbench.core.holdout import evaluate_test_split
from workbench.core.importance import permutation_importance
from workbench.core.inspection import decision_boundary, inspect
from workbench.core.trainer import Trainer
from workbench.io.contents import contents_of
from workbench.io import report_html as report_module
from workbench.io.report_html import report_html, write_report_html
from workbench.io.svg_chart import Series, nice_ticks, svg_chart


def trained(config, dataset=None, epochs=None):
    experiment = Experiment.create(config, dataset)
    for _ in Trainer(experiment).run(epochs):
        pass
    return experiment


def text_of(html):
    return re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>", " ", html, flags=re.S))


def test_a_classification_report_has_every_section_with_the_sessions_figures():
    experiment = trained(Config().updated({"data.dataset": "iris", "data.test_split": 0.2,
                                           "training.epochs": 30, "layers.units": 6}))
    experiment.reset(experiment.config.updated({"optimizer.lr": 0.05}))   # the first run is kept
    for _ in Trainer(experiment).run(5):
        pass
    html = report_html(contents_of(experiment), "iris.h5")
    text = " ".join(text_of(html).split())
    for heading in ("Data", "Hyperparameters: what was set before training", "Parameters: what training learned",
                    "Outcome", "Curves", "Validation: confusion matrix",
                    "Feature importance: what the model relies on", "Gradient flow", "Runs of this session"):
        assert f"<h2>{heading}</h2>" in html, heading
    assert "iris.h5" in html and "learning rate 0.05" in text and "setosa" in text
    assert "<p>Classes: setosa: 50, versicolor: 50, virginica: 50.</p>" in html
    assert "5 epochs, status" in text
    runs = " ".join(text_of(html.split("<h2>Runs of this session</h2>")[1]).split())
    assert runs.startswith("run status epochs best val loss last val accuracy optimizer.lr 1 completed 30 ")
    assert " 0.01 current " in runs and runs.endswith(" 0.05")                   # what differs, run by run
    assert html.count("<polyline") == 9              # + three layers' gradients, both runs' val loss
    score = evaluate_test_split(experiment)
    assert f"test {score.loss:.4g} {score.metric:.4g}" in text                    # the test row
    weight = experiment.network.get_weights()["dense_0/weight"].astype(np.float64)
    assert f"{np.linalg.norm(weight):.4g}" in text and "4 × 6" in text
    assert html.count("<svg") == 5                      # loss, accuracy, boundary, gradient flow, runs
    out = experiment.network.predict(experiment.data.X_val)
    recall = np.mean(out.argmax(axis=1)[experiment.data.y_val == 0] == 0)          # setosa's recall
    assert re.search(rf"<td>setosa</td><td class='n'>[0-9.]+</td><td class='n'>{recall:.4g}</td>", html)
    assert "<h2>Decision boundary</h2>" in html and "A slice: the other 2 features at their training mean" in html
    assert "<script" not in html and "src=" not in html and "href=" not in html


def test_two_feature_data_gets_the_boundary_the_app_draws():
    experiment = trained(Config().updated({"training.epochs": 20}))
    html = report_html(contents_of(experiment), "spiral.h5")
    section = html.split("<h2>Decision boundary</h2>")[1].split("<h2>")[0]
    assert "A slice" not in section
    boundary = inspect(experiment).boundary
    assert np.array_equal(decision_boundary(experiment).values, boundary.values)
    cells = section.count('fill="#')
    n_points = len(boundary.train_points) + len(boundary.val_points)
    assert cells == 40 * 40 + n_points                                            # surface, then samples
    assert section.count("<circle") == len(boundary.train_points)
    roc = inspect(experiment).roc                                                 # two classes: ROC too
    assert f"ROC curve, AUC {roc.auc:.3f}" in html and "positive as positive" in html


def test_regression_shows_predicted_against_actual_and_r2():
    experiment = trained(Config().updated({"data.dataset": "plane", "training.epochs": 5}))
    html = report_html(contents_of(experiment), "plane.h5")
    assert "<h2>Validation: predicted against actual</h2>" in html and "R²" in html
    assert "<h2>Prediction surface</h2>" in html
    n_val = experiment.data.X_val.shape[0]
    scatter = html.split("<h2>Validation: predicted against actual</h2>")[1]
    assert scatter.count("<circle") == min(n_val, 500) and "stroke-dasharray" in scatter   # points and y = x


def test_the_importance_table_ranks_the_features_by_their_fall():
    experiment = trained(Config().updated({"data.dataset": "iris", "training.epochs": 40, "layers.units": 16}))
    html = report_html(contents_of(experiment), "iris.h5")
    section = html.split("<h2>Feature importance: what the model relies on</h2>")[1].split("<h2>")[0]
    result = permutation_importance(experiment)
    rows = re.findall(r"<tr><td>([^<]+)</td><td class='n'>([-0-9.]+)</td><td class='n'>([0-9.]+)</td>", section)
    assert [name for name, _, _ in rows] == [result.names[i] for i in result.ranked()]
    assert [float(fall) for _, fall, _ in rows] == [round(float(result.mean[i]), 4) for i in result.ranked()]
    assert "shuffled among the 30 rows (5 shuffles each; validation accuracy with nothing shuffled" in section
    widths = [float(w) for w in re.findall(r"width:([0-9.]+)em", section)]
    assert widths[0] == report_module.BAR_EM and widths == sorted(widths, reverse=True)


def test_importance_lists_the_top_features_and_leaves_wide_data_to_the_command(monkeypatch):
    experiment = trained(Config().updated({"data.dataset": "digits", "training.epochs": 2}))
    section = report_html(contents_of(experiment), "digits.h5").split("what the model relies on</h2>")[1]
    assert section.split("<h2>")[0].count("<tr><td>") == 20 and "The 20 most important of 64 are listed" in section
    monkeypatch.setattr(report_module, "IMPORTANCE_MAX_FEATURES", 63)
    section = report_html(contents_of(experiment), "digits.h5").split("what the model relies on</h2>")[1]
    assert "Not computed for 64 features here; <code>workbench importance FILE.h5</code>" in section
    assert "<table>" not in section.split("<h2>")[0]
    untrained = report_html(contents_of(Experiment.create(Config())), "new.h5")
    assert "Feature importance" not in untrained


def test_the_gradient_flow_shows_the_first_and_last_layers_of_a_deep_network_with_the_advice():
    experiment = trained(Config().updated({"layers": [{"units": 8, "activation": "sigmoid", "init": "xavier"}] * 6,
                                           "training.epochs": 8}))
    section = report_html(contents_of(experiment), "deep.h5").split("<h2>Gradient flow</h2>")[1].split("<h2>")[0]
    flow = gradient_flow(experiment)
    assert section.count("<polyline") == 3 and ">dense_0<" in section and ">dense_6 (output)<" in section
    assert "at each of the 9 replay snapshots" in section and f"<p>{escape(flow.advice())}</p>" in section
    untrained = report_html(contents_of(Experiment.create(Config())), "new.h5")   # one snapshot: no flow yet
    no_hidden = report_html(contents_of(trained(Config().updated({"layers": [], "training.epochs": 2}))), "lin.h5")
    assert "Gradient flow" not in untrained and "Gradient flow" not in no_hidden


def test_text_from_the_data_is_escaped():
    rng = np.random.default_rng(0)
    hostile = Dataset(X=rng.normal(size=(40, 2)), y=np.arange(40) % 2, task="classification",
                      source="file:<b>x.csv", feature_names=["a&b", "<i>c"],
                      class_names=["<script>alert(1)</script>", "ok"], target_name="t\"y")
    html = report_html(contents_of(trained(Config().updated({"training.epochs": 2}), hostile)), "<evil>.h5")
    assert "<script" not in html and "<i>c" not in html and "<b>x" not in html and "<evil>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;evil&gt;.h5" in html


def test_missing_figures_read_n_a_and_a_first_epoch_divergence_is_named():
    no_validation = trained(Config().updated({"data.val_split": 0.0, "training.epochs": 3}))
    text = " ".join(text_of(report_html(contents_of(no_validation), "nv.h5")).split())
    assert "validation n/a n/a" in text and "None" not in text
    diverged = trained(Config().updated({"data.dataset": "plane", "optimizer.name": "sgd", "optimizer.lr": 1000.0,
                                         "training.epochs": 3}))
    assert diverged.status == "diverged" and diverged.epochs_trained == 0
    assert "The run diverged before its first epoch ended." in report_html(contents_of(diverged), "dv.h5")


def test_an_untrained_session_says_so_and_a_diverged_curve_is_drawn_up_to_its_end(tmp_path):
    experiment = Experiment.create(Config())
    html = report_html(contents_of(experiment), "new.h5")
    assert "Not trained yet" in html and "0 epochs, status new" in " ".join(text_of(html).split())
    chart = svg_chart([Series("loss", "#000", np.arange(5), np.array([1.0, 0.5, np.nan, np.inf, 0.2]))],
                      "Loss", "epoch", "loss")
    assert chart.count(",") == 3 and "nan" not in chart and "inf" not in chart     # three finite points
    write_report_html(contents_of(experiment), tmp_path / "r.html", "new.h5")
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == html


@pytest.mark.parametrize("low, high, expected", [
    (0.0, 1.0, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]), (1.0, 61.0, [0, 20, 40, 60, 80]),
    (-0.03, 0.07, [-0.04, -0.02, 0.0, 0.02, 0.04, 0.06, 0.08]), (5.0, 5.0, [5.0, 6.0, 7.0, 8.0, 9.0, 10.0]),
])
def test_ticks_are_round_numbers_covering_the_range(low, high, expected):
    assert nice_ticks(low, high) == pytest.approx(expected)


def test_sections_too_costly_for_the_network_point_to_their_commands(monkeypatch):
    from workbench.core.importance import rows_evaluated

    experiment = trained(Config().updated({"data.dataset": "iris", "training.epochs": 3}))
    result = permutation_importance(experiment)
    assert rows_evaluated(experiment) == result.samples * (4 * result.repeats + 1)      # what it weighs is what it does
    monkeypatch.setattr(report_module, "REPORT_WORK", 1000)
    html = report_html(contents_of(experiment), "iris.h5")
    for heading, command in (("Feature importance: what the model relies on", "workbench importance FILE.h5"),
                             ("Gradient flow", "workbench gradient-flow FILE.h5")):
        section = html.split(f"<h2>{heading}</h2>")[1].split("<h2>")[0]
        assert f"Not computed for a network this large here (it would take a while); <code>{command}</code>" in section
        assert "<table>" not in section and "<svg" not in section
