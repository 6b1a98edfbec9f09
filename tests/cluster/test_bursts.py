"""Many users of one NS leaving at once (a lost network segment, a client farm restarting).

Every sign-out is a Redis round trip of its own, all in flight together: none may fail for want of a
Redis connection, or the users would be left in Redis as ghosts that watchers see online.
"""

from __future__ import annotations

import asyncio

import redis

from tests.cluster.topology import PASSWORD, Cluster
from tests.server.wire import LineClient, sign_in

USERS = 300
"""More than a Redis connection pool's default size (100 in redis-py)."""
DEADLINE = 20.0


def _host(number: int) -> str:
    """Users come from several loopback addresses, as from several hosts (at most 256 per address)."""
    return f"127.0.0.{2 + number % 3}"


def _sessions(redis_url: str) -> int:
    with redis.Redis.from_url(redis_url) as client:
        return sum(1 for _ in client.scan_iter("msnqt:session:burst*", count=1000))


def test_hundreds_of_users_dropping_at_once_are_all_signed_out(shared_cluster: Cluster,
                                                               aloop: asyncio.Runner) -> None:
    handles = [f"burst{i:03d}@hotmail.com" for i in range(USERS)]
    shared_cluster.add_accounts(*handles)
    ns = shared_cluster.ns[0].address

    async def scenario() -> None:
        clients: list[LineClient] = []
        for start in range(0, USERS, 25):
            clients += await asyncio.gather(*(sign_in(ns, h, PASSWORD, source=_host(start + i))
                                              for i, h in enumerate(handles[start:start + 25])))
        assert _sessions(shared_cluster.redis_url) == USERS
        for client in clients:
            client.writer.transport.abort()  # dropped, not signed out: the NS notices the close
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DEADLINE
        while (left := await loop.run_in_executor(None, _sessions, shared_cluster.redis_url)) \
                and loop.time() < deadline:
            await asyncio.sleep(0.2)
        assert left == 0, f"{left} of {USERS} sessions are still in Redis"

    aloop.run(scenario(), timeout=60.0)
    assert "Too many connections" not in shared_cluster.ns[0].stderr()
