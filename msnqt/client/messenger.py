"""The engine: one NS session, its lists and presence, conversations, keep-alive and reconnect.

Everything runs on the caller's asyncio loop (plain asyncio for the CLI and bots, qasync for the GUI):
no threads, no blocking calls. The server's unsolicited lines become typed events (``events.py``)
delivered in order to every subscriber.

``Messenger`` is put together from one module per idea, each a class over the shared state of
``engine_core.py``: ``contact_lists.py`` (SYN, list requests, the GTC rule), ``invitations.py``
(XFR SB, answering RNG), ``services.py`` (URL, FND, SND), ``unsolicited.py`` (acting on what the server
says unasked), ``liveness.py`` (presence barrier, ping, keep-alive). This module is the session itself:
sign-in (DS referral, SYN, first CHG, barrier), sign-out, and losing and regaining the connection.

Choices worth knowing:

* A lost NS connection (EOF, reset, no QNG within ``request_timeout`` of a PNG) starts a reconnect with
  exponential backoff (``reconnect_delay`` doubling up to ``reconnect_max_delay``), then signs in again
  with the cached lists and the last status. Never after ``OUT OTH`` (-> ``SignedOut("elsewhere")``),
  ``OUT SSD`` (-> ``SignedOut("shutdown")``) or our own ``sign_out``.
* A server that closes the connection on the sign-in PNG (the Go server, §8.4) is signed in to once more
  at once, without PNG, and remembered as such (``quirks.py``).
* ``XFR 0 NS host:port`` from the server: the reconnect goes there first, then to the configured server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from msnqt.protocol.codes import SETTABLE_STATUSES, Status
from msnqt.protocol.commands import Chg, Out
from msnqt.protocol.names import is_valid_handle

from . import events as ev
from .connection import Connection
from .errors import (
    AuthenticationFailed,
    ConnectionLost,
    MessengerError,
    PingDropped,
    ServerError,
    SignInCancelled,
)
from .login import log_in, parse_server_address
from .services import OptionalServices
from .states import NsEvent, NsState
from .unsolicited import UnsolicitedLines

log = logging.getLogger("msnqt.client")


class Messenger(UnsolicitedLines, OptionalServices):
    """See the module docstring and docs/design/engine-api.md. The constructor is ``EngineCore``'s."""

    async def sign_in(self, handle: str, password: str, *, status: Status = Status.ONLINE) -> None:
        """Sign in (DS -> NS or NS directly), SYN with the cached version, then CHG ``status``."""
        if status not in SETTABLE_STATUSES:
            raise ValueError(f"cannot sign in as {status}")
        if self._sm.state is not NsState.OFFLINE:
            raise MessengerError("already signed in or signing in")
        parse_server_address(self._server)
        if not is_valid_handle(handle):
            raise ServerError(208, "USR")
        self._kicked_elsewhere = False
        self._moved_to = None
        self._sm.fire(NsEvent.SIGN_IN)
        self._handle, self._password, self._wanted_status = handle, password, status
        self._sign_in_cancelled = False
        try:
            await self._connect_and_sync()
        except BaseException as exc:
            self._drop_ns()
            if self._sm.can(NsEvent.LOGIN_FAILED):
                self._sm.fire(NsEvent.LOGIN_FAILED)
            self._password = ""
            self._go_offline()
            if self._sign_in_cancelled and isinstance(exc, MessengerError):
                raise SignInCancelled("sign-in cancelled") from exc
            raise
        self.emit(ev.SignedIn(self._handle, self._friendly))

    async def sign_out(self) -> None:
        """OUT on every switchboard and on the NS; no reconnect afterwards. Safe to call twice."""
        if self._sm.state is NsState.OFFLINE:
            return
        self._sign_in_cancelled = self._sm.state in (NsState.CONNECTING, NsState.SYNCING)
        self._sm.fire(NsEvent.SIGN_OUT)
        self._stop_background()
        for conversation in list(self._conversations):
            await conversation.leave()
        ns = self._ns
        if ns is not None and not ns.closed:
            with contextlib.suppress(MessengerError):
                ns.send(Out())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(ns.wait_closed(), self._request_timeout)
        self._drop_ns()
        self._sm.fire(NsEvent.CLOSED)
        self._password = ""
        self._go_offline()
        self.emit(ev.SignedOut("user"))

    async def set_status(self, status: Status) -> None:
        if status not in SETTABLE_STATUSES:
            raise ValueError(f"{status} cannot be set; sign out instead")
        await self._change_status(self._require_ns(), status)

    async def _connect_and_sync(self, server: str | None = None) -> None:
        """Sign in to ``server`` (default: the configured one). A server that closes the connection on
        the sign-in PNG (the Go server, §8.4) is signed in to once more at once, without PNG; if that
        works, it is remembered as such (``quirks.py``)."""
        target = server or self._server
        try:
            await self._connect_and_sync_once(target, ping=self._quirks.answers_ping(self._server))
        except PingDropped as exc:
            log.info("%s closed the connection on PNG (%s); signing in again without PNG", target, exc)
            self._drop_ns()
            self._go_offline(keep_status=True)
            self._advance(NsEvent.REDIAL)
            await self._connect_and_sync_once(target, ping=False)
            self._quirks.remember_no_ping(self._server)

    async def _connect_and_sync_once(self, server: str, *, ping: bool) -> None:
        result = await log_in(server, self._handle, self._password, timeout=self._request_timeout,
                              connect_timeout=self._connect_timeout, connect=self._connect)
        ns = result.connection
        self._ns, self._sign_in_lost = ns, None
        ns.set_handlers(self._on_ns_line, lambda reason: self._on_ns_closed(ns, reason))
        if ns.closed:
            raise ConnectionLost(ns.host, ns.port, "closed during sign-in")
        self._advance(NsEvent.AUTHENTICATED)
        self._handle, self._friendly = result.handle, result.friendly
        for line in result.early_lines:
            self._on_ns_line(line)
        await self._synchronise(ns)
        await self._change_status(ns, self._wanted_status)
        ping = await self._presence_barrier(ns, ping=ping)
        if ns.closed:  # never report a sign-in on a connection that is gone (and say why it went)
            raise self._sign_in_lost or ConnectionLost(ns.host, ns.port, "closed during sign-in")
        self._advance(NsEvent.READY)
        self._flush_renames_soon()
        self._keepalive_task = self._spawn(self._keepalive(ns, ping=ping))

    def _advance(self, event: NsEvent) -> None:
        """A sign-in step; if sign_out ran meanwhile the step is impossible: the sign-in is cancelled."""
        if not self._sm.can(event):
            raise SignInCancelled("sign-in cancelled")
        self._sm.fire(event)

    async def _change_status(self, ns: Connection, status: Status) -> None:
        (reply,) = await ns.request(lambda t: Chg(t, status), timeout=self._request_timeout)
        if isinstance(reply, Chg):
            self._apply_own_status(reply.status)

    def _on_ns_closed(self, ns: Connection, reason: MessengerError | None) -> None:
        if ns is not self._ns:
            return
        self._ns = None
        if reason is None or self._sm.state is not NsState.ONLINE:
            self._sign_in_lost = reason
            return  # we closed it, or a sign-in attempt in progress reports the failure itself
        if self._moved_to is None:
            log.warning("lost the connection to the notification server: %s", reason)
        self._stop_background()
        self._sm.fire(NsEvent.LOST)
        self._go_offline(keep_status=True)
        if self._auto_reconnect or self._moved_to is not None:
            self._reconnect_task = self._spawn(self._reconnect())
        else:
            self._sm.fire(NsEvent.LOGIN_FAILED)
            self._password = ""
            self.emit(ev.SignedOut("connection_lost"))

    async def _reconnect(self) -> None:
        attempt = 0
        while self._sm.state is NsState.RECONNECTING:
            attempt += 1
            target, self._moved_to = self._moved_to, None
            delay = 0.0 if target is not None else min(self._reconnect_delay * 2 ** (attempt - 1),
                                                       self._reconnect_max_delay)
            self.emit(ev.Reconnecting(attempt, delay))
            await asyncio.sleep(delay)
            if self._sm.state is not NsState.RECONNECTING:
                return
            self._sm.fire(NsEvent.RETRY)
            try:
                await self._connect_and_sync(target)
            except AuthenticationFailed:
                self._drop_ns()
                self._sm.fire(NsEvent.LOGIN_FAILED)
                self._password = ""
                self.emit(ev.SignedOut("connection_lost"))
                return
            except MessengerError as exc:
                log.info("reconnect attempt %d failed: %s", attempt, exc)
                self._drop_ns()
                if self._sm.can(NsEvent.RETRY_FAILED):
                    self._sm.fire(NsEvent.RETRY_FAILED)
                if self._max_reconnect_attempts is not None and attempt >= self._max_reconnect_attempts \
                        and self._sm.can(NsEvent.LOGIN_FAILED):
                    log.warning("giving up after %d reconnect attempts", attempt)
                    self._sm.fire(NsEvent.LOGIN_FAILED)
                    self._password = ""
                    self.emit(ev.SignedOut("connection_lost"))
                    return
                continue
            self.emit(ev.SignedIn(self._handle, self._friendly))
            return
