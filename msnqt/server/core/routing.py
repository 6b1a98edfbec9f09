"""In-process implementations of the routing and presence interfaces (see ``ports``)."""

from __future__ import annotations

from collections.abc import Sequence

from .events import Event
from .model import Presence, handle_key
from .ports import Listener


class LocalRouter:
    """Signed-in NS sessions of this process, by handle."""

    def __init__(self) -> None:
        self._listeners: dict[str, Listener] = {}

    def attach(self, handle: str, listener: Listener) -> Listener | None:
        key = handle_key(handle)
        previous = self._listeners.get(key)
        self._listeners[key] = listener
        return previous

    def detach(self, handle: str, listener: Listener) -> bool:
        key = handle_key(handle)
        if self._listeners.get(key) is listener:
            del self._listeners[key]
            return True
        return False

    def send(self, handle: str, event: Event) -> bool:
        listener = self._listeners.get(handle_key(handle))
        if listener is None:
            return False
        listener.deliver(event)
        return True

    def send_all(self, deliveries: Sequence[tuple[str, Event]]) -> None:
        for handle, event in deliveries:
            self.send(handle, event)

    def online(self) -> list[str]:
        return list(self._listeners)


class PresenceTable:
    """Who is signed in, with which status and name (in this process; see ``ports.PresenceBook``)."""

    def __init__(self) -> None:
        self._entries: dict[str, Presence] = {}

    def get(self, handle: str) -> Presence | None:
        return self._entries.get(handle_key(handle))

    def get_many(self, handles: Sequence[str]) -> list[Presence | None]:
        return [self._entries.get(handle_key(handle)) for handle in handles]

    def put(self, presence: Presence) -> None:
        self._entries[handle_key(presence.handle)] = presence

    def remove(self, handle: str) -> Presence | None:
        return self._entries.pop(handle_key(handle), None)
