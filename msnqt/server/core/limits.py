"""Rate limits that protect other users from one noisy user (msnp2-reference §5: 713).

Pure in-process memory, independent of the store: each server process limits what reaches it. Limits
are kept per *user* (or per source address), not per connection, so signing in again or opening
another switchboard does not buy a fresh allowance.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, fields
from typing import Generic, TypeVar

Clock = Callable[[], float]
K = TypeVar("K", bound=Hashable)

MAX_TRACKED_KEYS = 50_000
"""Above this many keys, the ones whose allowance is back to full are forgotten (they cost nothing)."""


class SlidingWindow:
    """At most ``limit`` events in any ``window`` seconds; the events beyond that are refused.

    Refused attempts count too: a client hammering away keeps being refused until it slows down,
    rather than getting every ``limit``-th call through. At most ``2 * limit`` attempts are
    remembered, so a flood costs bounded memory.
    """

    def __init__(self, limit: int, window: float = 60.0,
                 clock: Clock = time.monotonic) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._times: deque[float] = deque()

    def allow(self) -> bool:
        """Record one attempt now; True if it is within the limit."""
        now = self._clock()
        while self._times and self._times[0] <= now - self._window:
            self._times.popleft()
        if len(self._times) < 2 * self._limit:
            self._times.append(now)
        return len(self._times) <= self._limit

    def idle(self) -> bool:
        """Nothing is remembered within the window: forgetting this window changes nothing."""
        now = self._clock()
        return not self._times or self._times[-1] <= now - self._window


@dataclass(frozen=True, slots=True)
class Rate:
    """A token bucket's shape: ``burst`` at once, then ``per_second`` on average."""

    burst: int
    per_second: float


class TokenBucket:
    """Allows ``rate.burst`` events at once and refills at ``rate.per_second``."""

    __slots__ = ("_rate", "_stamp", "_tokens")

    def __init__(self, rate: Rate, now: float) -> None:
        self._rate = rate
        self._tokens = float(rate.burst)
        self._stamp = now

    def _refill(self, now: float) -> None:
        if now > self._stamp:
            self._tokens = min(float(self._rate.burst),
                               self._tokens + (now - self._stamp) * self._rate.per_second)
        self._stamp = now

    def take(self, now: float, cost: float = 1.0) -> bool:
        """An event worth ``cost`` tokens now: True if the bucket had them (refused events cost nothing)."""
        self._refill(now)
        if self._tokens >= cost:
            self._tokens -= cost
            return True
        return False

    def full(self, now: float) -> bool:
        self._refill(now)
        return self._tokens >= self._rate.burst


class KeyedBuckets(Generic[K]):
    """One :class:`TokenBucket` per key (a handle's key, a source address), full on first use."""

    def __init__(self, rate: Rate, clock: Clock = time.monotonic) -> None:
        self._rate = rate
        self._clock = clock
        self._buckets: dict[K, TokenBucket] = {}

    def allow(self, key: K, cost: float = 1.0) -> bool:
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_TRACKED_KEYS:
                self._forget_full(now)
            bucket = self._buckets[key] = TokenBucket(self._rate, now)
        return bucket.take(now, cost)

    def _forget_full(self, now: float) -> None:
        self._buckets = {k: b for k, b in self._buckets.items() if not b.full(now)}


class KeyedWindows(Generic[K]):
    """One :class:`SlidingWindow` per key, for limits stated as "N a minute" where refusals count: the
    in-memory :class:`~msnqt.server.core.ports.WindowLimit` (``cluster.redis_limits`` has Redis's)."""

    def __init__(self, limit: int, window: float = 60.0, clock: Clock = time.monotonic) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._windows: dict[K, SlidingWindow] = {}

    async def allow(self, key: K) -> bool:
        window = self._windows.get(key)
        if window is None:
            if len(self._windows) >= MAX_TRACKED_KEYS:
                self._windows = {k: w for k, w in self._windows.items() if not w.idle()}
            window = self._windows[key] = SlidingWindow(self._limit, self._window, self._clock)
        return window.allow()


@dataclass(frozen=True, slots=True)
class RateLimits:
    """How often one user may do each kind of costly thing (``ServerConfig.rate_limits``).

    The defaults leave room for anything a person does by hand (and a client's sign-in), and refuse
    what only a script does: thousands of status flips, renames or list changes a minute.
    """

    presence: Rate = Rate(20, 1.0)
    """CHG: each one fans out to every watcher."""
    lists: Rate = Rate(100, 2.0)
    """ADD, REM, REA, GTC, BLP: each one is a committed write (and may fan out)."""
    reads: Rate = Rate(20, 0.5)
    """SYN, LST, FND: each one may answer with a whole contact list or a directory search."""
    switchboards: Rate = Rate(20, 0.5)
    """XFR SB: each one is a cookie and, redeemed, a socket and a session."""
    invitations: Rate = Rate(50, 50 / 86_400)
    """SND: invitations recorded per day (this server never mails them, but it stores them)."""
    refusals: Rate = Rate(100, 1.0)
    """713s (and refused relays) a user may collect before the connection that keeps asking is closed."""
    relay: Rate = Rate(256 << 10, 32 << 10)
    """Bytes of MSG one user may have relayed, all switchboards together: a person typing, even
    pasting, stays far below; a flood would otherwise fill the readers' buffers until they, not the
    flooder, were dropped."""

    @classmethod
    def unlimited(cls) -> RateLimits:
        """No per-user limit worth the name: for benchmarks that measure how fast floods are served,
        and tests of something else that reuse one account many times."""
        plenty = Rate(1 << 40, float(1 << 40))
        return cls(**{f.name: plenty for f in fields(cls)})


DEFAULT_RATE_LIMITS = RateLimits()

COMMAND_CLASSES: dict[str, str] = {
    "CHG": "presence",
    "ADD": "lists", "REM": "lists", "REA": "lists", "GTC": "lists", "BLP": "lists",
    "SYN": "reads", "LST": "reads", "FND": "reads",
    "XFR": "switchboards",
    "SND": "invitations",
}
"""Which allowance each signed-in NS command draws on; the others (PNG, URL, CVR, INF, OUT) answer a
line of constant size and are bounded by the output budget alone."""


class UserLimits:
    """Per-user allowances for each command class, shared by all of a user's connections."""

    def __init__(self, rates: RateLimits, clock: Clock = time.monotonic) -> None:
        self._buckets: dict[str, KeyedBuckets[str]] = {
            name: KeyedBuckets(getattr(rates, name), clock) for name in set(COMMAND_CLASSES.values())}
        self._refusals: KeyedBuckets[str] = KeyedBuckets(rates.refusals, clock)
        self._relay: KeyedBuckets[str] = KeyedBuckets(rates.relay, clock)

    def allow(self, command: str, user_key: str) -> bool:
        """May ``user_key`` run ``command`` now? Commands outside every class always may."""
        kind = COMMAND_CLASSES.get(command)
        return kind is None or self._buckets[kind].allow(user_key)

    def relay_allows(self, user_key: str, size: int) -> bool:
        """May ``user_key`` have ``size`` more bytes of MSG relayed now?"""
        return self._relay.allow(user_key, size)

    def patience_left(self, user_key: str, refusals: int = 1) -> bool:
        """Record refusals; False once the user has been refused too often (close the connection)."""
        return self._refusals.allow(user_key, refusals)
