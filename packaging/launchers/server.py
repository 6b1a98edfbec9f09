"""Frozen entry point of ``msnqt-server``: the headless MSNP2 server and its account tool.

PyInstaller needs a script per executable; the behaviour lives in ``msnqt.app`` so the frozen and the
pip-installed commands are the same code.
"""

import sys

from msnqt.app import server_main

if __name__ == "__main__":
    sys.exit(server_main())
