"""Entry points: the only module that wires the layers together.

Each entry imports its layer lazily so ``msnqt-server`` never loads Qt and ``msnqt-cli`` never loads the
server.
"""

from __future__ import annotations

import sys


def gui_main(argv: list[str] | None = None) -> int:
    """``msnqt``: the desktop app (``--demo`` starts the bundled server in-process)."""
    from msnqt.gui.main import main

    return main(sys.argv[1:] if argv is None else argv)


def server_main(argv: list[str] | None = None) -> int:
    """``msnqt-server``: the headless MSNP2 server and its account tool."""
    from msnqt.server.cli import main

    return main(sys.argv[1:] if argv is None else argv)


def cli_main(argv: list[str] | None = None) -> int:
    """``msnqt-cli``: the scriptable command-line client."""
    from msnqt.client.cli import main

    return main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(gui_main())
