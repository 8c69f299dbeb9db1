"""The target in one line: class counts (and imbalance), or the regression target's range."""
import numpy as np

from workbench.core.target_summary import class_counts, target_summary


def test_balanced_classes_are_counted():
    y = np.array([0, 1, 2, 1, 0, 2])
    assert class_counts(y, 4) == [2, 2, 2, 0]
    assert target_summary("classification", y, ["a", "b", "c"], "t") == "Classes: a: 2, b: 2, c: 2."


def test_a_rare_class_is_pointed_out():
    y = np.array([0] * 120 + [1] * 10)
    text = target_summary("classification", y, ["ok", "fraud"], "label")
    assert text.startswith("Classes: ok: 120, fraud: 10. Imbalanced: the largest class has 12x the rows")
    assert "recall" in text and "ROC curve" in text
    assert "Imbalanced" not in target_summary("classification", np.array([0] * 29 + [1] * 10), ["a", "b"], "t")


def test_many_classes_name_the_first_ten():
    y = np.arange(1200) % 12
    text = target_summary("classification", y, [f"c{k}" for k in range(12)], "t")
    assert text == "Classes: " + ", ".join(f"c{k}: 100" for k in range(10)) + " and 2 more."


def test_regression_gives_the_range_mean_and_spread():
    y = np.array([25.0, 346.0, 100.0, 137.0])
    assert target_summary("regression", y, [], "progression") == (
        f"Target progression: 25 to 346, mean 152, std {y.std():.3g}.")
    two = np.c_[y, -y]
    assert target_summary("regression", two, [], "y").startswith("Target y (the first of 2): 25 to 346")
