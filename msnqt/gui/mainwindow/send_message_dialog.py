"""File > Send an Instant Message...: pick an online contact, or type any e-mail address under "Other"."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from msnqt.gui.app.resources import icon

TITLE = "Send an Instant Message - MSN Messenger Service"


class SendMessageDialog(QDialog):
    def __init__(self, online: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setAccessibleName("Send an Instant Message")
        layout = QVBoxLayout(self)
        intro = QLabel("Select the person you want to send an instant message to:", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        list_label = QLabel("&Contacts currently online:", self)
        layout.addWidget(list_label)
        self.contact_list = QListWidget(self)
        self.contact_list.setAccessibleName("Contacts currently online")
        list_label.setBuddy(self.contact_list)
        for handle, name in online:
            item = QListWidgetItem(icon("status-online"), f"{name} <{handle}>", self.contact_list)
            item.setData(Qt.ItemDataRole.UserRole, handle)
        layout.addWidget(self.contact_list)
        other_label = QLabel("&Other (e-mail address):", self)
        layout.addWidget(other_label)
        self.other_edit = QLineEdit(self)
        self.other_edit.setAccessibleName("Other e-mail address")
        other_label.setBuddy(self.other_edit)
        layout.addWidget(self.other_edit)
        standard = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(standard.Ok | standard.Cancel, self)
        buttons.setAccessibleName("Dialog buttons")
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setAccessibleName("OK")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.contact_list.itemDoubleClicked.connect(lambda _item: self.accept())
        self.contact_list.currentItemChanged.connect(lambda *_: self._update())
        self.other_edit.textChanged.connect(self._on_other_typed)
        if self.contact_list.count():
            self.contact_list.setCurrentRow(0)
        self._update()
        self.resize(300, 320)

    @property
    def handle(self) -> str:
        """The chosen address: the typed one wins over the list selection."""
        typed = self.other_edit.text().strip()
        if typed:
            return typed
        item = self.contact_list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    def _on_other_typed(self, text: str) -> None:
        if text.strip():
            self.contact_list.clearSelection()
        self._update()

    def _update(self) -> None:
        handle = self.handle
        self.ok_button.setEnabled("@" in handle and "." in handle.split("@")[-1])
