"""Which conversation window shows which conversation: the window being called, the ones bound to a running
conversation, and the ones left open from a session that ended.

Kept apart from the sign-in state (:mod:`~msnqt.gui.session.state`) because this is where a message can be
lost or shown in the wrong place: every engine event about a conversation is routed here, and the rules
("a window the user is reading is never taken away", "someone writing again continues in the window left
open") are in one place.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from msnqt.gui.app.engine import Engine, EngineConversation
from msnqt.gui.app.errors import user_message
from msnqt.gui.conversation.window import RECONNECTING_NOTE, ConversationWindow, NotSignedIn


class ConversationWindows(QObject):
    """Signals: ``opened(window)`` (a conversation someone else started is now showing), ``created(window)``
    (every new window, before it is shown), ``contactListWanted()`` (a window's "Show the contact list" link).

    ``messenger()`` is the signed-in engine or None; ``spawn`` runs a coroutine kept referenced until done.
    """

    opened = Signal(object)
    created = Signal(object)
    contactListWanted = Signal()

    def __init__(self, *, messenger: Callable[[], Engine | None],
                 spawn: Callable[[Coroutine[Any, Any, Any]], object], my_name: Callable[[], str],
                 name_of: Callable[[str], str],
                 invite_candidates: Callable[[], list[tuple[str, str]]], typing_clear_ms: int,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._messenger = messenger
        self._spawn = spawn
        self._my_name = my_name
        self._name_of = name_of
        self._invite_candidates = invite_candidates
        self._typing_clear_ms = typing_clear_ms
        self.by_id: dict[str, ConversationWindow] = {}
        """Windows bound to a conversation of this session, by conversation id."""
        self._pending: list[ConversationWindow] = []
        """Windows whose call is still ringing."""
        self._detached: list[ConversationWindow] = []
        """Windows still open from a session that ended: readable, and able to start a new conversation
        once signed in again. Held here because nothing else keeps them alive."""

    def all_windows(self) -> list[ConversationWindow]:
        return list(self.by_id.values()) + list(self._pending) + list(self._detached)

    def _live(self) -> list[ConversationWindow]:
        """Windows of this session: bound or ringing."""
        return list(self.by_id.values()) + self._pending

    # --- the user's side ---------------------------------------------------------------------------
    def open_conversation(self, handle: str) -> ConversationWindow:
        """Show the 1:1 window with ``handle`` (an existing one is raised), calling them if needed."""
        handle = handle.strip()
        for window in self.all_windows():
            if window.handles == [handle] and window.isVisible():
                window.raise_()
                window.activateWindow()
                return window
        window = self._new_window(first_handle=handle)
        self._pending.append(window)
        window.show()
        window.activateWindow()
        self._spawn(self._call(window, handle))
        return window

    async def _call(self, window: ConversationWindow, handle: str) -> None:
        messenger = self._messenger()
        if messenger is None:
            return
        try:
            conversation = await messenger.start_conversation(handle)
        except Exception as exc:  # the UI boundary
            if window in self._pending:
                self._pending.remove(window)
            window.add_system_line(user_message(exc, f"{self._name_of(handle)} could not be reached."),
                                   colour="#c00000")
            return
        self._bind(window, conversation)

    async def restart(self, window: ConversationWindow) -> None:
        """Give a window left from an earlier session a new conversation with the same people."""
        handles = window.handles
        messenger = self._messenger()
        if messenger is None or not handles:
            raise NotSignedIn()
        conversation = await messenger.start_conversation(handles[0])
        if window in self._detached:
            self._detached.remove(window)
        self._bind(window, conversation)
        for handle in handles[1:]:
            with contextlib.suppress(Exception):
                await conversation.invite(handle)

    def close_all(self) -> None:
        for window in self.all_windows():
            window.close()

    # --- the session's side --------------------------------------------------------------------------
    def detach_all(self) -> None:
        """The session ended: open windows stay open and readable until the user closes them; their
        conversations belong to the finished session, so they wait, detached, for the next sign-in."""
        for window in self._live():
            if window.isVisible() and window not in self._detached:
                self._detached.append(window)
        for window in self._detached:
            window.detach()
        self.by_id.clear()
        self._pending.clear()

    def offer_restarts(self) -> None:
        """Signed in: each window left from an earlier session may start a new conversation."""
        for window in self._detached:
            window.offer_restart(self.restart)

    def connection_lost(self) -> None:
        for window in self._live():
            window.set_can_send(False)
            window.set_connection_note(RECONNECTING_NOTE)

    def connection_restored(self) -> None:
        for window in self._live():
            window.set_can_send(window.conversation is not None)
            window.set_connection_note("")  # connected again, whatever that window is waiting for

    def contact_changed(self, handle: str) -> None:
        for window in self.all_windows():
            if handle in window.handles:
                window.refresh_names()

    # --- engine events -----------------------------------------------------------------------------
    def on_conversation_started(self, conversation: EngineConversation, initiated_by_us: bool) -> None:
        if initiated_by_us:
            for window in list(self._pending):
                if set(window.handles) & (set(conversation.invited) | set(conversation.participants)):
                    self._bind(window, conversation)
                    return
            return
        existing = self.by_id.get(conversation.id)
        if existing is not None and existing.isVisible():
            existing.attach(conversation)
            existing.set_can_send(True)
            existing.alert()
            return
        self._window_for(conversation)

    def on_joined(self, conversation: EngineConversation, handle: str, friendly: str) -> None:
        window = self.by_id.get(conversation.id) or self._pending_for(conversation)
        if window is not None:
            window.on_joined(handle, friendly)

    def on_left(self, conversation: EngineConversation, handle: str) -> None:
        self._existing(conversation, lambda w: w.on_left(handle))

    def on_message(self, conversation: EngineConversation, sender: str, friendly: str, text: str,
                   received_at: datetime) -> None:
        existing = self.by_id.get(conversation.id)
        window = self._window_for(conversation)
        window.on_message(sender, friendly, text, received_at)
        if existing is not None:
            window.alert()

    def on_typing(self, conversation: EngineConversation, handle: str) -> None:
        self._existing(conversation, lambda w: w.on_typing(handle))

    def on_undelivered(self, conversation: EngineConversation, text: str, reason: str) -> None:
        self._existing(conversation, lambda w: w.on_undelivered(text, reason))

    def on_ended(self, conversation: EngineConversation) -> None:
        self._existing(conversation, lambda w: w.on_conversation_ended())

    # --- binding windows and conversations -----------------------------------------------------------
    def _bind(self, window: ConversationWindow, conversation: EngineConversation) -> None:
        if window in self._pending:
            self._pending.remove(window)
        self.by_id[conversation.id] = window
        window.attach(conversation)

    def _new_window(self, first_handle: str | None = None) -> ConversationWindow:
        window = ConversationWindow(my_name=self._my_name, name_of=self._name_of,
                                    invite_candidates=self._invite_candidates, first_handle=first_handle,
                                    typing_clear_ms=self._typing_clear_ms)
        window.closed.connect(self._on_window_closed)
        window.contactListWanted.connect(self.contactListWanted)
        self.created.emit(window)
        return window

    def _window_for(self, conversation: EngineConversation, *, show: bool = True) -> ConversationWindow:
        """The window of ``conversation``, opening one (without stealing focus) if none is showing."""
        window = self.by_id.get(conversation.id)
        if window is None:
            window = self._adopt_detached(conversation)
        if window is None:
            window = self._new_window()
            self.by_id[conversation.id] = window
            window.attach(conversation)
        if show and not window.isVisible():
            window.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, True)
            window.show()
            self.opened.emit(window)
            window.alert()
        return window

    def _adopt_detached(self, conversation: EngineConversation) -> ConversationWindow | None:
        """Someone from a window left open since the last session writes again: continue in that window."""
        people = set(conversation.invited) | set(conversation.participants)
        for window in self._detached:
            if window.isVisible() and set(window.handles) == people:
                self._detached.remove(window)
                self.by_id[conversation.id] = window
                window.attach(conversation)
                return window
        return None

    def _on_window_closed(self, window: ConversationWindow) -> None:
        if window in self._pending:
            self._pending.remove(window)
        if window in self._detached:
            self._detached.remove(window)
        conversation = window.conversation
        if conversation is not None and self.by_id.get(conversation.id) is window:
            del self.by_id[conversation.id]
            if self._messenger() is not None:
                self._spawn(self._leave(conversation))

    async def _leave(self, conversation: EngineConversation) -> None:
        with contextlib.suppress(Exception):
            await conversation.leave()

    def _pending_for(self, conversation: EngineConversation) -> ConversationWindow | None:
        for window in self._pending:
            if set(window.handles) & (set(conversation.invited) | set(conversation.participants)):
                self._bind(window, conversation)
                return window
        return None

    def _existing(self, conversation: EngineConversation,
                  action: Callable[[ConversationWindow], None]) -> None:
        window = self.by_id.get(conversation.id) or self._pending_for(conversation)
        if window is not None:
            action(window)
