"""The state every part of the engine shares, and the few moves they all make with it.

Why a base class: the engine is one object to its users (``Messenger``), but its ideas live in modules of
their own (contact lists, invitations, optional services, unsolicited lines, liveness, the session in
``messenger.py``). Each is a class over this core; ``Messenger`` puts them together. The core holds the
connection, the caches and the event subscribers, what the engine shows (read-only properties), and the
moves every part needs: emit an event, require a signed-in connection, spawn a background task, drop the
connection, look offline.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from msnqt.protocol.codes import ListName, Privacy, ReverseListPrompt, Status
from msnqt.protocol.commands import Command

from . import events as ev
from .connection import Connect, Connection, open_tcp
from .conversation import Conversation
from .errors import MessengerError, NotSignedIn, SignedInElsewhere
from .model import Contact, ListCache
from .notification import NotificationState
from .quirks import SHARED_QUIRKS, ServerQuirks
from .states import NS_TRANSITIONS, NsEvent, NsState, StateMachine

log = logging.getLogger("msnqt.client")


class EngineCore:
    """The shared state of a ``Messenger`` (see ``messenger.py`` for the whole)."""

    def __init__(self, server: str, *, request_timeout: float = 15.0, keepalive_interval: float = 60.0,
                 auto_reconnect: bool = True, list_cache: ListCache | None = None,
                 connect_timeout: float | None = None, reconnect_delay: float = 2.0,
                 reconnect_max_delay: float = 120.0, typing_interval: float = 5.0,
                 delivery_window: float = 1.5, join_timeout: float | None = None,
                 max_reconnect_attempts: int | None = None, quirks: ServerQuirks | None = None,
                 connect: Connect = open_tcp) -> None:
        """``max_reconnect_attempts``: give up (``SignedOut("connection_lost")``) after that many failed
        reconnects; None retries forever. ``quirks``: what is known about servers (default: shared by the
        engines of this process, see ``quirks.py``). ``connect``: how connections are made (TCP; tests
        run whole scenarios over an in-memory network with it)."""
        self._server = server  # checked at sign-in, where a bad address becomes InvalidServerAddress
        self._request_timeout = request_timeout
        self._connect_timeout = connect_timeout if connect_timeout is not None else request_timeout
        self._keepalive_interval = keepalive_interval
        self._auto_reconnect = auto_reconnect
        self._reconnect_delay = reconnect_delay
        self._reconnect_max_delay = reconnect_max_delay
        self._max_reconnect_attempts = max_reconnect_attempts
        self._connect = connect
        self._quirks = quirks if quirks is not None else SHARED_QUIRKS
        self._moved_to: str | None = None
        self._typing_interval = typing_interval
        self._delivery_window = delivery_window
        self._join_timeout = join_timeout if join_timeout is not None else request_timeout
        self._cache = list_cache if list_cache is not None else ListCache()
        self._sm: StateMachine[NsState, NsEvent] = StateMachine(NS_TRANSITIONS, NsState.OFFLINE)
        self._ns: Connection | None = None
        self._handle = ""
        self._password = ""
        self._friendly = ""
        self._status = Status.OFFLINE
        self._wanted_status = Status.ONLINE
        self._notification = NotificationState(self._cache)
        self._presence = self._notification.presence  # the same dict: who is online
        self._subscribers: list[Callable[[ev.Event], None]] = []
        self._conversations: list[Conversation] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._keepalive_task: asyncio.Task[None] | None = None
        self._reconnect_task: asyncio.Task[None] | None = None
        self._qng: asyncio.Future[None] | None = None
        self._renames: dict[str, str] = {}
        self._kicked_elsewhere = False
        self._sign_in_cancelled = False
        self._syn_stragglers: list[Command] | None = None
        self._rename_task: asyncio.Task[None] | None = None
        self._answering = 0
        self._sign_in_lost: MessengerError | None = None
        self._refusing_rings = False

    def subscribe(self, callback: Callable[[ev.Event], None]) -> Callable[[], None]:
        """Deliver every event to ``callback``, in order, on the loop. Returns the unsubscribe function."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._subscribers.remove(callback)

        return unsubscribe

    def emit(self, event: ev.Event) -> None:
        """Deliver ``event`` to every subscriber. One that raises does not stop the others or the engine,
        but its exception goes to the loop's exception handler (logged with its traceback; a test loop
        fails the test), so a broken subscriber is never a silent one."""
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception as exc:
                _report_subscriber_failure(exc, event)

    @property
    def handle(self) -> str:
        return self._handle

    @property
    def friendly(self) -> str:
        return self._friendly

    @property
    def status(self) -> Status:
        return self._status

    @property
    def signed_in(self) -> bool:
        return self._sm.state is NsState.ONLINE

    @property
    def state(self) -> NsState:
        """Finer than ``signed_in``: connecting, syncing, online, reconnecting, ..."""
        return self._sm.state

    @property
    def list_cache(self) -> ListCache:
        return self._cache

    @property
    def privacy(self) -> Privacy:
        return self._cache.blp

    @property
    def reverse_prompt(self) -> ReverseListPrompt:
        return self._cache.gtc

    @property
    def request_timeout(self) -> float:
        return self._request_timeout

    @property
    def delivery_window(self) -> float:
        return self._delivery_window

    @property
    def join_timeout(self) -> float:
        return self._join_timeout

    @property
    def connect(self) -> Connect:
        return self._connect

    @property
    def typing_interval(self) -> float:
        return self._typing_interval

    @property
    def takes_long_messages(self) -> bool:
        """False for a server known to close a switchboard on a MSG over 462 bytes (``quirks.py``)."""
        return self._quirks.takes_long_messages(self._server)

    def remember_small_messages(self) -> None:
        self._quirks.remember_small_messages(self._server)

    def contacts(self) -> list[Contact]:
        """The forward list with presence, sorted by handle."""
        return [self._notification.listed(h)
                for h in sorted(self._cache.entries[ListName.FORWARD], key=str.lower)]

    def contact(self, handle: str) -> Contact | None:
        return self._notification.contact(handle)

    def list_members(self, list_name: ListName) -> list[Contact]:
        return [self._notification.listed(h) for h in sorted(self._cache.entries[list_name], key=str.lower)]

    def conversations(self) -> list[Conversation]:
        return list(self._conversations)

    def _apply_own_status(self, status: Status) -> None:
        self._wanted_status = status
        if status != self._status:
            self._status = status
            self.emit(ev.MyStatusChanged(status))

    def _stop_background(self) -> None:
        current = asyncio.current_task()
        for task in (self._keepalive_task, self._reconnect_task, self._rename_task):
            if task is not None and task is not current:
                task.cancel()
        self._rename_task = None
        self._keepalive_task = None
        if self._reconnect_task is not current:
            self._reconnect_task = None

    def _drop_ns(self) -> None:
        ns, self._ns = self._ns, None
        if ns is not None:
            ns.close()

    def _go_offline(self, *, keep_status: bool = False) -> None:
        """Everyone looks offline now; tell subscribers about each contact that changes."""
        was_online = list(self._presence)
        self._presence.clear()
        for key in was_online:
            contact = self.contact(key)
            if contact is not None:
                self.emit(ev.ContactChanged(contact))
        if self._status is not Status.OFFLINE:
            if not keep_status:
                self._wanted_status = Status.ONLINE
            self._status = Status.OFFLINE
            self.emit(ev.MyStatusChanged(Status.OFFLINE))

    def _require_ns(self) -> Connection:
        ns = self._ns
        if ns is None or ns.closed or self._sm.state not in (NsState.ONLINE, NsState.SYNCING):
            if self._kicked_elsewhere:
                raise SignedInElsewhere("signed in elsewhere")
            raise NotSignedIn("not signed in")
        return ns

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception())


def _report_subscriber_failure(exc: Exception, event: ev.Event) -> None:
    message = f"an event subscriber failed on {event!r}"
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        log.error(message, exc_info=exc)
        return
    loop.call_exception_handler({"message": message, "exception": exc})
