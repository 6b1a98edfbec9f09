"""Plain values the core, the store and the fronts exchange (no I/O, no wire syntax)."""

from __future__ import annotations

from dataclasses import dataclass, field

from msnqt.protocol.codes import ListName, Privacy, ReverseListPrompt, Status


def handle_key(handle: str) -> str:
    """The case-insensitive identity of a handle (msnp2-reference §1.5)."""
    return handle.casefold()


@dataclass(frozen=True, slots=True)
class Profile:
    """Directory fields searched by FND (first/last name, city, state, country)."""

    fname: str = ""
    lname: str = ""
    city: str = ""
    state: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class Account:
    """One user as stored; ``handle`` is the stored form that goes back on the wire."""

    handle: str
    friendly: str
    profile: Profile = Profile()


@dataclass(frozen=True, slots=True)
class ListEntry:
    handle: str
    friendly: str


@dataclass(slots=True)
class UserLists:
    """A user's four lists, GTC/BLP and the single list version covering all of them (§6.3)."""

    version: int
    gtc: ReverseListPrompt
    blp: Privacy
    entries: dict[ListName, list[ListEntry]] = field(default_factory=dict)

    def members(self, list_name: ListName) -> list[ListEntry]:
        return self.entries.get(list_name, [])

    def contains(self, list_name: ListName, handle: str) -> bool:
        key = handle_key(handle)
        return any(handle_key(e.handle) == key for e in self.members(list_name))

    def find(self, handle: str) -> ListEntry | None:
        """The entry for ``handle`` on any list (FL first), used for REA of a contact."""
        key = handle_key(handle)
        for name in ListName:
            for entry in self.members(name):
                if handle_key(entry.handle) == key:
                    return entry
        return None


@dataclass(frozen=True, slots=True)
class PrivacyFacts:
    """What one owner's lists say about one viewer: the inputs of the privacy rule (``core.privacy``)."""

    blocked: bool
    allowed: bool
    blp: Privacy


@dataclass(frozen=True, slots=True)
class ListChange:
    """The outcome of a committed list edit: the owner's new version and, for FL edits, the target's."""

    version: int
    counterpart_version: int | None = None


@dataclass(slots=True)
class Presence:
    """A signed-in user's presence; ``status`` is None until their first CHG (they look offline)."""

    handle: str
    friendly: str
    status: Status | None = None

    @property
    def visible(self) -> bool:
        return self.status is not None and self.status is not Status.HIDDEN


@dataclass(frozen=True, slots=True)
class Ticket:
    """What a cookie is good for: creating a session (``session_id`` None) or joining one."""

    handle: str
    session_id: str | None
    expires: float


def printable_name(name: str) -> bool:
    """No control characters (C0, DEL, C1): a stored name is shown in other people's terminals and
    windows, where a line break forges a contact and an escape sequence rewrites the screen."""
    return not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in name)
