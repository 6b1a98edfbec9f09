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
    """Wrong guesses (each from a new address) alternate between two NS processes; the account's locks
    grow as if one process counted them all."""
    now = [1_000_000.0]

    async def run() -> None:
        throttles = _throttles(kind, redis_url, lambda: now[0], 2)
        locks = []
        for attempt in range(5):
            admitted = await throttles[attempt % 2].admit("alice", f"10.0.1.{attempt}")
            assert admitted is not None and admitted.locks == (attempt > 0)
            start = now[0]
            while await throttles[(attempt + 1) % 2].locked("alice", "10.0.0.2"):
                assert await throttles[(attempt + 1) % 2].admit("alice", "10.0.0.2") is None
                now[0] += 0.25
            locks.append(now[0] - start)
        assert locks == [0.0, 1.0, 2.0, 4.0, 4.0]

    asyncio.run(run())


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_a_right_password_forgives_the_account_but_not_the_address(kind: str, redis_url: str) -> None:
    now = [1_000_000.0]

    async def run() -> None:
        first, second = _throttles(kind, redis_url, lambda: now[0], 2)
        for handle, locks in (("alice", False), ("bob", True)):  # the guesser's second failure locks it
            guess = await first.admit(handle, "10.0.0.9")
            assert guess is not None
            assert await first.failed(guess) == locks
        assert await second.locked("zoe", "10.0.0.9")
        now[0] += 1.0
        owner = await second.admit("bob", "10.0.0.9")  # the guesser's own account, with its password
        assert owner is not None
        await second.succeeded(owner)
        assert not await first.locked("bob", "10.0.0.1")  # bob's account is forgiven...
        guess = await first.admit("carol", "10.0.0.9")  # ...the address is not: its next guess locks
        assert guess is not None and await first.failed(guess)

    asyncio.run(run())


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_attempts_in_flight_at_once_are_counted_one_after_the_other(kind: str, redis_url: str) -> None:
    """Twenty sign-ins to one account reach two NS at the same moment: one free failure, one that locks,
    and the other eighteen are refused unchecked, not checked because none had failed yet."""
    async def run() -> None:
        throttles = _throttles(kind, redis_url, lambda: 1_000_000.0, 2)
        admitted = await asyncio.gather(*(throttles[n % 2].admit("alice", f"10.0.2.{n}") for n in range(20)))
        assert sum(a is not None for a in admitted) == 2

    asyncio.run(run())


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_an_attempt_that_could_not_be_checked_is_taken_back(kind: str, redis_url: str) -> None:
    async def run() -> None:
        throttle = _throttles(kind, redis_url, lambda: 1_000_000.0, 1)[0]
        for _ in range(3):  # with one free failure, the second would lock
            admitted = await throttle.admit("alice", "10.0.0.1")
            assert admitted is not None and not admitted.locks
            await throttle.unchecked(admitted)

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
            await throttle.admit("alice", "10.0.0.1")
        window = RedisWindows(link.connect_async("redis://127.0.0.1:1/0"), "rings", 10)
        with pytest.raises(StoreError):
            await window.allow("alice")

    asyncio.run(run())
