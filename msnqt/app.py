"""Entry points: the only module that wires the layers together.

Each entry imports its layer lazily so ``msnqt-server`` never loads Qt and ``msnqt-cli`` never loads the
server.
"""

from __future__ import annotations

import sys


def _wants_version(argv: list[str]) -> bool:
    """True when ``--version`` comes before a ``--`` terminator, as argparse would read it.

    Handled here, before the lazy import, so every executable (frozen ones included) answers without loading
    Qt or the server, and the version always has one source: the package metadata from pyproject.
    """
    options = argv[: argv.index("--")] if "--" in argv else argv
    return "--version" in options


def _print_version(program: str) -> int:
    from msnqt import __version__

    print(f"{program} {__version__}")
    return 0


def gui_main(argv: list[str] | None = None) -> int:
    """``msnqt``: the desktop app (``--demo`` starts the bundled server in-process)."""
    args = sys.argv[1:] if argv is None else argv
    if _wants_version(args):
        return _print_version("msnqt")
    from msnqt.gui.main import main

    return main(args)


def server_main(argv: list[str] | None = None) -> int:
    """``msnqt-server``: the headless MSNP2 server and its account tool."""
    args = sys.argv[1:] if argv is None else argv
    if _wants_version(args):
        return _print_version("msnqt-server")
    from msnqt.server.cli import main

    return main(args)


def cli_main(argv: list[str] | None = None) -> int:
    """``msnqt-cli``: the scriptable command-line client."""
    args = sys.argv[1:] if argv is None else argv
    if _wants_version(args):
        return _print_version("msnqt-cli")
    from msnqt.client.cli import main

    return main(args)


if __name__ == "__main__":
    sys.exit(gui_main())
