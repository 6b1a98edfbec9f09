"""The Redis ports where several NS processes race over one user (real Redis, no processes needed)."""

from __future__ import annotations

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
    with link.connect(redis_url) as on_a, link.connect(redis_url) as on_b:
        router_a, router_b = RedisRouter(on_a, "node-a"), RedisRouter(on_b, "node-b")
        presence_a, presence_b = RedisPresence(on_a), RedisPresence(on_b)
        old, new = Session(), Session()
        router_a.attach(HANDLE, old)
        presence_a.put(Presence(HANDLE, "alice", Status.ONLINE))

        assert router_a.detach(HANDLE, old)  # A starts signing the old session out...
        assert router_b.attach(HANDLE, new) is None  # ...the user is already back, on B
        presence_b.put(Presence(HANDLE, "alice"))
        presence_a.remove(HANDLE)  # ...and A's clean-up ends late

        assert presence_b.get(HANDLE) == Presence(HANDLE, "alice")


def test_a_sign_out_with_nobody_signed_in_again_forgets_the_presence(redis_url: str) -> None:
    with link.connect(redis_url) as client:
        router, presence = RedisRouter(client, "node-a"), RedisPresence(client)
        session = Session()
        router.attach(HANDLE, session)
        presence.put(Presence(HANDLE, "alice", Status.ONLINE))
        assert router.detach(HANDLE, session)
        assert presence.remove(HANDLE) == Presence(HANDLE, "alice", Status.ONLINE)
        assert presence.get(HANDLE) is None
