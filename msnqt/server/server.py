"""The assembled server: store, core and the three fronts, listening with one asyncio protocol per socket.

This is the public in-process API used by the desktop app's demo mode, by the client engine's tests
and by the command line. Only this module knows how the pieces are wired.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from msnqt.protocol.names import friendly_fits, is_valid_handle

from .config import ServerConfig
from .core.errors import AccountError
from .core.limits import UserLimits
from .core.login_throttle import LocalLoginThrottle
from .core.model import Account, Profile, handle_key, printable_name
from .core.notification import NotificationCore
from .core.ports import BlockingStore
from .core.routing import LocalRouter, PresenceTable
from .core.switchboard import CookieJar, SwitchboardCore
from .fronts.admission import Admission, connection_budget, raise_fd_limit
from .fronts.connection import Address, Connection
from .fronts.ds import DsConnection
from .fronts.ns import NsConnection
from .fronts.sb import SbConnection
from .listening import Listeners
from .store.opening import open_store, serving
from .store.threaded import InlineStore

log = logging.getLogger("msnqt.server")



def check_new_account(handle: str, friendly: str) -> None:
    """Raise :class:`AccountError` with a readable reason for a handle or name the wire cannot carry."""
    if not is_valid_handle(handle):
        raise AccountError(f"not an e-mail style handle of at most 129 bytes: {handle!r}", "bad_handle")
    if not friendly:
        raise AccountError("the friendly name is empty (leave out --name to use the handle)", "bad_name")
    if not printable_name(friendly):
        raise AccountError("the friendly name contains control characters", "bad_name")
    if not friendly_fits(friendly):
        raise AccountError("friendly name is longer than 387 bytes once URL-encoded", "bad_name")


class MsnServer:
    """DS, NS and SB in one process, backed by the store the configuration names (SQLite by default)."""

    def __init__(self, config: ServerConfig, store: BlockingStore, *,
                 clock: Callable[[], float] = time.monotonic, store_on_loop: bool = False) -> None:
        """``clock`` drives the rate limiters (tests freeze it, so a burst is all anyone gets).

        ``store_on_loop`` calls the store on the event loop instead of its worker thread, as the server
        did before 2026-12-07: ``bench`` measures the difference, and a test that drives fronts without
        sockets reads their replies the moment a command returns.
        """
        self.config = config
        self.store = store
        self.requests = InlineStore(store) if store_on_loop else serving(store)
        """How the core reaches the store without holding the loop (``store/threaded.py``)."""
        self.notification = NotificationCore(
            self.requests, LocalRouter(), PresenceTable(), fl_limit=config.fl_limit,
            fnd_max_results=config.fnd_max_results, valid_handle=is_valid_handle)
        self.switchboard = SwitchboardCore(
            self.notification, CookieJar(config.cookie_lifetime), valid_handle=is_valid_handle,
            max_participants=config.session_max_participants, calls_per_minute=config.cal_limit_per_minute,
            rings_per_minute=config.ring_limit_per_minute,
            max_sessions_per_user=config.max_switchboards_per_user, clock=clock)
        self.limits = UserLimits(config.rate_limits, clock)
        self.login_throttle = LocalLoginThrottle(
            free_failures=config.login_free_failures, account_cap=config.login_lockout_account_cap,
            address_cap=config.login_lockout_address_cap, clock=clock)
        self.fd_limit = raise_fd_limit()
        self.admission = Admission(per_address=config.max_connections_per_address,
                                   total=config.max_connections or connection_budget(self.fd_limit))
        self._listeners = Listeners(config.host, self.admission)
        self._connections = self._listeners.connections
        self.ds_address: Address = (config.host, config.ds_port)
        self.ns_address: Address = (config.host, config.ns_port)
        self.sb_address: Address = (config.host, config.sb_port)

    @classmethod
    async def start(cls, config: ServerConfig, *, clock: Callable[[], float] = time.monotonic,
                    store_on_loop: bool = False) -> MsnServer:
        """Open the store and listen on the three ports (0 picks a free one); return once listening."""
        server = cls(config, open_store(config), clock=clock, store_on_loop=store_on_loop)
        try:
            await server._listen()
        except BaseException:
            await server.close()
            raise
        return server

    async def _listen(self) -> None:
        config = self.config
        self.sb_address = await self._listeners.serve(config.sb_port, self._new_sb)
        self.ns_address = await self._listeners.serve(config.ns_port, self._new_ns)
        self.ds_address = await self._listeners.serve(config.ds_port, self._new_ds)

    def _new_ds(self) -> Connection[Any]:
        return DsConnection(pick_ns=lambda handle: self.ns_address, login_timeout=self.config.login_timeout)

    def _new_ns(self) -> Connection[Any]:
        return NsConnection(
            core=self.notification, switchboard=self.switchboard, pick_sb=lambda: self.sb_address,
            login_timeout=self.config.login_timeout, limits=self.limits, throttle=self.login_throttle)

    def _new_sb(self) -> Connection[Any]:
        return SbConnection(
            core=self.switchboard, max_payload=self.config.sb_max_payload,
            auth_timeout=self.config.sb_auth_timeout, idle_timeout=self.config.sb_idle_timeout,
            limits=self.limits)

    # --- administration ------------------------------------------------------------------------------

    def add_account(self, email: str, password: str, friendly: str | None = None, *, fname: str = "",
                    lname: str = "", city: str = "", state: str = "", country: str = "") -> Account:
        """Create an account (friendly name defaults to the handle); AccountError on a bad or taken handle."""
        name = email if friendly is None else friendly
        check_new_account(email, name)
        return self.requests.blocking(self.store.create_account, email, password, name,
                                      Profile(fname, lname, city, state, country))

    def disconnect(self, handle: str, *, switchboards_only: bool = False) -> int:
        """Drop ``handle``'s connections as a crash would (no OUT); return how many were dropped.

        The others hear of it the usual way: BYE in each switchboard session, FLN to watchers when
        the NS session goes. ``switchboards_only`` keeps the user signed in and ends only their chats.
        """
        key = handle_key(handle)
        dropped = 0
        for connection in list(self._connections):
            if isinstance(connection, SbConnection):
                owner = connection.member_handle
            elif isinstance(connection, NsConnection) and not switchboards_only:
                owner = None if connection.account is None else connection.account.handle
            else:
                continue
            if owner is not None and handle_key(owner) == key and not connection.closing:
                connection.close()
                dropped += 1
        return dropped

    def set_mailbox(self, email: str, inbox_unread: int, folders_unread: int) -> None:
        """Unread counts announced in the mail MSG at the next sign-in (no real mailbox behind it)."""
        self.notification.set_mailbox(email, inbox_unread, folders_unread)

    async def settle(self) -> None:
        """Wait until every handler and farewell in flight has ended (what a closed socket set off)."""
        await self._listeners.settle()

    async def close(self) -> None:
        """OUT SSD to every NS session, close every socket, then the database."""
        await self._listeners.close(self.notification.shut_down)
        self.requests.close()
