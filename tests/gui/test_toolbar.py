"""The 1.0 toolbar under the menu: Add and Send, icon above the word, usable from the keyboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from msnqt.gui.app.credentials import MemoryCredentials
from msnqt.gui.contacts.add_wizard import AddContactWizard
from msnqt.gui.main import build_main_window
from tests.gui.live import world
from tests.gui.test_with_server import signed_in_gui
from tests.support.qt import wait_until

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise")


def test_toolbar_buttons_wait_for_sign_in(gui_app: Any, settings: Any) -> None:
    window = build_main_window("127.0.0.1:1", settings=settings, credentials=MemoryCredentials())
    window.show()
    buttons = (window.toolbar_add, window.toolbar_send)
    assert [b.text() for b in buttons] == ["Add", "Send"]
    assert [b.accessibleName() for b in buttons] == ["Add a Contact", "Send an Instant Message"]
    assert all(b.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextUnderIcon and b.autoRaise()
               and not b.icon().isNull() for b in buttons)
    assert not any(b.isEnabled() for b in buttons)  # nothing to add to or send from while signed out
    assert window.toolbar.geometry().bottom() < window.centralWidget().geometry().top()  # under the menu


def test_tab_reaches_the_toolbar_and_space_presses_it(gui_app: Any, qloop: Any, settings: Any,
                                                      tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            window.activateWindow()
            await wait_until(lambda: QApplication.activeWindow() is window)
            assert window.toolbar_add.isEnabled() and window.toolbar_send.isEnabled()
            window.contact_tree.setFocus()
            for _ in range(12):
                if QApplication.focusWidget() is window.toolbar_add:
                    break
                QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            assert QApplication.focusWidget() is window.toolbar_add
            QTest.keyClick(window.toolbar_add, Qt.Key.Key_Space)
            await wait_until(lambda: isinstance(window.contact_ui.dialog, AddContactWizard)
                             and window.contact_ui.dialog.isVisible())
            window.contact_ui.dialog.reject()

            window.toolbar_send.click()
            await wait_until(lambda: window.send_dialog is not None and window.send_dialog.isVisible())
            assert window.send_dialog is not None
            window.send_dialog.reject()

    qloop.run(scenario())
