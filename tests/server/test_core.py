"""Core rules that are awkward to reach over the wire: cookie expiry and the privacy predicate."""

from __future__ import annotations

import asyncio

from msnqt.protocol.codes import ListName, Privacy, ReverseListPrompt
from msnqt.server.core.model import ListEntry, UserLists
from msnqt.server.core.privacy import allows
from msnqt.server.core.switchboard import CookieJar


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_cookie_is_single_use_and_bound_to_handle_and_purpose() -> None:
    async def body() -> None:
        jar = CookieJar(120.0, FakeClock())
        cookie = await jar.issue("alice@hotmail.com")
        assert await jar.redeem(cookie, "bob@hotmail.com", None) is None  # wrong handle uses it up
        cookie = await jar.issue("alice@hotmail.com", "123")
        assert await jar.redeem(cookie, "ALICE@hotmail.com", None) is None  # wrong purpose
        cookie = await jar.issue("alice@hotmail.com", "123")
        assert await jar.redeem(cookie, "ALICE@hotmail.com", "123") is not None
        assert await jar.redeem(cookie, "alice@hotmail.com", "123") is None  # second use

    asyncio.run(body())


def test_cookie_expires_after_its_lifetime() -> None:
    async def body() -> None:
        clock = FakeClock()
        jar = CookieJar(120.0, clock)
        cookie = await jar.issue("alice@hotmail.com")
        clock.now += 120.0
        assert await jar.redeem(cookie, "alice@hotmail.com", None) is None
        fresh = await jar.issue("alice@hotmail.com")
        clock.now += 119.0
        assert await jar.redeem(fresh, "alice@hotmail.com", None) is not None

    asyncio.run(body())


def _lists(blp: Privacy, al: list[str], bl: list[str]) -> UserLists:
    return UserLists(1, ReverseListPrompt.ASK, blp, {
        ListName.ALLOW: [ListEntry(h, h) for h in al], ListName.BLOCK: [ListEntry(h, h) for h in bl]})


def test_allows_follows_block_then_allow_then_blp() -> None:
    assert not allows(_lists(Privacy.ALLOW_ALL, [], ["Bob@x.com"]), "bob@x.com")
    assert allows(_lists(Privacy.BLOCK_ALL, ["bob@x.com"], []), "BOB@x.com")
    assert allows(_lists(Privacy.ALLOW_ALL, [], []), "bob@x.com")
    assert not allows(_lists(Privacy.BLOCK_ALL, [], []), "bob@x.com")
