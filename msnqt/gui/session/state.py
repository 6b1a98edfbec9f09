"""The GUI's controller: one signed-in (or not) account, its engine, the contact model, automatic Idle, and
(through :class:`~msnqt.gui.session.windows.ConversationWindows`) the open conversation windows. Widgets call
its methods; it calls the engine and turns results into state.

``engine_factory(server)`` builds a ``msnqt.client.Messenger`` for each sign-in attempt, so tests can pass a
stand-in and the demo can point at its in-process server. ``local_server()`` and ``create_account(handle,
friendly, password)`` come from ``msnqt.app`` when this program can run the built-in server; the GUI never
imports the server, it only calls them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, Signal

from msnqt.gui.app.bridge import EngineBridge
from msnqt.gui.app.credentials import Availability, CredentialError, CredentialStore
from msnqt.gui.app.engine import ContactView, Engine, EngineFactory
from msnqt.gui.app.errors import user_message
from msnqt.gui.app.settings import AppSettings
from msnqt.gui.app.tasks import BackgroundTasks
from msnqt.gui.contactlist.model import ContactListModel
from msnqt.gui.conversation.window import TYPING_CLEAR_MS, ConversationWindow
from msnqt.gui.session.idle import IdleWatcher
from msnqt.gui.session.windows import ConversationWindows
from msnqt.protocol.codes import ListName, Status

SIGNED_OUT, SIGNING_IN, SIGNED_IN = "signed_out", "signing_in", "signed_in"

_SIGNED_OUT_REASONS = {
    "user": "",
    "elsewhere": ("You have been signed out because you signed in to MSN Messenger Service "
                  "at another location."),
    "shutdown": "You have been signed out because the server is going down for maintenance.",
    "connection_lost": "You have been signed out because the connection to the server was lost.",
}

LocalServer = Callable[[], Awaitable[str]]
"""Start the built-in server if it is not running yet and return its "host:port"."""
CreateAccount = Callable[[str, str, str], None]
"""``(handle, friendly, password)``: create an account on the built-in server; ``ValueError`` with a
readable sentence when the address is malformed or already taken."""


class LocalServerFailed(Exception):
    """The built-in server could not start; the message is for the user."""


class GuiSession(QObject):
    """Signals: ``stateChanged(state, message)``, ``progress(text)``, ``myInfoChanged()``,
    ``conversationOpened(window)``, ``notice(text)`` (a non-fatal problem worth showing),
    ``windowCreated(window)`` (every new conversation window, before it is shown), ``contactListWanted()``
    (a conversation window's "Show the contact list" link)."""

    stateChanged = Signal(str, str)
    progress = Signal(str)
    myInfoChanged = Signal()
    conversationOpened = Signal(object)
    notice = Signal(str)
    windowCreated = Signal(object)
    contactListWanted = Signal()

    def __init__(self, *, server: str, engine_factory: EngineFactory, settings: AppSettings,
                 credentials: CredentialStore, idle_ms: int | None = None,
                 typing_clear_ms: int = TYPING_CLEAR_MS, local_server: LocalServer | None = None,
                 create_account: CreateAccount | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = server
        self.local_server = local_server
        self.create_account = create_account
        self.settings = settings
        self.credentials = credentials
        self._factory = engine_factory
        self.bridge = EngineBridge(self)
        self.model = ContactListModel(self)
        self.messenger: Engine | None = None
        self.state = SIGNED_OUT
        self.last_error = ""
        self._sign_in_task: asyncio.Task[bool] | None = None
        self._tasks = BackgroundTasks()
        self.conversations = ConversationWindows(
            messenger=lambda: self.messenger, spawn=self._tasks.spawn, my_name=lambda: self.my_name,
            name_of=self.name_of, invite_candidates=self.online_contacts, typing_clear_ms=typing_clear_ms,
            parent=self)
        self.conversations.opened.connect(self.conversationOpened)
        self.conversations.created.connect(self.windowCreated)
        self.conversations.contactListWanted.connect(self.contactListWanted)
        self.windows = self.conversations.by_id
        """The window of each conversation of this session, by conversation id."""
        self._status_before_idle: Status | None = None
        minutes = settings.idle_minutes
        self.idle = IdleWatcher(idle_ms if idle_ms is not None else int(minutes * 60_000), self)
        self.idle.becameIdle.connect(self._on_idle)
        self.idle.becameActive.connect(self._on_active)
        self._connect_bridge()

    # --- identity ----------------------------------------------------------------------------------
    @property
    def my_name(self) -> str:
        return str(self.messenger.friendly) if self.messenger is not None else ""

    @property
    def my_status(self) -> Status:
        return self.messenger.status if self.messenger is not None else Status.OFFLINE

    def name_of(self, handle: str) -> str:
        if self.messenger is not None:
            contact = self.messenger.contact(handle)
            if contact is not None:
                return str(contact.friendly)
            for conversation in self.messenger.conversations():
                if handle in conversation.participants:
                    return str(conversation.participants[handle])
        return handle

    def online_contacts(self) -> list[tuple[str, str]]:
        """(handle, friendly) of forward-list contacts that are online, sorted by name."""
        if self.messenger is None:
            return []
        people = [c for c in self.messenger.contacts()
                  if c.status not in (Status.OFFLINE, Status.HIDDEN) and ListName.FORWARD in c.lists]
        return [(c.handle, c.friendly) for c in sorted(people, key=lambda c: c.friendly.casefold())]

    # --- signing in and out ------------------------------------------------------------------------
    async def remember_availability(self) -> Availability:
        return await self.credentials.availability()

    async def remembered_password(self, account: str) -> str | None:
        if not account or not (await self.credentials.availability()).usable:
            return None
        return await self.credentials.load(account)

    def start_sign_in(self, account: str, password: str, remember: bool) -> asyncio.Task[bool]:
        """Begin signing in; the returned task resolves to True on success (state tells the rest)."""
        self.cancel_sign_in()
        task = asyncio.ensure_future(self.sign_in(account, password, remember))
        self._sign_in_task = task
        return task

    def cancel_sign_in(self) -> None:
        if self._sign_in_task is not None and not self._sign_in_task.done():
            self._sign_in_task.cancel()
        self._sign_in_task = None

    def abort_signing_in(self) -> None:
        """"Click here to cancel sign in": stop a sign-in attempt or an automatic reconnect."""
        if self._sign_in_task is not None and not self._sign_in_task.done():
            self.cancel_sign_in()
        elif self.state == SIGNING_IN and self.messenger is not None:
            self._tasks.spawn(self.sign_out())

    async def sign_in(self, account: str, password: str, remember: bool = False) -> bool:
        if self.messenger is not None:
            await self.sign_out()
        self._set_state(SIGNING_IN)
        local = self.uses_local_server
        try:
            server = await self._local_address() if local else self.server
        except LocalServerFailed as exc:
            self._set_state(SIGNED_OUT, str(exc))
            return False
        self.progress.emit(f"Signing in as {account}...")
        messenger = self._factory(server)
        self.bridge.attach(messenger)
        try:
            await messenger.sign_in(account, password, status=Status.ONLINE)
        except asyncio.CancelledError:
            self.bridge.detach()
            self._tasks.spawn(self._quietly_sign_out(messenger))
            self._set_state(SIGNED_OUT)
            raise
        except Exception as exc:  # the UI boundary: every failure becomes a readable sentence
            self.bridge.detach()
            self._tasks.spawn(self._quietly_sign_out(messenger))
            self._set_state(SIGNED_OUT, user_message(exc, "Could not sign in to MSN Messenger Service."))
            return False
        self.messenger = messenger
        self.settings.last_account = account
        if not local:  # the built-in server's ports change every run: never store them as "the server"
            self.settings.server = self.server
        await self._store_password(account, password, remember)
        self.model.reset_contacts(messenger.contacts())
        self._set_state(SIGNED_IN)
        self.idle.start()
        return True

    # --- the built-in server (started by msnqt.app; the GUI only holds two callables) -----------------
    @property
    def uses_local_server(self) -> bool:
        """Options > Connection chose the built-in server, and this program can run one."""
        return self.settings.use_local_server and self.local_server is not None

    @property
    def can_create_accounts(self) -> bool:
        """Accounts can be made here only on the built-in server (MD5 sign-in cannot create one)."""
        return self.uses_local_server and self.create_account is not None

    async def _local_address(self) -> str:
        assert self.local_server is not None
        self.progress.emit("Starting the built-in server...")
        try:
            return await self.local_server()
        except Exception as exc:  # the UI boundary: a data directory we cannot write, say
            raise LocalServerFailed(f"The built-in server on this computer could not start: {exc}") from exc

    async def create_local_account(self, handle: str, friendly: str, password: str) -> str:
        """Create an account on the built-in server; "" on success, else the sentence to show."""
        if not self.can_create_accounts or self.create_account is None:
            return "New accounts can only be created on the built-in server on this computer."
        try:
            await self._local_address()
            self.create_account(handle, friendly, password)
        except LocalServerFailed as exc:
            return str(exc)
        except ValueError as exc:  # create_account's promise: a readable reason (taken, malformed)
            return str(exc)
        except Exception as exc:  # the UI boundary: a disk error, say; never a traceback
            return f"The account could not be created: {exc}"
        return ""

    async def _store_password(self, account: str, password: str, remember: bool) -> None:
        try:
            if remember:
                await self.credentials.save(account, password)
            elif (await self.credentials.availability()).usable:
                await self.credentials.forget(account)
        except CredentialError as exc:
            self.notice.emit(str(exc))

    async def sign_out(self) -> None:
        """Sign out on the user's request (or at exit): OUT everywhere, then the signed-out window."""
        self.cancel_sign_in()
        messenger, self.messenger = self.messenger, None
        self.idle.stop()
        self._status_before_idle = None
        if messenger is not None:
            with contextlib.suppress(Exception):
                await messenger.sign_out()
        self.bridge.detach()
        self._after_sign_out("")

    async def _quietly_sign_out(self, messenger: Engine) -> None:
        with contextlib.suppress(Exception):
            await messenger.sign_out()

    def _after_sign_out(self, message: str) -> None:
        self.model.reset_contacts([])
        self.conversations.detach_all()
        self._set_state(SIGNED_OUT, message)

    def _set_state(self, state: str, message: str = "") -> None:
        self.state = state
        self.last_error = message
        if state == SIGNED_IN:
            self.conversations.offer_restarts()
        self.stateChanged.emit(state, message)
        self.myInfoChanged.emit()

    async def restart(self, window: ConversationWindow) -> None:
        """Give a window left from an earlier session a new conversation with the same people."""
        await self.conversations.restart(window)

    # --- my presence -------------------------------------------------------------------------------
    async def set_status(self, status: Status) -> None:
        if self.messenger is None:
            return
        self._status_before_idle = None
        try:
            await self.messenger.set_status(status)
        except Exception as exc:  # the UI boundary
            self.notice.emit(user_message(exc, "Your status could not be changed."))

    async def set_friendly_name(self, name: str) -> None:
        name = name.strip()
        if self.messenger is None or not name:
            return
        try:
            await self.messenger.set_friendly_name(name)
        except Exception as exc:  # the UI boundary
            self.notice.emit(user_message(exc, "Your name could not be changed."))

    def _on_idle(self) -> None:
        if self.messenger is not None and self.my_status is Status.ONLINE:
            self._status_before_idle = Status.ONLINE
            self._tasks.spawn(self._set_status_quietly(Status.IDLE))

    def _on_active(self) -> None:
        previous, self._status_before_idle = self._status_before_idle, None
        if previous is not None and self.messenger is not None and self.my_status is Status.IDLE:
            self._tasks.spawn(self._set_status_quietly(previous))

    async def _set_status_quietly(self, status: Status) -> None:
        if self.messenger is None:
            return
        with contextlib.suppress(Exception):
            await self.messenger.set_status(status)

    # --- conversations -----------------------------------------------------------------------------
    def open_conversation(self, handle: str) -> ConversationWindow:
        """Show the 1:1 window with ``handle`` (an existing one is raised), calling them if needed."""
        return self.conversations.open_conversation(handle)

    # --- engine events -----------------------------------------------------------------------------
    def _connect_bridge(self) -> None:
        b = self.bridge
        b.listsLoaded.connect(self._on_lists_loaded)
        b.contactChanged.connect(self._on_contact_changed)
        b.contactRemoved.connect(self.model.remove_contact)
        b.myStatusChanged.connect(lambda _status: self.myInfoChanged.emit())
        b.myNameChanged.connect(lambda _name: self.myInfoChanged.emit())
        b.signedIn.connect(self._on_signed_in)
        b.signedOut.connect(self._on_signed_out)
        b.reconnecting.connect(self._on_reconnecting)
        windows = self.conversations
        b.conversationStarted.connect(windows.on_conversation_started)
        b.participantJoined.connect(windows.on_joined)
        b.participantLeft.connect(windows.on_left)
        b.messageReceived.connect(windows.on_message)
        b.typingReceived.connect(windows.on_typing)
        b.messageUndelivered.connect(windows.on_undelivered)
        b.conversationEnded.connect(windows.on_ended)

    def _on_lists_loaded(self) -> None:
        if self.bridge.messenger is not None:
            self.model.reset_contacts(self.bridge.messenger.contacts())

    def _on_contact_changed(self, contact: ContactView) -> None:
        self.model.update_contact(contact)
        self.conversations.contact_changed(contact.handle)

    def _on_signed_in(self, _handle: str, _friendly: str) -> None:
        # Also arrives after an automatic reconnect: show the list again.
        if self.messenger is not None and self.state != SIGNED_IN:
            self.model.reset_contacts(self.messenger.contacts())
            self._set_state(SIGNED_IN)
            self.conversations.connection_restored()

    def _on_signed_out(self, reason: str) -> None:
        # The engine says SignedOut only when it is over (after a reconnect gave up, or with automatic
        # reconnect off); while it retries it says Reconnecting instead.
        if reason == "user" or self.messenger is None:
            return
        self.messenger = None
        self.idle.stop()
        self.bridge.detach()
        self._after_sign_out(_SIGNED_OUT_REASONS.get(reason, "You have been signed out."))

    def _on_reconnecting(self, attempt: int, delay: float) -> None:
        if self.messenger is None:
            return
        if self.state == SIGNED_IN:
            self.model.reset_contacts([])
        self._set_state(SIGNING_IN)
        self.progress.emit(f"The connection to the server was lost. Reconnecting (attempt {attempt})...")
        self.conversations.connection_lost()

    # --- housekeeping ------------------------------------------------------------------------------
    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run a coroutine for a widget (kept referenced until done)."""
        self._tasks.spawn(coro)

    async def shutdown(self) -> None:
        """Sign out and close every conversation window (the app is ending)."""
        self.conversations.close_all()
        await self.sign_out()
        await self._tasks.drain(return_exceptions=True)

