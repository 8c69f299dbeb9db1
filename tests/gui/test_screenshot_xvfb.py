"""The real app on a real (virtual) X display: it starts, trains and is captured at both sizes."""
import os
import shutil
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage

pytestmark = pytest.mark.skipif(shutil.which("xvfb-run") is None,
                                reason="xvfb-run is not installed (.ci/run installs it)")


def test_the_app_runs_under_xvfb_and_takes_screenshots(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env["QT_QPA_PLATFORM"] = "xcb"
    done = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", sys.executable, "-m",
         "workbench.gui.screenshots", str(tmp_path), "--epochs", "20", "--themes", "light"],
        env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Destroyed while thread" not in done.stderr
    for width, height in ((1280, 800), (1920, 1080)):
        image = QImage(str(tmp_path / f"workbench-{width}x{height}-light.png"))
        assert (image.width(), image.height()) == (width, height)
