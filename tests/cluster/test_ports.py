"""The Redis ports where several NS processes race over one user (real Redis, no processes needed)."""

from __future__ import annotations

import asyncio

from msnqt.protocol.codes import Status
from msnqt.server.cluster import link
from msnqt.server.cluster.redis_ports import RedisPresence, RedisRouter
from msnqt.server.core.events import Event
from msnqt.server.core.model import Presence

HANDLE = "alice@hotmail.com"


class Session:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def deliver(self, event: Event) -> None:
        self.events.append(event)


def test_a_late_sign_out_on_the_old_ns_leaves_the_new_sessions_presence(redis_url: str) -> None:
    """The user drops from NS A and is back on NS B before A's clean-up finishes: B's session keeps its
    presence (without it every command of the new session is answered 302, not signed in)."""
    async def race() -> None:
        on_a, on_b = link.connect_async(redis_url), link.connect_async(redis_url)
        router_a, router_b = RedisRouter(on_a, "node-a"), RedisRouter(on_b, "node-b")
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
        router, presence = RedisRouter(client, "node-a"), RedisPresence(client)
        session, _ = await router.attach(HANDLE, Session())
        await presence.put(Presence(HANDLE, "alice", Status.ONLINE))
        assert await router.detach(HANDLE, session)
        assert await presence.remove(HANDLE) == Presence(HANDLE, "alice", Status.ONLINE)
        assert await presence.get(HANDLE) is None
        await client.aclose()

    asyncio.run(sign_out())
