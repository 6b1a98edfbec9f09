"""The core's Router, PresenceBook and CookieStore over Redis (see ``core.ports``), for many processes.

Keys (all under ``msnqt:``):

- ``session:<handle key>`` = ``"<node> <token>"``: which NS process holds the user's session, and which
  session it is (a token, so an older session's sign-out never removes a newer one);
- ``users:<node>``: the handle keys whose session that NS holds (what to clean up when it dies);
- ``presence:<handle key>``: hash of handle, friendly name and status ("" before the first CHG);
- ``cookie:<cookie>``: a switchboard ticket, read and deleted in one ``GETDEL`` (single use across every
  SB), expiring by itself after the cookie lifetime;
- ``sb-session-seq``: the counter behind switchboard session ids, unique across SB processes.

Events for a session on another NS go to that NS's channel ``ns:<node>`` (pub/sub); a session in this
process is called directly, exactly like the one-process :class:`LocalRouter`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import redis.asyncio

from msnqt.protocol.auth import new_cookie
from msnqt.protocol.codes import Status

from ..core.errors import StoreError
from ..core.events import Event
from ..core.model import Presence, Ticket, handle_key
from ..core.ports import Listener, SessionRef
from .link import PREFIX, TIMEOUT_SECONDS, guarded
from .wire_events import Envelope, decode, encode

log = logging.getLogger("msnqt.server.cluster")

SESSION_IDS_START = 10_000_000

# Delete the session key only if it still names this session, and forget it on its node, atomically.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    redis.call('DEL', KEYS[1])
    redis.call('SREM', KEYS[2], ARGV[2])
    return 1
end
redis.call('SREM', KEYS[2], ARGV[2])
return 0
"""

# Forget a user's presence only while no session holds the handle: the sign-out of an older session, on
# another NS, may finish after the user signed in again, and must not wipe the newer session's presence.
_FORGET_PRESENCE = """
local fields = redis.call('HGETALL', KEYS[1])
if redis.call('EXISTS', KEYS[2]) == 1 then
    return {}
end
redis.call('DEL', KEYS[1])
return fields
"""

# handle, friendly, status of each key in turn (false, i.e. None, for who is not signed in).
_READ_PRESENCES = """
local out = {}
for i, key in ipairs(KEYS) do
    local row = redis.call('HMGET', key, 'handle', 'friendly', 'status')
    out[3 * i - 2], out[3 * i - 1], out[3 * i] = row[1], row[2], row[3]
end
return out
"""

# handle, friendly and status before the change; nil (nothing written) for who is not signed in.
_CHANGE_STATUS = """
local old = redis.call('HMGET', KEYS[1], 'handle', 'friendly', 'status')
if not old[1] then
    return nil
end
redis.call('HSET', KEYS[1], 'status', ARGV[1])
return {old[1], old[2] or '', old[3] or ''}
"""


def session_key(key: str) -> str:
    return f"{PREFIX}session:{key}"


def users_key(node: str) -> str:
    return f"{PREFIX}users:{node}"


def channel(node: str) -> str:
    return f"{PREFIX}ns:{node}"


def _presence_key(handle: str) -> str:
    return f"{PREFIX}presence:{handle_key(handle)}"


@dataclass(frozen=True, slots=True)
class ClusterSession:
    """The core's name for one session of the cluster (``ports.SessionRef``): the NS process holding
    it and the session's token there. It travels, a listener never does."""

    node: str
    token: str


class RedisRouter:
    """:class:`~msnqt.server.core.ports.Router` for a cluster: one instance per NS (or SB) process.

    An SB process only sends (RNG); only an NS process holds sessions and receives on its channel
    (:meth:`receive` is called by the subscription in ``liveness``). Events for a session of this
    process are delivered directly, events for another process's session are published to it: the
    OUT OTH kick too, addressed by token so it ends the older session and never the new one.
    """

    def __init__(self, client: redis.asyncio.Redis, node: str) -> None:
        self._redis = client
        self.node = node
        self._local: dict[str, tuple[str, Listener]] = {}
        """The current session of each handle held here: (token, listener)."""
        self._by_token: dict[str, Listener] = {}
        """Every session held here, current or replaced but not yet gone (the kick must reach it)."""
        self._release = client.register_script(_RELEASE)
        self.listening = asyncio.Event()
        """Set while Redis has confirmed this NS's channel subscription (``liveness.Subscription``). Events
        published while nobody listens are lost, so a session is taken on only while it is set."""

    def _value(self, token: str) -> str:
        return f"{self.node} {token}"

    @guarded
    async def attach(self, handle: str, listener: Listener) -> tuple[SessionRef, SessionRef | None]:
        await self._until_listening()
        key = handle_key(handle)
        token = secrets.token_hex(8)
        async with self._redis.pipeline() as pipe:
            pipe.set(session_key(key), self._value(token), get=True)
            pipe.sadd(users_key(self.node), key)
            previous, _ = await pipe.execute()
        older_here = self._local.get(key)
        self._local[key] = (token, listener)
        self._by_token[token] = listener
        session = ClusterSession(self.node, token)
        if previous is None:
            # Redis did not know the older session (it restarted empty), but this process still holds it.
            return session, None if older_here is None else ClusterSession(self.node, older_here[0])
        node, _, older_token = str(previous).partition(" ")
        return session, ClusterSession(node, older_token)

    async def _until_listening(self) -> None:
        """Wait (bounded) for this NS to listen on its channel again. After Redis came back, a sign-in
        taken before the subscription was would be a session nobody could reach: a contact's NLN, an RNG
        or the OUT OTH kick published for it would go to nobody, and the user would never know."""
        if self.listening.is_set():
            return
        try:
            await asyncio.wait_for(self.listening.wait(), TIMEOUT_SECONDS)
        except TimeoutError:
            raise StoreError("Redis: this NS is not subscribed to its event channel") from None

    @guarded
    async def detach(self, handle: str, session: SessionRef) -> bool:
        if not isinstance(session, ClusterSession):
            return False
        key = handle_key(handle)
        if session.node == self.node:
            self._by_token.pop(session.token, None)
            here = self._local.get(key)
            if here is None or here[0] != session.token:
                return False  # replaced here by a newer session, which keeps the keys
            del self._local[key]
        released = await self._release(keys=[session_key(key), users_key(session.node)],
                                       args=[f"{session.node} {session.token}", key])
        return bool(released)

    @guarded
    async def send(self, handle: str, event: Event) -> bool:
        key = handle_key(handle)
        value = cast(str | None, await self._redis.get(session_key(key)))
        if value is None:
            return False
        node, _, token = value.partition(" ")
        if node == self.node:
            return self.deliver_here(key, token, event)
        await self._publish(node, Envelope(key, None, event))
        return True

    @guarded
    async def send_to(self, handle: str, session: SessionRef, event: Event) -> None:
        if not isinstance(session, ClusterSession):
            return
        if session.node == self.node:
            listener = self._by_token.get(session.token)
            if listener is not None:
                listener.deliver(event)
            return
        await self._publish(session.node, Envelope(handle_key(handle), session.token, event))

    @guarded
    async def send_all(self, deliveries: Sequence[tuple[str, Event]]) -> None:
        """One MGET finds every session; each other NS gets one message with all of its envelopes;
        sessions of this process are called directly. (A status change to 150 watchers was 150 GETs and
        up to 150 PUBLISHes, and most of an NS's CPU went to redis-py packing and parsing them.)"""
        if not deliveries:
            return
        keys = [handle_key(handle) for handle, _ in deliveries]
        values = await self._redis.mget([session_key(key) for key in keys])
        remote: dict[str, list[Envelope]] = {}
        for key, (_, event), value in zip(keys, deliveries, values, strict=True):
            if value is None:
                continue
            node, _, token = str(value).partition(" ")
            if node != self.node:
                remote.setdefault(node, []).append(Envelope(key, None, event))
                continue
            self.deliver_here(key, token, event)
        if remote:
            async with self._redis.pipeline(transaction=False) as pipe:
                for node, envelopes in remote.items():
                    pipe.publish(channel(node), encode(envelopes))
                await pipe.execute()

    @guarded
    async def end_orphans(self, event: Event) -> int:
        """Give ``event`` (OUT SSD) to every session of this process that Redis no longer knows (Redis
        restarted empty): nobody could see or reach them, so they sign in again rather than linger."""
        local = list(self._local.items())
        async with self._redis.pipeline(transaction=False) as pipe:
            for key, _ in local:
                pipe.get(session_key(key))
            values = await pipe.execute()
        orphans = [listener for (_, (token, listener)), value in zip(local, values, strict=True)
                   if value != self._value(token)]
        for listener in orphans:
            listener.deliver(event)
        return len(orphans)

    def sessions_here(self) -> list[tuple[str, str]]:
        """(handle key, token) of each current session of this process."""
        return [(key, token) for key, (token, _) in self._local.items()]

    def deliver_here(self, key: str, token: str, *events: Event) -> bool:
        """``events`` to that session of this process if it is still the current one (it may have gone,
        or been replaced, since its token was read); whether it was."""
        here = self._local.get(key)
        if here is None or here[0] != token:
            return False
        for event in events:
            here[1].deliver(event)
        return True

    def end_local(self, event: Event) -> int:
        """OUT SSD to the sessions of THIS process (it is stopping); Redis is not asked, so a handle
        whose session lives on another NS is never told to go."""
        listeners = list(self._by_token.values())
        for listener in listeners:
            listener.deliver(event)
        return len(listeners)

    async def _publish(self, node: str, envelope: Envelope) -> None:
        await self._redis.publish(channel(node), encode([envelope]))

    def receive(self, text: str) -> None:
        """An event published for a session of this process (by token: that session, else the current)."""
        try:
            envelopes = decode(text)
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed cluster event")
            return
        for envelope in envelopes:
            if envelope.token is not None:
                listener = self._by_token.get(envelope.token)
            else:
                here = self._local.get(envelope.key)
                listener = None if here is None else here[1]
            if listener is not None:
                listener.deliver(envelope.event)


class RedisPresence:
    """:class:`~msnqt.server.core.ports.PresenceBook` as one Redis hash per signed-in user.

    :meth:`remove` leaves the hash alone while a session holds the handle (``session:<key>``, which
    :class:`RedisRouter` sets on attach and deletes on detach): in one process a sign-out runs before
    the next sign-in, but across NS processes the old session's clean-up can land after the new
    session's ``put``, and the user would be signed in yet "not logged in" (302) for every command.
    """

    def __init__(self, client: redis.asyncio.Redis) -> None:
        self._redis = client
        self._forget = client.register_script(_FORGET_PRESENCE)
        self._read_many = client.register_script(_READ_PRESENCES)
        self._change_status = client.register_script(_CHANGE_STATUS)

    @staticmethod
    def _parse(fields: dict[str, str]) -> Presence | None:
        if not fields:
            return None
        status = fields.get("status") or None
        return Presence(fields["handle"], fields["friendly"], None if status is None else Status(status))

    @guarded
    async def get(self, handle: str) -> Presence | None:
        return self._parse(cast(dict[str, str], await self._redis.hgetall(_presence_key(handle))))

    @guarded
    async def get_many(self, handles: Sequence[str]) -> list[Presence | None]:
        """One script call for all of them (one command and one reply instead of one per handle)."""
        if not handles:
            return []
        flat = cast(list[str | None], await self._read_many(keys=[_presence_key(h) for h in handles]))
        result: list[Presence | None] = []
        for at in range(0, len(flat), 3):
            handle, friendly, status = flat[at:at + 3]
            result.append(None if handle is None else
                          self._parse({"handle": handle, "friendly": friendly or "", "status": status or ""}))
        return result

    @guarded
    async def put(self, presence: Presence) -> None:
        status = "" if presence.status is None else presence.status.value
        await self._redis.hset(_presence_key(presence.handle), mapping={
            "handle": presence.handle, "friendly": presence.friendly, "status": status})

    @guarded
    async def change_status(self, handle: str, status: Status | None) -> Presence | None:
        """One script: the hash is changed only if it exists, so a CHG racing its own sign-out never
        leaves a presence behind for nobody."""
        old = cast(list[str] | None, await self._change_status(
            keys=[_presence_key(handle)], args=["" if status is None else status.value]))
        if old is None:
            return None
        return self._parse({"handle": old[0], "friendly": old[1], "status": old[2]})

    @guarded
    async def remove(self, handle: str) -> Presence | None:
        keys = [_presence_key(handle), session_key(handle_key(handle))]
        flat = cast(list[str], await self._forget(keys=keys))
        return self._parse(dict(zip(flat[::2], flat[1::2], strict=True)))


class RedisCookies:
    """:class:`~msnqt.server.core.ports.CookieStore` shared by every NS (issue) and SB (redeem)."""

    def __init__(self, client: redis.asyncio.Redis, lifetime: float) -> None:
        self._redis = client
        self._lifetime_ms = int(lifetime * 1000)

    @guarded
    async def issue(self, handle: str, session_id: str | None = None) -> str:
        cookie = new_cookie()
        if self._lifetime_ms <= 0:
            return cookie  # stale the moment it is issued (a zero lifetime): nothing to redeem
        ticket = json.dumps({"handle": handle, "session": session_id})
        await self._redis.set(f"{PREFIX}cookie:{cookie}", ticket, px=self._lifetime_ms)
        return cookie

    @guarded
    async def redeem(self, cookie: str, handle: str, session_id: str | None) -> Ticket | None:
        raw = cast(str | None, await self._redis.getdel(f"{PREFIX}cookie:{cookie}"))
        if raw is None:
            return None  # never issued, already used, or expired: Redis dropped it
        ticket = json.loads(raw)
        if handle_key(str(ticket["handle"])) != handle_key(handle) or ticket["session"] != session_id:
            return None
        return Ticket(str(ticket["handle"]), session_id, time.monotonic())


class SessionIds:
    """Switchboard session ids from one Redis counter: unique across every SB process."""

    def __init__(self, client: redis.asyncio.Redis) -> None:
        self._redis = client

    @guarded
    async def __call__(self) -> str:
        return str(SESSION_IDS_START + int(await self._redis.incr(f"{PREFIX}sb-session-seq")))
