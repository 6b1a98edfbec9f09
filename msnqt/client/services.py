"""The requests not every MSNP2 server answers: URL (Hotmail pages), FND (member directory), SND (invite by
e-mail). Escargot 2018 ignores commands it does not know (§8.2 D5), Escargot 2025 never answers FND (§8.3).

Why a PNG goes after such a request: real servers answer a connection's commands in order (msnp2-reference
§1.2), so a QNG that comes back while the request still has no answer means the server passed over it. The
user is told "this server does not offer it" at once instead of after ``request_timeout`` (15 s). Without a
PNG to use (a server that drops or ignores it, ``quirks.py``) the bounded wait decides. Either way the server
is remembered, and the next request of that kind is refused at once without asking.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from msnqt.protocol.commands import Command, FndRequest, FndResult, SndOk, SndRequest, Url, UrlRequest

from .connection import Connection, single_reply
from .errors import MessengerError, ProtocolViolation, RequestTimeout, Unsupported
from .liveness import Liveness
from .model import DirectoryEntry

log = logging.getLogger("msnqt.client")


class OptionalServices(Liveness):
    """URL, FND and SND of a ``Messenger``."""

    async def url(self, service: str, param: str | None = None) -> tuple[str, str]:
        (reply,) = await self._optional_request("URL", lambda t: UrlRequest(t, service, param))
        if not isinstance(reply, Url):
            raise ProtocolViolation(f"unexpected answer to URL: {type(reply).__name__}")
        return reply.relative_url, reply.login_url

    async def find(self, fname: str, lname: str, city: str = "*", state: str = "*",
                   country: str = "*") -> list[DirectoryEntry]:
        replies = await self._optional_request(
            "FND", lambda t: FndRequest(t, fname, lname, city, state, country), done=_fnd_done)
        return [DirectoryEntry(r.fname or "", r.lname or "", r.city or "", r.state or "", r.country or "",
                               r.index)
                for r in replies if isinstance(r, FndResult) and r.total > 0]

    async def invite_by_email(self, address: str) -> None:
        (reply,) = await self._optional_request("SND", lambda t: SndRequest(t, address))
        if not isinstance(reply, SndOk):
            raise ProtocolViolation(f"unexpected answer to SND: {type(reply).__name__}")

    async def _optional_request(self, name: str, make: Callable[[int], Command],
                                done: Callable[[list[Command]], bool] = single_reply) -> list[Command]:
        """A request for a service not every server has (FND, URL, SND): Unsupported when this server
        left it unanswered before, or leaves it unanswered now while the connection stays open."""
        ns = self._require_ns()
        if not self._quirks.answers(self._server, name):
            raise Unsupported(name)
        trids: list[int] = []

        def make_noting_trid(trid: int) -> Command:
            trids.append(trid)
            return make(trid)

        reply = asyncio.ensure_future(ns.submit(make_noting_trid, timeout=self._request_timeout, done=done))
        barrier = asyncio.ensure_future(self._passed_over(ns, trids[0]))
        try:
            await asyncio.wait((reply, barrier), return_when=asyncio.FIRST_COMPLETED)
            if not reply.done() and barrier.done() and barrier.result():
                log.info("%s answered a later PNG and not %s: this server does not offer it", ns.label, name)
                self._quirks.remember_unanswered(self._server, name)
                raise Unsupported(name)
            return await reply
        except RequestTimeout:
            if ns.closed:
                raise
            log.info("no answer to %s within %gs: this server does not offer it", name,
                     self._request_timeout)
            self._quirks.remember_unanswered(self._server, name)
            raise Unsupported(name) from None
        finally:
            reply.cancel()
            barrier.cancel()

    async def _passed_over(self, ns: Connection, trid: int) -> bool:
        """True when a PNG sent after request ``trid`` was answered and the request was not. False when
        there is no telling: a server without PNG, or a PNG already out (its QNG would prove nothing)."""
        if not self._quirks.answers_ping(self._server) or (self._qng is not None and not self._qng.done()):
            return False
        try:
            return await self.ping(ns) and not ns.answered(trid)
        except MessengerError:
            return False  # the connection is gone: the request fails with it


def _fnd_done(replies: list[Command]) -> bool:
    last = replies[-1]
    return not isinstance(last, FndResult) or last.total == 0 or last.index >= last.total
