"""The GUI signed in to the real in-process server with real engines: what Alice sees and what the
people she talks to receive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from msnqt.gui.app.credentials import MemoryCredentials
from msnqt.gui.contactlist.model import OFFLINE_SECTION, ONLINE_SECTION
from msnqt.gui.main import build_main_window
from msnqt.gui.mainwindow.window import MainWindow, visible_contact_names
from msnqt.gui.session.state import SIGNED_IN, SIGNED_OUT
from msnqt.protocol.codes import Status
from tests.gui.live import PASSWORD, World, fast_engine, world
from tests.support.qt import wait_until

ALICE, BOB, CAROL = "alice@hotmail.com", "bob@hotmail.com", "carol@hotmail.com"


def gui_for(w: World, settings: Any, **kwargs: Any) -> MainWindow:
    window = build_main_window(w.address, settings=settings, credentials=MemoryCredentials(),
                               engine_factory=fast_engine, **kwargs)
    window.show()
    return window


async def signed_in_gui(w: World, settings: Any, **kwargs: Any) -> MainWindow:
    window = gui_for(w, settings, **kwargs)
    assert await window.session.sign_in(ALICE, PASSWORD)
    return window


def test_sign_in_shows_both_sections_with_the_contacts(gui_app: Any, qloop: Any, settings: Any,
                                                         tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = gui_for(w, settings)
            window.sign_in_link.linkActivated.emit("sign-in")
            await wait_until(lambda: window.logon_dialog is not None and window.logon_dialog.isVisible())
            dialog = window.logon_dialog
            assert dialog is not None
            QTest.keyClicks(dialog.account_edit, ALICE)
            QTest.keyClicks(dialog.password_edit, PASSWORD)
            QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
            await wait_until(lambda: window.session.state == SIGNED_IN)
            assert window.status_button.text() == "Alice (Online)"
            assert visible_contact_names(window, ONLINE_SECTION) == ["Bob", "Carol"]
            assert visible_contact_names(window, OFFLINE_SECTION) == ["Dave"]
            assert settings.last_account == ALICE

            await w.peers[BOB].engine.set_status(Status.BE_RIGHT_BACK)
            await wait_until(lambda: "Bob (Be Right Back)" in visible_contact_names(window, ONLINE_SECTION))
            await w.peers[CAROL].engine.sign_out()
            await wait_until(lambda: visible_contact_names(window, OFFLINE_SECTION) == ["Carol", "Dave"])
            del w.peers[CAROL]
            await window.session.sign_out()
            assert window.pages.currentWidget() is window.signed_out_page

    qloop.run(scenario())


def test_wrong_password_and_unreachable_server_are_explained(gui_app: Any, qloop: Any, settings: Any,
                                                               tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = gui_for(w, settings)
            assert not await window.session.sign_in(ALICE, "not-the-password")
            assert window.session.state == SIGNED_OUT
            assert window.error_text == "The e-mail address or password is incorrect."

            window.session.server = "127.0.0.1:1"  # nothing listens there
            assert not await window.session.sign_in(ALICE, PASSWORD)
            assert window.error_text
            assert "password" not in window.error_text

    qloop.run(scenario())


def test_my_status_and_name_reach_my_contacts(gui_app: Any, qloop: Any, settings: Any,
                                               tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            bob = w.peers[BOB]
            busy = {a.text(): a for a in window.status_button.menu().actions()}["&Busy"]
            busy.trigger()
            await wait_until(lambda: window.status_button.text() == "Alice (Busy)")
            await wait_until(lambda: bob.engine.contact(ALICE).status is Status.BUSY)

            window.open_change_name()
            assert window.name_dialog is not None
            window.name_dialog.setTextValue("Alice in Chains")
            window.name_dialog.accept()
            await wait_until(lambda: window.status_button.text() == "Alice in Chains (Busy)")
            await wait_until(lambda: bob.engine.contact(ALICE).friendly == "Alice in Chains")

            await bob.engine.set_friendly_name("Bobby")
            await wait_until(lambda: "Bobby (Busy)" not in visible_contact_names(window, ONLINE_SECTION)
                             and "Bobby" in visible_contact_names(window, ONLINE_SECTION))

    qloop.run(scenario())


def test_conversation_send_receive_typing_and_invite(gui_app: Any, qloop: Any, settings: Any,
                                                      tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            bob, carol = w.peers[BOB], w.peers[CAROL]
            tree = window.contact_tree
            tree.setCurrentIndex(window.session.model.index_of(BOB))
            QTest.keyClick(tree, Qt.Key.Key_Return)
            conv_window = next(iter(window.session.conversations.all_windows()))
            assert conv_window.windowTitle() == "Bob - Instant Message"
            await wait_until(lambda: conv_window.conversation is not None)
            await wait_until(lambda: "Bob has joined the conversation." in conv_window.history_text())

            QTest.keyClicks(conv_window.input, "Hi Bob")
            QTest.keyClick(conv_window.input, Qt.Key.Key_Return)
            received = await bob.wait_for("MessageReceived", text="Hi Bob")
            assert received.sender == ALICE

            bob_side = received.conversation
            bob_side.notify_typing()
            await wait_until(lambda: conv_window.status_text == "Bob is typing a message.")
            await bob_side.send_text("Hello Alice")
            await wait_until(lambda: "Bob says:\nHello Alice" in conv_window.history_text())
            assert conv_window.status_text.startswith("Last message received at ")

            conv_window.invite_button.click()
            dialog = conv_window.invite_dialog
            assert dialog.comboBoxItems() == ["Carol <carol@hotmail.com>"]
            dialog.setTextValue("Carol <carol@hotmail.com>")
            dialog.accept()
            await carol.wait_for("ConversationStarted")
            await wait_until(lambda: conv_window.windowTitle() == "Bob, Carol - Instant Message")
            assert "Carol has joined the conversation." in conv_window.history_text()
            await bob_side.send_text("Welcome Carol")
            await carol.wait_for("MessageReceived", text="Welcome Carol")
            await wait_until(lambda: "Welcome Carol" in conv_window.history_text())

            await bob_side.leave()
            await wait_until(lambda: "Bob has left the conversation." in conv_window.history_text())

    qloop.run(scenario())


def test_incoming_conversation_opens_without_focus_and_undelivered_is_shown(
        gui_app: Any, qloop: Any, settings: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            bob = w.peers[BOB]
            bob_side = await bob.engine.start_conversation(ALICE)
            await bob.wait_for("ParticipantJoined", handle=ALICE)
            await bob_side.send_text("Are you there?")
            await wait_until(lambda: len(window.session.windows) == 1)
            conv_window = next(iter(window.session.windows.values()))
            assert conv_window.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
            await wait_until(lambda: "Bob says:\nAre you there?" in conv_window.history_text())
            opening = conv_window.history_text()  # the join is announced before the first message
            assert opening.index("Bob has joined the conversation.") < opening.index("Bob says:")

            await bob.engine.sign_out()
            del w.peers[BOB]
            await wait_until(lambda: "Bob" in visible_contact_names(window, OFFLINE_SECTION))
            conv_window.send_text("Bob?")
            await wait_until(lambda: "could not be delivered" in conv_window.history_text(), timeout=10)
            text = conv_window.history_text()
            assert text.count("The following message could not be delivered to all recipients:") == 1
            assert text.rstrip().endswith("Bob?")

    qloop.run(scenario())


def test_signing_in_elsewhere_signs_the_gui_out_with_a_reason(gui_app: Any, qloop: Any, settings: Any,
                                                                tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            await w.sign_in(ALICE)
            await wait_until(lambda: window.session.state == SIGNED_OUT)
            assert "another location" in window.error_text

    qloop.run(scenario())
