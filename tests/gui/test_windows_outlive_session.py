"""Nothing the user sees is lost: conversation windows outlive the session they were opened in (signing
out, the server going down) and can be saved as plain text. Real engines on the real in-process server."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from msnqt.client import Messenger
from msnqt.gui.app.credentials import MemoryCredentials
from msnqt.gui.conversation.window import ConversationWindow
from msnqt.gui.main import build_main_window
from msnqt.gui.mainwindow.window import MainWindow
from msnqt.gui.session.state import SIGNED_IN, SIGNED_OUT
from tests.gui.live import FAST, PASSWORD, World, world
from tests.gui.test_with_server import ALICE, BOB, signed_in_gui
from tests.support.logfail import LogFail
from tests.support.qt import wait_until


async def chat_with_bob(w: World, window: MainWindow) -> ConversationWindow:
    """Alice opens Bob's window and says "Hi Bob"; Bob has it."""
    conv_window = window.session.open_conversation(BOB)
    await wait_until(lambda: "Bob has joined the conversation." in conv_window.history_text())
    QTest.keyClicks(conv_window.input, "Hi Bob")
    QTest.keyClick(conv_window.input, Qt.Key.Key_Return)
    await w.peers[BOB].wait_for("MessageReceived", text="Hi Bob")
    return conv_window


def test_signing_out_keeps_the_window_and_signing_in_again_lets_it_send(
        gui_app: Any, qloop: Any, settings: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            conv_window = await chat_with_bob(w, window)

            window.sign_out_action.trigger()
            await wait_until(lambda: window.session.state == SIGNED_OUT)
            gc.collect()  # nothing but the session keeps the window: it must still be there
            assert conv_window.isVisible()
            assert "Alice says:\nHi Bob" in conv_window.history_text()
            assert not conv_window.send_button.isEnabled()
            assert "not signed in" in conv_window.connection_label.text()

            assert await window.session.sign_in(ALICE, PASSWORD)
            assert not conv_window.connection_label.isVisible()
            QTest.keyClicks(conv_window.input, "Back again")
            assert conv_window.send_button.isEnabled()
            QTest.keyClick(conv_window.input, Qt.Key.Key_Return)
            received = await w.peers[BOB].wait_for("MessageReceived", text="Back again")
            # Bob answers in the same window, not a new one.
            await received.conversation.send_text("Welcome back")
            await wait_until(lambda: "Bob says:\nWelcome back" in conv_window.history_text())
            assert list(window.session.windows.values()) == [conv_window]

    qloop.run(scenario())


def test_the_server_going_down_keeps_the_window_readable(gui_app: Any, qloop: Any, settings: Any,
                                                          tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            conv_window = await chat_with_bob(w, window)
            await w.peers[BOB].engine.sign_out()
            del w.peers[BOB]
            await w.server.close()  # OUT SSD to everyone
            await wait_until(lambda: window.session.state == SIGNED_OUT)
            assert "maintenance" in window.error_text
            gc.collect()
            assert conv_window.isVisible()
            assert "Alice says:\nHi Bob" in conv_window.history_text()
            assert "not signed in" in conv_window.connection_label.text()
            # A message typed now is not lost silently: Send stays off until there is a session.
            QTest.keyClicks(conv_window.input, "anyone?")
            assert not conv_window.send_button.isEnabled()
            assert window.session.state != SIGNED_IN

    qloop.run(scenario())


@pytest.mark.qt_log_ignore("This plugin does not support")  # offscreen: the file dialog's raise/grab
def test_a_conversation_can_be_saved_as_plain_text(gui_app: Any, qloop: Any, settings: Any,
                                                   tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            conv_window = await chat_with_bob(w, window)
            conv_window.activateWindow()
            QTest.keyClick(conv_window.input, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
            await wait_until(lambda: conv_window.save_dialog is not None)
            dialog = conv_window.save_dialog
            assert dialog is not None and dialog.isVisible()
            assert dialog.selectedFiles()[0].endswith("Bob.txt")
            target = tmp_path / "chat with bob.txt"
            dialog.selectFile(str(target))
            dialog.accept()
            text = target.read_text(encoding="utf-8")
            assert "Bob has joined the conversation.\n" in text
            assert "Alice says:\nHi Bob\n" in text

            # The history's right-click menu offers the same, beside Copy and Select All.
            conv_window.history.customContextMenuRequested.emit(QPoint(5, 5))
            menu = conv_window.history_menu
            assert menu is not None
            labels = [a.text().replace("&", "").split("\t")[0] for a in menu.actions() if a.text()]
            assert "Save As..." in labels and "Select All" in labels
            menu.close()

            # A place that cannot be written is a line in the window, not a traceback.
            assert not conv_window.save_history(str(tmp_path / "no such folder" / "x.txt"))
            assert "could not be saved" in conv_window.history_text()

    qloop.run(scenario())


def test_an_open_conversation_shows_the_reconnect_and_sends_again_after_it(
        gui_app: Any, qloop: Any, settings: Any, tmp_path: Path, logfail: LogFail) -> None:
    logfail.allow(r"lost the connection to the notification server")  # the test cuts it
    def reconnecting_engine(server: str) -> Messenger:
        return Messenger(server, **{**FAST, "auto_reconnect": True, "reconnect_delay": 0.2})  # type: ignore[arg-type]

    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = build_main_window(w.address, settings=settings, credentials=MemoryCredentials(),
                                       engine_factory=reconnecting_engine)
            window.show()
            assert await window.session.sign_in(ALICE, PASSWORD)
            conv_window = await chat_with_bob(w, window)
            reconnecting = []
            window.session.bridge.reconnecting.connect(lambda *_: reconnecting.append(
                (conv_window.connection_label.text(), conv_window.send_button.isEnabled())))
            QTest.keyClicks(conv_window.input, "still there?")
            assert w.server.disconnect(ALICE) >= 1  # the connection drops, as in a network failure
            await wait_until(lambda: bool(reconnecting))
            note, could_send = reconnecting[0]
            assert "Reconnecting" in note and not could_send
            assert "Reconnecting" in conv_window.history_text()
            await wait_until(lambda: window.session.state == SIGNED_IN, timeout=10)
            assert not conv_window.connection_label.isVisible()
            assert conv_window.send_button.isEnabled()
            QTest.keyClick(conv_window.input, Qt.Key.Key_Return)
            await w.peers[BOB].wait_for("MessageReceived", text="still there?")

    qloop.run(scenario())
