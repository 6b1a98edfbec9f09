"""When the answer to ``SYN`` is complete, decided line by line in constant time, and how long it may be.

Why a class rather than a predicate over all replies: the predicate runs once per reply line, so looking
back over the replies makes a long list quadratic, and a server repeating a list's "last" LST line made
even the cheap check rescan everything. ``SynProgress`` looks at each line once. It also refuses a list
longer than MAX_LIST_ENTRIES (as announced by LST's count or as actually sent) with ServerOverLimit,
which makes the connection close instead of collecting lines without end.
"""

from __future__ import annotations

from msnqt.protocol.codes import ListName
from msnqt.protocol.commands import Command, Lst, Syn
from msnqt.protocol.limits import MAX_LIST_ENTRIES

from .errors import ServerOverLimit

MAX_SYN_REPLY_LINES = len(ListName) * (MAX_LIST_ENTRIES + 1) + 8
"""SYN, GTC, BLP, every LST (an empty list is one line) and a few repeats of tolerant servers."""

_TOO_MANY = ("entries on one contact list", MAX_LIST_ENTRIES)


class SynProgress:
    """The ``done`` predicate of one SYN request (``Connection.request(..., done=SynProgress(v))``).

    SYN is complete with only ``SYN t v`` when v equals our version, else once SYN and the last entry
    of each of the four lists have come (E18 sent the LSTs before GTC/BLP: those are then taken as
    unsolicited lines, as are LST lines after a list looked complete).
    """

    def __init__(self, cached_version: int) -> None:
        self._cached_version = cached_version
        self._seen = 0
        self._syn_seen = False
        self._finished: set[ListName] = set()
        self._counts = dict.fromkeys(ListName, 0)

    def __call__(self, replies: list[Command]) -> bool:
        for line in replies[self._seen:]:
            if isinstance(line, Syn):
                self._syn_seen = True
            elif isinstance(line, Lst):
                self._count(line)
        self._seen = len(replies)
        first = replies[0]
        if isinstance(first, Syn) and len(replies) == 1 and first.version == self._cached_version:
            return True
        return self._syn_seen and len(self._finished) == len(ListName)

    def _count(self, line: Lst) -> None:
        if line.total > MAX_LIST_ENTRIES:
            raise ServerOverLimit(*_TOO_MANY)
        if line.handle is not None:
            self._counts[line.list_name] += 1
            if self._counts[line.list_name] > MAX_LIST_ENTRIES:
                raise ServerOverLimit(*_TOO_MANY)
        if line.total == 0 or line.index >= line.total:
            self._finished.add(line.list_name)
