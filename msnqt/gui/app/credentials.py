"""Remembered passwords behind a small interface: the OS keyring in production, memory in tests.

Keyring calls can block on D-Bus, so :class:`KeyringCredentials` runs them in the loop's executor. When no
real system keyring exists (only the ``fail`` or ``null`` backend, a plain-text store such as
``keyrings.alt``'s, a locked collection, no D-Bus) the store reports itself unavailable with a reason the
Log On dialog shows as a tooltip. There is deliberately no plain-text fallback. The rule and the key
(the lower-cased sign-in name) are :mod:`msnqt.client.passwords`, shared with ``msnqt-cli --keyring``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

import keyring.backend
import keyring.errors

from msnqt.client.passwords import NO_KEYRING, SERVICE, account_key, system_keyring, why_not_a_keyring


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
_CANNOT = "Your password cannot be remembered because "


class _NoKeyring(keyring.errors.KeyringError):
    """What every call meets when there is no real system keyring: handled like any keyring failure."""


class KeyringCredentials:
    """Passwords in the real system keyring (or in ``backend``, a store the caller chose: tests), called
    off the UI thread."""

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend

    def _keyring(self) -> keyring.backend.KeyringBackend:
        if self._backend is not None:
            return self._backend
        ring = system_keyring()
        if ring is None:
            raise _NoKeyring(why_not_a_keyring())
        return ring

    async def _run(self, func: object, *args: str) -> object:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, func, *args)  # type: ignore[arg-type]

    async def availability(self) -> Availability:
        try:
            ring = self._keyring()
            await self._run(ring.get_password, SERVICE, "availability-probe")
        except keyring.errors.KeyringLocked:
            return Availability(False, _LOCKED)
        except _NoKeyring as exc:
            return Availability(False, f"{_CANNOT}{exc}.")
        except (keyring.errors.KeyringError, RuntimeError, OSError):
            return Availability(False, f"{_CANNOT}{NO_KEYRING}.")
        return Availability(True)

    async def load(self, account: str) -> str | None:
        try:
            value = await self._run(self._keyring().get_password, SERVICE, account_key(account))
        except (keyring.errors.KeyringError, RuntimeError, OSError):
            return None
        return value if isinstance(value, str) else None

    async def save(self, account: str, password: str) -> None:
        try:
            await self._run(self._keyring().set_password, SERVICE, account_key(account), password)
        except (keyring.errors.KeyringError, RuntimeError, OSError) as exc:
            raise CredentialError("Your password could not be saved in the system keyring.") from exc

    async def forget(self, account: str) -> None:
        try:
            await self._run(self._keyring().delete_password, SERVICE, account_key(account))
        except (keyring.errors.PasswordDeleteError, _NoKeyring):
            pass  # nothing was stored (or could have been): already forgotten
        except (keyring.errors.KeyringError, RuntimeError, OSError) as exc:
            raise CredentialError(
                "Your saved password could not be removed from the system keyring.") from exc
