"""The right-click menu on a contact, and the wiring that puts contact management into the main window:
Tools > Add a Contact... and Options..., the context menu, and the "has added you" prompt.

Kept out of the main window's module so the window only builds a ``ContactUi`` and hands it what it needs:
the session, the window its dialogs belong to, the Tools menu and the contact tree; nothing else of it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPoint, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QTreeView, QWidget

from msnqt.gui.contactlist.model import HandleRole
from msnqt.gui.contacts.actions import ActionFailed, ContactActions
from msnqt.gui.contacts.add_wizard import AddContactWizard
from msnqt.gui.contacts.added_you import AddedYouDialog
from msnqt.gui.contacts.properties import PropertiesDialog
from msnqt.gui.options.dialog import OptionsDialog
from msnqt.gui.session.state import SIGNED_IN, GuiSession
from msnqt.gui.text.plain_text import plain
from msnqt.protocol.codes import ListName, Status

MAX_PROMPTS_SHOWN = 3
"""'... has added you' prompts open at once; more wait (a rare burst: people added me while I was away)."""


class ContactMenu(QMenu):
    """Send an Instant Message / Block or Unblock / Delete Contact / Properties for one contact."""

    def __init__(self, ui: ContactUi, handle: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(f"Actions for {handle}")
        self.handle = handle
        blocked = ListName.BLOCK in ui.actions.lists_of(handle)
        online = ui.is_online(handle)
        self.send_action = self.addAction("Send an Instant &Message",
                                          lambda: ui.session.open_conversation(handle))
        self.mail_action = self.addAction("Send &Mail", lambda: ui.send_mail(handle))
        self.mail_action.setStatusTip(f"Write an e-mail to {handle}")
        # Someone not online cannot get an instant message: 3.x offered Send Mail instead (Q302439).
        self.send_action.setEnabled(online)
        self.setDefaultAction(self.send_action if online else self.mail_action)
        self.addSeparator()
        if blocked:
            self.block_action = self.addAction("&Unblock", lambda: ui.run(ui.actions.unblock(handle)))
        else:
            self.block_action = self.addAction("&Block", lambda: ui.run(ui.actions.block(handle)))
        self.delete_action = self.addAction("&Delete Contact", lambda: ui.confirm_delete(handle))
        self.addSeparator()
        self.properties_action = self.addAction("P&roperties", lambda: ui.open_properties(handle))


class ContactUi(QObject):
    """Everything about managing contacts that hangs off the main window; ``tasks`` lets tests await."""

    def __init__(self, session: GuiSession, *, window: QWidget, tools_menu: QMenu,
                 contact_tree: QTreeView) -> None:
        super().__init__(window)
        self.window = window
        """The parent of the menus and dialogs opened from here."""
        self.session = session
        self.contact_tree = contact_tree
        self.actions = ContactActions(self.session)
        self.tasks: set[asyncio.Task[Any]] = set()
        self.menu: ContactMenu | None = None
        self.dialog: QWidget | None = None
        self.prompts: list[AddedYouDialog] = []
        self.waiting_prompts: dict[str, tuple[str, str]] = {}  # lower-cased handle -> (handle, friendly)
        self.session.stateChanged.connect(
            lambda state, _message: None if state == SIGNED_IN else self.waiting_prompts.clear())
        self.open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl  # tests put a recorder here
        self.last_mail_url: QUrl | None = None
        self.add_action = tools_menu.addAction("&Add a Contact...", self.open_add_contact)
        self.options_action = tools_menu.addAction("&Options...", self.open_options)
        tree = contact_tree
        tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        tree.customContextMenuRequested.connect(self._on_menu_requested)
        # Keyboard users: the Menu key or Shift+F10 opens the menu of the current contact, Delete deletes.
        keyboard_menu = QAction("Contact menu", tree)
        keyboard_menu.setShortcuts([QKeySequence(Qt.Key.Key_Menu), QKeySequence("Shift+F10")])
        keyboard_menu.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        keyboard_menu.triggered.connect(self.open_menu_for_current)
        delete_key = QAction("Delete contact", tree)
        delete_key.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete_key.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete_key.triggered.connect(self._delete_current)
        tree.addActions([keyboard_menu, delete_key])
        self.session.bridge.addedBy.connect(self._on_added_by)
        self.session.stateChanged.connect(self._on_state)
        self._enable(self.session.state == SIGNED_IN)

    def _on_state(self, state: object, _message: object) -> None:
        self._enable(state == SIGNED_IN)

    def _enable(self, signed_in: bool) -> None:
        # Options stays available signed out: Preferences and Connection matter most before signing in.
        self.add_action.setEnabled(signed_in)

    def run(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a contact action; its failure becomes the session's notice (a readable sentence)."""
        async def guarded() -> None:
            try:
                await coro
            except ActionFailed as exc:
                self.session.notice.emit(exc.message)

        task = asyncio.ensure_future(guarded())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    # --- right-click ----------------------------------------------------------------------------
    def menu_for(self, handle: str) -> ContactMenu:
        self.menu = ContactMenu(self, handle, self.window)
        return self.menu

    def _on_menu_requested(self, pos: QPoint) -> None:
        tree = self.contact_tree
        index: QModelIndex = tree.indexAt(pos)
        if not index.isValid():
            index = tree.currentIndex()
        handle = index.data(HandleRole) if index.isValid() else None
        if handle:
            self.menu_for(str(handle)).popup(tree.viewport().mapToGlobal(pos))

    def _current_handle(self) -> str:
        index = self.contact_tree.currentIndex()
        handle = index.data(HandleRole) if index.isValid() else None
        return str(handle) if handle else ""

    def open_menu_for_current(self) -> None:
        tree = self.contact_tree
        handle = self._current_handle()
        if handle:
            where = tree.visualRect(tree.currentIndex()).center()
            self.menu_for(handle).popup(tree.viewport().mapToGlobal(where))

    def _delete_current(self) -> None:
        self.delete_current()

    def delete_current(self) -> None:
        """File > Delete Contact and the Delete key: the contact picked in the list, after asking."""
        handle = self._current_handle()
        if handle and self.session.state == SIGNED_IN:
            self.confirm_delete(handle)

    def is_online(self, handle: str) -> bool:
        messenger = self.session.messenger
        contact = messenger.contact(handle) if messenger is not None else None
        return contact is not None and contact.status not in (Status.OFFLINE, Status.HIDDEN)

    def activate(self, handle: str) -> None:
        """Double-click or Enter on a contact: the menu's default (a message, or mail to someone offline)."""
        if self.is_online(handle):
            self.session.open_conversation(handle)
        else:
            self.send_mail(handle)

    def send_mail(self, handle: str) -> bool:
        """Open the user's e-mail program on a new message to ``handle`` (a mailto: link)."""
        url = QUrl(f"mailto:{handle}")
        self.last_mail_url = url
        if self.open_url(url):
            return True
        self.session.notice.emit(f"No e-mail program could be started to write to {handle}.")
        return False

    def confirm_delete(self, handle: str) -> None:
        name = self.session.name_of(handle)
        box = QMessageBox(QMessageBox.Icon.Question, "Delete Contact",
                          f"Delete {name} ({handle}) from your contact list?\n\n"
                          "They will still be able to see you unless you also block them.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self.window)
        plain(box)
        box.setAccessibleName("Delete Contact")
        box.accepted.connect(lambda: self.run(self.actions.delete(handle)))
        self.dialog = box
        box.open()

    def open_properties(self, handle: str) -> None:
        dialog = PropertiesDialog(handle, self.session.name_of(handle), self.actions.lists_of(handle),
                                  self.window)
        self.dialog = dialog
        dialog.open()

    # --- dialogs from the menu bar --------------------------------------------------------------
    def open_add_contact(self) -> AddContactWizard:
        wizard = AddContactWizard(self.session, self.window)
        self.dialog = wizard
        wizard.open()
        return wizard

    def open_options(self) -> OptionsDialog:
        dialog = OptionsDialog(self.session, self.window)
        self.dialog = dialog
        dialog.open()
        return dialog

    # --- someone added me -----------------------------------------------------------------------
    def _on_added_by(self, handle: str, friendly: str, needs_prompt: bool) -> None:
        """Ask about each person once; at most MAX_PROMPTS_SHOWN at a time, the others wait their turn
        (a server reporting thousands of people who added me must not bury the screen in windows)."""
        already_asking = any(p.handle.lower() == handle.lower() and p.isVisible() for p in self.prompts)
        if not needs_prompt or already_asking:
            return
        if len(self.prompts) >= MAX_PROMPTS_SHOWN:
            self.waiting_prompts[handle.lower()] = (handle, friendly)
            return
        self.waiting_prompts.pop(handle.lower(), None)
        dialog = AddedYouDialog(self.session, handle, friendly, self.window)
        self.prompts.append(dialog)
        dialog.finished.connect(lambda _r: self._prompt_done(dialog))
        dialog.open()

    def _prompt_done(self, dialog: AddedYouDialog) -> None:
        if dialog in self.prompts:
            self.prompts.remove(dialog)
        if self.waiting_prompts and self.session.state == SIGNED_IN:
            handle, friendly = self.waiting_prompts.pop(next(iter(self.waiting_prompts)))
            self._on_added_by(handle, friendly, True)
