"""Whether a text message reached its recipients: the evidence a sender has, and the rules that judge it.

Why this is more than "no NAK means delivered": MSNP2 servers differ in what they tell the sender. The
draft and our server ``NAK`` a message that reached nobody; Escargot (2018 and 2025) never ``NAK``
(msnp2-reference.md §8, D21), so there silence proves nothing. What every server does send is ``BYE``
when a participant leaves, and a recipient whose ``BYE`` reaches us within the delivery window may have
left before the server relayed the message (on Escargot the ``BYE`` of a client that died arrives 1-2 ms
after our ``MSG``). So a message is judged on all the evidence of its window:

* a ``NAK``, an error, or the switchboard closing: not delivered;
* every recipient left: not delivered *yet*; it is written again, once, after the conversation has
  re-invited them (the caller learns "delivered" or the reason the re-invitation failed);
* some recipients left: not delivered to all (it cannot be re-sent to them alone without repeating
  it to the others);
* an ``ACK`` for every part (ack mode ``A``, or a server that acknowledges ``N``): delivered;
* otherwise, silence until the window ends: delivered.

The rules per server are written down in docs/design/engine-api.md. This module keeps the bookkeeping of
one message (``Delivery``) and the verdict; the conversation does the I/O.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from msnqt.protocol.commands import Ack, Nak

from .errors import ConnectionFailed, MessengerError, RequestTimeout, ServerError

MAX_TRIES = 2
"""The first write and one more after every recipient left: a recipient who is really gone is refused at
the re-invitation (217) or does not answer it, so a third try would learn nothing new."""

Outcome = tuple[str, str] | None
"""None when delivered, else (the text that did not arrive, the reason)."""


class Delivery:
    """One ``send_text``: its parts, who received the current try, and who has left since."""

    def __init__(self, text: str, chunks: list[str]) -> None:
        self.text = text
        self.chunks = chunks
        self.tries = 0
        self.recipients: frozenset[str] = frozenset()
        self.left: set[str] = set()
        self.outcome: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()

    def __repr__(self) -> str:
        return f"<Delivery try {self.tries} to {sorted(self.recipients)} left {sorted(self.left)}>"

    def written(self, recipients: Iterable[str]) -> int:
        """A new try went on the wire to ``recipients``; returns its number."""
        self.tries += 1
        self.recipients = frozenset(handle.lower() for handle in recipients)
        self.left = set()
        return self.tries

    def departed(self, handle: str) -> bool:
        """``handle`` left during the window; True when nobody who was sent this try is still there."""
        key = handle.lower()
        if key in self.recipients:
            self.left.add(key)
        return bool(self.recipients) and self.left >= self.recipients

    @property
    def may_resend(self) -> bool:
        return self.tries < MAX_TRIES

    def settle(self, outcome: Outcome) -> None:
        if not self.outcome.done():
            self.outcome.set_result(outcome)

    def verdict(self, results: list[object]) -> Outcome:
        """The outcome of a try whose window is over; ``results`` are the replies (or errors) per part."""
        failed = [(chunk, reason) for chunk, result in zip(self.chunks, results, strict=True)
                  if (reason := _part_failure(result)) is not None]
        if failed:
            lost = self.text if len(failed) == len(self.chunks) else "".join(c for c, _ in failed)
            return lost, failed[0][1]
        if all(isinstance(r, list) and any(isinstance(c, Ack) for c in r) for r in results):
            return None  # the server itself says it delivered every part
        if self.left:
            return self.text, "left"
        return None


def _part_failure(result: object) -> str | None:
    """Why one MSG failed, from what its request returned; None when it did not fail."""
    if isinstance(result, RequestTimeout):
        return None  # no NAK within the window; the departures decide the rest
    if isinstance(result, list):
        return "nak" if any(isinstance(r, Nak) for r in result) else None
    if isinstance(result, ConnectionFailed):
        return "connection_lost"
    if isinstance(result, ServerError):
        return f"error_{result.code}"
    if isinstance(result, BaseException):
        if not isinstance(result, MessengerError):
            raise result
        return "error"
    return None
