"""Core rules that are awkward to reach over the wire: cookie expiry, the privacy predicate, and the
presence a session is told again."""

from __future__ import annotations

import asyncio
from pathlib import Path

from msnqt.protocol.codes import ListName, Privacy, ReverseListPrompt, Status
from msnqt.server import MsnServer, ServerConfig
from msnqt.server.core.events import ContactOffline, ContactOnline
from msnqt.server.core.model import ListEntry, UserLists
from msnqt.server.core.privacy import allows
from msnqt.server.core.switchboard import CookieJar
from tests.server.wire import next_line_starting, sign_in


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


def test_presence_again_is_nln_for_each_visible_contact_and_fln_for_every_other(tmp_path: Path) -> None:
    """What a session is told after it may have missed presence (a cluster NS that stopped hearing its
    channel): the truth for every FL contact, privacy included, and nothing before its first CHG."""
    alice, bob, carol, dave = (f"{name}@hotmail.com" for name in ("alice", "bob", "carol", "dave"))

    async def body() -> None:
        server = await MsnServer.start(ServerConfig(data_dir=tmp_path, ds_port=0, ns_port=0, sb_port=0))
        try:
            for handle in (alice, bob, carol, dave):
                server.add_account(handle, "pw", handle.split("@")[0].title())
            me = await sign_in(server.ns_address, alice, "pw")
            for trid, contact in enumerate((bob, carol, dave), start=1):
                await me.send(f"ADD {trid} FL {contact} {contact}")
                await next_line_starting(me, "ADD")
            assert await server.notification.presence_again(alice) == []  # no CHG yet: the ILN comes with it
            online = {}
            for contact in (bob, carol):
                online[contact] = await sign_in(server.ns_address, contact, "pw")
                await online[contact].send("CHG 1 NLN")
                await next_line_starting(online[contact], "CHG")
            await online[carol].send(f"ADD 2 BL {alice} {alice}")
            await next_line_starting(online[carol], "ADD")
            await me.send("CHG 9 NLN")
            await next_line_starting(me, "CHG")

            assert await server.notification.presence_again(alice) == [
                ContactOnline(bob, Status.ONLINE, "Bob"), ContactOffline(carol), ContactOffline(dave)]
            for client in (me, *online.values()):
                client.close()
        finally:
            await server.close()

    asyncio.run(body())
