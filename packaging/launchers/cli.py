"""Frozen entry point of ``msnqt-cli``: the scriptable command-line client.

PyInstaller needs a script per executable; the behaviour lives in ``msnqt.app`` so the frozen and the
pip-installed commands are the same code.
"""

import sys

from msnqt.app import cli_main

if __name__ == "__main__":
    sys.exit(cli_main())
