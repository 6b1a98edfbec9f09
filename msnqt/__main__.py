"""``python -m msnqt``: the desktop app, exactly as the ``msnqt`` script starts it."""

import sys

from msnqt.app import gui_main

if __name__ == "__main__":
    sys.exit(gui_main())
