"""Fast widget tests against a stand-in engine: what the user sees and can do in each window.

The end-to-end behaviour against the real engine and server is in test_with_server.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from msnqt.gui.app.credentials import KeyringCredentials, MemoryCredentials
from msnqt.gui.contactlist.model import OFFLINE_SECTION, ONLINE_SECTION, SECTION_TITLES
from msnqt.gui.main import build_main_window
from msnqt.gui.mainwindow.window import MainWindow, visible_contact_names
from msnqt.gui.session.state import SIGNED_IN, SIGNED_OUT
from msnqt.protocol.codes import Status
from tests.gui.fake_messenger import Contact, FakeMessenger
from tests.support.qt import wait_until

BOB = Contact("bob@hotmail.com", "Bob", Status.BUSY)
CAROL = Contact("carol@hotmail.com", "Carol", Status.ONLINE)
DAVE = Contact("dave@hotmail.com", "Dave", Status.OFFLINE)


def make_window(settings: Any, credentials: Any = None, hold: Any = None,
                **kwargs: Any) -> tuple[MainWindow, list[FakeMessenger]]:
    """The main window on stand-in engines; ``hold`` (an asyncio.Event) keeps sign-in pending until set."""
    engines: list[FakeMessenger] = []

    def factory(server: str) -> FakeMessenger:
        engine = FakeMessenger(server, [BOB, CAROL, DAVE])
        engine.hold_sign_in = hold
        engines.append(engine)
        return engine

    window = build_main_window("127.0.0.1:1863", settings=settings,
                               credentials=credentials or MemoryCredentials(), engine_factory=factory,
                               **kwargs)
    window.show()
    return window, engines


async def sign_in(window: MainWindow, password: str = "secret", remember: bool = False) -> None:
    await window.session.sign_in("alice@hotmail.com", password, remember)


def test_signed_out_window_invites_the_user_to_sign_in(gui_app: Any, qloop: Any, settings: Any) -> None:
    window, _ = make_window(settings)
    assert window.windowTitle() == "MSN Messenger Service"
    assert window.pages.currentWidget() is window.signed_out_page
    assert "You are not signed in" in window.signed_out_page.findChild(type(window.sign_in_link),
                                                                        "notSignedInLabel").text()
    assert "Click here to sign in" in window.sign_in_link.text()
    assert window.sign_in_action.isEnabled() and not window.sign_out_action.isEnabled()


def test_link_opens_the_log_on_dialog_with_a_disabled_remember_box_when_no_keyring(
        gui_app: Any, qloop: Any, settings: Any) -> None:
    # tests/conftest.py selects keyring's "fail" backend: there is no usable keyring.
    window, _ = make_window(settings, credentials=KeyringCredentials())

    async def scenario() -> None:
        window.sign_in_link.linkActivated.emit("sign-in")
        await wait_until(lambda: window.logon_dialog is not None and window.logon_dialog.isVisible())

    qloop.run(scenario())
    dialog = window.logon_dialog
    assert dialog is not None
    assert dialog.windowTitle() == "Sign In - MSN Messenger Service"
    assert not dialog.remember_check.isEnabled()
    assert "keyring" in dialog.remember_check.toolTip()
    assert not dialog.ok_button.isEnabled()  # nothing typed yet
    QTest.keyClicks(dialog.account_edit, "alice@hotmail.com")
    assert dialog.ok_button.isEnabled()
    dialog.reject()


def test_wrong_password_is_explained_and_the_user_can_retry(gui_app: Any, qloop: Any, settings: Any) -> None:
    window, _ = make_window(settings)
    qloop.run(sign_in(window, password="wrong"))
    assert window.session.state == SIGNED_OUT
    assert window.error_text == "The e-mail address or password you entered is not correct."
    assert window.sign_in_action.isEnabled()


def test_contact_list_has_two_sections_with_status_suffixes(gui_app: Any, qloop: Any, settings: Any) -> None:
    window, engines = make_window(settings)
    qloop.run(sign_in(window))
    assert window.session.state == SIGNED_IN
    assert window.pages.currentWidget() is window.signed_in_page
    assert window.status_button.text() == "alice (Online)"
    model = window.session.model
    assert [model.index(s, 0).data() for s in (0, 1)] == list(SECTION_TITLES)
    assert visible_contact_names(window, ONLINE_SECTION) == ["Bob (Busy)", "Carol"]
    assert visible_contact_names(window, OFFLINE_SECTION) == ["Dave"]

    engines[0].set_contact_status("dave@hotmail.com", Status.OUT_TO_LUNCH)
    engines[0].set_contact_status("bob@hotmail.com", Status.OFFLINE)
    engines[0].rename_contact("carol@hotmail.com", "Carol the Great")
    assert visible_contact_names(window, ONLINE_SECTION) == ["Carol the Great", "Dave (Out to Lunch)"]
    assert visible_contact_names(window, OFFLINE_SECTION) == ["Bob"]


def test_status_menu_lists_the_1999_states_and_changes_mine(gui_app: Any, qloop: Any, settings: Any) -> None:
    window, engines = make_window(settings)
    qloop.run(sign_in(window))
    labels = [a.text() for a in window.status_button.menu().actions()]
    assert labels == ["&Online", "&Busy", "Be &Right Back", "&Away", "On the &Phone", "Out to &Lunch",
                      "Appear O&ffline"]  # each with its own Alt key
    keys = [QKeySequence.mnemonic(label).toString() for label in labels]
    assert len(set(keys)) == len(keys) and all(keys)

    async def pick_busy() -> None:
        labels_to_actions = {a.text().replace("&", ""): a for a in window.status_button.menu().actions()}
        labels_to_actions["On the Phone"].trigger()
        await wait_until(lambda: window.status_button.text() == "alice (On the Phone)")

    qloop.run(pick_busy())
    assert engines[0].status_history == [Status.ON_THE_PHONE]


def test_enter_sends_and_shift_enter_starts_a_new_line(gui_app: Any, qloop: Any, settings: Any) -> None:
    window, _engines = make_window(settings)
    qloop.run(sign_in(window))

    async def scenario() -> Any:
        conversation_window = window.session.open_conversation("carol@hotmail.com")
        await wait_until(lambda: conversation_window.conversation is not None)
        return conversation_window

    conv_window = qloop.run(scenario())
    assert conv_window.windowTitle() == "Carol - Instant Message"
    assert conv_window.to_label.text() == "To: Carol <carol@hotmail.com>"
    assert not conv_window.send_button.isEnabled()
    QTest.keyClicks(conv_window.input, "hi")
    QTest.keyClick(conv_window.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClicks(conv_window.input, "there")
    assert conv_window.send_button.isEnabled()
    assert conv_window.conversation.typing_notifications > 0

    async def send() -> None:
        QTest.keyClick(conv_window.input, Qt.Key.Key_Return)
        await wait_until(lambda: conv_window.conversation.sent == ["hi\nthere"])

    qloop.run(send())
    assert conv_window.input.toPlainText() == ""
    assert not conv_window.send_button.isEnabled()
    assert "alice says:\nhi\nthere" in conv_window.history_text()


def test_undelivered_message_is_marked_in_the_history_once(gui_app: Any, qloop: Any, settings: Any) -> None:
    window, _ = make_window(settings)
    qloop.run(sign_in(window))

    async def scenario() -> Any:
        conv_window = window.session.open_conversation("carol@hotmail.com")
        await wait_until(lambda: conv_window.conversation is not None)
        conv_window.conversation.fail_next_send = True
        conv_window.send_text("are you there?")
        await wait_until(lambda: "could not be delivered" in conv_window.history_text())
        return conv_window

    conv_window = qloop.run(scenario())
    text = conv_window.history_text()
    assert text.count("The following message could not be delivered to all recipients:") == 1
    assert text.rstrip().endswith("are you there?")


def test_incoming_message_opens_a_window_without_taking_focus(gui_app: Any, qloop: Any,
                                                              settings: Any) -> None:
    window, engines = make_window(settings, typing_clear_ms=30)
    qloop.run(sign_in(window))
    conversation = engines[0].incoming("bob@hotmail.com", "hello alice")
    conv_window = window.session.windows[conversation.id]
    assert conv_window.isVisible()
    assert conv_window.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert conv_window.windowTitle() == "Bob - Instant Message"
    assert "Bob has joined the conversation." in conv_window.history_text()
    assert "Bob says:\nhello alice" in conv_window.history_text()
    assert conv_window.status_text == "Last message received at 3:04 PM on 11/25/2026."

    engines[0].typing(conversation, "bob@hotmail.com")
    assert conv_window.status_text == "Bob is typing a message."

    async def typing_fades() -> None:
        await wait_until(lambda: conv_window.status_text.startswith("Last message received"))

    qloop.run(typing_fades())


def test_signed_in_elsewhere_returns_to_the_signed_out_window_with_a_reason(
        gui_app: Any, qloop: Any, settings: Any) -> None:
    window, engines = make_window(settings)
    qloop.run(sign_in(window))
    engines[0].kick("elsewhere")
    assert window.session.state == SIGNED_OUT
    assert "another location" in window.error_text
    assert visible_contact_names(window, ONLINE_SECTION) == []


def test_remembered_password_is_stored_and_prefilled_next_time(gui_app: Any, qloop: Any,
                                                               settings: Any) -> None:
    store = MemoryCredentials()
    window, _ = make_window(settings, credentials=store)
    qloop.run(sign_in(window, remember=True))
    assert store.passwords == {"alice@hotmail.com": "secret"}
    qloop.run(window.session.sign_out())

    async def reopen() -> None:
        window.open_logon()
        await wait_until(lambda: window.logon_dialog is not None and window.logon_dialog.isVisible())

    qloop.run(reopen())
    dialog = window.logon_dialog
    assert dialog is not None
    assert dialog.account_edit.text() == "alice@hotmail.com"
    assert dialog.password_edit.text() == "secret"
    assert dialog.remember_check.isChecked() and dialog.remember_check.isEnabled()
    dialog.remember_check.setChecked(False)

    async def accept() -> None:
        QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        await wait_until(lambda: window.session.state == SIGNED_IN)

    qloop.run(accept())
    assert store.passwords == {}  # unticking the box forgets the password


def test_idle_after_no_input_and_back_on_input(gui_app: Any, qloop: Any, settings: Any) -> None:
    window, engines = make_window(settings, idle_ms=20)
    qloop.run(sign_in(window))

    async def scenario() -> None:
        await wait_until(lambda: window.status_button.text() == "alice (Idle)")
        QTest.mouseMove(window.contact_tree.viewport())
        window.session.idle.input_seen()
        # The short test timeout may make us idle again right after: look at what was sent, in order.
        await wait_until(lambda: engines[0].status_history[:2] == [Status.IDLE, Status.ONLINE])

    qloop.run(scenario())


def test_sign_in_progress_can_be_cancelled(gui_app: Any, qloop: Any, settings: Any) -> None:
    import asyncio

    from msnqt.gui.session.state import SIGNING_IN

    async def scenario() -> None:
        window, _ = make_window(settings, hold=asyncio.Event())
        windows.append(window)
        task = window.session.start_sign_in("alice@hotmail.com", "secret", False)
        await wait_until(lambda: window.session.state == SIGNING_IN)
        assert window.pages.currentWidget() is window.signing_in_page
        assert window.progress_label.text() == "Signing in as alice@hotmail.com..."
        assert "Click here to cancel sign in" in window.cancel_link.text()
        window.cancel_link.linkActivated.emit("cancel")
        await asyncio.gather(task, return_exceptions=True)
        assert task.cancelled()

    windows: list[MainWindow] = []
    qloop.run(scenario())
    window = windows[0]
    assert window.session.state == SIGNED_OUT
    assert window.pages.currentWidget() is window.signed_out_page
    assert window.error_text == ""


def test_send_an_instant_message_lists_online_contacts_and_takes_any_address(
        gui_app: Any, qloop: Any, settings: Any) -> None:
    window, _ = make_window(settings)
    qloop.run(sign_in(window))
    window.open_send_dialog()
    dialog = window.send_dialog
    assert dialog is not None
    assert dialog.windowTitle() == "Send an Instant Message - MSN Messenger Service"
    rows = [dialog.contact_list.item(i).text() for i in range(dialog.contact_list.count())]
    assert rows == ["Bob <bob@hotmail.com>", "Carol <carol@hotmail.com>"]
    QTest.keyClicks(dialog.other_edit, "not an address")
    assert not dialog.ok_button.isEnabled()
    dialog.other_edit.setText("erin@hotmail.com")
    assert dialog.ok_button.isEnabled()

    async def accept() -> Any:
        dialog.accept()
        await wait_until(lambda: any(w.conversation is not None for w in window.session.windows.values()))
        return next(iter(window.session.windows.values()))

    conv_window = qloop.run(accept())
    assert conv_window.conversation.invited == {"erin@hotmail.com"}
    assert conv_window.windowTitle() == "erin@hotmail.com - Instant Message"


def test_real_keyring_code_path_stores_and_reads_through_the_executor(gui_app: Any, qloop: Any) -> None:
    from tests.support.keyrings import MemoryKeyring

    backend = MemoryKeyring()
    store = KeyringCredentials(backend)

    async def scenario() -> None:
        assert (await store.availability()).usable
        await store.save("Alice@Hotmail.com", "s3cret")
        assert backend.data == {("msnqt", "alice@hotmail.com"): "s3cret"}
        assert await store.load("alice@hotmail.com") == "s3cret"
        await store.forget("alice@hotmail.com")
        await store.forget("alice@hotmail.com")  # forgetting twice is fine
        assert await store.load("alice@hotmail.com") is None

    qloop.run(scenario())


def test_no_keyring_means_nothing_is_stored_anywhere(gui_app: Any, qloop: Any) -> None:
    from msnqt.gui.app.credentials import CredentialError

    store = KeyringCredentials()  # the "fail" backend, as tests/conftest.py selects

    async def scenario() -> None:
        availability = await store.availability()
        assert not availability.usable and "keyring" in availability.reason
        assert await store.load("alice@hotmail.com") is None
        try:
            await store.save("alice@hotmail.com", "s3cret")
        except CredentialError as exc:
            assert "could not be saved" in str(exc)
        else:
            raise AssertionError("saving without a keyring must fail, not fall back to a file")

    qloop.run(scenario())


def test_lost_connection_shows_progress_and_the_list_returns_after_reconnect(
        gui_app: Any, qloop: Any, settings: Any) -> None:
    from tests.gui.fake_messenger import SignedIn

    window, engines = make_window(settings)
    qloop.run(sign_in(window))
    conversation = engines[0].incoming(BOB.handle, "Still there?")
    conv_window = window.session.windows[conversation.id]
    QTest.keyClicks(conv_window.input, "yes")
    engines[0].lose_connection()
    assert window.pages.currentWidget() is window.signing_in_page
    assert "connection to the server was lost" in window.progress_label.text()
    # The open conversation says so too, and does not pretend it can send.
    assert conv_window.connection_label.isVisible()
    assert "Reconnecting" in conv_window.connection_label.text()
    assert "Reconnecting" in conv_window.history_text()
    assert not conv_window.send_button.isEnabled()
    engines[0].signed_in = True
    engines[0].emit(SignedIn("alice@hotmail.com", "alice"))
    assert window.pages.currentWidget() is window.signed_in_page
    assert visible_contact_names(window, ONLINE_SECTION) == ["Bob (Busy)", "Carol"]
    assert not conv_window.connection_label.isVisible()
    assert conv_window.send_button.isEnabled()

    engines[0].lose_connection()

    async def give_up() -> None:
        window.cancel_link.linkActivated.emit("cancel")
        await wait_until(lambda: window.session.state == SIGNED_OUT)

    qloop.run(give_up())
    assert window.pages.currentWidget() is window.signed_out_page
    assert conv_window.isVisible() and "Still there?" in conv_window.history_text()


def test_a_lost_connection_the_engine_gave_up_on_signs_out_with_the_reason(
        gui_app: Any, qloop: Any, settings: Any) -> None:
    window, engines = make_window(settings)
    qloop.run(sign_in(window))
    engines[0].kick("connection_lost")
    assert window.pages.currentWidget() is window.signed_out_page
    assert "connection to the server was lost" in window.error_text


@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_opening_the_same_contact_again_reuses_the_window(gui_app: Any, qloop: Any, settings: Any) -> None:
    window, engines = make_window(settings)
    qloop.run(sign_in(window))

    async def scenario() -> None:
        tree = window.contact_tree
        index = window.session.model.index_of("carol@hotmail.com")
        tree.doubleClicked.emit(index)
        await wait_until(lambda: len(window.session.windows) == 1)
        tree.doubleClicked.emit(index)
        assert len(window.session.windows) == 1
        assert len(engines[0].conversations()) == 1
        section = window.session.model.index(OFFLINE_SECTION, 0)
        tree.doubleClicked.emit(section)  # a section heading folds, it does not start a conversation
        assert not tree.isExpanded(section)
        assert len(engines[0].conversations()) == 1

    qloop.run(scenario())


@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_after_signing_out_and_in_again_the_open_window_is_the_contacts_window(
        gui_app: Any, qloop: Any, settings: Any) -> None:
    window, engines = make_window(settings)
    qloop.run(sign_in(window))

    async def open_carol() -> Any:
        conv_window = window.session.open_conversation("carol@hotmail.com")
        return conv_window

    first = qloop.run(open_carol())
    qloop.run(wait_until(lambda: first.conversation is not None))
    qloop.run(window.session.sign_out())
    assert "You are not signed in" in first.history_text()
    QTest.keyClicks(first.input, "hello?")
    assert not first.send_button.isEnabled()

    qloop.run(sign_in(window))
    second = qloop.run(open_carol())
    assert second is first  # still open, so it is raised rather than doubled
    assert second.send_button.isEnabled()

    async def send() -> None:
        QTest.keyClick(second.input, Qt.Key.Key_Return)
        await wait_until(lambda: second.conversation is not None and second.conversation.sent == ["hello?"])

    qloop.run(send())
    assert second.conversation.owner is engines[1]


def test_a_session_that_outlives_its_window_signals_into_nothing(
        gui_app: Any, qloop: Any, settings: Any) -> None:
    """The session can outlive the main window (the windows it owns are kept, tests reuse it): its
    signals must not reach the dead window's widgets (an exception in the Qt loop fails this test)."""
    from PySide6.QtCore import QCoreApplication, QEvent

    window, _ = make_window(settings)
    session = window.session
    session.setParent(None)
    qloop.run(sign_in(window))
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    session.myInfoChanged.emit()
    session.stateChanged.emit(SIGNED_OUT, "")
    session.bridge.mailSummary.emit(3, 0)
    session.bridge.newMail.emit("Bob", "bob@hotmail.com")
    session.model.modelReset.emit()
