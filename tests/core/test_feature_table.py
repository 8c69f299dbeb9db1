"""Rows to predict: encoded against the feature names seen in training, with clear errors."""
import numpy as np
import pytest

from workbench.core.data import DataError, read_csv
from workbench.core.feature_table import encode_csv


def write(tmp_path, text, name):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_columns_are_matched_by_name_and_one_hot_rebuilt(tmp_path):
    trained = read_csv(write(tmp_path, "colour,size,y\nred,1,a\nblue,2,b\n", "train.csv"))
    path = write(tmp_path, "size;note;colour\n3;x;blue\n4,5;y;green\n", "new.csv")
    rows = encode_csv(path, trained.feature_names, np.zeros(3))
    assert trained.feature_names == ["colour=blue", "colour=red", "size"]
    assert rows.X.tolist() == [[1, 0, 3], [0, 0, 4.5]]     # green was never seen: no colour feature
    assert rows.row_numbers.tolist() == [2, 3]
    assert any("green" in note for note in rows.notes)


def test_missing_numbers_take_the_training_mean(tmp_path):
    rows = encode_csv(write(tmp_path, "colour,size\nred,1\nblue,\n", "new.csv"),
                      ["colour=red", "size"], np.array([0.0, 7.5]))
    assert rows.X[:, 1].tolist() == [1.0, 7.5]
    assert any("missing" in note for note in rows.notes)


@pytest.mark.parametrize("content, fragments", [
    ("colour,y\nred,a\n", ["missing column size"]),
    ("weight,y\n1,a\n", ["none of the columns the model was trained on (colour, size); the file's columns: weight, y"]),
    (",".join(f"c{i}" for i in range(25)) + "\n" + ",".join("1" * 25) + "\n",
     ["the file's columns: c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 and 15 more"]),
    ("colour,size\nred,big\n", ["row 2, column 2 ('size')", "'big' is not a number"]),
])
def test_errors_name_the_column_and_row(tmp_path, content, fragments):
    with pytest.raises(DataError) as caught:
        encode_csv(write(tmp_path, content, "new.csv"), ["colour=red", "size"], np.zeros(2))
    for fragment in fragments:
        assert fragment in str(caught.value)
