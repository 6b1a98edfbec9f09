"""The bundled MSNP2 server: DS, NS and SB over a protocol-neutral core and a SQLite store."""

from .config import ServerConfig
from .core.errors import AccountError
from .server import MsnServer

__all__ = ["AccountError", "MsnServer", "ServerConfig"]
