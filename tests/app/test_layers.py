"""The layer rules of architecture.md, checked from a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys


def test_protocol_imports_no_io_and_no_qt() -> None:
    code = (
        "import sys, msnqt.protocol\n"
        "bad = [m for m in ('asyncio', 'socket', 'PySide6', 'qasync') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         timeout=60)
    assert out.stdout.strip() == ""


def test_the_demo_backend_runs_without_qt() -> None:
    """msnqt.demo is wiring below the GUI (client + server): it must not drag Qt into, say, a headless bot."""
    code = (
        "import sys, msnqt.demo\n"
        "bad = [m for m in ('PySide6', 'qasync', 'keyring', 'msnqt.gui') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         timeout=60)
    assert out.stdout.strip() == ""
