"""The Redis ports where several NS processes race over one user (real Redis, no processes needed)."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio

from msnqt.protocol.codes import Status
from msnqt.server.cluster import link
from msnqt.server.cluster.liveness import Subscription
from msnqt.server.cluster.redis_ports import RedisPresence, RedisRouter, session_key
from msnqt.server.core.errors import StoreError
from msnqt.server.core.events import Event, SignedOut
from msnqt.server.core.model import Presence, handle_key
from msnqt.server.core.ports import PresenceBook
from msnqt.server.core.routing import PresenceTable
from tests.support.logfail import LogFail

HANDLE = "alice@hotmail.com"


class Session:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def deliver(self, event: Event) -> None:
        self.events.append(event)


def listening_router(client: redis.asyncio.Redis, node: str) -> RedisRouter:
    """A router whose channel counts as subscribed, as a ``Subscription`` marks it once Redis confirms
    (these tests are about the session and presence keys, not about events)."""
    router = RedisRouter(client, node)
    router.listening.set()
    return router


def test_a_late_sign_out_on_the_old_ns_leaves_the_new_sessions_presence(redis_url: str) -> None:
    """The user drops from NS A and is back on NS B before A's clean-up finishes: B's session keeps its
    presence (without it every command of the new session is answered 302, not signed in)."""
    async def race() -> None:
        on_a, on_b = link.connect_async(redis_url), link.connect_async(redis_url)
        router_a, router_b = listening_router(on_a, "node-a"), listening_router(on_b, "node-b")
        presence_a, presence_b = RedisPresence(on_a), RedisPresence(on_b)
        old, new = Session(), Session()
        old_session, _ = await router_a.attach(HANDLE, old)
        await presence_a.put(Presence(HANDLE, "alice", Status.ONLINE))

        assert await router_a.detach(HANDLE, old_session)  # A starts signing the old session out...
        assert (await router_b.attach(HANDLE, new))[1] is None  # ...the user is already back, on B
        await presence_b.put(Presence(HANDLE, "alice"))
        await presence_a.remove(HANDLE)  # ...and A's clean-up ends late

        assert await presence_b.get(HANDLE) == Presence(HANDLE, "alice")
        await on_a.aclose()
        await on_b.aclose()

    asyncio.run(race())


def test_a_sign_out_with_nobody_signed_in_again_forgets_the_presence(redis_url: str) -> None:
    async def sign_out() -> None:
        client = link.connect_async(redis_url)
        router, presence = listening_router(client, "node-a"), RedisPresence(client)
        session, _ = await router.attach(HANDLE, Session())
        await presence.put(Presence(HANDLE, "alice", Status.ONLINE))
        assert await router.detach(HANDLE, session)
        assert await presence.remove(HANDLE) == Presence(HANDLE, "alice", Status.ONLINE)
        assert await presence.get(HANDLE) is None
        await client.aclose()

    asyncio.run(sign_out())


def test_an_ns_that_does_not_hear_its_channel_takes_on_no_session(redis_url: str) -> None:
    """No subscription confirmed: the sign-in fails as a storage outage (501), and Redis records no session
    that other NS processes would publish to in vain."""
    async def sign_in() -> None:
        client = link.connect_async(redis_url)
        with pytest.raises(StoreError):
            await RedisRouter(client, "node-a").attach(HANDLE, Session())
        assert await client.get(session_key(handle_key(HANDLE))) is None
        await client.aclose()

    asyncio.run(sign_in())


def test_a_sign_in_while_the_subscription_is_down_hears_the_other_ns_once_it_is_back(redis_url: str,
                                                                                    logfail: LogFail) -> None:
    """The NS's subscription connection is cut (Redis restarted, a network blip): a sign-in in that
    window waits until the channel is heard again, so what another NS then sends reaches the user.
    (Taken on at once, the user missed a contact's NLN: published while nobody listened.)"""
    logfail.allow("event subscription lost")

    async def cut_then_sign_in() -> None:
        on_a, on_b = link.connect_async(redis_url), link.connect_async(redis_url)
        router_a, router_b = RedisRouter(on_a, "node-a"), listening_router(on_b, "node-b")
        subscription = Subscription(on_a, router_a)
        await subscription.start()
        await on_b.client_kill_filter(_type="pubsub")
        async with asyncio.timeout(5):
            while router_a.listening.is_set():  # node-a has noticed the cut
                await asyncio.sleep(0.01)
        user = Session()
        await router_a.attach(HANDLE, user)
        event = SignedOut("OTH")
        assert await router_b.send(HANDLE, event)
        async with asyncio.timeout(5):
            while not user.events:
                await asyncio.sleep(0.01)
        assert user.events == [event]
        await subscription.stop()
        await on_a.aclose()
        await on_b.aclose()

    asyncio.run(cut_then_sign_in())


def test_a_status_change_returns_the_presence_before_it_and_never_signs_anyone_in(redis_url: str) -> None:
    """CHG writes the new status and learns the old one in one step (one round trip in a cluster); for a
    user who is not signed in (a CHG racing its own sign-out) it writes nothing, in both presence books."""
    async def change(book: PresenceBook) -> None:
        await book.put(Presence(HANDLE, "alice"))
        assert await book.change_status("Alice@Hotmail.com", Status.AWAY) == Presence(HANDLE, "alice")
        assert await book.change_status(HANDLE, Status.BUSY) == Presence(HANDLE, "alice", Status.AWAY)
        assert await book.get(HANDLE) == Presence(HANDLE, "alice", Status.BUSY)
        assert await book.change_status(HANDLE, None) == Presence(HANDLE, "alice", Status.BUSY)
        assert await book.get(HANDLE) == Presence(HANDLE, "alice")
        assert await book.change_status("bob@hotmail.com", Status.ONLINE) is None
        assert await book.get("bob@hotmail.com") is None

    async def both() -> None:
        await change(PresenceTable())
        client = link.connect_async(redis_url)
        await change(RedisPresence(client))
        await client.aclose()

    asyncio.run(both())
