"""Slowing down password guessing, per account and per source address (issue 14).

After a few free failures, each further failure locks the account (and, separately, the address it
came from) for twice as long as the last time: 1 s, 2 s, 4 s, ... During a lock, a sign-in attempt
is answered ``911`` without checking the password at all, so guessing costs time and not CPU.

The account's lock is capped low (a minute by default): anyone can make an account's sign-ins fail by
guessing wrong, and a legitimate owner must not be locked out for long by someone else. The address's
lock is capped high (a quarter of an hour): that one only hurts the guesser.

:class:`LocalLoginThrottle` keeps the counts in this process's memory (the one-process server);
``cluster.redis_limits`` keeps the same records in Redis for every NS of a cluster.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .limits import MAX_TRACKED_KEYS, Clock


@dataclass(slots=True)
class _Record:
    failures: int = 0
    locked_until: float = 0.0
    last_failure: float = 0.0


class _Lockouts:
    def __init__(self, free: int, cap: float, clock: Clock) -> None:
        self._free = free
        self._cap = cap
        self._clock = clock
        self._records: dict[str, _Record] = {}

    def locked(self, key: str) -> bool:
        record = self._records.get(key)
        return record is not None and record.locked_until > self._clock()

    def failed(self, key: str) -> bool:
        """Count a failure; True when it starts a lock."""
        now = self._clock()
        record = self._records.get(key)
        if record is None:
            if len(self._records) >= MAX_TRACKED_KEYS:
                self._forget_quiet(now)
            record = self._records[key] = _Record()
        elif now - record.last_failure > self._cap:
            record.failures = 0  # quiet for longer than the longest lock: an old typo is forgiven
        record.failures += 1
        record.last_failure = now
        beyond = record.failures - self._free
        if beyond <= 0:
            return False
        record.locked_until = now + min(self._cap, 2.0 ** (beyond - 1))
        return True

    def succeeded(self, key: str) -> None:
        self._records.pop(key, None)

    def _forget_quiet(self, now: float) -> None:
        """Records whose last lock ended more than a cap ago would start over nearly the same."""
        self._records = {k: r for k, r in self._records.items() if now - r.last_failure <= self._cap}


class LocalLoginThrottle:
    """:class:`~msnqt.server.core.ports.LoginThrottle` in memory: never suspends."""

    def __init__(self, *, free_failures: int = 3, account_cap: float = 60.0, address_cap: float = 900.0,
                 clock: Clock = time.monotonic) -> None:
        self._accounts = _Lockouts(free_failures, account_cap, clock)
        self._addresses = _Lockouts(free_failures, address_cap, clock)

    async def locked(self, account_key: str, address: str) -> bool:
        """Answer 911 without checking: this account or this address failed too often just now."""
        return self._accounts.locked(account_key) or self._addresses.locked(address)

    async def failed(self, account_key: str, address: str) -> bool:
        """Count a wrong password; True when it locks the account or the address (worth a log line)."""
        account_locked = self._accounts.failed(account_key)
        address_locked = self._addresses.failed(address)
        return account_locked or address_locked

    async def succeeded(self, account_key: str) -> None:
        """The owner got in: their account's failures are forgiven. The address's are not, or a
        guesser could sign in to an account of their own between guesses to start afresh."""
        self._accounts.succeeded(account_key)
