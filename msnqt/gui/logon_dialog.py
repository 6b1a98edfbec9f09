"""The "Log On - MSN Messenger Service" dialog: e-mail address, password, "Remember my password".

Opened with ``open()`` (never ``exec()``, which would re-enter the qasync loop); the owner connects to
``accepted``. The remember box is disabled, with a tooltip saying why, when the credential store is not
usable. On the built-in server it also offers "Create a new account on this computer" (the owner opens
that form when ``create_account_button`` is clicked).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from msnqt.gui.credentials import Availability
from msnqt.gui.resources import pixmap
from msnqt.gui.uiload import child, load_form

TITLE = "Log On - MSN Messenger Service"


class LogonDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setAccessibleName("Log On")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        form = load_form("logon_form", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(form)
        self.account_edit = child(form, QLineEdit, "logonNameEdit")
        self.password_edit = child(form, QLineEdit, "passwordEdit")
        self.remember_check = child(form, QCheckBox, "rememberCheck")
        buttons = child(form, QDialogButtonBox, "buttonBox")
        self.ok_button: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setAccessibleName("OK")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        child(form, QLabel, "keysIcon").setPixmap(pixmap("keys", 32, self.devicePixelRatioF()))
        self.local_note = child(form, QLabel, "localServerNote")
        self.create_account_button = child(form, QPushButton, "createAccountButton")
        self.offer_account_creation(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.setMinimumWidth(340)
        self.account_edit.textChanged.connect(self._update_ok)
        self._update_ok()

    def prefill(self, account: str, password: str | None) -> None:
        """Show the last account and, if one was remembered, its password (with the box ticked)."""
        self.account_edit.setText(account)
        self.password_edit.setText(password or "")
        self.remember_check.setChecked(password is not None)
        (self.password_edit if account else self.account_edit).setFocus()

    def offer_account_creation(self, offered: bool) -> None:
        """Only on the built-in server: say where we sign in, and offer "Create a new account"."""
        self.local_note.setVisible(offered)
        self.create_account_button.setVisible(offered)
        # Any address works there, not only the Hotmail ones 1.0 accepted.
        self.account_edit.setPlaceholderText("name@example.com" if offered else "name@hotmail.com")

    def use_new_account(self, account: str, password: str) -> None:
        """Fill in an account just created, ready for OK (the remember box is left as the user set it)."""
        self.account_edit.setText(account)
        self.password_edit.setText(password)
        self.ok_button.setDefault(True)
        self.ok_button.setFocus()

    def set_remember_availability(self, availability: Availability) -> None:
        self.remember_check.setEnabled(availability.usable)
        self.remember_check.setToolTip("" if availability.usable else availability.reason)
        if not availability.usable:
            self.remember_check.setChecked(False)
            self.remember_check.setAccessibleDescription(availability.reason)

    @property
    def account(self) -> str:
        return self.account_edit.text().strip()

    @property
    def password(self) -> str:
        return self.password_edit.text()

    @property
    def remember(self) -> bool:
        return self.remember_check.isEnabled() and self.remember_check.isChecked()

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.account))
