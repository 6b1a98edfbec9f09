"""The "X has added you to his/her contact list" prompt (ui-fidelity §9, the 4.x wording; 1.0 had the GTC
protocol behind it). Shown for the engine's ``AddedBy(needs_prompt=True)``, which also arrives after sign-in
for people on my reverse list who are on neither my allow nor my block list.

Allow is the default, as in the original. OK sends the choice (allow = ADD AL, block = ADD BL) and, when
ticked, adds the person to my contact list; Cancel decides nothing, so the engine asks again next sign-in.
"""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from msnqt.gui.app.resources import icon
from msnqt.gui.contacts.actions import ActionFailed, ContactActions
from msnqt.gui.session.state import GuiSession
from msnqt.gui.text.plain_text import plain
from msnqt.protocol.codes import ListName

TITLE = "MSN Messenger Service"


class AddedYouDialog(QDialog):
    def __init__(self, session: GuiSession, handle: str, friendly: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.handle = handle
        self.contact_actions = ContactActions(session)
        self.setWindowTitle(TITLE)
        self.setWindowIcon(icon("app"))
        self.setAccessibleName(f"{handle} has added you")
        layout = QVBoxLayout(self)
        who = f"{friendly} ({handle})" if friendly and friendly != handle else handle
        headline = QLabel(f"{who} has added you to his/her contact list.", self)
        plain(headline)  # the name is theirs to choose: as markup it could hide the address
        headline.setWordWrap(True)
        layout.addWidget(headline)
        layout.addWidget(QLabel("Do you want to:", self))
        self.allow_radio = QRadioButton("&Allow this person to see when you are online and contact you", self)
        self.allow_radio.setAccessibleName("Allow this person")
        self.block_radio = QRadioButton(
            "&Block this person from seeing when you are online and contacting you", self)
        self.block_radio.setAccessibleName("Block this person")
        group = QButtonGroup(self)
        group.addButton(self.allow_radio)
        group.addButton(self.block_radio)
        self.allow_radio.setChecked(True)
        layout.addWidget(self.allow_radio)
        layout.addWidget(self.block_radio)
        reminder = QLabel("Remember, you can make yourself appear offline temporarily to everyone "
                          "at anytime.", self)
        reminder.setWordWrap(True)
        layout.addWidget(reminder)
        self.add_check = QCheckBox("A&dd this person to my contact list.", self)
        self.add_check.setAccessibleName("Add this person to my contact list")
        # Only offered when they are not on my list already.
        self.add_check.setVisible(ListName.FORWARD not in self.contact_actions.lists_of(handle))
        self.add_check.setChecked(True)
        layout.addWidget(self.add_check)
        standard = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(standard.Ok | standard.Cancel, self)
        buttons.button(standard.Ok).setAccessibleName("OK")
        buttons.button(standard.Cancel).setAccessibleName("Cancel")
        buttons.accepted.connect(self._on_ok)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.task: asyncio.Task[None] | None = None

    def _on_ok(self) -> None:
        add = self.add_check.isVisible() and self.add_check.isChecked()
        self.task = asyncio.ensure_future(self._send(self.block_radio.isChecked(), add))
        self.accept()

    async def _send(self, block: bool, add: bool) -> None:
        try:
            if block:
                await self.contact_actions.block(self.handle)
            else:
                await self.contact_actions.unblock(self.handle)
            if add:
                await self.contact_actions.add(self.handle)
        except ActionFailed as exc:
            self.session.notice.emit(exc.message)

