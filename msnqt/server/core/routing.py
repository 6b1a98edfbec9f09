"""In-process implementations of the routing and presence interfaces (see ``ports``).

They are ``async`` only to fit the ports; nothing here ever suspends, so the one-process server
serves these calls exactly as it did when they were plain functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from msnqt.protocol.codes import Status

from .events import Event
from .model import Presence, handle_key
from .ports import Listener, SessionRef


@dataclass(eq=False, frozen=True, slots=True)
class LocalSession:
    """A session of this process, by identity (a listener signed in twice is two sessions)."""

    listener: Listener


class LocalRouter:
    """Signed-in NS sessions of this process, by handle."""

    def __init__(self) -> None:
        self._sessions: dict[str, LocalSession] = {}

    async def attach(self, handle: str, listener: Listener) -> tuple[SessionRef, SessionRef | None]:
        key = handle_key(handle)
        previous = self._sessions.get(key)
        session = self._sessions[key] = LocalSession(listener)
        return session, previous

    async def detach(self, handle: str, session: SessionRef) -> bool:
        key = handle_key(handle)
        if self._sessions.get(key) is session:
            del self._sessions[key]
            return True
        return False

    async def send(self, handle: str, event: Event) -> bool:
        return self._deliver(handle, event)

    def _deliver(self, handle: str, event: Event) -> bool:
        session = self._sessions.get(handle_key(handle))
        if session is None:
            return False
        session.listener.deliver(event)
        return True

    async def send_to(self, handle: str, session: SessionRef, event: Event) -> None:
        if isinstance(session, LocalSession):
            session.listener.deliver(event)

    async def send_all(self, deliveries: Sequence[tuple[str, Event]]) -> None:
        for handle, event in deliveries:
            self._deliver(handle, event)

    def end_local(self, event: Event) -> int:
        sessions = list(self._sessions.values())
        for session in sessions:
            session.listener.deliver(event)
        return len(sessions)


class PresenceTable:
    """Who is signed in, with which status and name (in this process; see ``ports.PresenceBook``)."""

    def __init__(self) -> None:
        self._entries: dict[str, Presence] = {}

    async def get(self, handle: str) -> Presence | None:
        return self._entries.get(handle_key(handle))

    async def get_many(self, handles: Sequence[str]) -> list[Presence | None]:
        return [self._entries.get(handle_key(handle)) for handle in handles]

    async def put(self, presence: Presence) -> None:
        self._entries[handle_key(presence.handle)] = presence

    async def change_status(self, handle: str, status: Status | None) -> Presence | None:
        me = self._entries.get(handle_key(handle))
        if me is None:
            return None
        was = Presence(me.handle, me.friendly, me.status)
        me.status = status
        return was

    async def remove(self, handle: str) -> Presence | None:
        return self._entries.pop(handle_key(handle), None)
