"""Reading a person's CSV and .npz files: delimiters, labels, encoding, missing values, bad files."""
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.core.config import DataConfig
from workbench.core.data import (DataError, Dataset, open_data_file, read_csv, read_data_file, read_npz,
                                 same_samples)


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --- good files ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters_are_sniffed(tmp_path, delimiter):
    rows = [["width", "height", "kind"], ["1.5", "2", "cat"], ["3", "4.25", "dog"], ["5", "6", "cat"]]
    data = read_csv(write(tmp_path, "\n".join(delimiter.join(r) for r in rows) + "\n"))
    assert data.feature_names == ["width", "height"] and data.target_name == "kind"
    assert data.X.tolist() == [[1.5, 2.0], [3.0, 4.25], [5.0, 6.0]]
    assert data.y.tolist() == [0, 1, 0] and data.class_names == ["cat", "dog"]
    assert data.task == "classification" and data.source == "csv:data.csv"


def test_semicolon_files_may_use_decimal_commas(tmp_path):
    data = read_csv(write(tmp_path, "a;b;y\n1,5;2;0,25\n3;4,75;1,5\n"))
    assert data.X.tolist() == [[1.5, 2.0], [3.0, 4.75]] and data.y.tolist() == [0.25, 1.5]


def test_quoted_fields_byte_order_mark_and_blank_lines(tmp_path):
    text = '\ufeffname,"size, cm",label\n\n"a, b",1,x\n\nc,2,y\n'
    data = read_csv(write(tmp_path, text))
    assert data.feature_names == ["name=a, b", "name=c", "size, cm"]
    assert data.X.tolist() == [[1, 0, 1], [0, 1, 2]]


def test_target_by_name_from_any_column(tmp_path):
    data = read_csv(write(tmp_path, "label,a,b\nx,1,2\ny,3,4\n"), target="label")
    assert data.feature_names == ["a", "b"] and data.class_names == ["x", "y"]


def test_integer_labels_sort_as_numbers(tmp_path):
    data = read_csv(write(tmp_path, "a,digit\n1,10\n2,2\n3,9\n4,2\n"))
    assert data.task == "classification" and data.class_names == ["2", "9", "10"]
    assert data.y.tolist() == [2, 0, 1, 0]


@pytest.mark.parametrize("values, task", [
    (["0", "1", "1", "0"], "classification"),     # few integers: class labels
    (["0.5", "1.25", "2", "3"], "regression"),    # numbers with decimals: values
    ([str(i) for i in range(30)], "regression"),  # many different integers: values
    (["yes", "no", "no", "yes"], "classification"),
])
def test_task_is_inferred_from_the_target(tmp_path, values, task):
    text = "a,t\n" + "".join(f"{i},{v}\n" for i, v in enumerate(values))
    assert read_csv(write(tmp_path, text)).task == task


def test_task_can_be_given(tmp_path):
    path = write(tmp_path, "a,t\n1,0.5\n2,1.5\n3,0.5\n")
    data = read_csv(path, task="classification")
    assert data.class_names == ["0.5", "1.5"] and data.y.tolist() == [0, 1, 0]
    assert read_csv(write(tmp_path, "a,t\n1,0\n2,1\n", "ints.csv"), task="regression").y.dtype == np.float64


def test_text_features_are_one_hot_encoded(tmp_path):
    data = read_csv(write(tmp_path, "colour,size,y\nred,1,a\nblue,2,b\nred,3,a\n,4,b\n"))
    assert data.feature_names == ["colour=blue", "colour=red", "size"]
    assert data.X.tolist() == [[0, 1, 1], [1, 0, 2], [0, 1, 3], [0, 0, 4]]
    assert any("'colour' as 2 one-hot features (1 missing value set no feature)" in n for n in data.notes)


@pytest.mark.parametrize("token", ["", "?", "NA", "NaN", "na", "nan"])
def test_missing_numbers_stay_missing_until_training_fills_them(tmp_path, token):
    data = read_csv(write(tmp_path, f"a,b,y\n1,10,x\n{token},20,y\n5,{token},x\n9,40,y\n"))
    assert np.array_equal(data.X, [[1, 10], [np.nan, 20], [5, np.nan], [9, 40]], equal_nan=True)
    assert "2 missing numbers (a: 1, b: 1) will take their column's mean over the training rows" in data.notes


def test_rows_without_a_target_are_dropped_with_a_note(tmp_path):
    data = read_csv(write(tmp_path, "a,y\n1,x\n2,\n3,y\n4,?\n5,x\n"))
    assert data.X[:, 0].tolist() == [1, 3, 5]
    assert data.notes == ["dropped 2 rows with no target value (rows 3, 5)"]


def test_a_column_without_values_is_left_out(tmp_path):
    data = read_csv(write(tmp_path, "a,empty,y\n1,,x\n2,?,y\n"))
    assert data.feature_names == ["a"] and data.notes == ["left out column 'empty': it has no values"]


PEOPLE = "id,name,age,city,y\n" + "".join(f"{100 + i},person{i},{20 + i % 50},{'ab'[i % 2]},{i % 3}\n"
                                          for i in range(150))


def test_columns_left_out_are_not_features(tmp_path):
    path = write(tmp_path, PEOPLE)
    with pytest.raises(DataError, match=r"column 2 \('name'\): 150 different text values.*leave the column out"):
        read_csv(path)                                  # a name column cannot be one-hot encoded
    data = read_csv(path, exclude=["name", "id"])
    assert data.feature_names == ["age", "city=a", "city=b"] and data.target_name == "y"
    assert data.X[:2].tolist() == [[20, 1, 0], [21, 0, 1]]
    assert open_data_file(str(path)).dataset("y", None, ["id", "name"]).feature_names == data.feature_names
    assert read_data_file(str(path), None, None, None, ("id", "name")).feature_names == data.feature_names
    with_id = read_csv(path, exclude=["name"])         # a numeric ID would be a feature
    assert with_id.feature_names[0] == "id"


def test_bad_columns_to_leave_out(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,x\n3,4,z\n")
    with pytest.raises(DataError, match="cannot leave out 'c': no such column; the columns are a, b, y"):
        read_csv(path, exclude=["c"])
    with pytest.raises(DataError, match="the target column 'y' cannot be left out"):
        read_csv(path, exclude=["y"])
    with pytest.raises(DataError, match="the target column 'a' cannot be left out"):
        read_csv(path, target="a", exclude=["a"])
    with pytest.raises(DataError, match="no feature columns besides the target and the columns left out"):
        read_csv(path, exclude=["a", "b"])
    npz = tmp_path / "data.npz"
    np.savez(npz, X=np.zeros((4, 2)), y=np.array([0, 1, 0, 1]))
    for read in (lambda: read_data_file(str(npz), exclude=["x0"]),
                 lambda: open_data_file(str(npz)).dataset(exclude=["x0"])):
        with pytest.raises(DataError, match="no named columns to leave out"):
            read()


def test_leaving_out_other_columns_loads_other_samples():
    base = DataConfig(path="people.csv", exclude=("id",))
    assert same_samples(base, DataConfig(path="people.csv", exclude=("id",), val_split=0.3), True)
    assert not same_samples(base, DataConfig(path="people.csv"), True)
    assert not same_samples(base, DataConfig(path="people.csv", exclude=("id", "name")), True)


# --- bad files -------------------------------------------------------------------------------------------
BAD_CSV = [  # (content, fragments the one-line message must hold)
    ("", ["the file is empty"]),
    ("\n \n", ["the file is empty"]),
    ("a,b,y\n", ["header but no data rows"]),
    ("a,b,y\n1,2,x\n3,4\n", ["row 3", "2 values", "3 columns"]),
    ("a,b,y\n1,2,x\n\n3,4,5,y\n", ["row 4", "4 values"]),
    ("a,b,y\n1,2,x\n3\n", ["row 3", "1 value, but the header has 3 columns"]),
    ("y\n1,2\n", ["row 2", "2 values, but the header has 1 column"]),
    ("a,b,y\n1,2,x\n3,oops,y\n", ["row 3", "column 2 ('b')", "'oops' is not a number"]),
    ("a,b,y\n1,2,x\n3,inf,y\n5,6,y\n", ["row 3", "column 2", "'inf'"]),
    ("a,b,y\n1,2,x\n3,4,x\n", ["only one class ('x')"]),
    ("a,y\n" + "".join(f"{i},{i * 0.37:.2f}\n" for i in range(40)) + "40,oops\n",   # a typo among numbers
     ["row 42", "column 2 ('y')", "'oops' is not a number (the target's other values are)"]),
    ("y\nx\nz\n", ["one column only"]),
    ("1,2,3\n4,5,6\n", ["row 1", "header"]),
    ("a,a,y\n1,2,x\n3,4,z\n", ["row 1", "column 2 ('a')", "duplicate"]),
    ("a,y\n,x\n?,z\n", ["no feature columns"]),
    ("a,y\n1,\n2,?\n", ["column 2 ('y')", "no values"]),
    ("id,y\n" + "".join(f"name{i},{i % 2}\n" for i in range(150)), ["column 1 ('id')", "150 different text"]),
    (b"a,b,y\n1,2,x\n3,4,caf\xe9\n", ["row 3", "not UTF-8"]),
    (bytes(range(256)) * 8, ["binary data"]),
    ("a,b,y\n1,2,x\n3,4,y\n".encode("utf-16"), ["binary data", "UTF-16"]),
]


@pytest.mark.parametrize("content, fragments", BAD_CSV)
def test_bad_csv_gives_one_line_naming_file_row_and_column(tmp_path, content, fragments):
    path = write(tmp_path, content, "bad.csv")
    with pytest.raises(DataError) as caught:
        read_csv(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and "\n" not in message
    for fragment in fragments:
        assert fragment in message


def test_bad_target_choices(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,x\n3,4,z\n")
    with pytest.raises(DataError, match="no target column 'label'; the columns are a, b, y"):
        read_csv(path, target="label")
    with pytest.raises(DataError, match=r"row 2, column 3 \('y'\): 'x' is not a number; a regression"):
        read_csv(path, task="regression")


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(DataError, match="nothing.csv: no such file"):
        read_csv(tmp_path / "nothing.csv")
    with pytest.raises(DataError, match="not a file"):
        read_csv(tmp_path)


class StopAfter:
    """A stop flag that becomes set at its n-th look: a person cancelling mid-read."""

    def __init__(self, looks: int):
        self.looks, self.left = 0, looks

    def is_set(self) -> bool:
        self.looks += 1
        return self.looks > self.left


@pytest.mark.parametrize("quoted", [False, True])         # NumPy's parser, or the csv module's
def test_a_read_stops_between_pieces_when_asked(tmp_path, monkeypatch, quoted):
    from workbench.core import csv_cells
    from workbench.core.csv_cells import read_table
    from workbench.core.data import ReadStopped, open_data_file

    monkeypatch.setattr(csv_cells, "CHUNK_CHARS", 64)
    monkeypatch.setattr(csv_cells, "STOP_CHECK_ROWS", 10)
    label = '"x"' if quoted else "x"
    path = write(tmp_path, "a,b,y\n" + "".join(f"{i},{i % 7},{label}\n" for i in range(400)) + "1,2,z\n")
    assert open_data_file(str(path), StopAfter(10_000)).dataset().n_samples == 401   # never set: reads all
    stop = StopAfter(5)
    with pytest.raises(ReadStopped):
        open_data_file(str(path), stop)
    assert stop.looks == 6                            # it stopped at the first look after the flag was set
    with pytest.raises(ReadStopped):
        read_table(path, StopAfter(0))


@pytest.mark.parametrize("piece", [1, 2, 3, 5, 4096])
def test_a_file_decoded_in_pieces_reads_as_decoded_whole(tmp_path, monkeypatch, piece):
    """Characters of two to four bytes and the byte-order mark may straddle a piece's end."""
    from workbench.core import csv_cells

    monkeypatch.setattr(csv_cells, "DECODE_BYTES", piece)
    text = "h\u00e9ight,w,kind\n1,2,caf\u00e9\n3,4,\u65e5\u672c\n5,6,\U0001f600\n7,8,caf\u00e9\n"
    path = tmp_path / "pieces.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    data = read_csv(path)
    assert data.feature_names == ["h\u00e9ight", "w"]
    assert data.class_names == sorted(["caf\u00e9", "\u65e5\u672c", "\U0001f600"])
    path.write_bytes(text.encode("utf-8")[:-3] + b"\xe9\n")            # Latin-1 \xe9 in the last line
    with pytest.raises(DataError, match="row 5.*not UTF-8"):
        read_csv(path)
    path.write_bytes(text.encode("utf-8") + b"9,\x00,x\n")             # a NUL after the first piece
    with pytest.raises(DataError, match="binary data"):
        read_csv(path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=200),
                 st.text(alphabet=",;\t\n\r\"' ab1.-?é", max_size=120)))
def test_any_content_loads_or_gives_a_data_error(content):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        try:
            data = read_csv(path)
        except DataError as err:
            assert "\n" not in str(err)
        else:
            assert isinstance(data, Dataset) and np.isfinite(data.X).all()


# --- files of numbers only: NumPy's parser, the same result as the general reader ---------------------
def number_formats():
    """A number as a file may write it."""
    return st.one_of(st.integers(-50, 50).map(str),
                     st.floats(-1e6, 1e6, allow_nan=False).map(repr),
                     st.floats(-10, 10, allow_nan=False).map(lambda v: f"{v:.3e}"),
                     st.integers(0, 3).map(lambda v: f"{v}.0"))


@st.composite
def numeric_files(draw):
    n_rows, n_cols = draw(st.integers(1, 12)), draw(st.integers(2, 5))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    pad = draw(st.sampled_from(["", " "]))
    header = [f"c{i}" for i in range(n_cols)]
    if draw(st.booleans()):
        header = [f'"{name}"' for name in header]
    rows = [[pad + draw(number_formats()) + pad for _ in range(n_cols)] for _ in range(n_rows)]
    last = draw(st.sampled_from(["numbers", "few integers", "names", "names, some missing"]))
    for row in rows:
        if last == "few integers":
            row[-1] = str(draw(st.integers(0, 2)))
        elif last.startswith("names"):
            row[-1] = pad + draw(st.sampled_from(["cat", "dog", "Iris setosa"] +
                                                 (["?", ""] if last.endswith("missing") else []))) + pad
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    if draw(st.booleans()):                        # something the fast path leaves to the general one
        spot = draw(st.integers(1, len(lines) - 1))
        lines[spot] = draw(st.sampled_from(["", delimiter.join(["?"] * n_cols), lines[spot] + delimiter + "1",
                                            lines[spot].rsplit(delimiter, 1)[0],
                                            lines[spot].replace(pad + rows[spot - 1][0], "x", 1)]))
    text = draw(st.sampled_from(["", ending])) + ending.join(lines) + draw(st.sampled_from(["", ending]))
    target = draw(st.sampled_from([None] + [f"c{i}" for i in range(n_cols)]))
    return text, target


def read_both(path, target, monkeypatch):
    """read_csv as it is, and with the fast path switched off (result or error message each)."""
    from workbench.core import csv_cells

    def read():
        try:
            data = read_csv(path, target=target)
        except DataError as err:
            return str(err)
        return (data.X.tolist(), data.y.tolist(), data.task, data.class_names, data.feature_names, data.notes)
    fast = read()
    with monkeypatch.context() as patched:
        patched.setattr(csv_cells, "_number_table", lambda *args: None)
        general = read()
    return fast, general


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(numeric_files(), st.sampled_from([1, 10, 40, 256 * 1024]))
def test_a_file_of_numbers_reads_the_same_through_numpys_parser(monkeypatch, example, chunk_chars):
    from workbench.core import csv_cells

    text, target = example
    monkeypatch.setattr(csv_cells, "CHUNK_CHARS", chunk_chars)     # a line or a few per chunk, or all
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "numbers.csv"
        path.write_bytes(text.encode("utf-8"))
        fast, general = read_both(path, target, monkeypatch)
    assert fast == general


def test_numbers_only_take_the_fast_path_and_row_numbers_follow_the_lines(tmp_path):
    from workbench.core.csv_cells import NumberTable, read_table

    path = write(tmp_path, "\n\nx,y,label\n1,2,0\n3,4,1\n5,6,0\n")
    table = read_table(path)
    assert isinstance(table, NumberTable) and table.row_numbers.tolist() == [4, 5, 6]
    assert table.cells(2) == ["0", "1", "0"]
    gappy = read_table(write(tmp_path, "x,y,label\n1,2,0\n\n3,4,1\n", "gappy.csv"))
    assert not isinstance(gappy, NumberTable) and gappy.row_numbers.tolist() == [2, 4]
    floats = read_csv(write(tmp_path, "x,label\n1,1.0\n2,2.0\n3,1.0\n", "floats.csv"))
    assert floats.task == "regression"              # "1.0" is a measurement, as the general reader says


# --- npz -----------------------------------------------------------------------------------------------
def save_npz(tmp_path, name="data.npz", **arrays):
    path = tmp_path / name
    np.savez(path, **arrays)
    return path


def test_npz_classification_regression_and_text_labels(tmp_path):
    X = np.arange(12, dtype=np.float32).reshape(6, 2)
    data = read_npz(save_npz(tmp_path, X=X, y=np.array([3, 1, 3, 1, 2, 2])))
    assert data.task == "classification" and data.class_names == ["1", "2", "3"]
    assert data.y.tolist() == [2, 0, 2, 0, 1, 1] and data.X.dtype == np.float64
    assert data.feature_names == ["x1", "x2"] and data.source == "npz:data.npz"
    values = read_npz(save_npz(tmp_path, X=X, y=np.linspace(0, 1, 6)))
    assert values.task == "regression" and values.n_outputs == 1
    two = read_npz(save_npz(tmp_path, X=X, y=np.arange(12).reshape(6, 2)))
    assert two.task == "regression" and two.n_outputs == 2
    text = read_npz(save_npz(tmp_path, X=X, y=np.array(list("abcabc"))))
    assert text.class_names == ["a", "b", "c"]
    forced = read_npz(save_npz(tmp_path, X=X, y=np.array([0, 1, 0, 1, 0, 1])), task="regression")
    assert forced.task == "regression"


BAD_NPZ = [  # (arrays, fragments)
    ({"X": np.ones((4, 2))}, ["no array y", "found: X"]),
    ({"X": np.ones((4, 2)), "y": np.arange(3)}, ["y has shape (3,)", "(4)"]),
    ({"X": np.ones((4, 2)), "y": np.array([0, 1, "a", None], dtype=object)}, ["Python objects"]),
    ({"X": np.ones(4), "y": np.arange(4)}, ["X has shape (4,)"]),
    ({"X": np.array([["a", "b"]] * 4), "y": np.arange(4)}, ["dtype <U1", "numbers"]),
    ({"X": np.array([[1, 2], [3, np.nan]]), "y": np.arange(2)}, ["row 2, column 2", "nan"]),
    ({"X": np.ones((4, 2)), "y": np.zeros(4, int)}, ["only one class"]),
]


@pytest.mark.parametrize("arrays, fragments", BAD_NPZ)
def test_bad_npz_gives_one_data_error(tmp_path, arrays, fragments):
    path = save_npz(tmp_path, "bad.npz", **arrays)
    with pytest.raises(DataError) as caught:
        read_npz(path)
    assert str(caught.value).startswith(str(path))
    for fragment in fragments:
        assert fragment in str(caught.value)


@pytest.mark.parametrize("content, fragment", [
    (b"", "empty"),
    (b"a,b,y\n1,2,x\n", "not a NumPy .npz archive"),
    (b"PK\x03\x04" + b"\x00" * 40, "not a NumPy .npz archive"),
])
def test_files_that_are_not_npz_archives(tmp_path, content, fragment):
    path = write(tmp_path, content, "bad.npz")
    with pytest.raises(DataError, match=fragment):
        read_npz(path)


def test_single_npy_array_is_refused(tmp_path):
    path = tmp_path / "X.npy"
    np.save(path, np.ones((3, 2)))
    with pytest.raises(DataError, match="single .npy array"):
        read_npz(path)
    with pytest.raises(DataError, match="regression target must be numbers"):
        read_npz(save_npz(tmp_path, X=np.ones((2, 1)), y=np.array(["a", "b"])), task="regression")


