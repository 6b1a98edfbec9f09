"""One cluster component per process: ``msnqt-server serve --role ds|ns|sb`` (docs/cluster.md).

The fronts and the core are the one-process server's; only the ports differ (PostgreSQL store, Redis
router/presence/cookies) and who is referred where:

- DS: refers each user to a live NS by rendezvous hashing of the handle over the live NS set;
- NS: holds sessions, heartbeats, reaps dead NS processes, hands out any live SB for XFR SB;
- SB: holds switchboard sessions; its RNGs name itself, so every participant meets on the same SB.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
import redis.asyncio

from msnqt.protocol.names import is_valid_handle

from ..config import ServerConfig
from ..core.errors import AccountError, StoreError
from ..core.limits import UserLimits
from ..core.notification import NotificationCore
from ..core.switchboard import SwitchboardCore
from ..fronts.admission import Admission, connection_budget, raise_fd_limit
from ..fronts.connection import Address, Connection
from ..fronts.ds import DsConnection
from ..fronts.ns import NsConnection
from ..fronts.sb import SbConnection
from ..listening import Listeners
from ..store.opening import POSTGRES_WORKERS
from ..store.postgres_store import PostgresStore
from ..store.threaded import ThreadedStore
from . import link
from .liveness import Heartbeat, LiveSet, Reaper, Subscription, end_orphans, parse_address
from .redis_limits import RedisLoginThrottle, RedisWindows
from .redis_ports import RedisCookies, RedisPresence, RedisRouter, SessionIds

log = logging.getLogger("msnqt.server.cluster")

ROLES = ("ds", "ns", "sb")
CLEANUP_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class RoleConfig:
    role: str
    postgres: str
    redis: str
    key_file: Path | None
    host: str = "127.0.0.1"
    port: int = 0
    advertise: str | None = None
    """``HOST:PORT`` other components and clients are told; the bound address when None."""
    heartbeat_lifetime: float = 10.0
    tunables: ServerConfig = field(default_factory=lambda: ServerConfig(data_dir=None))


class Component:
    """A running role: ``address`` is where it listens, :meth:`close` stops it cleanly."""

    def __init__(self, listeners: Listeners) -> None:
        self.listeners = listeners
        self.address: Address = ("", 0)
        self.goodbye: Callable[[], None] = lambda: None
        """Last words to this process's sessions before their sockets close (OUT SSD on an NS)."""
        self.heartbeat: Heartbeat | None = None
        self.notification: NotificationCore | None = None
        """An NS's core (for the administration calls the one-process server offers, e.g. mailboxes)."""
        self._cleanups: list[Callable[[], Awaitable[None]]] = []

    def on_close(self, cleanup: Callable[[], Awaitable[None]]) -> None:
        """Run ``cleanup`` at close, after the connections are gone (last registered, first run)."""
        self._cleanups.append(cleanup)

    async def close(self) -> None:
        """Leave the live set first (nobody is referred here any more), then say goodbye and close."""
        if self.heartbeat is not None:
            await self.heartbeat.stop()
        await self.listeners.close(self.goodbye)
        for cleanup in reversed(self._cleanups):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(cleanup(), CLEANUP_TIMEOUT_SECONDS)


def _closer(close: Callable[[], Any]) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        result = close()
        if isinstance(result, Awaitable):
            await result
    return run


async def start_role(config: RoleConfig) -> Component:
    """Connect to PostgreSQL and Redis (one-line StoreError if either fails), then listen."""
    if config.role not in ROLES:
        raise ValueError(f"unknown role {config.role!r}")
    sync = link.connect(config.redis)
    tunables = config.tunables
    admission = Admission(per_address=tunables.max_connections_per_address,
                          total=tunables.max_connections or connection_budget(raise_fd_limit()))
    component = Component(Listeners(config.host, admission))
    component.on_close(_closer(sync.close))
    try:
        background = link.connect_async(config.redis)
        component.on_close(_closer(background.aclose))
        key_file = config.key_file if config.role == "ns" else None
        store = ThreadedStore(PostgresStore.open(config.postgres, key_file), workers=POSTGRES_WORKERS)
        component.on_close(_closer(store.close))
        starter = {"ds": _start_ds, "ns": _start_ns, "sb": _start_sb}[config.role]
        await starter(config, component, store, background)
    except BaseException:
        await component.close()
        raise
    return component


def _advertised(config: RoleConfig, bound: Address) -> str:
    return config.advertise or f"{bound[0]}:{bound[1]}"


async def _start_ds(config: RoleConfig, component: Component, store: ThreadedStore,
                    background: redis.asyncio.Redis) -> None:
    store.close()  # the DS reads no account: opening it only proved the DSN works
    live_ns = LiveSet(background, "ns", config.heartbeat_lifetime)
    await live_ns.start()
    component.on_close(live_ns.stop)
    timeout = config.tunables.login_timeout
    component.address = await component.listeners.serve(
        config.port, lambda: DsConnection(pick_ns=live_ns.rendezvous, login_timeout=timeout))


def _notification(config: RoleConfig, store: ThreadedStore, client: redis.asyncio.Redis,
                  node: str) -> tuple[NotificationCore, RedisRouter, RedisCookies]:
    router = RedisRouter(client, node)
    tunables = config.tunables
    core = NotificationCore(store, router, RedisPresence(client), fl_limit=tunables.fl_limit,
                            fnd_max_results=tunables.fnd_max_results, valid_handle=is_valid_handle)
    return core, router, RedisCookies(client, tunables.cookie_lifetime)


async def _start_ns(config: RoleConfig, component: Component, store: ThreadedStore,
                    background: redis.asyncio.Redis) -> None:
    node = secrets.token_hex(6)
    lifetime = config.heartbeat_lifetime
    core, router, cookies = _notification(config, store, background, node)
    tunables = config.tunables
    switchboard = SwitchboardCore(core, cookies, valid_handle=is_valid_handle,
                                  max_participants=tunables.session_max_participants)
    # The login throttle counts in Redis for every NS (a guesser may pick any NS); the per-user command
    # allowances count here, where the user's one session is (docs/cluster.md, "Limits").
    limits = UserLimits(tunables.rate_limits)
    throttle = RedisLoginThrottle(background, free_failures=tunables.login_free_failures,
                                  account_cap=tunables.login_lockout_account_cap,
                                  address_cap=tunables.login_lockout_address_cap)
    async def tell_presence_again() -> None:
        """Each session here gets its contacts' presence again (see ``Subscription``)."""
        for key, token in router.sessions_here():
            try:
                router.deliver_here(key, token, *await core.presence_again(key))
            except AccountError:
                continue  # removed by an administrator meanwhile; the session ends on its own
            except StoreError as exc:
                log.warning("could not tell this NS's sessions their contacts' presence again: %s", exc)
                return

    subscription = Subscription(background, router, on_heard_again=tell_presence_again)
    await subscription.start()
    component.on_close(subscription.stop)
    live_sb = LiveSet(background, "sb", lifetime)
    await live_sb.start()
    component.on_close(live_sb.stop)
    live_ns = LiveSet(background, "ns", lifetime)
    reaper = Reaper(background, core, router, live_ns, lifetime)
    await live_ns.start(on_refresh=reaper.sweep)
    component.on_close(live_ns.stop)
    timeout = config.tunables.login_timeout

    def accept() -> Connection[Any]:
        return NsConnection(core=core, switchboard=switchboard, pick_sb=live_sb.next_in_turn,
                            login_timeout=timeout, limits=limits, throttle=throttle)

    component.address = await component.listeners.serve(config.port, accept)
    component.goodbye = core.shut_down
    component.notification = core
    async def end_forgotten_sessions() -> None:
        await end_orphans(router, "while this NS was taken for dead")

    component.heartbeat = Heartbeat(background, "ns", node, _advertised(config, component.address), lifetime,
                                    on_rejoin=end_forgotten_sessions)
    await component.heartbeat.start()


async def _start_sb(config: RoleConfig, component: Component, store: ThreadedStore,
                    background: redis.asyncio.Redis) -> None:
    node = secrets.token_hex(6)
    # The SB asks the directory (presence, privacy, names) through a NotificationCore over the shared
    # ports; it runs no NS front and holds no sessions of its own.
    core, _, cookies = _notification(config, store, background, node)
    tunables = config.tunables
    limits = UserLimits(tunables.rate_limits)
    holder: list[SwitchboardCore] = []

    def accept() -> Connection[Any]:
        return SbConnection(core=holder[0], max_payload=tunables.sb_max_payload,
                            auth_timeout=tunables.sb_auth_timeout, idle_timeout=tunables.sb_idle_timeout,
                            limits=limits)

    component.address = await component.listeners.serve(config.port, accept)
    advertised = _advertised(config, component.address)
    holder.append(SwitchboardCore(core, cookies, valid_handle=is_valid_handle,
                                  max_participants=tunables.session_max_participants,
                                  calls_per_minute=tunables.cal_limit_per_minute,
                                  rings_per_minute=tunables.ring_limit_per_minute,
                                  max_sessions_per_user=tunables.max_switchboards_per_user,
                                  address=parse_address(advertised), new_session_id=SessionIds(background),
                                  calls=RedisWindows(background, "calls", tunables.cal_limit_per_minute),
                                  rings=RedisWindows(background, "rings", tunables.ring_limit_per_minute)))
    component.heartbeat = Heartbeat(background, "sb", node, advertised, config.heartbeat_lifetime)
    await component.heartbeat.start()
