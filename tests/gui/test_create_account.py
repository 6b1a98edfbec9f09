"""Signing in to the built-in server: the Log On dialog offers "Create a new account on this computer"
only there; the form explains a typo, a mismatch or a taken address, and a new account signs in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from msnqt.app import BuiltInServer
from msnqt.gui.app.credentials import MemoryCredentials
from msnqt.gui.app.settings import AppSettings
from msnqt.gui.main import build_main_window
from msnqt.gui.mainwindow.create_account_dialog import CreateAccountDialog
from msnqt.gui.mainwindow.logon_dialog import LogonDialog
from msnqt.gui.mainwindow.window import MainWindow
from msnqt.gui.session.state import SIGNED_IN, SIGNED_OUT
from tests.gui.live import fast_engine
from tests.support.qt import wait_until

REMOTE = "127.0.0.1:1"  # nothing listens there: a sign-in that reached it would fail


def window_with(server: BuiltInServer, settings: AppSettings) -> MainWindow:
    window = build_main_window(REMOTE, settings=settings, credentials=MemoryCredentials(),
                               engine_factory=fast_engine, local_server=server.address,
                               create_account=server.create_account)
    window.show()
    return window


async def logon_dialog(window: MainWindow) -> LogonDialog:
    window.sign_in_action.trigger()
    await wait_until(lambda: window.logon_dialog is not None and window.logon_dialog.isVisible())
    assert window.logon_dialog is not None
    return window.logon_dialog


def fill(form: CreateAccountDialog, handle: str, name: str, password: str, again: str) -> None:
    for edit, text in ((form.handle_edit, handle), (form.name_edit, name), (form.password_edit, password),
                       (form.again_edit, again)):
        edit.setFocus()
        edit.selectAll()
        QTest.keyClicks(edit, text)


def test_a_new_account_on_the_built_in_server_signs_in(gui_app: Any, qloop: Any, settings: AppSettings,
                                                       tmp_path: Path) -> None:
    server = BuiltInServer(tmp_path / "server")
    settings.use_local_server = True
    settings.server = REMOTE

    async def scenario() -> None:
        window = window_with(server, settings)
        logon = await logon_dialog(window)
        assert logon.create_account_button.isVisibleTo(logon) and logon.use_local_server
        await wait_until(lambda: QApplication.activeWindow() is logon)
        QTest.keyClick(logon, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)  # &Create a new account...
        await wait_until(lambda: window.create_account_dialog is not None
                         and window.create_account_dialog.isVisible())
        form = window.create_account_dialog
        assert form is not None

        fill(form, "new user@example.com", "Newcomer", "pass1", "pass1")
        form.create_button.click()
        assert form.isVisible() and "e-mail address" in form.error_label.text()
        # The sentence gets room of its own: the fields keep their height (they were squeezed to 12 px).
        await wait_until(lambda: form.error_label.height() >= form.error_label.heightForWidth(
            form.error_label.width()))
        edits = (form.handle_edit, form.name_edit, form.password_edit, form.again_edit)
        assert all(edit.height() >= edit.sizeHint().height() for edit in edits)

        fill(form, "new@example.com", "Newcomer", "pass1", "pass2")
        form.create_button.click()
        assert form.isVisible() and "passwords are different" in form.error_label.text()

        fill(form, "new@example.com", "Newcomer", "pass1", "pass1")
        form.create_button.click()
        await wait_until(lambda: not form.isVisible())
        assert (logon.account, logon.password) == ("new@example.com", "pass1")

        logon.ok_button.click()
        await wait_until(lambda: window.session.state == SIGNED_IN)
        assert window.session.my_name == "Newcomer"
        assert settings.server == REMOTE  # the built-in server's ports are never stored as "the server"
        await window.session.sign_out()

        logon = await logon_dialog(window)
        form = window.open_create_account(logon)
        fill(form, "new@example.com", "Twin", "pass3", "pass3")
        form.create_button.click()
        await wait_until(lambda: form.error_label.isVisibleTo(form))
        assert "already an account new@example.com" in form.error_label.text() and form.isVisible()
        form.reject()
        logon.reject()

    try:
        qloop.run(scenario())
    finally:
        qloop.run(server.close())


def test_a_remote_server_offers_no_account_creation(gui_app: Any, qloop: Any, settings: AppSettings,
                                                    tmp_path: Path) -> None:
    server = BuiltInServer(tmp_path / "server")
    settings.use_local_server = False

    async def scenario() -> None:
        window = window_with(server, settings)
        logon = await logon_dialog(window)
        assert not logon.create_account_button.isVisibleTo(logon)
        assert not logon.use_local_server and logon.server_edit.text() == REMOTE
        logon.reject()
        assert not server.running

    qloop.run(scenario())


def test_switching_to_the_built_in_server_counts_at_the_next_sign_in(
        gui_app: Any, qloop: Any, settings: AppSettings, tmp_path: Path) -> None:
    server = BuiltInServer(tmp_path / "server")

    async def scenario() -> None:
        await server.address()
        server.create_account("me@example.com", "Me", "pass1")
        window = window_with(server, settings)
        assert not await window.session.sign_in("me@example.com", "pass1")  # the remote one is down
        settings.use_local_server = True  # what Options > Connection > OK stores
        assert await window.session.sign_in("me@example.com", "pass1")
        await window.session.sign_out()

    try:
        qloop.run(scenario())
    finally:
        qloop.run(server.close())


def test_a_first_start_offers_this_computer_and_a_server_in_the_log_on_dialog(
        gui_app: Any, qloop: Any, settings: AppSettings, tmp_path: Path) -> None:
    """No arguments, no settings: the dialog offers both real choices, and "this computer" works at once."""
    server = BuiltInServer(tmp_path / "server")
    window = build_main_window("127.0.0.1:1863", settings=settings, credentials=MemoryCredentials(),
                               engine_factory=fast_engine, local_server=server.address,
                               create_account=server.create_account)
    window.show()

    async def scenario() -> None:
        logon = await logon_dialog(window)
        assert logon.local_radio.isVisibleTo(logon) and logon.remote_radio.isVisibleTo(logon)
        assert logon.use_local_server  # nothing else was ever chosen: the choice that works
        assert logon.server_edit.text() == "127.0.0.1:1863" and not logon.server_edit.isEnabled()
        assert logon.create_account_button.isVisibleTo(logon)

        # Choosing a server shows its address, editable, and a typo is explained before OK.
        logon.remote_radio.click()
        assert logon.server_edit.isEnabled() and not logon.create_account_button.isVisibleTo(logon)
        QTest.keyClicks(logon.account_edit, "me@example.com")
        logon.server_edit.setText("my server:1863")
        assert not logon.ok_button.isEnabled() and "no spaces" in logon.server_problem_label.text()
        logon.server_edit.setText("127.0.0.1:1")
        assert logon.ok_button.isEnabled()
        logon.ok_button.click()
        await wait_until(lambda: window.session.state == SIGNED_OUT and bool(window.error_text))
        assert "no server is running at that address on this computer" in window.error_text
        assert "network" not in window.error_text

        # Back to this computer: create an account (not pre-filled with an existing one), and sign in.
        logon = await logon_dialog(window)
        assert not logon.use_local_server and logon.server_edit.text() == "127.0.0.1:1"
        logon.local_radio.click()
        QTest.keyClicks(logon.account_edit, "me@example.com")
        form = window.open_create_account(logon)
        assert form.handle_edit.text() == "me@example.com"  # typed, never signed in: fine to offer
        fill(form, "me@example.com", "Me", "pass1", "pass1")
        form.create_button.click()
        await wait_until(lambda: not form.isVisible())
        logon.ok_button.click()
        await wait_until(lambda: window.session.state == SIGNED_IN)
        assert settings.use_local_server
        await window.session.sign_out()

        logon = await logon_dialog(window)
        assert logon.use_local_server and logon.account == "me@example.com"
        form = window.open_create_account(logon)
        assert form.handle_edit.text() == ""  # the account that exists is not offered again
        form.reject()
        logon.reject()

    try:
        qloop.run(scenario())
    finally:
        qloop.run(server.close())
