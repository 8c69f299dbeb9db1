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
        for name in (f"workbench-{width}x{height}-light.png", f"workbench-{width}x{height}-light-units.png"):
            image = QImage(str(tmp_path / name))
            assert (image.width(), image.height()) == (width, height)
        plain, units = (QImage(str(tmp_path / f"workbench-{width}x{height}-light{s}.png")) for s in ("", "-units"))
        assert plain != units                          # the second shows another tab


HARNESS = """
import gc
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from workbench import cli
from workbench.gui.app import make_application

def grab():
    app = QApplication.instance()
    shown = [w for w in app.topLevelWidgets() if w.isVisible() and w.windowTitle()]
    print("TITLE", [(w.windowTitle(), w.isWindowModified()) for w in shown], flush=True)
    print("FROZEN", gc.get_freeze_count(), flush=True)
    app.primaryScreen().grabWindow(0).save(sys.argv[2])      # the whole X screen, as a person sees it
    for window in app.topLevelWidgets():
        window.close()

make_application()                 # run_app reuses it; the timer needs it first
QTimer.singleShot(6000, grab)
sys.exit(cli.main([sys.argv[1]]))
"""


def test_the_workbench_command_opens_a_session_in_a_real_window(tmp_path):
    session = tmp_path / "run.h5"
    made = subprocess.run([sys.executable, "-m", "workbench", "train", "--samples", "100", "--epochs", "5",
                           "--quiet", "--save", str(session)], capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(QT_QPA_PLATFORM="xcb", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"))           # a private QSettings and autosave folder
    shot = tmp_path / "screen.png"
    done = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", sys.executable, "-c", HARNESS,
                           str(session), str(shot)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "TITLE [('run.h5[*] — Workbench', False)]" in done.stdout     # the session, unmodified
    # start-up's objects are out of the garbage collector's reach (a full collection stalled the window)
    frozen = int(done.stdout.split("FROZEN ")[1].split()[0])
    assert frozen > 10_000
    assert "Destroyed while thread" not in done.stderr
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1280, 800)
    colours = {image.pixel(x, y) for x in range(0, 1280, 16) for y in range(0, 800, 16)}
    assert len(colours) > 50                                  # a drawn window, not a blank screen
