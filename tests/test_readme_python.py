"""The README's "From Python" example runs as printed, without Qt, and does what it says."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## From Python", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    return code


def test_the_readme_python_example_trains_saves_reopens_and_predicts(tmp_path):
    script = readme_example() + "\nimport sys\nprint('qt imported:', 'PySide6' in sys.modules)\n"
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    status, parameters, advice, prediction, qt = done.stdout.strip().splitlines()
    assert advice.startswith("suggested learning rate ")
    assert status.startswith("completed val accuracy ") and "Convergence(epoch=" in status
    assert float(status.split()[3]) >= 0.9
    assert "'dense_0/weight': (4, 16)" in parameters and "'dense_2/weight': (16, 3)" in parameters
    names, probabilities = prediction.split("] ", 1)
    assert names == "['setosa', 'versicolor', 'virginica'"
    values = [float(v) for v in re.findall(r"\d+\.?\d*(?:e-?\d+)?", probabilities)]
    assert len(values) == 3 and abs(sum(values) - 1) < 0.01
    assert values[0] > 0.9          # a textbook setosa (the first row of Fisher's table)
    assert qt == "qt imported: False"
    assert (tmp_path / "iris.h5").is_file()
