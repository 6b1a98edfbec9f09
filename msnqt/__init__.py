"""msnqt: an MSN Messenger 1.0 replica (PySide6 client, MSNP2 engine, bundled MSNP2 server).

``__version__`` is looked up lazily: ``importlib.metadata`` imports ``email`` and ``socket``, and the sans-IO
codec must stay importable without either.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("msnqt")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0.0.0+unknown"
    raise AttributeError(name)
