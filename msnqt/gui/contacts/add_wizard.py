"""File > Add a Contact...: the QWizard of ui-spec screen 4 (wording: ui-fidelity §6).

Page 1 picks the way: by e-mail address (ADD FL, plus AL as 1.0 did) or a member-directory search (FND).
The directory never shows e-mail addresses (MSNP2's FND answer has none), so a picked member leads to the
address page with their name as a reminder of whom to ask. The last page does the work and says what
happened in plain words; "no such account" (205) offers the e-mail invitation (SND) instead.
Network calls run as tasks on the session's loop; nothing here blocks or nests an event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from msnqt.gui.app.resources import icon
from msnqt.gui.contacts.actions import ActionFailed, ContactActions
from msnqt.gui.session.state import GuiSession
from msnqt.gui.text.plain_text import plain
from msnqt.protocol.names import is_valid_handle

TITLE = "Add a Contact"
CHOICE_PAGE, ADDRESS_PAGE, SEARCH_PAGE, RESULT_PAGE = range(4)
NO_SUCH_MEMBER = 205


def _label(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    plain(label)  # directory names, addresses and server answers are shown as typed
    label.setWordWrap(True)
    return label


class ChoicePage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Add a Contact")
        self.setSubTitle("How do you want to add a contact?")
        layout = QVBoxLayout(self)
        self.by_address = QRadioButton("By &e-mail address or sign-in name", self)
        self.by_address.setAccessibleName("By e-mail address or sign-in name")
        self.by_search = QRadioButton("&Search for a contact", self)
        self.by_search.setAccessibleName("Search for a contact")
        self.by_address.setChecked(True)
        layout.addWidget(self.by_address)
        layout.addWidget(_label("Choose this if you know the person's e-mail address.", self))
        layout.addWidget(self.by_search)
        layout.addWidget(_label("Search the member directory by name and location.", self))
        layout.addStretch(1)

    def nextId(self) -> int:
        return ADDRESS_PAGE if self.by_address.isChecked() else SEARCH_PAGE


class AddressPage(QWizardPage):
    def __init__(self, actions: ContactActions | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.contact_actions = actions
        self.member_index: int | None = None
        self.setTitle("Add a Contact by E-mail Address")
        self.setSubTitle("Type the e-mail address (sign-in name) of the person you want to add.")
        layout = QVBoxLayout(self)
        self.hint = _label("", self)
        self.hint.setVisible(False)
        layout.addWidget(self.hint)
        label = QLabel("&E-mail address (for example, someone@hotmail.com):", self)
        layout.addWidget(label)
        self.address_edit = QLineEdit(self)
        self.address_edit.setAccessibleName("E-mail address")
        label.setBuddy(self.address_edit)
        layout.addWidget(self.address_edit)
        # A directory hit has no address to show, but the server can mail them (SND by the hit's number):
        # someone who does not know the address is not left at a dead end.
        self.invite_button = QPushButton("Send an E-mail &Invitation Instead", self)
        self.invite_button.setAccessibleName("Send this member an e-mail invitation")
        self.invite_button.clicked.connect(self.start_invite)
        self.invite_button.setVisible(False)
        layout.addWidget(self.invite_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.invite_message = _label("", self)
        self.invite_message.setAccessibleName("Invitation result")
        self.invite_message.setVisible(False)
        layout.addWidget(self.invite_message)
        layout.addStretch(1)
        self.address_edit.textChanged.connect(lambda _t: self.completeChanged.emit())
        self.invite_task: asyncio.Task[None] | None = None
        self.invited = False

    def set_hint(self, member: str, index: int | None = None) -> None:
        """After a directory pick: whom the address belongs to (the directory does not show it), and the
        invitation the server can send them without it."""
        self.hint.setText(f"You chose {member}. The member directory does not show e-mail addresses; "
                          f"type the address {member} gave you, or send {member} an e-mail invitation.")
        self.hint.setVisible(bool(member))
        self.member_index = index if member else None
        self.invite_button.setVisible(self.member_index is not None and self.contact_actions is not None)
        self.invite_button.setEnabled(True)
        self.invite_message.setVisible(False)

    def start_invite(self) -> None:
        if self.member_index is None or self.contact_actions is None:
            return
        self.invite_button.setEnabled(False)
        self.invite_message.setText("Sending an e-mail invitation...")
        self.invite_message.setVisible(True)
        self.invite_task = asyncio.ensure_future(self._invite(self.contact_actions, str(self.member_index)))

    async def _invite(self, actions: ContactActions, which: str) -> None:
        try:
            await actions.invite(which)
        except ActionFailed as exc:
            self.invite_message.setText(f"The invitation was not sent. {exc.message}")
            self.invite_button.setEnabled(True)
            return
        self.invited = True
        note = (" This server runs on your own computer: it only notes the invitation, and no e-mail "
                "leaves the machine." if actions.server_is_local else "")
        self.invite_message.setText(f"The server has accepted an e-mail invitation for this member.{note} "
                                    "Click Cancel to close, or type an address to add someone.")

    @property
    def address(self) -> str:
        return self.address_edit.text().strip()

    def isComplete(self) -> bool:
        return "@" in self.address

    def nextId(self) -> int:
        return RESULT_PAGE


class SearchPage(QWizardPage):
    """FND: first and last name are required by the protocol; the rest may stay empty (= any)."""

    def __init__(self, actions: ContactActions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.contact_actions = actions
        self.setTitle("Search for a Contact")
        self.setSubTitle("Type the person's first and last name; city, state and country are optional.")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for key, text in (("fname", "&First name:"), ("lname", "&Last name:"), ("city", "Cit&y:"),
                          ("state", "S&tate (US only):"), ("country", "C&ountry:")):
            edit = QLineEdit(self)
            edit.setAccessibleName(text.replace("&", "").rstrip(":"))
            edit.textChanged.connect(lambda _t: self._update())
            edit.returnPressed.connect(self.start_search)
            form.addRow(text, edit)
            self.fields[key] = edit
        layout.addLayout(form)
        self.search_button = QPushButton("&Search", self)
        self.search_button.setAccessibleName("Search")
        self.search_button.clicked.connect(self.start_search)
        layout.addWidget(self.search_button, 0, Qt.AlignmentFlag.AlignRight)
        results_label = QLabel("&Results:", self)
        layout.addWidget(results_label)
        self.results = QListWidget(self)
        self.results.setAccessibleName("Search results")
        results_label.setBuddy(self.results)
        self.results.currentItemChanged.connect(lambda *_: self.completeChanged.emit())
        layout.addWidget(self.results)
        self.message = _label("", self)
        self.message.setAccessibleName("Search message")
        layout.addWidget(self.message)
        self.task: asyncio.Task[None] | None = None
        self._update()

    def _update(self) -> None:
        names_given = bool(self.fields["fname"].text().strip() and self.fields["lname"].text().strip())
        self.search_button.setEnabled(names_given and (self.task is None or self.task.done()))

    def start_search(self) -> None:
        if not self.search_button.isEnabled():
            return
        self.results.clear()
        self.message.setText("Searching...")
        self.task = asyncio.ensure_future(self._search())
        self._update()

    async def _search(self) -> None:
        values = [self.fields[k].text() for k in ("fname", "lname", "city", "state", "country")]
        try:
            hits = await self.contact_actions.find(*values)
        except ActionFailed as exc:
            self.message.setText(exc.message)
            hits = []
        else:
            found = "1 member" if len(hits) == 1 else f"{len(hits)} members"
            self.message.setText(f"{found} found. Pick one and click Next." if hits
                                 else "No members match. Check the spelling, or leave city, state and "
                                      "country empty.")
        for hit in hits:
            place = ", ".join(p for p in (hit.city, hit.state, hit.country) if p)
            item = QListWidgetItem(f"{hit.fname} {hit.lname}" + (f" ({place})" if place else ""),
                                   self.results)
            item.setData(Qt.ItemDataRole.UserRole, f"{hit.fname} {hit.lname}")
            item.setData(Qt.ItemDataRole.UserRole + 1, hit.index)
        if hits:
            self.results.setCurrentRow(0)
        self.task = None
        self._update()
        self.completeChanged.emit()

    @property
    def picked(self) -> str:
        item = self.results.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    @property
    def picked_index(self) -> int | None:
        """The picked hit's number in the last FND reply (what SND accepts instead of an address)."""
        item = self.results.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole + 1) if item is not None else None
        return int(value) if isinstance(value, int) else None

    def isComplete(self) -> bool:
        return bool(self.picked)

    def nextId(self) -> int:
        return ADDRESS_PAGE


class ResultPage(QWizardPage):
    """Does the ADD when shown; on 205 offers the invitation e-mail (SND)."""

    def __init__(self, actions: ContactActions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.contact_actions = actions
        self.setTitle("Add a Contact")
        self.setSubTitle("The result of your request.")
        layout = QVBoxLayout(self)
        self.message = _label("", self)
        self.message.setAccessibleName("Result")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                             | Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        self.invite_button = QPushButton("Send an E-mail &Invitation", self)
        self.invite_button.setAccessibleName("Send an e-mail invitation")
        self.invite_button.clicked.connect(self.start_invite)
        self.invite_button.setVisible(False)
        self.invite_button.setMinimumWidth(self.invite_button.sizeHint().width() + 24)
        layout.addWidget(self.invite_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        self.address = ""
        self.added = False
        self.invited = False
        self.task: asyncio.Task[None] | None = None

    def initializePage(self) -> None:
        wizard: Any = self.wizard()
        self.address = wizard.address_page.address
        self.added = self.invited = False
        self.invite_button.setVisible(False)
        self.invite_button.setEnabled(True)
        if not is_valid_handle(self.address):
            self.message.setText(f'"{self.address}" is not a valid e-mail address. Click Back and check it.')
            return
        self.message.setText(f"Adding {self.address}...")
        self._start(self._add())

    def _start(self, coro: Coroutine[Any, Any, None]) -> None:
        self.task = asyncio.ensure_future(coro)
        self.completeChanged.emit()

    def _finished(self) -> None:
        self.task = None
        self.completeChanged.emit()

    async def _add(self) -> None:
        try:
            await self.contact_actions.add(self.address)
        except ActionFailed as exc:
            if exc.code == NO_SUCH_MEMBER:
                self.message.setText(
                    f"{self.address} is not an MSN Messenger Service member yet, so you cannot add them.\n\n"
                    "You can send them an e-mail that tells them how to get MSN Messenger Service.")
                self.invite_button.setVisible(True)
                self.invite_button.setFocus()
            else:
                self.message.setText(f"{self.address} was not added. {exc.message}")
        else:
            self.added = True
            self.message.setText(f"{self.address} was added to your contact list.\n\n"
                                 "Click Finish. You will see when they are online.")
        self._finished()

    def start_invite(self) -> None:
        self.invite_button.setEnabled(False)
        self.message.setText(f"Sending an e-mail invitation to {self.address}...")
        self._start(self._invite())

    async def _invite(self) -> None:
        try:
            await self.contact_actions.invite(self.address)
        except ActionFailed as exc:
            self.message.setText(f"The invitation was not sent. {exc.message}")
            self.invite_button.setEnabled(True)
        else:
            self.invited = True
            self.invite_button.setVisible(False)
            # The server sends the mail (the bundled one only records it), so say what we know.
            note = ("\n\nThis server runs on your own computer: it only notes the invitation, and no e-mail "
                    "leaves the machine." if self.contact_actions.server_is_local else "")
            self.message.setText(f"The server has accepted an e-mail invitation for {self.address}.{note}")
        self._finished()

    def isComplete(self) -> bool:
        return self.task is None


class AddContactWizard(QWizard):
    """Open with ``open()``; ``result_page.added`` / ``invited`` tell what the user achieved."""

    def __init__(self, session: GuiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setWindowIcon(icon("app"))
        self.setAccessibleName(TITLE)
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, False)
        actions = ContactActions(session)
        self.choice_page = ChoicePage(self)
        self.address_page = AddressPage(actions, self)
        self.search_page = SearchPage(actions, self)
        self.result_page = ResultPage(actions, self)
        self.setPage(CHOICE_PAGE, self.choice_page)
        self.setPage(ADDRESS_PAGE, self.address_page)
        self.setPage(SEARCH_PAGE, self.search_page)
        self.setPage(RESULT_PAGE, self.result_page)
        self.setStartId(CHOICE_PAGE)
        button = QWizard.WizardButton
        for which, name in ((button.BackButton, "Back"), (button.NextButton, "Next"),
                            (button.FinishButton, "Finish"), (button.CancelButton, "Cancel")):
            self.button(which).setAccessibleName(name)
        self.currentIdChanged.connect(self._on_page)
        self.resize(420, 380)

    def _on_page(self, page_id: int) -> None:
        if page_id == ADDRESS_PAGE:
            came_from_search = SEARCH_PAGE in self.visitedIds()
            if came_from_search:
                self.address_page.set_hint(self.search_page.picked, self.search_page.picked_index)
            else:
                self.address_page.set_hint("")
            self.address_page.address_edit.setFocus()
