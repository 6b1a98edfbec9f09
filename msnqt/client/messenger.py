"""The engine: one NS session, its lists and presence, conversations, keep-alive and reconnect.

Everything runs on the caller's asyncio loop (plain asyncio for the CLI and bots, qasync for the GUI):
no threads, no blocking calls. The server's unsolicited lines become typed events (``events.py``)
delivered in order to every subscriber.

Choices worth knowing:

* ``add_contact(h)`` on FL also sends ``ADD AL h`` unless h is on BL or already on AL, as the 1.0
  client did (msnp2-reference §3.2 ADD, §9); the server must not do it implicitly.
* GTC logic (§6.4) is client-side: ``ADD 0 RL`` from someone on neither AL nor BL gives
  ``AddedBy(needs_prompt=True)`` with GTC A; with GTC N the engine silently sends ``ADD AL``. The same
  check runs after every SYN for RL entries on neither AL nor BL (people who added us while offline).
* A lost NS connection (EOF, reset, no QNG within ``request_timeout`` of a PNG) starts a reconnect with
  exponential backoff (``reconnect_delay`` doubling up to ``reconnect_max_delay``), then signs in again
  with the cached lists and the last status. Never after ``OUT OTH`` (-> ``SignedOut("elsewhere")``),
  ``OUT SSD`` (-> ``SignedOut("shutdown")``) or our own ``sign_out``.
* An RNG is answered automatically. If an idle conversation with exactly that caller exists, it is
  re-used (same ``id``) and ``ConversationStarted`` is emitted again for it, so a GUI keeps one window.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Callable
from typing import Any

from msnqt.protocol.codes import SETTABLE_STATUSES, ListName, Privacy, ReverseListPrompt, Status
from msnqt.protocol.commands import (
    Add,
    AddRequest,
    Blp,
    BlpRequest,
    Chg,
    Command,
    FndRequest,
    FndResult,
    Gtc,
    GtcRequest,
    Lst,
    Out,
    Png,
    Rea,
    ReaRequest,
    Rem,
    RemRequest,
    Rng,
    SndOk,
    SndRequest,
    Syn,
    Url,
    UrlRequest,
    XfrRequest,
    XfrSb,
)
from msnqt.protocol.limits import MAX_CONVERSATIONS
from msnqt.protocol.names import friendly_fits, is_valid_handle, same_handle

from . import events as ev
from .connection import Connect, Connection, open_tcp, single_reply
from .conversation import Conversation
from .errors import (
    AuthenticationFailed,
    ConnectionLost,
    MessengerError,
    NotSignedIn,
    PingDropped,
    ProtocolViolation,
    RequestTimeout,
    ServerError,
    ServerOverLimit,
    SignedInElsewhere,
    SignInCancelled,
    Unsupported,
)
from .login import log_in, parse_server_address
from .model import Contact, DirectoryEntry, ListCache
from .notification import (
    Action,
    AnswerRing,
    MoveTo,
    NotificationState,
    OwnName,
    OwnStatus,
    Pong,
    ReverseListed,
    ServerSignedOut,
    StoreName,
)
from .quirks import SHARED_QUIRKS, ServerQuirks
from .states import NS_TRANSITIONS, NsEvent, NsState, StateMachine
from .sync import MAX_SYN_REPLY_LINES, SynProgress

log = logging.getLogger("msnqt.client")

_ids = itertools.count(1)


class Messenger:
    """See the module docstring and docs/design/engine-api.md."""

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

    # --- events ---------------------------------------------------------------------------------

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

    # --- read-only state ------------------------------------------------------------------------

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

    # --- session --------------------------------------------------------------------------------

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

    # --- requests -------------------------------------------------------------------------------

    async def set_status(self, status: Status) -> None:
        if status not in SETTABLE_STATUSES:
            raise ValueError(f"{status} cannot be set; sign out instead")
        await self._change_status(self._require_ns(), status)

    async def set_friendly_name(self, name: str) -> None:
        if not name.strip() or not friendly_fits(name):
            raise ServerError(209, "REA")
        ns = self._require_ns()
        (reply,) = await ns.request(lambda t: ReaRequest(t, self._handle, name),
                                    timeout=self._request_timeout)
        if isinstance(reply, Rea) and same_handle(reply.handle, self._handle):
            self._cache.version = reply.version
            self._friendly = reply.friendly
            self.emit(ev.MyNameChanged(reply.friendly))

    async def add_contact(self, handle: str, list_name: ListName = ListName.FORWARD,
                          friendly: str | None = None) -> None:
        """ADD; on FL also ADD AL (unless on BL or AL already), as 1.0 did. Raises ServerError."""
        if list_name is ListName.REVERSE:
            raise ValueError("the reverse list is maintained by the server")
        if not is_valid_handle(handle):
            raise ServerError(208, "ADD")
        await self._add(handle, list_name, friendly or handle)
        if list_name is ListName.FORWARD and not self._cache.has(ListName.BLOCK, handle) \
                and not self._cache.has(ListName.ALLOW, handle):
            try:
                await self._add(handle, ListName.ALLOW, friendly or handle)
            except ServerError as exc:
                if exc.code not in (215, 219):
                    raise

    async def block(self, handle: str) -> None:
        """What 1.0's "Block" did: take ``handle`` off the allow list (if there) and put it on the block
        list, so the 219 "on the opposite list" refusal never reaches the user."""
        if self._cache.has(ListName.BLOCK, handle):
            return
        if self._cache.has(ListName.ALLOW, handle):
            await self.remove_contact(handle, ListName.ALLOW)
        await self._add(handle, ListName.BLOCK, self._stored_name(handle))

    async def unblock(self, handle: str) -> None:
        """The reverse of :meth:`block`: off the block list, onto the allow list."""
        if self._cache.has(ListName.BLOCK, handle):
            await self.remove_contact(handle, ListName.BLOCK)
        if not self._cache.has(ListName.ALLOW, handle):
            await self._add(handle, ListName.ALLOW, self._stored_name(handle))

    def _stored_name(self, handle: str) -> str:
        contact = self.contact(handle)
        return contact.friendly if contact is not None else handle

    async def remove_contact(self, handle: str, list_name: ListName = ListName.FORWARD) -> None:
        if list_name is ListName.REVERSE:
            raise ValueError("the reverse list is maintained by the server")
        ns = self._require_ns()
        (reply,) = await ns.request(lambda t: RemRequest(t, list_name, handle), timeout=self._request_timeout)
        if isinstance(reply, Rem):
            self._cache.version = reply.version
            self._cache.drop(reply.list_name, reply.handle)
            self.emit(self._notification.membership(reply.handle))

    async def set_privacy(self, mode: Privacy) -> None:
        ns = self._require_ns()
        if mode == self._cache.blp:
            return
        (reply,) = await ns.request(lambda t: BlpRequest(t, mode), timeout=self._request_timeout)
        if isinstance(reply, Blp):
            self._cache.version, self._cache.blp = reply.version, reply.setting
            self.emit(ev.PrivacyChanged(self._cache.blp, self._cache.gtc))

    async def set_reverse_prompt(self, mode: ReverseListPrompt) -> None:
        ns = self._require_ns()
        if mode == self._cache.gtc:
            return
        (reply,) = await ns.request(lambda t: GtcRequest(t, mode), timeout=self._request_timeout)
        if isinstance(reply, Gtc):
            self._cache.version, self._cache.gtc = reply.version, reply.setting
            self.emit(ev.PrivacyChanged(self._cache.blp, self._cache.gtc))

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

    async def start_conversation(self, handle: str) -> Conversation:
        """XFR SB -> USR -> CAL; returns once RINGING (the peer's JOI comes later as ParticipantJoined).
        An address that cannot be one is refused here (208), as every server would phrase it otherwise."""
        self._require_ns()
        if not is_valid_handle(handle):
            raise ServerError(208, "CAL")
        conversation = Conversation(self, f"c{next(_ids)}")

        def started() -> None:  # before anything the switchboard says about it
            self._conversations.append(conversation)
            self.emit(ev.ConversationStarted(conversation, True))

        await conversation.start_with(handle, started)
        return conversation

    # --- ConversationHost -----------------------------------------------------------------------

    async def request_switchboard(self) -> tuple[str, str]:
        ns = self._require_ns()
        (reply,) = await ns.request(lambda t: XfrRequest(t), timeout=self._request_timeout)
        if not isinstance(reply, XfrSb):
            raise ProtocolViolation(f"unexpected answer to XFR SB: {type(reply).__name__}")
        return reply.address, reply.cookie

    def forget(self, conversation: Conversation) -> None:
        with contextlib.suppress(ValueError):
            self._conversations.remove(conversation)

    # --- sign-in, sync, status ------------------------------------------------------------------

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

    async def _synchronise(self, ns: Connection) -> None:
        await self._fetch_lists(ns)
        self.emit(ev.ListsLoaded())
        self.emit(ev.PrivacyChanged(self._cache.blp, self._cache.gtc))
        for handle, friendly in list(self._cache.entries[ListName.REVERSE].items()):
            if not self._cache.has(ListName.ALLOW, handle) and not self._cache.has(ListName.BLOCK, handle):
                await self._reverse_list_check(handle, friendly, notify_only_when_prompting=True)

    async def _fetch_lists(self, ns: Connection) -> bool:
        """SYN with the cached version; the lists and settings that come back replace the cache.
        True when they came (a server that resends them every time, §8.2 D9, sends them here too)."""
        cached = self._cache.version
        self._syn_stragglers = []
        try:
            replies = await ns.request(lambda t: Syn(t, cached), timeout=self._request_timeout,
                                       done=SynProgress(cached), max_replies=MAX_SYN_REPLY_LINES)
        except BaseException:
            self._syn_stragglers = None
            raise
        syn = next((r for r in replies if isinstance(r, Syn)), None)  # E18 put LST lines first
        if syn is None:
            raise ProtocolViolation(f"no SYN in the answer to SYN: {type(replies[0]).__name__}")
        late, self._syn_stragglers = self._syn_stragglers, None
        if len(replies) > 1 or late:
            fresh = ListCache(version=syn.version, gtc=self._cache.gtc, blp=self._cache.blp)
            for line in [*replies, *(late or [])]:
                if isinstance(line, Gtc):
                    fresh.gtc = line.setting
                elif isinstance(line, Blp):
                    fresh.blp = line.setting
                elif isinstance(line, Lst) and line.handle is not None:
                    fresh.put(line.list_name, line.handle, line.friendly or line.handle)
            self._cache.version, self._cache.gtc, self._cache.blp = fresh.version, fresh.gtc, fresh.blp
            self._cache.entries = fresh.entries
            return True
        return False

    async def _change_status(self, ns: Connection, status: Status) -> None:
        (reply,) = await ns.request(lambda t: Chg(t, status), timeout=self._request_timeout)
        if isinstance(reply, Chg):
            self._apply_own_status(reply.status)

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

    def _apply_own_status(self, status: Status) -> None:
        self._wanted_status = status
        if status != self._status:
            self._status = status
            self.emit(ev.MyStatusChanged(status))

    # --- unsolicited NS lines -------------------------------------------------------------------

    def _on_ns_line(self, command: Command) -> None:
        if self._syn_stragglers is not None and isinstance(command, Lst | Gtc | Blp):
            if len(self._syn_stragglers) >= MAX_SYN_REPLY_LINES:
                raise ServerOverLimit("lines after the contact lists", MAX_SYN_REPLY_LINES)
            self._syn_stragglers.append(command)  # SYN lines after its reply looked complete
            return
        self._notification.own_handle = self._handle
        outcome = self._notification.handle(command)
        for event in outcome.events:
            self.emit(event)
        for action in outcome.actions:
            self._act(action)

    def _act(self, action: Action) -> None:
        """Carry out what the notification state asked for (notification.py)."""
        match action:
            case OwnStatus(status=status):
                self._apply_own_status(status)
            case OwnName(friendly=friendly):
                self._friendly = friendly
                self.emit(ev.MyNameChanged(friendly))
            case ReverseListed(handle=handle, friendly=friendly):
                self._spawn(self._reverse_list_check(handle, friendly, notify_only_when_prompting=False))
            case StoreName(handle=handle, friendly=friendly):
                self._renames[handle] = friendly
                if self._sm.state is NsState.ONLINE:
                    self._flush_renames_soon()
            case AnswerRing(rng=rng):
                self._on_ring(rng)
            case Pong():
                if self._qng is not None and not self._qng.done():
                    self._qng.set_result(None)
            case ServerSignedOut(reason=reason):
                self._on_out(reason)
            case MoveTo(address=address):
                log.info("the server moves us to %s", address)
                self._moved_to = address  # the reconnect goes there first (then the configured server)
                if self._ns is not None:
                    self._ns.abort(ConnectionLost(self._ns.host, self._ns.port, "moved by the server"))

    def _flush_renames_soon(self) -> None:
        if self._renames and (self._rename_task is None or self._rename_task.done()):
            self._rename_task = self._spawn(self._flush_renames())

    async def _flush_renames(self) -> None:
        while self._renames and self._sm.state is NsState.ONLINE:
            handle = next(iter(self._renames))
            friendly = self._renames.pop(handle)
            try:
                ns = self._require_ns()
                (reply,) = await ns.request(lambda t, h=handle, f=friendly: ReaRequest(t, h, f),  # type: ignore[misc]
                                            timeout=self._request_timeout)
            except MessengerError as exc:
                log.info("could not store the new name of %s: %s", handle, exc)
                continue
            if isinstance(reply, Rea):
                self._cache.version = reply.version
                for name in ListName:
                    if self._cache.has(name, reply.handle):
                        self._cache.put(name, reply.handle, reply.friendly)

    def _on_out(self, reason: str) -> None:
        if self._sm.state in (NsState.SIGNING_OUT, NsState.OFFLINE):
            return
        self._stop_background()
        if self._sm.can(NsEvent.KICKED):
            self._sm.fire(NsEvent.KICKED)
        self._drop_ns()
        self._password = ""
        self._go_offline()
        why = "elsewhere" if reason == "OTH" else "shutdown" if reason == "SSD" else "connection_lost"
        self._kicked_elsewhere = reason == "OTH"
        log.info("signed out by the server (OUT %s)", reason)
        self.emit(ev.SignedOut(why))

    def _on_ring(self, rng: Rng) -> None:
        """Answer, unless MAX_CONVERSATIONS are open or being answered: a flood of invitations must not
        open a socket each until the process runs out of file descriptors. Logged once per flood.
        Not while signing out either: a conversation joined then would swallow the caller's message
        (their engine would count it delivered) and outlive the sign-out."""
        if self._sm.state in (NsState.SIGNING_OUT, NsState.OFFLINE):
            log.info("not answering %s's invitation while %s", rng.caller, self._sm.state)
            return
        if len(self._conversations) + self._answering >= MAX_CONVERSATIONS:
            if not self._refusing_rings:
                log.warning("not answering invitations: %d conversations are open", MAX_CONVERSATIONS)
            self._refusing_rings = True
            return
        self._refusing_rings = False
        self._answering += 1
        self._spawn(self._answer(rng)).add_done_callback(self._answered)

    def _answered(self, _task: asyncio.Task[None]) -> None:
        self._answering -= 1

    async def _answer(self, rng: Rng) -> None:
        conversation = next((c for c in self._conversations if not c.active and len(c.invited) == 1
                             and same_handle(next(iter(c.invited)), rng.caller)), None)
        reused = conversation is not None
        if conversation is None:
            conversation = Conversation(self, f"c{next(_ids)}")

        def started() -> None:  # before the participants join and the first message is reported
            if self._sm.state in (NsState.SIGNING_OUT, NsState.OFFLINE):
                # signed out while the ANS was on its way: joining now would take the caller's message
                # into a session nobody reads (and it would count as delivered)
                raise NotSignedIn("signed out while answering an invitation")
            if not reused:
                self._conversations.append(conversation)
            self.emit(ev.ConversationStarted(conversation, False))

        try:
            await conversation.answer(rng, started)
        except NotSignedIn:
            log.info("left %s's invitation: signed out meanwhile", rng.caller)
        except MessengerError as exc:
            log.warning("could not answer %s's invitation: %s", rng.caller, exc)

    async def _reverse_list_check(self, handle: str, friendly: str, *,
                                  notify_only_when_prompting: bool) -> None:
        """§6.4: someone has us on their FL. Ask (GTC A), or allow silently (GTC N)."""
        needs_prompt, allow = self._notification.reverse_decision(handle)
        if allow:
            try:
                await self._add(handle, ListName.ALLOW, friendly)
            except MessengerError as exc:
                log.warning("could not allow %s: %s", handle, exc)
        if needs_prompt or not notify_only_when_prompting:
            self.emit(ev.AddedBy(handle, friendly, needs_prompt))

    async def _add(self, handle: str, list_name: ListName, friendly: str) -> None:
        ns = self._require_ns()
        (reply,) = await ns.request(lambda t: AddRequest(t, list_name, handle, friendly),
                                    timeout=self._request_timeout)
        if isinstance(reply, Add):
            self._cache.version = reply.version
            self._cache.put(reply.list_name, reply.handle, reply.friendly)
            self.emit(self._notification.membership(reply.handle))
            if reply.list_name is ListName.FORWARD:  # the ILN that follows ADD FL may have come first
                online_name = self._presence.get(reply.handle.lower(), (None, ""))[1]
                store = self._notification.new_name_to_store(reply.handle, online_name)
                if store is not None:
                    self._act(store)

    # --- connection loss, keep-alive, reconnect -------------------------------------------------

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

    # --- helpers --------------------------------------------------------------------------------

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


def _fnd_done(replies: list[Command]) -> bool:
    last = replies[-1]
    return not isinstance(last, FndResult) or last.total == 0 or last.index >= last.total
