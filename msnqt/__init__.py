"""msnqt: an MSN Messenger 1.0 replica (PySide6 client, MSNP2 engine, bundled MSNP2 server)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("msnqt")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
