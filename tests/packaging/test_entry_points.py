"""``--version`` on every entry point: answered before the lazy import, from the one version in pyproject."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]


@pytest.mark.parametrize(("entry", "program"), [
    ("gui_main", "msnqt"), ("server_main", "msnqt-server"), ("cli_main", "msnqt-cli")])
def test_version_is_printed_without_loading_qt_or_the_server(entry: str, program: str) -> None:
    code = (f"import sys\nfrom msnqt.app import {entry}\nrc = {entry}(['--version'])\n"
            "heavy = ('PySide6', 'msnqt.server', 'msnqt.client', 'msnqt.gui')\n"
            "loaded = [m for m in heavy if m in sys.modules]\n"
            "print(rc, loaded)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout == f"{program} {VERSION}\n0 []\n"


def test_python_dash_m_msnqt_is_the_gui_entry_point() -> None:
    out = subprocess.run([sys.executable, "-m", "msnqt", "--version"], capture_output=True, text=True,
                         timeout=60, check=False)
    assert (out.returncode, out.stdout, out.stderr) == (0, f"msnqt {VERSION}\n", "")


def test_version_after_a_double_dash_is_an_argument_not_the_flag() -> None:
    from msnqt.app import _wants_version

    assert _wants_version(["--demo", "--version"])
    assert not _wants_version(["send", "bob@example.com", "--", "--version"])
