"""Persistence: SQLite accounts and lists, Fernet-sealed passwords, schema migrations."""

from .sqlite_store import SqliteStore
from .vault import PasswordVault, VaultError

__all__ = ["PasswordVault", "SqliteStore", "VaultError"]
