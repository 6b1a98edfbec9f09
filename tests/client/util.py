"""Helpers for engine tests: record events and await the ones a test cares about."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from msnqt.client import Messenger
from msnqt.client import events as ev
from msnqt.protocol.auth import md5_response
from tests.support.fakeserver import C, S, Step

E = TypeVar("E")


class EventRecorder:
    """Subscribes to a messenger and lets a coroutine await the next event matching a condition."""

    def __init__(self, messenger: Messenger) -> None:
        self.events: list[ev.Event] = []
        self._waiters: list[tuple[Callable[[Any], bool], asyncio.Future[Any]]] = []
        self.unsubscribe = messenger.subscribe(self._on_event)

    def _on_event(self, event: ev.Event) -> None:
        self.events.append(event)
        for predicate, future in list(self._waiters):
            if not future.done() and predicate(event):
                future.set_result(event)

    def of_type(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]

    def mark(self) -> int:
        """A position in the record: pass it as ``since`` to wait only for what comes after it."""
        return len(self.events)

    async def wait(self, kind: type[E], predicate: Callable[[E], bool] = lambda e: True,
                   timeout: float = 5.0, *, include_past: bool = True, since: int = 0) -> E:
        """The first event of ``kind`` matching ``predicate`` (recorded ones from ``since`` on count)."""
        if include_past:
            for event in self.events[since:]:
                if isinstance(event, kind) and predicate(event):
                    return event
        future: asyncio.Future[E] = asyncio.get_running_loop().create_future()
        self._waiters.append((lambda e: isinstance(e, kind) and predicate(e), future))
        return await asyncio.wait_for(future, timeout)

    async def wait_all(self, kind: type[E], count: int, timeout: float = 5.0) -> list[E]:
        """Wait until ``count`` events of ``kind`` have been recorded; return them."""
        await self.wait(kind, lambda _e: len(self.of_type(kind)) >= count, timeout)
        return self.of_type(kind)


PASSWORD = "alicepw"
CHALLENGE = "1013928519.693957190"
RESPONSE = md5_response(CHALLENGE, PASSWORD)


def ns_login(first: int, handle: str = "alice@hotmail.com", friendly: str = "Alice%20Liddell",
             challenge: str = CHALLENGE, password: str = PASSWORD) -> list[Step]:
    """VER/INF/USR I/USR S on an NS, expecting TrIDs from ``first`` on."""
    return [
        C(f"VER {first} MSNP2 CVR0"), S(f"VER {first} MSNP2"),
        C(f"INF {first + 1}"), S(f"INF {first + 1} MD5"),
        C(f"USR {first + 2} MD5 I {handle}"), S(f"USR {first + 2} MD5 S {challenge}"),
        C(f"USR {first + 3} MD5 S {md5_response(challenge, password)}"),
        S(f"USR {first + 3} OK {handle} {friendly}"),
    ]


def sync_empty(trid: int, version: int = 0, status: str = "NLN") -> list[Step]:
    """SYN when the cache is current (only ``SYN t v`` comes back), then CHG and the barrier."""
    return [C(f"SYN {trid} {version}"), S(f"SYN {trid} {version}"),
            C(f"CHG {trid + 1} {status}"), S(f"CHG {trid + 1} {status}"), *PRESENCE_BARRIER]


PRESENCE_BARRIER = [C("PNG"), S("QNG")]
"""sign_in ends with a PNG/QNG round trip so that every ILN has arrived when it returns."""
