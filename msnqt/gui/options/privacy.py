"""Options > Privacy: My Allow List / My Block List, "All others" (= BLP), who has added me (RL) and the
"alert me" box (= GTC). Wording from 4.x (ui-fidelity §9, §14.8); the protocol behind it is 1.0's.

Moves between the lists are only staged in the widgets; ``apply()`` (OK/Apply) sends the difference:
a person moved to the block list gets the engine's ``block`` (REM AL + ADD BL), one moved back gets
``unblock``; moving "All others" sends BLP; the checkbox sends GTC. Cancel therefore changes nothing.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from msnqt.gui.contacts.actions import ActionFailed, ContactActions
from msnqt.gui.session.state import GuiSession
from msnqt.protocol.codes import ListName, Privacy, ReverseListPrompt

ALL_OTHERS = "All others"
_ALL_OTHERS_KEY = ""  # the UserRole of the pseudo-entry: no handle can be empty


def _entry(handle: str, name: str, target: QListWidget) -> QListWidgetItem:
    """A row shows the chosen name (the lists are narrow); the address is the tooltip and is read out."""
    everyone = handle == _ALL_OTHERS_KEY
    item = QListWidgetItem(ALL_OTHERS if everyone else name, target)
    item.setData(Qt.ItemDataRole.UserRole, handle)
    if everyone:
        font = item.font()
        font.setItalic(True)
        item.setFont(font)
        item.setToolTip("Everyone who is on neither list")
    else:
        item.setToolTip(handle)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, name if name == handle else f"{name} ({handle})")
    return item


def handles_in(widget: QListWidget) -> list[str]:
    return [str(widget.item(row).data(Qt.ItemDataRole.UserRole)) for row in range(widget.count())]


class ReverseListDialog(QDialog):
    """"View...": everyone who has me on their contact list."""

    def __init__(self, people: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("People Who Have Added You")
        self.setAccessibleName("People who have added you")
        layout = QVBoxLayout(self)
        label = QLabel("&These people have added you to their contact lists:", self)
        layout.addWidget(label)
        self.people = QListWidget(self)
        self.people.setAccessibleName("People who have added you")
        label.setBuddy(self.people)
        for handle, name in people:
            _entry(handle, name, self.people)
        if not people:
            self.people.addItem("(nobody yet)")
        layout.addWidget(self.people)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(300, 280)


class PrivacyTab(QWidget):
    def __init__(self, session: GuiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.contact_actions = ContactActions(session)
        self.task: asyncio.Task[None] | None = None
        self.view_dialog: ReverseListDialog | None = None
        layout = QVBoxLayout(self)

        lists_box = QGroupBox("Who can see my online status and send me messages", self)
        grid = QGridLayout(lists_box)
        allow_label = QLabel("My &Allow List", lists_box)
        block_label = QLabel("My Bloc&k List", lists_box)
        self.allow_list = QListWidget(lists_box)
        self.allow_list.setAccessibleName("My Allow List")
        self.block_list = QListWidget(lists_box)
        self.block_list.setAccessibleName("My Block List")
        allow_label.setBuddy(self.allow_list)
        block_label.setBuddy(self.block_list)
        for widget in (self.allow_list, self.block_list):
            widget.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.allow_button = QPushButton("<< A&llow", lists_box)
        self.allow_button.setAccessibleName("Allow the selected people")
        self.block_button = QPushButton("&Block >>", lists_box)
        self.block_button.setAccessibleName("Block the selected people")
        buttons = QVBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.block_button)
        buttons.addWidget(self.allow_button)
        buttons.addStretch(1)
        grid.addWidget(allow_label, 0, 0)
        grid.addWidget(block_label, 0, 2)
        grid.addWidget(self.allow_list, 1, 0)
        grid.addLayout(buttons, 1, 1)
        grid.addWidget(self.block_list, 1, 2)
        explain = QLabel("People on your Allow List can see when you are online and contact you. People on "
                         "your Block List see you as offline and cannot contact you; they are not told.",
                         lists_box)
        explain.setWordWrap(True)
        grid.addWidget(explain, 2, 0, 1, 3)
        layout.addWidget(lists_box)

        reverse_box = QGroupBox("Who has added me", self)
        reverse_row = QHBoxLayout(reverse_box)
        reverse_text = QLabel("To see who has added you to their contact list, click the View button.",
                              reverse_box)
        reverse_text.setWordWrap(True)
        reverse_row.addWidget(reverse_text, 1)
        self.view_button = QPushButton("&View...", reverse_box)
        self.view_button.setAccessibleName("View who has added me")
        reverse_row.addWidget(self.view_button)
        layout.addWidget(reverse_box)

        self.alert_check = QCheckBox("Alert &me when other users add me to their contact lists", self)
        self.alert_check.setAccessibleName("Alert me when other users add me to their contact lists")
        layout.addWidget(self.alert_check)
        self.signed_out_note = QLabel("Sign in to see and change your privacy settings: they are kept on "
                                      "the server.", self)
        self.signed_out_note.setWordWrap(True)
        layout.addWidget(self.signed_out_note)
        layout.addStretch(1)
        signed_in = session.messenger is not None
        for part in (lists_box, reverse_box, self.alert_check):
            part.setEnabled(signed_in)
        self.signed_out_note.setVisible(not signed_in)

        self.block_button.clicked.connect(lambda: self.move_selected(self.allow_list, self.block_list))
        self.allow_button.clicked.connect(lambda: self.move_selected(self.block_list, self.allow_list))
        self.allow_list.itemSelectionChanged.connect(self._update_buttons)
        self.block_list.itemSelectionChanged.connect(self._update_buttons)
        self.allow_list.itemDoubleClicked.connect(lambda _i: self.block_button.click())
        self.block_list.itemDoubleClicked.connect(lambda _i: self.allow_button.click())
        self.view_button.clicked.connect(self.open_reverse_list)
        self.reload()

    # --- showing what the server has -------------------------------------------------------------
    def reload(self) -> None:
        """Fill both lists and the checkbox from the engine's copy of my lists."""
        self.allow_list.clear()
        self.block_list.clear()
        allow_all = self.contact_actions.privacy is Privacy.ALLOW_ALL
        everyone_else = self.allow_list if allow_all else self.block_list
        _entry(_ALL_OTHERS_KEY, ALL_OTHERS, everyone_else)
        for handle, name in self.contact_actions.members(ListName.ALLOW):
            _entry(handle, name, self.allow_list)
        for handle, name in self.contact_actions.members(ListName.BLOCK):
            _entry(handle, name, self.block_list)
        self.alert_check.setChecked(self.contact_actions.reverse_prompt is ReverseListPrompt.ASK)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.block_button.setEnabled(bool(self.allow_list.selectedItems()))
        self.allow_button.setEnabled(bool(self.block_list.selectedItems()))

    def select(self, handle: str) -> None:
        """Select ``handle``'s entry ("" = All others) in whichever list holds it."""
        for widget in (self.allow_list, self.block_list):
            widget.clearSelection()
            for row in range(widget.count()):
                if str(widget.item(row).data(Qt.ItemDataRole.UserRole)).lower() == handle.lower():
                    widget.item(row).setSelected(True)
                    widget.setCurrentRow(row)
                    widget.setFocus()

    def move_selected(self, source: QListWidget, target: QListWidget) -> None:
        for item in source.selectedItems():
            moved = source.takeItem(source.row(item))
            target.addItem(moved)
            moved.setSelected(False)
        self._update_buttons()

    def open_reverse_list(self) -> None:
        dialog = ReverseListDialog(self.contact_actions.members(ListName.REVERSE), self)
        self.view_dialog = dialog
        dialog.open()

    # --- sending the difference ------------------------------------------------------------------
    def apply(self) -> None:
        if self.session.messenger is None:
            return
        self.task = asyncio.ensure_future(self._send())

    async def _send(self) -> None:
        blocked_now = {h.lower() for h, _ in self.contact_actions.members(ListName.BLOCK)}
        want_blocked = handles_in(self.block_list)
        want_allowed = handles_in(self.allow_list)
        try:
            for handle in want_blocked:
                if handle != _ALL_OTHERS_KEY and handle.lower() not in blocked_now:
                    await self.contact_actions.block(handle)
            for handle in want_allowed:
                if handle != _ALL_OTHERS_KEY and handle.lower() in blocked_now:
                    await self.contact_actions.unblock(handle)
            mode = Privacy.BLOCK_ALL if _ALL_OTHERS_KEY in want_blocked else Privacy.ALLOW_ALL
            await self.contact_actions.set_privacy(mode)
            prompt = ReverseListPrompt.ASK if self.alert_check.isChecked() else ReverseListPrompt.NEVER
            await self.contact_actions.set_reverse_prompt(prompt)
        except ActionFailed as exc:
            self.session.notice.emit(exc.message)
        self.reload()
