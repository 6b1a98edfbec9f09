"""The small interfaces the core needs from the outside world.

The in-process default is SQLite (``msnqt.server.store``) and an in-memory router
(``msnqt.server.core.routing``); a cluster implements the same protocols over PostgreSQL and Redis
(``msnqt.server.cluster``), and nothing in the core or the fronts changes.

Every port that may do I/O is ``async``: a network round trip (Redis, PostgreSQL) or a disk write
(SQLite, fsynced) must never hold the event loop that serves everyone else. The fronts await a
handler per connection, one at a time, so replies keep their order (``fronts/connection.py``). The
in-memory implementations are trivially async: they never suspend.

Every list-changing method commits before returning, so a front acknowledges a change on the wire
only after it is durable.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Protocol

from msnqt.protocol.codes import ListName, Privacy, ReverseListPrompt, Status

from .events import Event
from .model import Account, ListChange, Presence, PrivacyFacts, Profile, Ticket, UserLists


class AccountStore(Protocol):
    """What the core reads and changes while serving users (the request path)."""

    async def account(self, handle: str) -> Account | None: ...
    async def password(self, handle: str) -> str | None:
        """None for an unknown account, after the same work as for a known one (no timing oracle)."""
        ...

    async def credentials(self, handle: str) -> tuple[Account | None, str | None]:
        """:meth:`account` and :meth:`password` in one trip (a sign-in needs both)."""
        ...

    async def lists(self, handle: str) -> UserLists: ...
    async def privacy_towards(self, owners: Sequence[str], viewer: str) -> list[PrivacyFacts | None]:
        """For each owner, what their lists say about ``viewer`` (None: no such account), in one look-up:
        a sign-in asks it for every online contact, and one list read each made a sign-in storm on a
        cluster NS cost seconds (150 contacts: 150 PostgreSQL round trips per first CHG)."""
        ...

    async def watchers_facts(self, owner: str) -> list[tuple[str, PrivacyFacts]]:
        """Each handle on ``owner``'s RL (in list order) with what ``owner``'s lists say about it
        (``core.privacy.watchers_facts`` of :meth:`lists`); :class:`AccountError` for no such account.
        Every presence change asks it: a cluster store answers it with one narrow query instead of
        reading all four lists."""
        ...

    async def add_entry(self, owner: str, list_name: ListName, contact: Account, friendly: str) -> ListChange:
        """Add ``contact`` to ``owner``'s list; for FL also put ``owner`` on ``contact``'s RL. One commit."""
        ...

    async def remove_entry(self, owner: str, list_name: ListName, contact: str) -> ListChange:
        """Remove ``contact``; for FL also take ``owner`` off ``contact``'s RL. One commit."""
        ...

    async def set_gtc(self, owner: str, value: ReverseListPrompt) -> int: ...
    async def set_blp(self, owner: str, value: Privacy) -> int: ...
    async def rename_self(self, owner: str, friendly: str) -> int: ...
    async def rename_contact(self, owner: str, contact: str, friendly: str) -> int: ...
    async def search(self, profile: Profile, limit: int) -> Sequence[Account]:
        """Accounts whose fields match; empty fields in ``profile`` match anything."""
        ...

    async def record_invitation(self, sender: str, address: str) -> None: ...


class BlockingStore(Protocol):
    """A store as its driver offers it: synchronous calls (``sqlite3``, the command line's tools).

    ``store.threaded`` turns one into an :class:`AccountStore` by running every call on the store's own
    worker thread; the administration calls (``user add``, the one-process server's ``add_account``)
    are here and not on the request path.
    """

    def create_account(self, handle: str, password: str, friendly: str, profile: Profile) -> Account: ...
    def remove_account(self, handle: str) -> None: ...
    def set_password(self, handle: str, password: str) -> None: ...
    def account(self, handle: str) -> Account | None: ...
    def accounts(self) -> list[Account]: ...
    def password(self, handle: str) -> str | None: ...
    def lists(self, handle: str) -> UserLists: ...
    def privacy_towards(self, owners: Sequence[str], viewer: str) -> list[PrivacyFacts | None]: ...
    def watchers_facts(self, owner: str) -> list[tuple[str, PrivacyFacts]]: ...
    def add_entry(self, owner: str, list_name: ListName, contact: Account, friendly: str) -> ListChange: ...
    def remove_entry(self, owner: str, list_name: ListName, contact: str) -> ListChange: ...
    def set_gtc(self, owner: str, value: ReverseListPrompt) -> int: ...
    def set_blp(self, owner: str, value: Privacy) -> int: ...
    def rename_self(self, owner: str, friendly: str) -> int: ...
    def rename_contact(self, owner: str, contact: str, friendly: str) -> int: ...
    def search(self, profile: Profile, limit: int) -> Sequence[Account]: ...
    def record_invitation(self, sender: str, address: str) -> None: ...
    def close(self) -> None: ...


class Listener(Protocol):
    """One signed-in NS session of THIS process, as the router sees it: somewhere to deliver events.

    Delivering only queues a line on a socket, so it is synchronous. A listener never leaves the
    process that holds the session: the core names sessions by :data:`SessionRef`.
    """

    def deliver(self, event: Event) -> None: ...


SessionRef = Hashable
"""The router's name for one session, wherever it lives: opaque to the core, which only hands it back."""


class Router(Protocol):
    """Where NS sessions live and how events reach them (presence fan-out, RNG, OUT OTH).

    In-process this is a dict; across processes, Redis keys and a pub/sub channel per NS process.
    """

    async def attach(self, handle: str, listener: Listener) -> tuple[SessionRef, SessionRef | None]:
        """Register ``listener`` as ``handle``'s session; return its name and the session it replaced."""
        ...

    async def detach(self, handle: str, session: SessionRef) -> bool:
        """Unregister ``session`` if it is still the current one for ``handle``."""
        ...

    async def send(self, handle: str, event: Event) -> bool:
        """Deliver to ``handle``'s current session; False when nobody is signed in under it."""
        ...

    async def send_to(self, handle: str, session: SessionRef, event: Event) -> None:
        """Deliver to that one session of ``handle`` (the kick, OUT OTH), wherever it lives, and to no
        newer session: a routed event like any other."""
        ...

    async def send_all(self, deliveries: Sequence[tuple[str, Event]]) -> None:
        """:meth:`send` for a presence fan-out, in order: across processes one round trip, not one each."""
        ...

    def end_local(self, event: Event) -> int:
        """Deliver ``event`` (OUT SSD) to every session this process holds, and to no other; how many."""
        ...


class PresenceBook(Protocol):
    """Who is signed in, with which status and friendly name (a Redis hash across processes).

    The core mutates the returned :class:`Presence` in place and calls ``put`` again when it does, so
    a remote implementation can write the change through.
    """

    async def get(self, handle: str) -> Presence | None: ...
    async def get_many(self, handles: Sequence[str]) -> list[Presence | None]:
        """:meth:`get` for every watcher of a fan-out at once (one round trip across processes)."""
        ...

    async def put(self, presence: Presence) -> None: ...
    async def change_status(self, handle: str, status: Status | None) -> Presence | None:
        """Set a signed-in user's status in one step and return their presence as it was (None: not
        signed in, and nothing is written). A CHG needs both; across processes it is one round trip
        instead of a read and a write."""
        ...

    async def remove(self, handle: str) -> Presence | None: ...


class CookieStore(Protocol):
    """Single-use switchboard cookies: issued by the NS (XFR SB, RNG), redeemed by the SB.

    Across hosts this is a shared store with an atomic get-and-delete (e.g. Redis ``GETDEL`` + TTL).
    """

    async def issue(self, handle: str, session_id: str | None = None) -> str: ...
    async def redeem(self, cookie: str, handle: str, session_id: str | None) -> Ticket | None: ...


@dataclass(frozen=True, slots=True)
class Admission:
    """A sign-in attempt let through to the password check, already counted against its account."""

    account_key: str
    address: str
    locks: bool
    """Counting it started the account's lock (worth a warning if the password is wrong)."""
    account_until: float
    """The account's lock end before this attempt, restored when it is taken back."""


class LoginThrottle(Protocol):
    """Wrong passwords counted per account and per source address (``core.login_throttle``).

    One process keeps the counts in memory; a cluster keeps them in Redis, or a guesser would get the
    allowance once per NS process (they may connect to any NS directly). A throttle that cannot be
    asked raises :class:`~msnqt.server.core.errors.StoreError`: the sign-in is refused, never let
    through unthrottled.
    """

    async def locked(self, account_key: str, address: str) -> bool:
        """This account or this address failed too often just now."""
        ...

    async def admit(self, account_key: str, address: str) -> Admission | None:
        """None while either is locked (answer 911 without checking); else the attempt, counted as a
        failure of the account in the same atomic step, so attempts on one account in flight at once
        are counted one after the other."""
        ...

    async def failed(self, admission: Admission) -> bool:
        """The password was wrong: count it against the address too; True if that starts its lock."""
        ...

    async def succeeded(self, admission: Admission) -> None:
        """The password was right: the account's failures are forgiven (the address's are not)."""
        ...

    async def unchecked(self, admission: Admission) -> None:
        """The password could not be checked (501): the account's count is taken back."""
        ...


class WindowLimit(Protocol):
    """At most N attempts per key in any window (refused ones count): CALs per caller, rings per
    callee. Shared by every SB of a cluster (Redis), or a caller could multiply it by choosing SBs."""

    async def allow(self, key: str) -> bool:
        """Record one attempt for ``key`` now; True if it is within the limit."""
        ...
