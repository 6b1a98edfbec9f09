"""Slowing down password guessing, per account and per source address (issue 14).

After a few free failures, each further failure locks the account (and, separately, the address it
came from) for twice as long as the last time: 1 s, 2 s, 4 s, ... During a lock, a sign-in attempt
is answered ``911`` without checking the password at all, so guessing costs time and not CPU.

The account's lock is capped low (a minute by default): anyone can make an account's sign-ins fail by
guessing wrong, and a legitimate owner must not be locked out for long by someone else. The address's
lock is capped high (a quarter of an hour): that one only hurts the guesser.

Every admitted attempt counts against its account *before* its password is checked, in the same step
that looks at the locks (:meth:`LocalLoginThrottle.admit`); a right password forgives it. Checking first
and counting after the (awaited) check let every attempt already in flight through: twenty connections
sending a wrong password at once got twenty guesses. The address is counted once the password proved
wrong: many people behind one address signing in at once must not lock each other out.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .limits import MAX_TRACKED_KEYS, Clock
from .ports import Admission


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

    def count(self, key: str) -> tuple[bool, float]:
        """Count a failure; whether it starts a lock, and the lock's end before it (for :meth:`undo`)."""
        now = self._clock()
        record = self._records.get(key)
        if record is None:
            if len(self._records) >= MAX_TRACKED_KEYS:
                self._forget_quiet(now)
            record = self._records[key] = _Record()
        elif now - record.last_failure > self._cap:
            record.failures = 0  # quiet for longer than the longest lock: an old typo is forgiven
        previous = record.locked_until
        record.failures += 1
        record.last_failure = now
        beyond = record.failures - self._free
        if beyond <= 0:
            return False, previous
        record.locked_until = now + min(self._cap, 2.0 ** min(beyond - 1, 40))
        return True, previous

    def undo(self, key: str, locked_until: float) -> None:
        """Take back one counted failure (the password was right, or could not be checked)."""
        record = self._records.get(key)
        if record is not None:
            record.failures = max(0, record.failures - 1)
            record.locked_until = locked_until

    def forgive(self, key: str) -> None:
        self._records.pop(key, None)

    def _forget_quiet(self, now: float) -> None:
        """Records whose last lock ended more than a cap ago would start over nearly the same."""
        self._records = {k: r for k, r in self._records.items() if now - r.last_failure <= self._cap}


class LocalLoginThrottle:
    """:class:`~msnqt.server.core.ports.LoginThrottle` in memory: never suspends, so each call is atomic."""

    def __init__(self, *, free_failures: int = 3, account_cap: float = 60.0, address_cap: float = 900.0,
                 clock: Clock = time.monotonic) -> None:
        self._accounts = _Lockouts(free_failures, account_cap, clock)
        self._addresses = _Lockouts(free_failures, address_cap, clock)

    async def locked(self, account_key: str, address: str) -> bool:
        return self._accounts.locked(account_key) or self._addresses.locked(address)

    async def admit(self, account_key: str, address: str) -> Admission | None:
        if self._accounts.locked(account_key) or self._addresses.locked(address):
            return None
        locks, until = self._accounts.count(account_key)
        return Admission(account_key, address, locks, until)

    async def failed(self, admission: Admission) -> bool:
        return self._addresses.count(admission.address)[0]

    async def succeeded(self, admission: Admission) -> None:
        """The owner got in: their account's failures are forgiven. The address's are not, or a
        guesser could sign in to an account of their own between guesses to start afresh."""
        self._accounts.forgive(admission.account_key)

    async def unchecked(self, admission: Admission) -> None:
        self._accounts.undo(admission.account_key, admission.account_until)
