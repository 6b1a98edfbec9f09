"""Options > Connection: which MSN Messenger Service server to sign in to.

Either a dispatch server by host and port (1863 is the protocol's port) or the built-in local server that
ships with this app. The choice takes effect at the next sign-in; the built-in server is started by the
app itself (``msnqt.app``) when a sign-in needs it, since the GUI layer never runs server code.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from msnqt.gui.app.settings import DEFAULT_SERVER
from msnqt.gui.session.state import GuiSession

DEFAULT_PORT = 1863


def split_address(address: str) -> tuple[str, int]:
    """("host", port) from "host:port", falling back to the default port for anything unreadable."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        return address or DEFAULT_SERVER.rpartition(":")[0], DEFAULT_PORT
    return host, int(port)


def host_problem(host: str) -> str:
    """Why ``host`` cannot be a server name, or "" when it can."""
    if not host:
        return "Type the name or address of the server, for example messenger.example.com."
    if any(c.isspace() for c in host) or "/" in host or ":" in host:
        return "A server name has no spaces, slashes or colons; type the port in the Port box."
    return ""


class ConnectionTab(QWidget):
    """``apply()`` stores the choice; a bad host name is explained and nothing is stored."""

    def __init__(self, session: GuiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        settings = session.settings
        layout = QVBoxLayout(self)
        box = QGroupBox("Server", self)
        box_layout = QVBoxLayout(box)
        self.use_local = QRadioButton("Use the &built-in local server on this computer", box)
        self.use_local.setAccessibleName("Use the built-in local server on this computer")
        self.use_remote = QRadioButton("Connect to &this server:", box)
        self.use_remote.setAccessibleName("Connect to this server")
        group = QButtonGroup(self)
        group.addButton(self.use_local)
        group.addButton(self.use_remote)
        box_layout.addWidget(self.use_local)
        box_layout.addWidget(self.use_remote)
        form = QFormLayout()
        form.setContentsMargins(20, 0, 0, 0)
        self.host_edit = QLineEdit(box)
        self.host_edit.setAccessibleName("Server name or address")
        self.port_spin = QSpinBox(box)
        self.port_spin.setRange(1, 65535)
        self.port_spin.setAccessibleName("Server port")
        self.port_spin.setMaximumWidth(80)
        host_label = QLabel("Server &name:", box)
        host_label.setBuddy(self.host_edit)
        port_label = QLabel("P&ort:", box)
        port_label.setBuddy(self.port_spin)
        form.addRow(host_label, self.host_edit)
        form.addRow(port_label, self.port_spin)
        box_layout.addLayout(form)
        layout.addWidget(box)
        self.note = QLabel("Changes take effect the next time you sign in. The built-in server runs "
                           "inside this program and keeps its accounts on this computer; you can create "
                           "an account there when you sign in.", self)
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #800000")
        self.error_label.setAccessibleName("Connection problem")
        self.error_label.hide()
        layout.addWidget(self.error_label)
        layout.addStretch(1)

        host, port = split_address(settings.server)
        self.host_edit.setText(host)
        self.port_spin.setValue(port)
        (self.use_local if settings.use_local_server else self.use_remote).setChecked(True)
        self.use_remote.toggled.connect(self._enable_address)
        self._enable_address(self.use_remote.isChecked())

    def _enable_address(self, remote: bool) -> None:
        self.host_edit.setEnabled(remote)
        self.port_spin.setEnabled(remote)

    @property
    def address(self) -> str:
        return f"{self.host_edit.text().strip()}:{self.port_spin.value()}"

    def focus_problem(self) -> None:
        """Put the cursor in the box that needs fixing (the dialog calls this once the tab is shown)."""
        self.host_edit.setFocus()
        self.host_edit.selectAll()

    def apply(self) -> bool:
        """Store the choice; False (and a sentence in ``error_label``) when the host is unusable."""
        settings = self.session.settings
        local = self.use_local.isChecked()
        problem = "" if local else host_problem(self.host_edit.text().strip())
        if problem:
            self.error_label.setText(problem)
            self.error_label.show()
            self.host_edit.setFocus()
            return False
        self.error_label.hide()
        settings.use_local_server = local
        if not local:
            settings.server = self.address
            self.session.server = self.address  # read at the next sign-in, never mid-session
        settings.sync()
        return True
