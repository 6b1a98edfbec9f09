"""Right-click > Properties: who this contact is and which of my lists they are on (ui-spec screen 2)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from msnqt.gui.app.resources import icon
from msnqt.gui.contacts.actions import LIST_WORDS
from msnqt.gui.text.plain_text import plain
from msnqt.protocol.codes import ListName


def lists_text(lists: frozenset[ListName]) -> str:
    """The lists in reading order, one per line ("On no list" when the set is empty)."""
    words = [LIST_WORDS[name] for name in ListName if name in lists]
    return "\n".join(words) if words else "On no list"


class PropertiesDialog(QDialog):
    def __init__(self, handle: str, name: str, lists: frozenset[ListName],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{name} Properties")
        self.setWindowIcon(icon("app"))
        self.setAccessibleName(f"{name} Properties")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        for key, caption, value in (("name", "Name:", name), ("handle", "E-mail address:", handle),
                                    ("lists", "On these lists:", lists_text(lists))):
            label = QLabel(value, self)
            plain(label)
            label.setAccessibleName(caption.rstrip(":"))
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
            form.addRow(caption, label)
            self.fields[key] = label
        layout.addLayout(form)
        if ListName.BLOCK in lists:
            note = QLabel("You are blocked from this person's view: to them you always appear offline.", self)
            note.setWordWrap(True)
            layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setAccessibleName("OK")
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
