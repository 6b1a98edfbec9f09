"""Scripted fakes of the MSNP2 servers a user may point msnqt at (msnp2-reference §8), for client tests.

``DIALECTS`` maps a name to the dialect; ``DialectServer(DIALECTS[name])`` runs one on loopback. To add a
server: subclass :class:`Dialect` (``base.py``) and override what it phrases differently, citing §8.
"""

from __future__ import annotations

from .base import Account, Dialect, DialectServer
from .escargot2018 import Escargot2018
from .escargot2025 import Escargot2025
from .goserver import GoServer


class PngDropping(Dialect):
    """A draft-faithful server that closes the connection on PNG (as the Go server does, §8.4), with a DS."""

    name = "pngdrop"
    png_drops = True


DIALECTS: dict[str, Dialect] = {
    dialect.name: dialect for dialect in (Escargot2018(), Escargot2025(), GoServer(), PngDropping())}

__all__ = ["DIALECTS", "Account", "Dialect", "DialectServer", "Escargot2018", "Escargot2025", "GoServer",
           "PngDropping"]
