"""The login throttle and the CAL/ring windows in Redis count exactly like the in-memory ones, and
every process counts in the same place (real Redis; the clock is the test's)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from msnqt.server.cluster import link
from msnqt.server.cluster.redis_limits import RedisLoginThrottle, RedisWindows
from msnqt.server.core.errors import StoreError
from msnqt.server.core.limits import KeyedWindows
from msnqt.server.core.login_throttle import LocalLoginThrottle
from msnqt.server.core.ports import LoginThrottle, WindowLimit

Clock = Callable[[], float]


def _throttles(kind: str, redis_url: str, clock: Clock, count: int) -> list[LoginThrottle]:
    """``count`` throttles as ``count`` processes would hold them: one shared memory, or one Redis."""
    if kind == "memory":
        one = LocalLoginThrottle(free_failures=1, account_cap=4.0, address_cap=100.0, clock=clock)
        return [one] * count
    return [RedisLoginThrottle(link.connect_async(redis_url), free_failures=1, account_cap=4.0,
                               address_cap=100.0, clock=clock) for _ in range(count)]


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_a_lock_doubles_with_each_further_failure_up_to_its_cap(kind: str, redis_url: str) -> None:
    """Failures alternate between two NS processes; the locks grow as if one process counted them all."""
    now = [1_000_000.0]

    async def run() -> None:
        throttles = _throttles(kind, redis_url, lambda: now[0], 2)
        locks = []
        for attempt in range(5):
            await throttles[attempt % 2].failed("alice", "10.0.0.1")
            start = now[0]
            while await throttles[(attempt + 1) % 2].locked("alice", "10.0.0.2"):  # the account lock alone
                now[0] += 0.25
            locks.append(now[0] - start)
        assert locks == [0.0, 1.0, 2.0, 4.0, 4.0]
        await throttles[0].succeeded("alice")
        assert not await throttles[1].locked("alice", "10.0.0.2")
        assert await throttles[1].locked("alice", "10.0.0.1")  # the guesser's address is not forgiven
        now[0] += 100.5  # quiet for longer than the address's cap: an old typo is forgiven
        assert not await throttles[1].locked("bob", "10.0.0.1")
        assert not await throttles[0].failed("bob", "10.0.0.1")  # the first failure again: a free one

    asyncio.run(run())


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_a_window_counts_refused_attempts_across_processes(kind: str, redis_url: str) -> None:
    now = [1_000_000.0]

    async def run() -> None:
        windows: list[WindowLimit]
        if kind == "memory":
            windows = [KeyedWindows(3, 60.0, lambda: now[0])] * 2
        else:
            windows = [RedisWindows(link.connect_async(redis_url), "rings", 3, 60.0, lambda: now[0])
                       for _ in range(2)]
        answers = [await windows[n % 2].allow("victim") for n in range(4)]
        assert answers == [True, True, True, False]
        assert await windows[0].allow("someone-else")
        now[0] += 59.0
        assert not await windows[1].allow("victim")  # the refused attempt counts too
        now[0] += 1.5  # the first four are out of the window; the one refused at 59 s is not
        answers = [await windows[n % 2].allow("victim") for n in range(3)]
        assert answers == [True, True, False]

    asyncio.run(run())


def test_a_throttle_that_cannot_reach_redis_raises_rather_than_allows() -> None:
    """What the NS turns into 501 for the sign-in: the guess is never checked unthrottled."""
    async def run() -> None:
        throttle = RedisLoginThrottle(link.connect_async("redis://127.0.0.1:1/0"))
        with pytest.raises(StoreError):
            await throttle.locked("alice", "10.0.0.1")
        window = RedisWindows(link.connect_async("redis://127.0.0.1:1/0"), "rings", 10)
        with pytest.raises(StoreError):
            await window.allow("alice")

    asyncio.run(run())
