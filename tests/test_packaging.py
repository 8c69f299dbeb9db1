"""What `pip install .` (a wheel, not an editable install) gives a person: every package, and the
shipped tables, which live in the top-level resources/ and are mapped into the package."""
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel pip builds from a copy of the source tree (setuptools builds in the tree, and a
    build/ left there by an earlier build would leak into the wheel)."""
    scratch = tmp_path_factory.mktemp("packaging")
    source = scratch / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".*", "build", "dist", "*.egg-info", "__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(scratch / "wheel"), str(source)],
                   check=True, capture_output=True, text=True)
    (built,) = (scratch / "wheel").glob("workbench-*.whl")
    return built


def test_the_wheel_holds_every_package_and_the_tables(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {init.relative_to(ROOT).as_posix() for init in (ROOT / "workbench").rglob("__init__.py")}
    assert packages - names == set(), "add these packages to [tool.setuptools] in pyproject.toml"
    tables = sorted(Path(n).name for n in names if n.startswith("workbench/resources/datasets/"))
    assert tables == sorted(p.name for p in (ROOT / "resources" / "datasets").iterdir() if p.suffix in (".csv", ".md"))
    assert not [n for n in names if n.startswith(("resources/", "tests/")) or n.endswith("build_tables.py")]


def test_an_installed_wheel_trains_on_a_shipped_table(wheel, tmp_path):
    site = tmp_path / "site"                   # a pure-Python wheel installs by unpacking it
    zipfile.ZipFile(wheel).extractall(site)
    run = dict(cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(site)}, capture_output=True, text=True)
    where = subprocess.run([sys.executable, "-c", "import workbench.core.datasets_builtin as d; print(d.TABLES_DIR)"],
                           check=True, **run)
    assert Path(where.stdout.strip()) == site / "workbench" / "resources" / "datasets"   # not the source tree
    trained = subprocess.run([sys.executable, "-m", "workbench", "train", "--dataset", "iris", "--epochs", "2",
                              "--json"], **run)
    assert trained.returncode == 0, trained.stderr
    result = json.loads(trained.stdout)
    assert result["status"] == "completed" and result["epochs"] == 2
