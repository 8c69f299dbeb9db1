"""The core, the file formats and the CLI must work without Qt: importing them never loads PySide6."""
import subprocess
import sys


def test_core_io_and_cli_do_not_import_qt():
    code = (
        "import sys, pkgutil, importlib\n"
        "import workbench.core, workbench.io, workbench.cli, workbench.commands\n"
        "for pkg in (workbench.core, workbench.io, workbench.commands):\n"
        "    for info in pkgutil.iter_modules(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "workbench.cli.build_parser()\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"Qt loaded by core/io/cli: {out.stdout.strip()}"
