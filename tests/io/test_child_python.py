"""The app's child processes (the isolated session read, the ONNX export) run this process's
Workbench, whatever else the child's search path would find first."""
import subprocess
import sys

import pytest

from workbench.cli import main
from workbench.io.child_python import PACKAGE_PARENT, child_command, child_env
from workbench.io.export import export_beside_a_window
from workbench.io.session import read_contents, validate_in_child


@pytest.fixture
def another_workbench(tmp_path, monkeypatch):
    """A folder with a stranger `workbench` package first on PYTHONPATH (another checkout)."""
    fake = tmp_path / "other" / "workbench"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('the other workbench')\n")
    monkeypatch.setenv("PYTHONPATH", str(fake.parent))
    monkeypatch.chdir(tmp_path)
    return fake.parent


def test_the_child_imports_this_processes_workbench(another_workbench):
    code = "import workbench, sys; print(workbench.__file__)"
    done = subprocess.run(child_command(code, []), env=child_env(), capture_output=True, text=True, check=True)
    assert done.stdout.strip().startswith(PACKAGE_PARENT)
    assert child_env()["PYTHONPATH"].split(":")[1] == str(another_workbench)     # kept, after ours


def test_opening_and_exporting_in_a_child_work_beside_another_workbench(another_workbench, tmp_path,
                                                                      monkeypatch):
    session = tmp_path / "run.h5"
    assert main(["train", "--epochs", "2", "--quiet", "--save", str(session)]) == 0
    validate_in_child(session)                          # no "crashed the HDF5 reader"
    monkeypatch.delitem(sys.modules, "onnx", raising=False)     # as if never imported: a child exports
    target = tmp_path / "model.onnx"
    export_beside_a_window(read_contents(session), "onnx", target)
    assert target.stat().st_size > 0
