"""Passwords encrypted at rest with Fernet.

MD5 login with a fresh challenge needs the plain password on the server (msnp2-reference §10.3), so a
hash will not do. The key lives in ``DIR/secret.key`` (created 0600); the database alone reveals no
password. Whoever can read both files can read every password: see docs/server.md.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from ..core.errors import StoreError

KEY_FILE_NAME = "secret.key"


class VaultError(StoreError):
    """The key file is missing, unreadable or does not match the stored passwords.

    A :class:`StoreError`, so a login that hits it is answered ``501`` instead of crashing.
    """


class PasswordVault:
    def __init__(self, key: bytes, *, created: bool = False) -> None:
        self._fernet = Fernet(key)
        self.created = created
        """True when this call generated the key (a brand-new data directory, or a lost key file)."""

    @classmethod
    def open(cls, data_dir: Path) -> PasswordVault:
        """Load ``DIR/secret.key``, creating it with mode 0600 on first use."""
        return cls.open_file(data_dir / KEY_FILE_NAME, create=True)

    @classmethod
    def open_file(cls, path: Path, *, create: bool) -> PasswordVault:
        """Load the key in ``path``; with ``create``, make it (mode 0600) when it does not exist yet.

        Without ``create`` a missing file is a :class:`VaultError`: a serving NS must never invent a
        key that cannot read the passwords already stored (``db init`` is the one place keys are born).
        """
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600) if create else None
        except FileExistsError:
            fd = None
        except OSError as exc:
            raise VaultError(f"cannot create key file {path}: {exc.strerror or exc}") from None
        if fd is None:
            try:
                return cls(path.read_bytes().strip())
            except FileNotFoundError:
                raise VaultError(
                    f"key file {path} does not exist (msnqt-server db init creates it)") from None
            except (OSError, ValueError) as exc:
                raise VaultError(f"cannot use key file {path}: {exc}") from None
        key = Fernet.generate_key()
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        return cls(key, created=True)

    def seal(self, password: str) -> bytes:
        return self._fernet.encrypt(password.encode("utf-8"))

    def unseal(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except InvalidToken:
            raise VaultError("stored password does not match the key file") from None

    def __repr__(self) -> str:  # never show the key
        return "PasswordVault(<key hidden>)"
