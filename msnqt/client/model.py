"""Lists and presence as plain data: what the GUI shows and what the caller persists between sessions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from msnqt.protocol.codes import ListName, Privacy, ReverseListPrompt, Status
from msnqt.protocol.limits import MAX_LIST_ENTRIES

from .errors import ServerOverLimit


@dataclass(frozen=True)
class Contact:
    handle: str
    friendly: str
    status: Status
    """``Status.OFFLINE`` when the contact is not visible online to us."""
    lists: frozenset[ListName]


@dataclass(frozen=True)
class DirectoryEntry:
    """One FND hit. ``index`` is what SND accepts in place of an address on some servers."""

    fname: str
    lname: str
    city: str
    state: str
    country: str
    index: int


def _empty_entries() -> dict[ListName, dict[str, str]]:
    return {name: {} for name in ListName}


@dataclass
class ListCache:
    """What SYN needs: the list version and everything it covers. The caller persists it per account.

    Handles are kept in the form the server sent; look-ups are case-insensitive (``find``) because
    MSNP2 handles compare case-insensitively. ``entries`` is read freely, replaced whole, and changed
    only through ``put``/``drop``, which keep a lower-cased index beside it: every look-up is a dict hit,
    so loading a list is linear (a scan per new handle made 20,000 entries take 10 s). A list holds at
    most ``MAX_LIST_ENTRIES``; ``put`` beyond that raises ServerOverLimit.
    """

    version: int = 0
    gtc: ReverseListPrompt = ReverseListPrompt.ASK
    blp: Privacy = Privacy.ALLOW_ALL
    _folded: dict[ListName, dict[str, str]] = field(default_factory=dict, init=False, repr=False,
                                                    compare=False)
    """lower-cased handle -> stored spelling, per list (declared before ``entries``: set, then filled)"""
    entries: dict[ListName, dict[str, str]] = field(default_factory=_empty_entries)

    def __setattr__(self, name: str, value: object) -> None:
        super().__setattr__(name, value)
        if name == "entries":  # set by __init__ or replaced whole: index what it holds
            folded = {list_name: {stored.lower(): stored for stored in members}
                      for list_name, members in self.entries.items()}
            super().__setattr__("_folded", folded)

    def find(self, list_name: ListName, handle: str) -> str | None:
        """The stored spelling of ``handle`` on ``list_name``, or None."""
        entries = self.entries.get(list_name, {})
        if handle in entries:
            return handle  # the spelling the server sends back: the common case
        stored = self._folded.get(list_name, {}).get(handle.lower())
        return stored if stored is not None and stored in entries else None

    def has(self, list_name: ListName, handle: str) -> bool:
        return self.find(list_name, handle) is not None

    def put(self, list_name: ListName, handle: str, friendly: str) -> None:
        existing = self.find(list_name, handle)
        entries = self.entries.setdefault(list_name, {})
        if existing is None and len(entries) >= MAX_LIST_ENTRIES:
            raise ServerOverLimit("entries on one contact list", MAX_LIST_ENTRIES)
        if existing is not None and existing != handle:
            del entries[existing]
        entries[handle] = friendly
        self._folded.setdefault(list_name, {})[handle.lower()] = handle

    def drop(self, list_name: ListName, handle: str) -> bool:
        existing = self.find(list_name, handle)
        if existing is None:
            return False
        del self.entries[list_name][existing]
        del self._folded[list_name][existing.lower()]
        return True

    def lists_of(self, handle: str) -> frozenset[ListName]:
        return frozenset(name for name in ListName if self.has(name, handle))

    def to_json(self) -> str:
        return json.dumps({
            "version": self.version,
            "gtc": self.gtc.value,
            "blp": self.blp.value,
            "entries": {name.value: dict(self.entries.get(name, {})) for name in ListName},
        }, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ListCache:
        """Parse a saved cache. A damaged file gives ValueError (the caller then starts from version 0)."""
        try:
            data = json.loads(text)
            entries = _empty_entries()
            for name, members in dict(data.get("entries", {})).items():
                entries[ListName(name)] = {str(h): str(f) for h, f in dict(members).items()}
            return cls(version=int(data["version"]), gtc=ReverseListPrompt(data["gtc"]),
                       blp=Privacy(data["blp"]), entries=entries)
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a saved contact list: {exc}") from exc
