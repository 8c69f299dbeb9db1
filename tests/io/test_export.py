"""Each export reproduces `workbench predict` on raw inputs, read back without Workbench's code."""
import csv
import json
import math

import numpy as np
import pytest

from workbench.cli import main

CLASSES = ["=2+2", "plain", "@home"]           # labels a spreadsheet would run as formulas


def write_csv(path, rows, header):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def make_table(rng, n):
    colors = ["red", "green", "blue"]
    rows = []
    for _ in range(n):
        a, b, color = rng.normal(), rng.normal() * 10 + 5, colors[rng.integers(3)]
        label = CLASSES[int(a > 0) + (color == "blue")] if rng.random() > 0.1 else CLASSES[rng.integers(3)]
        target = a * 2 + b / 10 + (color == "red")
        rows.append([f"{a:.4f}", f"{b:.3f}", color, label, f"{target:.4f}"])
    return rows


CASES = {
    "classification": ({"layers": [{"units": 6, "activation": "gelu"}, {"units": 5, "activation": "elu"},
                                   {"units": 4, "activation": "leaky_relu"}]}, "label"),
    "regression": ({"layers": [{"units": 5, "activation": "tanh"}, {"units": 4, "activation": "sigmoid"},
                               {"units": 3, "activation": "relu"}]}, "target"),
}


@pytest.fixture(scope="module", params=list(CASES))
def trained(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    rng = np.random.default_rng(0)
    header = ["a", "b", "color", "label", "target"]
    train_rows = make_table(rng, 150)
    target = CASES[request.param][1]
    drop = "target" if target == "label" else "label"
    keep = [i for i, h in enumerate(header) if h != drop]
    write_csv(folder / "train.csv", [[r[i] for i in keep] for r in train_rows], [header[i] for i in keep])
    config = folder / "config.json"
    config.write_text(json.dumps({**CASES[request.param][0], "training": {"epochs": 15, "seed": 1}}))
    session = folder / "run.h5"
    assert main(["train", "--data", str(folder / "train.csv"), "--target", target, "--config", str(config),
                 "--save", str(session), "--quiet"]) == 0
    # new rows: columns in another order, the target present, one extra column
    new_rows = make_table(rng, 25)
    write_csv(folder / "new.csv", [[r[2], r[4], "x", r[0], r[1], r[3]] for r in new_rows],
              ["color", "target", "extra", "a", "b", "label"])
    raw = np.array([[float(r[0]), float(r[1]), r[2] == "blue", r[2] == "green", r[2] == "red"] for r in new_rows])
    out = folder / "pred.csv"
    assert main(["predict", str(session), str(folder / "new.csv"), "-o", str(out)]) == 0
    with open(out, newline="") as handle:
        table = list(csv.reader(handle))
    return {"folder": folder, "session": session, "task": request.param, "raw": raw, "table": table}


def predicted(trained) -> np.ndarray:
    header, rows = trained["table"][0], trained["table"][1:]
    columns = [i for i, name in enumerate(header) if name.startswith(("probability_", "predicted_"))]
    return np.array([[float(row[i]) for i in columns] for row in rows])


def export(trained, fmt: str):
    path = trained["folder"] / f"model.{fmt}"
    assert main(["export", str(trained["session"]), "--format", fmt, "-o", str(path)]) == 0
    return path


def test_predict_writes_labels_and_escapes_formulas(trained):
    header, rows = trained["table"][0], trained["table"][1:]
    assert len(rows) == 25 and header[0] == "row"
    if trained["task"] == "classification":
        assert header[1:] == ["prediction", "probability_=2+2", "probability_@home", "probability_plain"]
        assert {row[1] for row in rows} <= {"'=2+2", "plain", "'@home"}
        assert np.allclose(predicted(trained).sum(axis=1), 1.0, atol=1e-5)
    else:
        assert header[1:] == ["predicted_target"]


ERF = np.vectorize(math.erf)
ACTIVATIONS = {
    "relu": lambda x: np.maximum(x, 0), "tanh": np.tanh, "linear": lambda x: x,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)), "leaky_relu": lambda x: np.where(x > 0, x, 0.01 * x),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
    "gelu": lambda x: 0.5 * x * (1 + ERF(x / np.sqrt(2))),
    "softmax": lambda x: np.exp(x - x.max(1, keepdims=True)) / np.exp(x - x.max(1, keepdims=True)).sum(1, keepdims=True),
}


def forward(tensors, activations, raw: np.ndarray, torch_orientation: bool) -> np.ndarray:
    """A plain-NumPy forward pass written from docs/session_format.md."""
    a = (raw - tensors["scaler.mean"]) / tensors["scaler.scale"]
    for i, name in enumerate(activations):
        weight = tensors[f"dense_{i}.weight"].astype(np.float64)
        a = ACTIVATIONS[str(name)](a @ (weight.T if torch_orientation else weight) + tensors[f"dense_{i}.bias"])
    return a


def test_npz_export_reproduces_predict(trained):
    with np.load(export(trained, "npz"), allow_pickle=False) as z:
        assert json.loads(str(z["config"]))["training"]["epochs"] == 15
        out = forward(z, z["activations"], trained["raw"], torch_orientation=False)
    assert np.allclose(out, predicted(trained), rtol=1e-4, atol=1e-5)


def test_safetensors_export_reproduces_predict(trained):
    from safetensors import safe_open
    from safetensors.numpy import load_file

    path = export(trained, "safetensors")
    tensors = load_file(path)
    with safe_open(path, "np") as handle:
        meta = handle.metadata()
    activations = json.loads(meta["activations"])
    assert tensors["dense_0.weight"].shape == (6 if trained["task"] == "classification" else 5, 5)  # (out, in)
    assert json.loads(meta["config"])["training"]["seed"] == 1
    out = forward(tensors, activations, trained["raw"], torch_orientation=True)
    assert np.allclose(out, predicted(trained), rtol=1e-4, atol=1e-5)


def test_onnx_export_runs_in_onnxruntime_and_reproduces_predict(trained):
    import onnx
    import onnxruntime

    path = export(trained, "onnx")
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    assert model.opset_import[0].version == 17 and model.ir_version == 8
    ops = {node.op_type for node in model.graph.node}
    assert {"Sub", "Div", "MatMul"} <= ops
    assert ({"Erf", "Elu", "LeakyRelu", "Softmax"} if trained["task"] == "classification"
            else {"Tanh", "Sigmoid", "Relu"}) <= ops
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    output = session.get_outputs()[0].name
    assert output == ("probabilities" if trained["task"] == "classification" else "prediction")
    out = session.run(None, {"input": trained["raw"].astype(np.float32)})[0]
    assert out.dtype == np.float32
    assert np.allclose(out, predicted(trained), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("fmt", ["npz", "safetensors", "onnx"])
def test_new_export_files_get_the_usual_permissions(trained, fmt):
    import os
    import stat

    path = export(trained, fmt)
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


CHILD_EXPORT = """
import json, sys
from workbench.io.export import export_beside_a_window
from workbench.io.session import read_contents
contents = read_contents(sys.argv[1])
try:
    export_beside_a_window(contents, "onnx", sys.argv[2])
    outcome = "written"
except Exception as err:
    outcome = f"{type(err).__name__}: {err}"
print(json.dumps({"outcome": outcome, "onnx_imported_here": "onnx" in sys.modules}))
"""


def export_from_a_fresh_process(trained, path) -> dict:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", CHILD_EXPORT, str(trained["session"]), str(path)],
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


def test_onnx_export_beside_a_window_imports_onnx_in_a_child_not_in_the_windows_process(trained, tmp_path):
    """`import onnx` holds the GIL for about 0.6 s; the GUI's process must never pay it."""
    beside = tmp_path / "beside.onnx"
    assert export_from_a_fresh_process(trained, beside) == {"outcome": "written", "onnx_imported_here": False}
    assert beside.read_bytes() == export(trained, "onnx").read_bytes()


def test_onnx_export_beside_a_window_raises_the_childs_error(trained, tmp_path):
    missing_folder = tmp_path / "no such folder" / "model.onnx"
    done = export_from_a_fresh_process(trained, missing_folder)
    assert done == {"outcome": f"ExportFailed: cannot save {missing_folder}: the folder "
                               f"{missing_folder.parent} does not exist", "onnx_imported_here": False}
    assert not missing_folder.parent.exists()
