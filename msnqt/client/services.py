"""The requests not every MSNP2 server answers: URL (Hotmail pages), FND (member directory), SND (invite by
e-mail). A server that leaves one unanswered while the connection stays open is remembered (``quirks.py``),
so the user is told "this server does not offer it" once after one bounded wait, then at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from msnqt.protocol.commands import Command, FndRequest, FndResult, SndOk, SndRequest, Url, UrlRequest

from .connection import single_reply
from .engine_core import EngineCore
from .errors import ProtocolViolation, RequestTimeout, Unsupported
from .model import DirectoryEntry

log = logging.getLogger("msnqt.client")


class OptionalServices(EngineCore):
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
        try:
            return await ns.request(make, timeout=self._request_timeout, done=done)
        except RequestTimeout:
            if ns.closed:
                raise
            log.info("no answer to %s within %gs: this server does not offer it", name,
                        self._request_timeout)
            self._quirks.remember_unanswered(self._server, name)
            raise Unsupported(name) from None


def _fnd_done(replies: list[Command]) -> bool:
    last = replies[-1]
    return not isinstance(last, FndResult) or last.total == 0 or last.index >= last.total
