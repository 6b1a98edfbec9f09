"""Nobody is stuck: File > Exit and File > Delete Contact exist, an offline contact gets mail rather than a
message that can only fail, and closing the contact list on a desktop without a tray leaves no session
running that the user cannot reach. Real engines on the real in-process server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from msnqt.gui.desktop import tray as tray_module
from msnqt.gui.mainwindow.window import MainWindow
from msnqt.gui.session.state import SIGNED_OUT
from msnqt.protocol.codes import ListName, Status
from tests.gui.live import world
from tests.gui.test_contacts_with_server import menu_of, on_server_list
from tests.gui.test_with_server import ALICE, BOB, signed_in_gui
from tests.support.qt import wait_until

DAVE = "dave@hotmail.com"  # on Alice's list, not online


def file_menu_labels(window: MainWindow) -> list[str]:
    return [a.text() for a in window.file_menu.actions() if a.text()]


def test_an_offline_contact_is_offered_mail_not_a_message(gui_app: Any, qloop: Any, settings: Any,
                                                          tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            opened: list[QUrl] = []
            window.contact_ui.open_url = lambda url: opened.append(url) or True
            menu = menu_of(window, DAVE)
            assert not menu.send_action.isEnabled()
            assert menu.defaultAction() is menu.mail_action
            menu.mail_action.trigger()
            assert [u.toString() for u in opened] == [f"mailto:{DAVE}"]

            # Double-click (or Enter) does the same, and no conversation window is opened for nothing.
            tree = window.contact_tree
            tree.setCurrentIndex(window.session.model.index_of(DAVE))
            QTest.keyClick(tree, Qt.Key.Key_Return)
            assert len(opened) == 2 and window.session.conversations.all_windows() == []

            # No e-mail program: a sentence, not silence.
            window.contact_ui.open_url = lambda url: False
            assert not window.contact_ui.send_mail(DAVE)
            await wait_until(lambda: window.message_box is not None and window.message_box.isVisible())
            assert window.message_box is not None
            assert "No e-mail program" in window.message_box.text()

    qloop.run(scenario())


def test_file_menu_has_delete_contact_and_exit(gui_app: Any, qloop: Any, settings: Any,
                                               tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            labels = file_menu_labels(window)
            assert "&Delete Contact" in labels and labels[-1] == "E&xit"
            assert not window.delete_action.isEnabled()  # nothing picked yet
            window.contact_tree.setCurrentIndex(window.session.model.index_of(BOB))
            assert window.delete_action.isEnabled()
            window.delete_action.trigger()
            box = window.contact_ui.dialog
            assert isinstance(box, QMessageBox) and "Delete Bob" in box.text()
            QTest.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
            await wait_until(lambda: not on_server_list(w, ALICE, ListName.FORWARD, BOB))

            # Exit ends the app even while a conversation is open (Close alone would leave it running).
            conversation = window.session.open_conversation("carol@hotmail.com")
            last_closed: list[bool] = []
            gui_app.lastWindowClosed.connect(lambda: last_closed.append(True))
            window.exit_action.trigger()
            assert last_closed == [True] and not window.isVisible()
            conversation.close()

    qloop.run(scenario())


@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_without_a_tray_closing_the_list_during_a_chat_signs_out_and_the_chat_leads_back(
        gui_app: Any, qloop: Any, settings: Any, tmp_path: Path) -> None:
    assert not tray_module.tray_available()  # the offscreen platform has none

    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            conv_window = window.session.open_conversation(BOB)
            await wait_until(lambda: "Bob has joined the conversation." in conv_window.history_text())
            assert window.close()
            await wait_until(lambda: window.session.state == SIGNED_OUT)
            await wait_until(lambda: w.peers[BOB].engine.contact(ALICE).status is Status.OFFLINE)
            assert conv_window.isVisible() and "Bob has joined" in conv_window.history_text()
            assert conv_window.contact_list_link.isVisibleTo(conv_window)
            conv_window.contact_list_link.linkActivated.emit("contacts")
            assert window.isVisible()

    qloop.run(scenario())
