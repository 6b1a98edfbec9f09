"""Options > Personal against the real server: OK sends the new name, a contact sees it; Cancel does not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox

from msnqt.gui.options.dialog import OptionsDialog
from tests.gui.live import world
from tests.gui.test_with_server import ALICE, BOB, signed_in_gui
from tests.support.qt import wait_until

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise")  # online alerts, offscreen


def test_personal_tab_renames_me_for_my_contacts(gui_app: Any, qloop: Any, settings: Any,
                                                  tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            dialog = window.contact_ui.open_options()
            assert isinstance(dialog, OptionsDialog) and dialog.tabs.currentWidget() is dialog.personal_tab
            tab = dialog.personal_tab
            assert tab.name_edit.text() == "Alice"
            tab.name_edit.setText("Alice in Wonderland")
            QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel),
                             Qt.MouseButton.LeftButton)
            assert tab.task is None

            dialog = window.contact_ui.open_options()
            tab = dialog.personal_tab
            tab.name_edit.clear()
            assert tab.problem.text() == "Your name cannot be empty."
            QTest.keyClicks(tab.name_edit, "Alice in Wonderland")
            assert tab.problem.text() == ""
            QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                             Qt.MouseButton.LeftButton)
            assert tab.task is not None
            await tab.task
            account = w.server.store.account(ALICE)
            assert account is not None and account.friendly == "Alice in Wonderland"
            bob = w.peers[BOB]
            await wait_until(lambda: (c := bob.engine.contact(ALICE)) is not None
                             and c.friendly == "Alice in Wonderland")
            await wait_until(lambda: window.status_button.text() == "Alice in Wonderland (Online)")

    qloop.run(scenario())


def test_options_open_signed_out_and_say_why_personal_and_privacy_wait(
        gui_app: Any, qloop: Any, settings: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            await window.session.sign_out()
            assert window.contact_ui.options_action.isEnabled()
            assert not window.contact_ui.add_action.isEnabled()
            dialog = window.contact_ui.open_options()
            assert not dialog.personal_tab.name_edit.isEnabledTo(dialog)
            assert not dialog.privacy_tab.allow_list.isEnabledTo(dialog)
            dialog.tabs.setCurrentWidget(dialog.privacy_tab)
            assert dialog.privacy_tab.signed_out_note.isVisible()
            QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                             Qt.MouseButton.LeftButton)
            assert dialog.personal_tab.task is None and dialog.privacy_tab.task is None  # nothing to send

    qloop.run(scenario())
