"""Exports of a trained model for other tools: NumPy `.npz`, `safetensors` and ONNX.

Each export carries what reproduces `workbench predict` on raw rows: every layer's weights and
activation, and the input scaler. Layouts are in docs/session_format.md; each writer is one
function, chosen by name through `EXPORTERS`, and writes atomically like a session does.
"""
from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Callable

import numpy as np

from workbench.io.atomic import replacing
from workbench.io.child_python import child_command, child_env
from workbench.io.session import SessionContents

ONNX_OPSET = 17
ONNX_IR_VERSION = 8          # the IR version that came with opset 17 (onnx 1.12), for older runtimes


@dataclass(frozen=True)
class ExportModel:
    """A trained network as plain arrays: `weights[i]` is (fan_in, fan_out), as in the session."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    activations: list[str]           # one per layer; the last is softmax or linear
    scaler_mean: np.ndarray
    scaler_scale: np.ndarray
    config_json: str
    task: str
    feature_names: list[str]
    class_names: list[str]

    @classmethod
    def from_contents(cls, contents: SessionContents) -> "ExportModel":
        names = contents.layer_names
        return cls(weights=[contents.params[f"{n}/weight"] for n in names],
                   biases=[contents.params[f"{n}/bias"] for n in names],
                   activations=[contents.activations[n] for n in names],
                   scaler_mean=contents.data.scaler_mean, scaler_scale=contents.data.scaler_scale,
                   config_json=contents.config.to_json(), task=contents.data.task,
                   feature_names=list(contents.data.feature_names),
                   class_names=list(contents.data.class_names))

    @classmethod
    def from_npz(cls, archive: "np.lib.npyio.NpzFile") -> "ExportModel":
        """Read back what `export_npz` wrote."""
        layers = range(sum(name.endswith(".weight") for name in archive.files))
        return cls(weights=[archive[f"dense_{i}.weight"] for i in layers],
                   biases=[archive[f"dense_{i}.bias"] for i in layers],
                   activations=[str(name) for name in archive["activations"]],
                   scaler_mean=archive["scaler.mean"], scaler_scale=archive["scaler.scale"],
                   config_json=str(archive["config"]), task=str(archive["task"]),
                   feature_names=[str(name) for name in archive["feature_names"]],
                   class_names=[str(name) for name in archive["class_names"]])

    @property
    def dtype(self) -> np.dtype:
        return self.weights[0].dtype

    def metadata(self) -> dict[str, str]:
        """Text that travels with the tensors (safetensors header, ONNX metadata)."""
        return {"config": self.config_json, "task": self.task,
                "activations": json.dumps(self.activations, ensure_ascii=False),
                "feature_names": json.dumps(self.feature_names, ensure_ascii=False),
                "class_names": json.dumps(self.class_names, ensure_ascii=False)}


# --- npz ------------------------------------------------------------------------------------------
def export_npz(model: ExportModel, path: str | os.PathLike) -> None:
    with replacing(path) as tmp, open(tmp, "wb") as handle:
        _write_npz(model, handle)   # a handle, so NumPy does not append ".npz" to the name


def _write_npz(model: ExportModel, handle: io.RawIOBase | io.BufferedIOBase) -> None:
    arrays: dict[str, np.ndarray] = {}
    for i, (weight, bias) in enumerate(zip(model.weights, model.biases)):
        arrays[f"dense_{i}.weight"] = weight
        arrays[f"dense_{i}.bias"] = bias
    arrays["scaler.mean"] = model.scaler_mean
    arrays["scaler.scale"] = model.scaler_scale
    arrays["config"] = np.array(model.config_json)
    arrays["activations"] = np.array(model.activations)
    arrays["feature_names"] = np.array(model.feature_names, dtype=str)
    arrays["class_names"] = np.array(model.class_names, dtype=str)
    arrays["task"] = np.array(model.task)
    np.savez(handle, **arrays)


# --- safetensors ----------------------------------------------------------------------------------
def export_safetensors(model: ExportModel, path: str | os.PathLike) -> None:
    from safetensors.numpy import save

    tensors: dict[str, np.ndarray] = {}
    for i, (weight, bias) in enumerate(zip(model.weights, model.biases)):
        tensors[f"dense_{i}.weight"] = np.ascontiguousarray(weight.T)   # nn.Linear: (out, in)
        tensors[f"dense_{i}.bias"] = np.ascontiguousarray(bias)
    tensors["scaler.mean"] = model.scaler_mean.astype(model.dtype)
    tensors["scaler.scale"] = model.scaler_scale.astype(model.dtype)
    # serialised here and written by us: safetensors' own writer would recreate the file as 0600
    with replacing(path) as tmp, open(tmp, "wb") as handle:
        handle.write(save(tensors, metadata=model.metadata()))


# --- ONNX -----------------------------------------------------------------------------------------
class _Graph:
    """Collects ONNX nodes and initializers, naming intermediate values uniquely."""

    def __init__(self, dtype: np.dtype):
        self.nodes: list = []
        self.initializers: list = []
        self.dtype = dtype
        self.count = 0

    def constant(self, name: str, value: np.ndarray | float) -> str:
        from onnx import numpy_helper

        array = np.asarray(value, dtype=self.dtype)
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def op(self, op_type: str, *inputs: str, out: str | None = None, **attributes) -> str:
        from onnx import helper

        self.count += 1
        out = out or f"{op_type.lower()}_{self.count}"
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], name=f"{op_type}_{self.count}",
                                           **attributes))
        return out


def _gelu(graph: _Graph, x: str) -> str:
    """gelu(x) = 0.5·x·(1 + erf(x/√2)): opset 17 has no Gelu op, so it is spelled out."""
    scaled = graph.op("Mul", x, graph.constant(f"{x}_inv_sqrt2", 1.0 / math.sqrt(2.0)))
    one_plus = graph.op("Add", graph.op("Erf", scaled), graph.constant(f"{x}_one", 1.0))
    return graph.op("Mul", graph.op("Mul", x, one_plus), graph.constant(f"{x}_half", 0.5))


def _onnx_activations() -> dict[str, Callable[[_Graph, str], str]]:
    """Activation name -> graph builder, with the constants the NumPy core uses."""
    from workbench.core import activations as core

    return {
        "relu": lambda g, x: g.op("Relu", x),
        "leaky_relu": lambda g, x: g.op("LeakyRelu", x, alpha=float(core.LEAKY_RELU_SLOPE)),
        "elu": lambda g, x: g.op("Elu", x, alpha=float(core.ELU_ALPHA)),
        "gelu": _gelu,
        "tanh": lambda g, x: g.op("Tanh", x),
        "sigmoid": lambda g, x: g.op("Sigmoid", x),
        "linear": lambda g, x: x,
        "softmax": lambda g, x: g.op("Softmax", x, axis=-1),
    }


def build_onnx(model: ExportModel):
    """The model as an `onnx.ModelProto`: raw float32 features in, probabilities or predictions out.

    Always float32 (the contract of shared/SESSION_FORMAT.md), also for a float64 model.
    """
    from onnx import TensorProto, checker, helper

    elem = TensorProto.FLOAT
    graph = _Graph(np.dtype(np.float32))
    builders = _onnx_activations()
    x = graph.op("Sub", "input", graph.constant("scaler.mean", model.scaler_mean))
    x = graph.op("Div", x, graph.constant("scaler.scale", model.scaler_scale))
    last = len(model.weights) - 1
    for i, (weight, bias, activation) in enumerate(zip(model.weights, model.biases, model.activations)):
        x = graph.op("MatMul", x, graph.constant(f"dense_{i}.weight", weight))
        x = graph.op("Add", x, graph.constant(f"dense_{i}.bias", bias))
        x = builders[activation](graph, x)
    output = "probabilities" if model.task == "classification" else "prediction"
    graph.op("Identity", x, out=output)
    n_out = model.weights[last].shape[1]
    onnx_graph = helper.make_graph(
        graph.nodes, "workbench_mlp",
        [helper.make_tensor_value_info("input", elem, ["batch", len(model.feature_names)])],
        [helper.make_tensor_value_info(output, elem, ["batch", n_out])],
        initializer=graph.initializers)
    onnx_model = helper.make_model(onnx_graph, producer_name="workbench",
                                   opset_imports=[helper.make_opsetid("", ONNX_OPSET)])
    onnx_model.ir_version = ONNX_IR_VERSION
    helper.set_model_props(onnx_model, model.metadata())
    checker.check_model(onnx_model, full_check=True)
    return onnx_model


def export_onnx(model: ExportModel, path: str | os.PathLike) -> None:
    import onnx

    proto = build_onnx(model)
    with replacing(path) as tmp:
        onnx.save(proto, tmp)


EXPORTERS: dict[str, Callable[[ExportModel, str | os.PathLike], None]] = {
    "npz": export_npz,
    "safetensors": export_safetensors,
    "onnx": export_onnx,
}


# Formats whose library holds the GIL while it is first imported: `import onnx` spends about 0.6 s
# in ml_dtypes' C initialisation, which would freeze a window in the same process that long.
SLOW_FIRST_IMPORT = {"onnx": "onnx"}


def export(contents: SessionContents, fmt: str, path: str | os.PathLike) -> None:
    """Write the session's model to `path` in format `fmt` (a key of `EXPORTERS`)."""
    EXPORTERS[fmt](ExportModel.from_contents(contents), path)


class ExportFailed(Exception):
    """An export written by a child process failed; the message is for a person."""


def export_beside_a_window(contents: SessionContents, fmt: str, path: str | os.PathLike) -> None:
    """`export`, for a process that paints a window: a format whose library is slow to import the
    first time (`SLOW_FIRST_IMPORT`) is written by a fresh Python process instead, so this one's
    event loop never waits on that import. The model goes to the child as `.npz` bytes on its
    standard input (no pickle); its failure comes back as `ExportFailed`."""
    module = SLOW_FIRST_IMPORT.get(fmt)
    if module is None or module in sys.modules:
        export(contents, fmt, path)
        return
    model = io.BytesIO()
    _write_npz(ExportModel.from_contents(contents), model)
    code = "import sys\nfrom workbench.io.export import _child_export\nsys.exit(_child_export(*sys.argv[1:]))"
    child = subprocess.run(child_command(code, [fmt, os.fspath(path)]), input=model.getvalue(),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=child_env())
    errors = child.stderr.decode("utf-8", "replace").strip()
    if child.returncode == 3:
        raise ExportFailed(errors.splitlines()[-1])
    if child.returncode != 0:
        raise ExportFailed(f"the {fmt} exporter stopped with exit status {child.returncode}: "
                           f"{errors.splitlines()[-1] if errors else 'no message'}")


def _child_export(fmt: str, path: str) -> int:
    """Entry point of the exporting child: 0 written, 3 failed (the message on standard error)."""
    with np.load(io.BytesIO(sys.stdin.buffer.read()), allow_pickle=False) as archive:
        model = ExportModel.from_npz(archive)
    try:
        EXPORTERS[fmt](model, path)
    except Exception as err:  # noqa: BLE001 - every failure becomes the parent's message
        print(str(err) or type(err).__name__, file=sys.stderr)
        return 3
    return 0
