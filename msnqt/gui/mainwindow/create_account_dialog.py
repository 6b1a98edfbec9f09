""""Create a New Account": an account on the built-in server on this computer.

MSNP2's MD5 sign-in cannot create an account (the server must already know the password), and 1.0 sent
new users to a web page. With the built-in server there is no such page, so the Log On dialog offers this
form instead, and only then. The account is made by a callable ``msnqt.app`` hands the session; this dialog
checks what it can first (address shape, name length, both passwords equal) and shows the server's answer
(an address already taken) in the same place. It stays open until the account exists.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from msnqt.gui.session.state import GuiSession
from msnqt.protocol.names import friendly_fits, is_valid_handle

TITLE = "Create a New Account - MSN Messenger Service"


def form_problem(handle: str, friendly: str, password: str, again: str) -> str:
    """The first thing wrong with the form, as a sentence, or "" when it can be sent."""
    if not is_valid_handle(handle):
        return "Type your e-mail address, for example name@example.com (no spaces)."
    if not friendly_fits(friendly):
        return "That name is too long. Choose a shorter name."
    if not password:
        return "Type a password for the new account."
    if password != again:
        return "The two passwords are different. Type the same password in both boxes."
    return ""


class CreateAccountDialog(QDialog):
    """Signal ``created(handle, password)`` once the built-in server has the account; then it closes."""

    created = Signal(str, str)

    def __init__(self, session: GuiSession, handle: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.task: asyncio.Task[None] | None = None
        self.setWindowTitle(TITLE)
        self.setAccessibleName("Create a New Account")
        layout = QVBoxLayout(self)
        intro = QLabel("The account is kept by the built-in server on this computer. Other people can "
                       "add you once they sign in to the same server.", self)
        intro.setWordWrap(True)
        intro.setAccessibleName("About new accounts")
        layout.addWidget(intro)
        form = QFormLayout()
        self.handle_edit = self._field(form, "&E-mail address:", "E-mail address", handle)
        self.handle_edit.setPlaceholderText("name@example.com")
        self.name_edit = self._field(form, "Your &name:", "Your name as others will see it", "")
        self.password_edit = self._field(form, "&Password:", "Password", "")
        self.again_edit = self._field(form, "&Confirm password:", "Confirm password", "")
        for secret in (self.password_edit, self.again_edit):
            secret.setEchoMode(QLineEdit.EchoMode.Password)
        layout.addLayout(form)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #800000")
        self.error_label.setAccessibleName("Problem with the new account")
        self.error_label.hide()
        layout.addWidget(self.error_label)
        standard = QDialogButtonBox.StandardButton
        self.buttons = QDialogButtonBox(standard.Ok | standard.Cancel, self)
        self.create_button = self.buttons.button(standard.Ok)
        self.create_button.setText("C&reate")
        self.create_button.setAccessibleName("Create")
        self.buttons.button(standard.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(self._on_create)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(360)
        (self.name_edit if handle else self.handle_edit).setFocus()

    def _field(self, form: QFormLayout, label: str, accessible: str, text: str) -> QLineEdit:
        edit = QLineEdit(text, self)
        edit.setAccessibleName(accessible)
        caption = QLabel(label, self)
        caption.setBuddy(edit)
        form.addRow(caption, edit)
        return edit

    @property
    def handle(self) -> str:
        return self.handle_edit.text().strip()

    def show_problem(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))
        self._grow_to_fit()

    def _grow_to_fit(self) -> None:
        """Make room for a problem sentence by growing, never by squeezing the fields under it."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        wanted = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else -1
        wanted = max(wanted, layout.totalMinimumSize().height(), self.sizeHint().height())
        if wanted > self.height():
            self.resize(self.width(), wanted)

    def _on_create(self) -> None:
        if self.task is not None and not self.task.done():
            return
        friendly = self.name_edit.text().strip() or self.handle
        problem = form_problem(self.handle, friendly, self.password_edit.text(), self.again_edit.text())
        self.show_problem(problem)
        if problem:
            return
        self.create_button.setEnabled(False)
        self.task = asyncio.ensure_future(self._create(self.handle, friendly, self.password_edit.text()))

    async def _create(self, handle: str, friendly: str, password: str) -> None:
        try:
            problem = await self.session.create_local_account(handle, friendly, password)
        finally:
            self.create_button.setEnabled(True)
        self.show_problem(problem)
        if problem:
            self.handle_edit.setFocus()
            self.handle_edit.selectAll()
            return
        self.created.emit(handle, password)
        self.accept()
