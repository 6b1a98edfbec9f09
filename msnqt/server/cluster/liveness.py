"""Which NS and SB processes are alive, and what happens when one dies.

Each NS and SB process keeps a key ``node:<role>:<node>`` (its advertised address) alive in Redis with a
TTL of one *heartbeat lifetime*, refreshed three times per lifetime, and lists itself in
``nodes:<role>``. A process that stops cleanly deletes its key at once; one that dies (``kill -9``, a
lost host) disappears when the TTL runs out. So a dead process leaves the live set within one
lifetime, and the NS reapers (every NS looks every third of a lifetime, and at least every
``LIVE_SET_REFRESH`` seconds) sign its users out within lifetime + lifetime/3: watchers get FLN, and CAL no
longer rings them.

All of this runs on the asyncio Redis client in background tasks; a Redis that is away makes the tasks
retry with backoff, and the last known live set stays in use meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import redis
import redis.asyncio

from ..core.errors import StoreError
from ..core.events import SignedOut
from ..core.model import handle_key
from ..core.notification import NotificationCore
from .link import PREFIX, TIMEOUT_SECONDS
from .redis_ports import ClusterSession, RedisRouter, channel, session_key, users_key

log = logging.getLogger("msnqt.server.cluster")

Address = tuple[str, int]
MAX_BACKOFF_SECONDS = 5.0
STOP_TIMEOUT_SECONDS = 2.0
SUBSCRIBE_BACKOFF_SECONDS = 1.0
"""The longest an NS waits between two tries to subscribe again. Shorter than the other retries: while
it does not listen it takes no sign-ins (``RedisRouter.listening``), so it should notice Redis is back
within a sign-in's patience."""


def node_key(role: str, node: str) -> str:
    return f"{PREFIX}node:{role}:{node}"


def nodes_key(role: str) -> str:
    return f"{PREFIX}nodes:{role}"


def parse_address(text: str) -> Address:
    host, _, port = text.rpartition(":")
    return (host, int(port))


class Periodic:
    """Runs ``step`` every ``period`` seconds until stopped; on a Redis failure retries with backoff.

    Stopping does not rely on cancellation alone: a cancel that lands inside a Redis command can come
    back out of the client as a connection error, which the retry loop would take for an outage and
    carry on. The flag ends the loop either way, and the wait for it is bounded.
    """

    def __init__(self, name: str, period: float, step: Callable[[], Awaitable[None]]) -> None:
        self._name, self._period, self._step = name, period, step
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        backoff = self._period
        while not self._stopping:
            try:
                await self._step()
                backoff = self._period
            except (redis.RedisError, OSError) as exc:
                if self._stopping:
                    return
                log.warning("%s: Redis unavailable (%s); retrying", self._name, exc)
                backoff = min(MAX_BACKOFF_SECONDS, backoff * 2)
            await asyncio.sleep(backoff)

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait([self._task], timeout=STOP_TIMEOUT_SECONDS)


class Heartbeat:
    """Keeps this process in the live set of its role while it runs.

    A process that missed its heartbeats for a whole lifetime (stalled, or cut off from Redis) is taken
    for dead: a live NS reaps it, signing its users out and taking it off the set. If it was only slow,
    its next beat finds itself re-added rather than still listed, and ``on_rejoin`` runs (an NS ends
    the sessions Redis no longer knows, so their users sign in again instead of staying connected
    while everyone else sees them offline).
    """

    def __init__(self, client: redis.asyncio.Redis, role: str, node: str, address: str,
                 lifetime: float, on_rejoin: Callable[[], Awaitable[None]] | None = None) -> None:
        self._redis, self._role, self._node, self._address = client, role, node, address
        self._lifetime_ms = max(1, int(lifetime * 1000))
        self._periodic = Periodic(f"{role} heartbeat", lifetime / 3, self._beat)
        self._on_rejoin = on_rejoin
        self._joined = False

    async def _beat(self) -> None:
        async with self._redis.pipeline() as pipe:
            pipe.set(node_key(self._role, self._node), self._address, px=self._lifetime_ms)
            pipe.sadd(nodes_key(self._role), self._node)
            _, added = await pipe.execute()
        if added and self._joined:
            log.warning("%s %s was taken for dead (heartbeats missed) and is back", self._role, self._node)
            if self._on_rejoin is not None:
                await self._on_rejoin()
        self._joined = True

    async def start(self) -> None:
        await self._beat()  # in the live set before anyone is told we listen
        self._periodic.start()

    async def stop(self) -> None:
        """Leave the live set now (a clean stop does not wait for the TTL)."""
        await self._periodic.stop()
        with contextlib.suppress(redis.RedisError, OSError, asyncio.TimeoutError):
            await asyncio.wait_for(self._redis.delete(node_key(self._role, self._node)), STOP_TIMEOUT_SECONDS)


LIVE_SET_REFRESH = 0.5
"""The longest a process goes without re-reading a live set, whatever the heartbeat lifetime: a newly
started SB or NS is used within half a second (with the default 10 s lifetime it took 3.3 s, and every
XFR SB in between went to the SBs already known). The cost is two Redis reads per process per period."""


class LiveSet:
    """The live processes of one role (node → address), refreshed in the background."""

    def __init__(self, client: redis.asyncio.Redis, role: str, lifetime: float) -> None:
        self._redis, self._role, self._period = client, role, min(lifetime / 3, LIVE_SET_REFRESH)
        self.live: dict[str, Address] = {}
        self.dead: list[str] = []
        self._periodic: Periodic | None = None
        self._turn = 0

    async def refresh(self) -> None:
        nodes = sorted(str(n) for n in await self._redis.smembers(nodes_key(self._role)))
        keys = [node_key(self._role, n) for n in nodes]
        addresses: list[Any] = await self._redis.mget(keys) if nodes else []
        self.live = {n: parse_address(a) for n, a in zip(nodes, addresses, strict=True) if a is not None}
        self.dead = [n for n, a in zip(nodes, addresses, strict=True) if a is None]

    async def start(self, on_refresh: Callable[[], Awaitable[None]] | None = None) -> None:
        async def step() -> None:
            await self.refresh()
            if on_refresh is not None:
                await on_refresh()

        await self.refresh()
        self._periodic = Periodic(f"{self._role} live set", self._period, step)
        self._periodic.start()

    async def stop(self) -> None:
        if self._periodic is not None:
            await self._periodic.stop()

    def rendezvous(self, handle: str) -> Address | None:
        """The live process that ranks highest for ``handle`` (rendezvous hashing): a user keeps landing
        on the same NS while it lives, and only the users of a dead NS move."""
        key = handle_key(handle)
        best: tuple[bytes, Address] | None = None
        for node, address in self.live.items():
            rank = hashlib.sha256(f"{node}|{key}".encode()).digest()
            if best is None or rank > best[0]:
                best = (rank, address)
        return None if best is None else best[1]

    def next_in_turn(self) -> Address | None:
        """The live processes in turn (XFR SB): sessions spread evenly over the live switchboards, and
        any N requests in a row reach all N of them, so a new SB takes its share at once."""
        if not self.live:
            return None
        self._turn = (self._turn + 1) % len(self.live)
        return list(self.live.values())[self._turn]  # ``refresh`` builds ``live`` in node order


class Reaper:
    """Signs out the users of NS processes that died, from whichever live NS notices first."""

    def __init__(self, client: redis.asyncio.Redis, core: NotificationCore, router: RedisRouter,
                 live_ns: LiveSet, lifetime: float) -> None:
        self._redis, self._core, self._router, self._live = client, core, router, live_ns
        self._claim_ms = max(1000, int(lifetime * 5000))

    async def sweep(self) -> None:
        for dead in self._live.dead:
            if dead == self._router.node:
                continue
            if not await self._redis.set(f"{PREFIX}reaping:{dead}", self._router.node, nx=True,
                                         px=self._claim_ms):
                continue  # another NS is on it
            keys = sorted(str(k) for k in await self._redis.smembers(users_key(dead)))
            for key in keys:
                value = await self._redis.get(session_key(key))
                node, _, token = str(value or "").partition(" ")
                if node != dead:
                    continue  # signed in again elsewhere since
                presence = await self._core.presence.get(key)
                handle = key if presence is None else presence.handle
                try:
                    await self._core.sign_out(handle, ClusterSession(dead, token))
                except Exception:
                    log.exception("could not sign out %s of a dead NS", handle)
            async with self._redis.pipeline() as pipe:
                pipe.delete(users_key(dead))
                pipe.srem(nodes_key("ns"), dead)
                await pipe.execute()
            log.warning("NS %s stopped answering; signed out its %d users", dead, len(keys))


async def end_orphans(router: RedisRouter, when: str) -> bool:
    """End, with OUT SSD, every session of this NS that Redis no longer knows (``when`` says what made
    it forget them), so their users sign in again rather than stay connected while nobody can see or
    reach them; False if Redis could not be asked."""
    try:
        ended = await router.end_orphans(SignedOut("SSD"))
    except StoreError as exc:
        log.warning("could not check this NS's sessions %s: %s", when, exc)
        return False
    if ended:
        log.warning("ended %d sessions of this NS that Redis forgot %s; their users sign in again",
                    ended, when)
    return True


class Subscription:
    """This NS's event channel: what other processes publish for its sessions reaches them here.

    Pub/sub keeps nothing for a subscriber that is away. When the channel is heard again after a loss,
    the sessions Redis forgot are ended (it restarted empty), and ``on_heard_again`` runs for the rest
    (the NS tells each session its contacts' presence again, for the NLN and FLN it may have missed).
    """

    def __init__(self, client: redis.asyncio.Redis, router: RedisRouter,
                 on_heard_again: Callable[[], Awaitable[None]] | None = None) -> None:
        self._redis, self._router = client, router
        self._on_heard_again = on_heard_again
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._stopping = False

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())
        ready = asyncio.ensure_future(self._ready.wait())
        await asyncio.wait([ready, self._task], return_when=asyncio.FIRST_COMPLETED)
        if self._task.done():
            ready.cancel()
            self._task.result()  # raises what stopped it

    async def _run(self) -> None:
        backoff = 0.1
        while not self._stopping:
            pubsub = self._redis.pubsub()
            try:
                await self._subscribe(pubsub)
                if self._ready.is_set():
                    await self._recover()
                self._ready.set()
                backoff = 0.1
                while True:
                    message = await pubsub.get_message(timeout=None)
                    if message is not None and message.get("type") == "message":
                        self._router.receive(str(message["data"]))
            except (redis.RedisError, OSError, TimeoutError) as exc:
                self._router.listening.clear()
                if not self._ready.is_set():
                    raise
                if self._stopping:
                    return
                # Events published while we were away are lost; ``_recover`` makes up for them.
                log.warning("event subscription lost (%s); resubscribing", exc)
                await asyncio.sleep(backoff)
                backoff = min(SUBSCRIBE_BACKOFF_SECONDS, backoff * 2)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def _subscribe(self, pubsub: Any) -> None:
        """Subscribe, and return once Redis has confirmed it: ``subscribe`` only sends the command, and a
        PUBLISH from another process may still reach Redis first and go to nobody. Sign-ins wait for this
        (``RedisRouter.listening``), so no session exists here that events cannot reach."""
        await pubsub.subscribe(channel(self._router.node))
        while True:
            message = await asyncio.wait_for(pubsub.get_message(timeout=None), TIMEOUT_SECONDS)
            if message is not None and message.get("type") == "subscribe":
                self._router.listening.set()
                return

    async def _recover(self) -> None:
        """Back after losing Redis: if it lost our sessions (restarted empty), end them with OUT SSD."""
        if not await end_orphans(self._router, "after Redis came back (restarted?)"):
            return
        if self._on_heard_again is not None:
            await self._on_heard_again()

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait([self._task], timeout=STOP_TIMEOUT_SECONDS)
