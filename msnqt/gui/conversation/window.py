"""One conversation: "<Name> - Instant Message" with a To: line, the history, a typing box and Send.

The window talks to one ``msnqt.client.Conversation`` (attached once the switchboard answers) and is fed
the conversation's events by :class:`msnqt.gui.session.state.GuiSession`. History lines follow ui-fidelity §5:
a bold "<name> says:" header then the text indented; join/leave and delivery notices in grey.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QFont,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QWidget,
)

from msnqt.gui.app.engine import EngineConversation
from msnqt.gui.app.errors import is_undelivered, user_message
from msnqt.gui.app.resources import icon
from msnqt.gui.app.tasks import BackgroundTasks
from msnqt.gui.app.uiload import child, load_form
from msnqt.gui.text.elide import ElidedLabel
from msnqt.gui.text.speech import say

TITLE_SUFFIX = " - Instant Message"
TYPING_CLEAR_MS = 6000
GREY = "#808080"
MESSAGE_INDENT = 12   # px: the message text sits under its "says:" header, indented (ui-fidelity §5)
BLOCK_GAP = 6         # px above each header and system line
UNDELIVERED_HEADER = "The following message could not be delivered to all recipients:"
SIGNED_OUT_NOTE = "You are not signed in. Sign in again to send messages from this window."
RECONNECTING_NOTE = ("The connection to the server was lost. Reconnecting... "
                     "You can send messages again once it is back.")

CONTACT_LIST_LINK = '<a href="contacts">Show the contact list</a> to sign in again.'


class NotSignedIn(Exception):
    """This window's session has ended and no new one has started."""

    user_message = SIGNED_OUT_NOTE


Starter = Callable[["ConversationWindow"], Awaitable[Any]]
"""Start a new conversation with this window's people on the current session and attach it (the session's
``restart``); used when the window outlived the session it was opened in."""


def format_last_received(when: datetime) -> str:
    """ "Last message received at 3:04 PM on 11/25/2026." (US-style, as the 1999 client was)."""
    time_text = when.strftime("%I:%M %p").lstrip("0")
    return f"Last message received at {time_text} on {when.strftime('%m/%d/%Y')}."


class ConversationWindow(QMainWindow):
    """Signals: ``closed(window)`` when the user closes it; ``messageSent(text)`` after a send attempt."""

    closed = Signal(object)
    messageSent = Signal(str)
    contactListWanted = Signal()

    def __init__(self, *, my_name: Callable[[], str], name_of: Callable[[str], str],
                 invite_candidates: Callable[[], list[tuple[str, str]]],
                 first_handle: str | None = None, typing_clear_ms: int = TYPING_CLEAR_MS,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._my_name = my_name
        self._name_of = name_of
        self._invite_candidates = invite_candidates
        self._typing_clear_ms = typing_clear_ms
        self.conversation: EngineConversation | None = None
        self._pending_handles: list[str] = [first_handle] if first_handle else []
        self._typing: dict[str, QTimer] = {}
        self._last_received: datetime | None = None
        self._can_send = False
        self._clearing_input = False
        self._tasks = BackgroundTasks()
        self._last_undelivered: str | None = None
        self._starter: Starter | None = None
        self.announced: list[str] = []
        self._start_lock = asyncio.Lock()
        self.save_dialog: QFileDialog | None = None

        self.setWindowIcon(icon("app"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        form = load_form("conversation_form", self)
        self.setCentralWidget(form)
        self.to_label = self._elided_in_place_of(child(form, QLabel, "toLabel"))
        self.history = child(form, QTextBrowser, "history")
        self.input = child(form, QPlainTextEdit, "input")
        self.send_button = child(form, QPushButton, "sendButton")
        self.invite_button = child(form, QPushButton, "inviteButton")
        self.status_label = ElidedLabel(self)
        self.status_label.setAccessibleName("Conversation status")
        self.statusBar().addWidget(self.status_label, 1)
        self.connection_label = QLabel(self)  # shown only while this window cannot send (signed out, ...)
        self.connection_label.setAccessibleName("Connection")
        self.connection_label.setWordWrap(True)
        self.connection_label.setStyleSheet("color: #800000")
        self.connection_label.hide()
        self.contact_list_link = QLabel(CONTACT_LIST_LINK, self)
        self.contact_list_link.setAccessibleName("Show the contact list")
        self.contact_list_link.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                                       | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.contact_list_link.linkActivated.connect(lambda _link: self.contactListWanted.emit())
        self.contact_list_link.hide()
        layout = form.layout()
        assert isinstance(layout, QBoxLayout)
        layout.insertWidget(1, self.connection_label)  # under the To: line, above the history
        layout.insertWidget(2, self.contact_list_link)
        # Tab reaches the history and the arrow keys move a caret through it, so it can be read back.
        self.history.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction
                                             | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.history_menu: QMenu | None = None
        self.history.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.history.customContextMenuRequested.connect(self._history_menu)
        self.save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        self.save_shortcut.activated.connect(self.open_save_dialog)
        self.statusBar().setSizeGripEnabled(True)
        splitter = child(form, QSplitter, "splitter")
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 60])
        self.input.installEventFilter(self)
        self.input.textChanged.connect(self._on_input_changed)
        self.send_button.clicked.connect(self._send_clicked)
        self.invite_button.clicked.connect(self._invite_clicked)
        self.resize(420, 360)
        self.input.setFocus()
        self._refresh_header()
        self._refresh_status()

    @staticmethod
    def _elided_in_place_of(label: QLabel) -> ElidedLabel:
        """The form's To: line as an :class:`ElidedLabel` (a long name must not widen the window)."""
        parent = label.parentWidget()
        parent_layout = parent.layout() if parent is not None else None
        assert parent_layout is not None
        elided = ElidedLabel(parent)
        elided.setObjectName(label.objectName())
        elided.setAccessibleName(label.accessibleName())
        elided.setFrameShape(label.frameShape())
        elided.setFrameShadow(label.frameShadow())
        parent_layout.replaceWidget(label, elided)
        label.deleteLater()
        return elided

    # --- state from the session -----------------------------------------------------------------
    @property
    def handles(self) -> list[str]:
        """Everyone this window talks to (joined participants, else those being called)."""
        if self.conversation is not None and self.conversation.participants:
            return list(self.conversation.participants)
        return list(self._pending_handles)

    def attach(self, conversation: EngineConversation) -> None:
        """Bind to the engine's conversation (idempotent)."""
        if self.conversation is conversation:
            return
        self.conversation = conversation
        for handle in conversation.invited:
            if handle not in self._pending_handles:
                self._pending_handles.append(handle)
        self.set_can_send(True)
        self._refresh_header()

    def set_can_send(self, can_send: bool) -> None:
        self._can_send = can_send
        self._update_send_enabled()
        self.invite_button.setEnabled(can_send and self.conversation is not None)
        if can_send:
            self.set_connection_note("")

    def set_connection_note(self, note: str) -> None:
        """Say above the history why this window cannot send now ("" when it can); each new note is also
        written into the history, so a screen reader and someone reading back both learn of it."""
        if note == self.connection_label.text():
            return
        self.connection_label.setText(note)
        self.connection_label.setVisible(bool(note))
        # Signed out, the way back is the contact list, which may be closed (no tray): offer it here.
        self.contact_list_link.setVisible(note == SIGNED_OUT_NOTE)
        if note:
            self.add_system_line(note)
            self._say(note)

    def detach(self, note: str = SIGNED_OUT_NOTE) -> None:
        """The session this window belonged to has ended: keep everything readable, stop sending."""
        self._pending_handles = self.handles
        self.conversation = None
        self._starter = None
        self.set_can_send(False)
        self.set_connection_note(note)

    def offer_restart(self, starter: Starter) -> None:
        """Signed in again: the next message starts a new conversation through ``starter``."""
        self._starter = starter
        self.set_can_send(True)

    def refresh_names(self) -> None:
        self._refresh_header()
        self._refresh_status()

    # --- engine events ---------------------------------------------------------------------------
    def on_joined(self, handle: str, friendly: str) -> None:
        if handle not in self._pending_handles:
            self._pending_handles.append(handle)
        self.add_system_line(f"{friendly or self._name_of(handle)} has joined the conversation.")
        self._refresh_header()

    def on_left(self, handle: str) -> None:
        self._stop_typing(handle)
        self.add_system_line(f"{self._name_of(handle)} has left the conversation.")
        self._refresh_header()

    def on_message(self, sender: str, friendly: str, text: str, received_at: datetime) -> None:
        name = friendly or self._name_of(sender)
        self._append_message(name, text)
        self._last_received = received_at
        self._stop_typing(sender)
        self._say(f"{name} says: {text}")

    def on_conversation_ended(self) -> None:
        """The switchboard closed: nobody can be typing in it any more, and the To: line keeps the people
        the next message will call back (the engine re-opens the conversation on send)."""
        for handle in list(self._typing):
            self._stop_typing(handle)
        self._refresh_header()

    def on_typing(self, handle: str) -> None:
        timer = self._typing.get(handle)
        if timer is None:  # said once when they start, not on every keep-alive
            self._say(f"{self._name_of(handle)} is typing a message.")
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.timeout.connect(lambda h=handle: self._stop_typing(h))
            self._typing[handle] = timer
        timer.start(self._typing_clear_ms)
        self._refresh_status()

    def on_undelivered(self, text: str, reason: str = "") -> None:
        if self._last_undelivered == text:
            return  # the engine reported it twice (event and exception): show it once
        self._last_undelivered = text
        self.add_system_line(UNDELIVERED_HEADER, colour="#c00000")
        self._add_block(text, indent=MESSAGE_INDENT, colour=GREY)

    def _say(self, text: str) -> None:
        """Speak ``text`` through a screen reader; ``announced`` keeps what was said (tests read it)."""
        self.announced.append(text)
        say(self, text)

    def add_system_line(self, text: str, colour: str = GREY) -> None:
        self._add_block(text, top=BLOCK_GAP, colour=colour)

    def alert(self) -> None:
        """Draw attention without taking the keyboard focus (taskbar flash)."""
        QApplication.alert(self)

    # --- user actions ----------------------------------------------------------------------------
    def send_text(self, text: str) -> None:
        text = text.strip("\n")
        if not text.strip() or (self.conversation is None and self._starter is None):
            return
        self._append_message(self._my_name(), text)
        self._last_undelivered = None
        self._tasks.spawn(self._deliver(text))

    async def _deliver(self, text: str) -> None:
        try:
            async with self._start_lock:  # a second message waits for the first one's new conversation
                if self.conversation is None and self._starter is not None:
                    await self._starter(self)  # attaches the new conversation, or raises
            if self.conversation is None:
                raise NotSignedIn()
            await self.conversation.send_text(text)
        except Exception as exc:  # the UI boundary: every failure becomes a line in the history
            if is_undelivered(exc):  # the text that did not arrive (of a long text, maybe one part)
                self.on_undelivered(str(getattr(exc, "text", "") or text), str(getattr(exc, "reason", "")))
            else:
                self.add_system_line(user_message(exc, "Your message could not be sent."), colour="#c00000")
        self.messageSent.emit(text)

    def _send_clicked(self) -> None:
        text = self.input.toPlainText()
        self._clearing_input = True
        self.input.clear()
        self._clearing_input = False
        self.send_text(text)
        self.input.setFocus()

    def _on_input_changed(self) -> None:
        self._update_send_enabled()
        if not self._clearing_input and self.conversation is not None and self.input.toPlainText():
            self.conversation.notify_typing()

    def _update_send_enabled(self) -> None:
        self.send_button.setEnabled(self._can_send and bool(self.input.toPlainText().strip()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.input and event.type() == QEvent.Type.KeyPress:
            key_event: QKeyEvent = event  # type: ignore[assignment]
            if key_event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if key_event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                    self.input.insertPlainText("\n")
                elif self.send_button.isEnabled():
                    self._send_clicked()
                return True
        return super().eventFilter(watched, event)

    def _history_menu(self, pos: QPoint) -> None:
        """The history's own menu (Copy, Select All) plus "Save As...": 1.0 had no menu bar to put it in."""
        menu = self.history.createStandardContextMenu(pos)
        menu.addSeparator()
        save = menu.addAction("Save &As...", self.open_save_dialog)
        save.setShortcut(QKeySequence(QKeySequence.StandardKey.Save))
        self.history_menu = menu
        menu.popup(self.history.viewport().mapToGlobal(pos))

    def open_save_dialog(self) -> QFileDialog:
        """Ask where to save the conversation as plain text (Ctrl+S, or the history's right-click menu)."""
        dialog = QFileDialog(self, "Save Conversation As - MSN Messenger Service")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setNameFilter("Text files (*.txt)")
        dialog.setDefaultSuffix("txt")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, QApplication.platformName() == "offscreen")
        names = [self._name_of(h) for h in self.handles]
        safe = "".join(c for c in ", ".join(names) if c.isalnum() or c in " ,.-_").strip()
        dialog.selectFile(f"{safe or 'Conversation'}.txt")
        dialog.fileSelected.connect(self.save_history)
        self.save_dialog = dialog
        dialog.open()
        return dialog

    def save_history(self, path: str) -> bool:
        """Write the history as the user reads it, UTF-8 plain text; a failure is a line, not a crash."""
        try:
            Path(path).write_text(self.history_text().rstrip("\n") + "\n", encoding="utf-8")
        except OSError as exc:
            self.add_system_line(f"The conversation could not be saved to {path}: {exc.strerror or exc}",
                                 colour="#c00000")
            return False
        return True

    def _invite_clicked(self) -> None:
        present = set(self.handles)
        candidates = [(h, n) for h, n in self._invite_candidates() if h not in present]
        if not candidates:
            self.add_system_line("There is no one else online to invite.")
            return
        labels = [f"{name} <{handle}>" for handle, name in candidates]
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Invite - MSN Messenger Service")
        dialog.setLabelText("&Invite someone to this conversation:")
        dialog.setComboBoxItems(labels)
        dialog.setAccessibleName("Invite someone to this conversation")
        dialog.textValueSelected.connect(
            lambda label: self.invite(candidates[labels.index(label)][0]) if label in labels else None)
        dialog.open()
        self.invite_dialog = dialog

    def invite(self, handle: str) -> None:
        if self.conversation is None:
            return
        if handle not in self._pending_handles:
            self._pending_handles.append(handle)
        self._tasks.spawn(self._invite(handle))

    async def _invite(self, handle: str) -> None:
        conversation = self.conversation
        if conversation is None:
            return
        try:
            await conversation.invite(handle)
        except Exception as exc:  # the UI boundary
            self.add_system_line(user_message(exc, f"{self._name_of(handle)} could not be invited."),
                                 colour="#c00000")

    def closeEvent(self, event: QCloseEvent) -> None:
        # Qt may close a window whose Python side is half gone (app teardown, a wrapper finalised before
        # its C++ widget): then there are no timers to stop and nobody left to tell.
        for timer in list(getattr(self, "_typing", {}).values()):
            with contextlib.suppress(RuntimeError):  # the timer's C++ object may already be deleted
                timer.stop()
        with contextlib.suppress(RuntimeError, AttributeError):
            self.closed.emit(self)
        super().closeEvent(event)

    # --- rendering -------------------------------------------------------------------------------
    def _append_message(self, name: str, text: str) -> None:
        self._add_block(f"{name} says:", top=BLOCK_GAP, bold=True)
        self._add_block(text, indent=MESSAGE_INDENT)

    def _add_block(self, text: str, *, indent: int = 0, top: int = 0, colour: str | None = None,
                   bold: bool = False) -> None:
        """Append ``text`` as its own paragraph(s) with exact margins (HTML margins are too coarse)."""
        document = self.history.document()
        cursor = QTextCursor(document)
        cursor.movePosition(QTextCursor.MoveOperation.End)
        block = QTextBlockFormat()
        block.setLeftMargin(indent)
        block.setTopMargin(top)
        block.setBottomMargin(0)
        chars = QTextCharFormat()
        if colour is not None:
            chars.setForeground(QColor(colour))
        chars.setFontWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
        if document.isEmpty():
            cursor.setBlockFormat(block)
            cursor.setBlockCharFormat(chars)
        else:
            cursor.insertBlock(block, chars)
        cursor.insertText(text.replace("\r\n", "\n"), chars)
        self.history.moveCursor(QTextCursor.MoveOperation.End)
        self.history.ensureCursorVisible()

    def _refresh_header(self) -> None:
        handles = self.handles
        names = [self._name_of(h) for h in handles]
        # "[*]" in a title is Qt's "modified" marker; doubled, it shows as itself.
        title = (", ".join(names) if names else "Instant Message").replace("[*]", "[*][*]")
        self.setWindowTitle(title + TITLE_SUFFIX)
        self.to_label.set_parts("To: " + ", ".join(f"{self._name_of(h)} <{h}>" for h in handles))

    def _stop_typing(self, handle: str) -> None:
        timer = self._typing.pop(handle, None)
        if timer is not None:
            timer.stop()
            timer.deleteLater()
        self._refresh_status()

    def _refresh_status(self) -> None:
        typing = [self._name_of(h) for h in self._typing]
        if len(typing) == 1:  # a long name is shortened, never "is typing a message."
            self.status_label.set_parts(typing[0], " is typing a message.")
        elif typing:
            names = f"{', '.join(typing[:-1])} and {typing[-1]}"
            self.status_label.set_parts(names, " are typing a message.")
        elif self._last_received is not None:
            self.status_label.set_parts(format_last_received(self._last_received))
        else:
            self.status_label.set_parts("")

    @property
    def status_text(self) -> str:
        return self.status_label.text()

    def history_text(self) -> str:
        return self.history.toPlainText()

