"""Frozen entry point of ``msnqt``: the desktop app (windowed).

PyInstaller needs a script per executable; the behaviour lives in ``msnqt.app`` so the frozen and the
pip-installed commands are the same code.
"""

import sys

from msnqt.app import gui_main

if __name__ == "__main__":
    sys.exit(gui_main())
