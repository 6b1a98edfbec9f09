"""Remembered passwords behind a small interface: the OS keyring in production, memory in tests.

Keyring calls can block on D-Bus, so :class:`KeyringCredentials` runs them in the loop's executor. When no
usable backend exists (the ``fail`` or ``null`` backend, a locked collection, no D-Bus) the store reports
itself unavailable with a reason the Log On dialog shows as a tooltip. There is deliberately no plain-text
fallback.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

import keyring
import keyring.backend
import keyring.errors

SERVICE = "msnqt"


@dataclass(frozen=True)
class Availability:
    usable: bool
    reason: str = ""   # why not, in one sentence, when not usable


class CredentialStore(Protocol):
    async def availability(self) -> Availability: ...
    async def load(self, account: str) -> str | None: ...
    async def save(self, account: str, password: str) -> None: ...
    async def forget(self, account: str) -> None: ...


class CredentialError(Exception):
    """Storing or reading a password failed; ``str()`` is a readable sentence."""


class MemoryCredentials:
    """A store that keeps passwords in this process only (tests, and nothing else)."""

    def __init__(self, *, usable: bool = True, reason: str = "") -> None:
        self.passwords: dict[str, str] = {}
        self._availability = Availability(usable, reason)

    async def availability(self) -> Availability:
        return self._availability

    async def load(self, account: str) -> str | None:
        return self.passwords.get(account.lower())

    async def save(self, account: str, password: str) -> None:
        if not self._availability.usable:
            raise CredentialError(self._availability.reason)
        self.passwords[account.lower()] = password

    async def forget(self, account: str) -> None:
        self.passwords.pop(account.lower(), None)


_LOCKED = "Your password cannot be remembered because the system keyring is locked."
_NO_KEYRING = ("Your password cannot be remembered because no system keyring (such as GNOME Keyring or "
               "KWallet) is available.")


class KeyringCredentials:
    """Passwords in the system keyring via ``keyring`` (or a given backend), called off the UI thread."""

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend

    def _keyring(self) -> keyring.backend.KeyringBackend:
        return self._backend if self._backend is not None else keyring.get_keyring()

    async def _run(self, func: object, *args: str) -> object:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, func, *args)  # type: ignore[arg-type]

    async def availability(self) -> Availability:
        ring = self._keyring()
        if type(ring).__module__.startswith(("keyring.backends.fail", "keyring.backends.null")):
            return Availability(False, _NO_KEYRING)
        try:
            await self._run(ring.get_password, SERVICE, "availability-probe")
        except keyring.errors.KeyringLocked:
            return Availability(False, _LOCKED)
        except (keyring.errors.KeyringError, RuntimeError, OSError):
            return Availability(False, _NO_KEYRING)
        return Availability(True)

    async def load(self, account: str) -> str | None:
        try:
            value = await self._run(self._keyring().get_password, SERVICE, account.lower())
        except (keyring.errors.KeyringError, RuntimeError, OSError):
            return None
        return value if isinstance(value, str) else None

    async def save(self, account: str, password: str) -> None:
        try:
            await self._run(self._keyring().set_password, SERVICE, account.lower(), password)
        except (keyring.errors.KeyringError, RuntimeError, OSError) as exc:
            raise CredentialError("Your password could not be saved in the system keyring.") from exc

    async def forget(self, account: str) -> None:
        try:
            await self._run(self._keyring().delete_password, SERVICE, account.lower())
        except keyring.errors.PasswordDeleteError:
            pass  # nothing was stored: already forgotten
        except (keyring.errors.KeyringError, RuntimeError, OSError) as exc:
            raise CredentialError(
                "Your saved password could not be removed from the system keyring.") from exc
