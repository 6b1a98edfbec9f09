"""Knowing the notification connection is alive: the presence barrier that ends a sign-in, and the keep-alive.

The round trip is PNG/QNG, or to a server known not to answer PNG (the Go server closes the connection on
it, §8.4; see ``quirks.py``) a ``SYN`` with the current list version. No answer within ``request_timeout``
means the connection is dead: it is aborted, and the session (``messenger.py``) reconnects.
"""

from __future__ import annotations

import asyncio
import logging

from msnqt.protocol.commands import Png

from . import events as ev
from .connection import Connection
from .contact_lists import ContactLists
from .errors import ConnectionLost, MessengerError, PingDropped, RequestTimeout

log = logging.getLogger("msnqt.client")


class Liveness(ContactLists):
    """Presence barrier, ping and keep-alive of a ``Messenger``."""

    async def _presence_barrier(self, ns: Connection, *, ping: bool) -> bool:
        """A round trip after the first CHG: the server answers in order, so every ILN has arrived after
        its answer. That makes "sign_in returned" mean "presence is complete" (what a script needs).

        The round trip is PNG/QNG; to a server known not to answer PNG it is ``SYN`` with the current
        list version (answered with ``SYN t v`` alone by a server that keeps versions; one that resends
        the lists refreshes the cache). Returns whether PNG works on this server: a server that leaves
        PNG unanswered costs one request timeout, once, and is remembered; one that closes the
        connection on it raises PingDropped.
        """
        if not ping:
            if await self._fetch_lists(ns):
                self.emit(ev.ListsLoaded())
            return False
        try:
            answered = await self.ping(ns)
        except ConnectionLost as exc:
            raise PingDropped(ns.host, ns.port, "closed on PNG") from exc
        if not answered:
            log.info("%s did not answer PNG within %gs: no keep-alive for it", ns.label,
                        self._request_timeout)
            self._quirks.remember_no_ping(self._server)
        return answered

    async def ping(self, ns: Connection | None = None) -> bool:
        """PNG and wait for QNG (at most ``request_timeout``); True if it came. A round-trip barrier.

        Raises ConnectionLost at once when the connection closes before the QNG."""
        ns = ns or self._require_ns()
        loop = asyncio.get_running_loop()
        if self._qng is None or self._qng.done():
            self._qng = loop.create_future()
        waiter = self._qng
        ns.send(Png())
        await asyncio.wait((waiter, ns.gone), timeout=self._request_timeout,
                           return_when=asyncio.FIRST_COMPLETED)
        if waiter.done():
            return True
        if ns.closed:
            raise ConnectionLost(ns.host, ns.port, "closed while waiting for QNG")
        return False

    async def _keepalive(self, ns: Connection, *, ping: bool) -> None:
        """A round trip every ``keepalive_interval``: PNG/QNG, or to a server without PNG the same
        ``SYN`` with the current list version as its sign-in barrier (a dead connection is noticed either
        way; a server that keeps list versions answers it with one line)."""
        while not ns.closed:
            await asyncio.sleep(self._keepalive_interval)
            if ns.closed:
                return
            try:
                if ping:
                    answered = await self.ping(ns)
                else:
                    if await self._fetch_lists(ns):
                        self.emit(ev.ListsLoaded())
                    answered = True
            except RequestTimeout:
                answered = False
            except MessengerError:
                return  # closed: _on_ns_closed has taken over
            if not answered:
                log.warning("no answer to the keep-alive within %gs: the connection is dead",
                            self._request_timeout)
                ns.abort(ConnectionLost(ns.host, ns.port, "no answer to keep-alive"))
                return
