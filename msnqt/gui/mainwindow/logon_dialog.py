"""The "Sign In - MSN Messenger Service" dialog: e-mail address, password, "Remember my password".

Opened with ``open()`` (never ``exec()``, which would re-enter the qasync loop); the owner connects to
``accepted``. The remember box is disabled, with a tooltip saying why, when the credential store is not
usable. On the built-in server it also offers "Create a new account on this computer" (the owner opens
that form when ``create_account_button`` is clicked).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from msnqt.gui.app.credentials import Availability
from msnqt.gui.app.resources import pixmap
from msnqt.gui.app.uiload import child, load_form

TITLE = "Sign In - MSN Messenger Service"
DEFAULT_PORT = 1863


def server_problem(address: str) -> str:
    """Why ``address`` ("host" or "host:port") cannot be signed in to, or "" when it can."""
    host, sep, port = address.strip().rpartition(":")
    if not sep:
        host, port = address.strip(), str(DEFAULT_PORT)
    if not host:
        return "Type the server's name or address, for example messenger.example.com:1863."
    if any(c.isspace() for c in host) or "/" in host:
        return "A server address has no spaces or slashes, for example messenger.example.com:1863."
    if not port.isdigit() or not 0 < int(port) < 65536:
        return "The port after the colon must be a number from 1 to 65535 (MSN Messenger uses 1863)."
    return ""


def normal_address(address: str) -> str:
    """"host:port" for what the user typed ("host" alone means port 1863)."""
    host, sep, port = address.strip().rpartition(":")
    return f"{host}:{int(port)}" if sep else f"{address.strip()}:{DEFAULT_PORT}"


class LogonDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setAccessibleName("Sign In")
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
        self.create_account_button = child(form, QPushButton, "createAccountButton")
        self._build_server_choice(form)
        self._can_create = False
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

    def _build_server_choice(self, form: QWidget) -> None:
        """Where to sign in, always in sight: a server (its address editable) or this computer.

        A first start has nothing else to go on, and the two real choices belong where the user signs in,
        not three menus away in Options > Connection (which keeps the same two settings).
        """
        box = QGroupBox("Sign in to", form)
        box.setAccessibleName("Sign in to")
        rows = QVBoxLayout(box)
        remote_row = QHBoxLayout()
        self.remote_radio = QRadioButton("A &server:", box)
        self.remote_radio.setAccessibleName("Sign in to a server")
        self.server_edit = QLineEdit(box)
        self.server_edit.setAccessibleName("Server address")
        self.server_edit.setPlaceholderText("messenger.example.com:1863")
        self.server_label = QLabel("&Server:", box)  # instead of the radio when there is no other choice
        self.server_label.setBuddy(self.server_edit)
        self.server_label.hide()
        remote_row.addWidget(self.remote_radio)
        remote_row.addWidget(self.server_label)
        remote_row.addWidget(self.server_edit, 1)
        rows.addLayout(remote_row)
        self.local_radio = QRadioButton("&This computer (the built-in server)", box)
        self.local_radio.setAccessibleName("Sign in to the built-in server on this computer")
        rows.addWidget(self.local_radio)
        self.server_problem_label = QLabel(box)
        self.server_problem_label.setWordWrap(True)
        self.server_problem_label.setStyleSheet("color: #800000")
        self.server_problem_label.setAccessibleName("Server problem")
        self.server_problem_label.hide()
        rows.addWidget(self.server_problem_label)
        group = QButtonGroup(self)
        group.addButton(self.remote_radio)
        group.addButton(self.local_radio)
        self.remote_radio.setChecked(True)
        self.local_radio.hide()
        outer = form.layout()
        assert isinstance(outer, QBoxLayout)
        outer.insertWidget(outer.indexOf(self.create_account_button), box)
        self.server_box = box
        self.remote_radio.toggled.connect(self._on_choice)
        self.server_edit.textChanged.connect(self._update_ok)
        QWidget.setTabOrder(self.remember_check, self.remote_radio)
        QWidget.setTabOrder(self.remote_radio, self.server_edit)
        QWidget.setTabOrder(self.server_edit, self.local_radio)
        QWidget.setTabOrder(self.local_radio, self.create_account_button)

    def offer_servers(self, address: str, *, local_available: bool, use_local: bool) -> None:
        """Show the server ``address`` and, when this program can run one, the built-in server."""
        self.server_edit.setText(address)
        self.local_radio.setVisible(local_available)
        self.remote_radio.setVisible(local_available)
        self.server_label.setVisible(not local_available)
        (self.local_radio if use_local and local_available else self.remote_radio).setChecked(True)
        self._on_choice()

    def offer_account_creation(self, offered: bool) -> None:
        """Accounts can be made only on the built-in server: the button shows while that is chosen."""
        self._can_create = offered
        self._on_choice()

    def _on_choice(self) -> None:
        local = self.use_local_server
        self.server_edit.setEnabled(not local)
        self.create_account_button.setVisible(local and self._can_create)
        # Any address works on the built-in server, not only the Hotmail ones 1.0 accepted.
        self.account_edit.setPlaceholderText("name@example.com" if local else "name@hotmail.com")
        self._update_ok()

    @property
    def use_local_server(self) -> bool:
        return self.local_radio.isVisibleTo(self) and self.local_radio.isChecked()

    @property
    def server_address(self) -> str:
        return normal_address(self.server_edit.text())

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
        problem = "" if self.use_local_server else server_problem(self.server_edit.text())
        self.server_problem_label.setText(problem)
        self.server_problem_label.setVisible(bool(problem))
        self.ok_button.setEnabled(bool(self.account) and not problem)
