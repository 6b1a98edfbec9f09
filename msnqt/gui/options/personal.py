"""Options > Personal: the name others see (REA). 4.x called the area "My Display Name" (ui-fidelity §8)."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QGroupBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from msnqt.gui.contacts.actions import ActionFailed, ContactActions
from msnqt.gui.session.state import GuiSession
from msnqt.protocol.names import friendly_fits


class PersonalTab(QWidget):
    """``apply()`` sends REA only when the name really changed; ``task`` is that request (tests await it)."""

    def __init__(self, session: GuiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.contact_actions = ContactActions(session)
        self.task: asyncio.Task[None] | None = None
        layout = QVBoxLayout(self)
        group = QGroupBox("My Display Name", self)
        inner = QVBoxLayout(group)
        label = QLabel("&Type your name as you want others to see it:", group)
        inner.addWidget(label)
        self.name_edit = QLineEdit(session.my_name, group)
        self.name_edit.setAccessibleName("My display name")
        label.setBuddy(self.name_edit)
        inner.addWidget(self.name_edit)
        self.problem = QLabel("", group)
        self.problem.setStyleSheet("color: #800000")
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Name problem")
        inner.addWidget(self.problem)
        self.problem.setVisible(False)
        layout.addWidget(group)
        account = session.messenger.handle if session.messenger is not None else ""
        where = f"You are signed in as {account}." if account else "Sign in to change the name others see."
        signed_in_as = QLabel(where, self)
        signed_in_as.setWordWrap(True)
        layout.addWidget(signed_in_as)
        layout.addStretch(1)
        group.setEnabled(bool(account))  # the name lives on the server: it can only change signed in
        self.name_edit.textChanged.connect(self._check)

    def _check(self, text: str) -> None:
        name = text.strip()
        if not name:
            self.problem.setText("Your name cannot be empty.")
        elif not friendly_fits(name):
            self.problem.setText("That name is too long.")
        else:
            self.problem.setText("")
        self.problem.setVisible(bool(self.problem.text()))

    def apply(self) -> None:
        name = self.name_edit.text().strip()
        unchanged = name == self.session.my_name
        if not name or not friendly_fits(name) or unchanged or self.session.messenger is None:
            return
        self.task = asyncio.ensure_future(self._rename(name))

    async def _rename(self, name: str) -> None:
        try:
            await self.contact_actions.rename_me(name)
        except ActionFailed as exc:
            self.session.notice.emit(exc.message)
