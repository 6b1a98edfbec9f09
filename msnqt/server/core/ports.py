"""The small interfaces the core needs from the outside world.

The in-process default is SQLite (``msnqt.server.store``) and an in-memory router
(``msnqt.server.core.routing``). A multi-process deployment (accounts in PostgreSQL, routing over
Redis, DS/NS/SB on separate hosts) implements these same protocols; nothing in the core or the fronts
changes. Every list-changing method commits before returning, so a front acknowledges a change on the
wire only after it is durable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from msnqt.protocol.codes import ListName, Privacy, ReverseListPrompt

from .events import Event
from .model import Account, ListChange, Presence, Profile, Ticket, UserLists


class AccountStore(Protocol):
    def create_account(self, handle: str, password: str, friendly: str, profile: Profile) -> Account: ...
    def remove_account(self, handle: str) -> None: ...
    def set_password(self, handle: str, password: str) -> None: ...
    def account(self, handle: str) -> Account | None: ...
    def accounts(self) -> list[Account]: ...
    def password(self, handle: str) -> str | None:
        """None for an unknown account, after the same work as for a known one (no timing oracle)."""
        ...

    def lists(self, handle: str) -> UserLists: ...
    def add_entry(self, owner: str, list_name: ListName, contact: Account, friendly: str) -> ListChange:
        """Add ``contact`` to ``owner``'s list; for FL also put ``owner`` on ``contact``'s RL. One commit."""
        ...

    def remove_entry(self, owner: str, list_name: ListName, contact: str) -> ListChange:
        """Remove ``contact``; for FL also take ``owner`` off ``contact``'s RL. One commit."""
        ...

    def set_gtc(self, owner: str, value: ReverseListPrompt) -> int: ...
    def set_blp(self, owner: str, value: Privacy) -> int: ...
    def rename_self(self, owner: str, friendly: str) -> int: ...
    def rename_contact(self, owner: str, contact: str, friendly: str) -> int: ...
    def search(self, profile: Profile, limit: int) -> Sequence[Account]:
        """Accounts whose fields match; empty fields in ``profile`` match anything."""
        ...

    def record_invitation(self, sender: str, address: str) -> None: ...
    def close(self) -> None: ...


class Listener(Protocol):
    """One signed-in NS session as the router sees it: somewhere to deliver events."""

    def deliver(self, event: Event) -> None: ...


class Router(Protocol):
    """Where NS sessions live and how events reach them (presence fan-out, RNG, OUT OTH).

    In-process this is a dict; across processes it would be a Redis pub/sub channel per handle.
    """

    def attach(self, handle: str, listener: Listener) -> Listener | None:
        """Register ``listener`` for ``handle``; return the listener it replaced, if any."""
        ...

    def detach(self, handle: str, listener: Listener) -> bool:
        """Unregister ``listener`` if it is still the current one for ``handle``."""
        ...

    def send(self, handle: str, event: Event) -> bool:
        """Deliver to ``handle``'s session; False when nobody is signed in under it."""
        ...

    def send_all(self, deliveries: Sequence[tuple[str, Event]]) -> None:
        """:meth:`send` for a presence fan-out, in order: across processes one round trip, not one each."""
        ...

    def online(self) -> list[str]: ...


class PresenceBook(Protocol):
    """Who is signed in, with which status and friendly name (a Redis hash across processes).

    The core mutates the returned :class:`Presence` in place and calls ``put`` again when it does, so
    a remote implementation can write the change through.
    """

    def get(self, handle: str) -> Presence | None: ...
    def get_many(self, handles: Sequence[str]) -> list[Presence | None]:
        """:meth:`get` for every watcher of a fan-out at once (one round trip across processes)."""
        ...

    def put(self, presence: Presence) -> None: ...
    def remove(self, handle: str) -> Presence | None: ...


class CookieStore(Protocol):
    """Single-use switchboard cookies: issued by the NS (XFR SB, RNG), redeemed by the SB.

    Across hosts this is a shared store with an atomic get-and-delete (e.g. Redis ``GETDEL`` + TTL).
    """

    def issue(self, handle: str, session_id: str | None = None) -> str: ...
    def redeem(self, cookie: str, handle: str, session_id: str | None) -> Ticket | None: ...
