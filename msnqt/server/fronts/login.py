"""The login greeting shared by the DS and the NS (msnp2-reference §3.1, §10.2), and their login timer.

Both fronts answer ``VER``, ``CVQ`` and ``INF`` identically; only the states they move to differ, and
those are in each front's state table (``on_ver`` returns the :class:`Negotiated` outcome it maps).
:class:`LoginFront` also closes a socket that has not finished logging in within ``login_timeout``
seconds, so idle unauthenticated connections cannot pile up.
"""

from __future__ import annotations

import asyncio
from enum import Enum
from typing import TypeVar

from msnqt.protocol import Cvq, Decoder, Inf, InfReply, Ver

from .connection import Connection

DIALECT = "MSNP2"
VERSION_CHECK = "CVR0"
AUTH_PACKAGE = "MD5"

StateT = TypeVar("StateT", bound=Enum)


class Negotiated(Enum):
    MSNP2 = "MSNP2"
    VERSION_CHECK_ONLY = "CVR0"
    REFUSED = "0"


def negotiate(request: Ver) -> Negotiated:
    """MSNP2 when offered; CVR0 alone gets the version-check sub-protocol; anything else is refused."""
    offered = {d.upper() for d in request.dialects}
    if DIALECT in offered:
        return Negotiated.MSNP2
    if VERSION_CHECK in offered:
        return Negotiated.VERSION_CHECK_ONLY
    return Negotiated.REFUSED


def version_check_reply(fields: tuple[str, ...]) -> tuple[str, ...]:
    """CVQ/CVR answer: recommend and require the version the client reports (always accepted)."""
    version = fields[5] if len(fields) >= 6 else "1.0.0863"
    url = "http://messenger.msn.com"
    return (version, version, version, url, url)


class LoginFront(Connection[StateT]):
    """A DS or NS connection: the VER/CVQ/INF greeting and the unauthenticated-socket timer.

    The timer runs until :meth:`login_done`; a DS connection never calls it, because it always
    closes after its referral anyway.
    """

    def __init__(self, decoder: Decoder, *, initial: StateT, login_timeout: float) -> None:
        super().__init__(decoder)
        self.state = initial
        self._login_timer: asyncio.TimerHandle | None = asyncio.get_running_loop().call_later(
            login_timeout, self._login_timed_out)

    def _login_timed_out(self) -> None:
        self._login_timer = None
        self.close()

    def login_done(self) -> None:
        """The client is signed in: it may stay connected as long as it likes."""
        if self._login_timer is not None:
            self._login_timer.cancel()
            self._login_timer = None

    def finished(self) -> None:
        self.login_done()

    def on_ver(self, command: Ver) -> Negotiated:
        """The dialect agreed on; the state table maps it to the next state (REFUSED closes)."""
        outcome = negotiate(command)
        self.send(Ver(command.trid, (outcome.value,)))
        if outcome is Negotiated.REFUSED:
            self.close()
        return outcome

    def on_cvq(self, command: Cvq) -> None:
        self.send(Cvq(command.trid, version_check_reply(command.fields)))
        self.close()

    def on_inf(self, command: Inf) -> None:
        self.send(InfReply(command.trid, (AUTH_PACKAGE,)))
