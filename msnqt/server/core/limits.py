"""Rate limits that protect other users from one noisy connection (msnp2-reference §5: 713)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class SlidingWindow:
    """At most ``limit`` events in any ``window`` seconds; the events beyond that are refused.

    Refused attempts count too: a client hammering away keeps being refused until it slows down,
    rather than getting every ``limit``-th call through.
    """

    def __init__(self, limit: int, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._times: deque[float] = deque()

    def allow(self) -> bool:
        """Record one attempt now; True if it is within the limit."""
        now = self._clock()
        while self._times and self._times[0] <= now - self._window:
            self._times.popleft()
        self._times.append(now)
        return len(self._times) <= self._limit
