"""The tray icon. Without a system tray (offscreen, bare Xvfb) nothing is created and closing the main
window ends the app as before; with one, its menu drives the real session and closing only hides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from msnqt.gui.app.credentials import MemoryCredentials
from msnqt.gui.desktop import tray as tray_module
from msnqt.gui.main import build_main_window
from msnqt.gui.mainwindow.window import MainWindow
from msnqt.gui.session.state import SIGNED_OUT
from msnqt.gui.text.plain_text import plain_tray_text
from msnqt.protocol.codes import Status
from tests.gui.live import PASSWORD, World, fast_engine, world
from tests.gui.test_plain_text import NAME, _shown
from tests.support.qt import wait_until

ALICE, BOB, DAVE = "alice@hotmail.com", "bob@hotmail.com", "dave@hotmail.com"


def gui_for(w: World, settings: Any) -> MainWindow:
    window = build_main_window(w.address, settings=settings, credentials=MemoryCredentials(),
                               engine_factory=fast_engine)
    window.show()
    return window


def test_without_a_tray_closing_the_window_ends_the_app(gui_app: Any, qloop: Any, settings: Any,
                                                        tmp_path: Path) -> None:
    assert not tray_module.tray_available()  # the offscreen platform has none

    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = gui_for(w, settings)
            assert window.extras.tray is None
            assert await window.session.sign_in(ALICE, PASSWORD)
            last_closed: list[bool] = []
            gui_app.lastWindowClosed.connect(lambda: last_closed.append(True))
            assert window.close()
            assert not window.isVisible()
            assert last_closed == [True]  # run_app takes this as the end of the app

    qloop.run(scenario())


@pytest.fixture
def pretend_tray(monkeypatch: pytest.MonkeyPatch) -> None:
    """A desktop that has a notification area (the icon itself is harmless where nothing shows it)."""
    monkeypatch.setattr(tray_module, "tray_available", lambda: True)


def test_tray_menu_follows_and_drives_my_status(gui_app: Any, qloop: Any, settings: Any, tmp_path: Path,
                                                pretend_tray: None) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = gui_for(w, settings)
            tray = window.extras.tray
            assert tray is not None
            labels = [a.text() for a in tray.menu.actions() if not a.isSeparator() and a.isVisible()]
            assert labels == ["&Open MSN Messenger Service", "Sign &In...", "My &Status", "E&xit"]
            assert tray.icon.toolTip() == "MSN Messenger Service - Not signed in"
            assert not tray.status_menu.isEnabled()
            grey = tray.icon.icon().pixmap(16, 16).toImage()

            assert await window.session.sign_in(ALICE, PASSWORD)
            assert tray.icon.toolTip() == "MSN Messenger Service - Alice (Online)"
            assert tray.status_menu.isEnabled() and not tray.sign_in_action.isVisible()
            assert tray.sign_out_action.isVisible()  # same words as File > Sign Out
            assert tray.icon.icon().pixmap(16, 16).toImage() != grey  # coloured when online

            tray.status_actions[Status.AWAY].trigger()
            await wait_until(lambda: w.peers[BOB].engine.contact(ALICE).status is Status.AWAY)
            # the server tells the watchers before it acknowledges the CHG: Bob may hear of it first
            await wait_until(lambda: tray.icon.toolTip() == "MSN Messenger Service - Alice (Away)")
            assert tray.status_actions[Status.AWAY].isChecked()

            tray.sign_out_action.trigger()
            await wait_until(lambda: window.session.state == SIGNED_OUT)
            assert tray.sign_in_action.isVisible() and not tray.sign_out_action.isVisible()

    qloop.run(scenario())


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # Open raises the window
def test_with_a_tray_close_hides_and_exit_ends(gui_app: Any, qloop: Any, settings: Any, tmp_path: Path,
                                               pretend_tray: None) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = gui_for(w, settings)
            tray = window.extras.tray
            assert tray is not None
            last_closed: list[bool] = []
            gui_app.lastWindowClosed.connect(lambda: last_closed.append(True))
            assert not window.close()  # refused: the app keeps running in the tray
            assert not window.isVisible() and last_closed == []

            tray.open_action.trigger()
            assert window.isVisible()
            assert window.session.state == SIGNED_OUT
            await wait_until(lambda: window.logon_dialog is not None and window.logon_dialog.isVisible())
            window.logon_dialog.reject()

            tray.exit_action.trigger()
            assert not window.isVisible() and last_closed == [True]
            assert not tray.icon.isVisible()

    qloop.run(scenario())


def test_with_a_tray_closing_a_conversation_while_hidden_keeps_the_app(
        gui_app: Any, qloop: Any, settings: Any, tmp_path: Path, pretend_tray: None) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = gui_for(w, settings)
            assert await window.session.sign_in(ALICE, PASSWORD)
            last_closed: list[bool] = []
            gui_app.lastWindowClosed.connect(lambda: last_closed.append(True))
            conversation = window.session.open_conversation(BOB)
            assert not window.close()  # into the tray
            conversation.close()
            assert last_closed == []  # still running in the tray
            assert window.extras.tray is not None
            window.extras.tray.exit_action.trigger()
            assert last_closed == [True]

    qloop.run(scenario())


def test_tray_tool_tip_shows_my_name_as_typed_not_as_markup(gui_app: Any, qloop: Any, settings: Any,
                                                            tmp_path: Path, pretend_tray: None) -> None:
    """A friendly name like ``<b>Mallory</b><!--`` is shown whole in the tray tool tip, never rendered."""
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = gui_for(w, settings)
            tray = window.extras.tray
            assert tray is not None
            assert await window.session.sign_in(ALICE, PASSWORD)
            await window.session.set_friendly_name(NAME)
            wanted = f"MSN Messenger Service - {NAME} (Online)"
            await wait_until(lambda: _shown(tray.icon.toolTip()) == wanted)
            # An ordinary name stays the bare text every tray shows as is.
            await window.session.set_friendly_name("Alice")
            await wait_until(lambda: tray.icon.toolTip() == "MSN Messenger Service - Alice (Online)")

    qloop.run(scenario())


def test_native_tray_tool_tips_get_the_name_unescaped() -> None:
    """Windows and macOS show the tray tool tip as plain text: escaping there would show "&lt;b&gt;"."""
    text = f"MSN Messenger Service - {NAME} (Online)"
    assert plain_tray_text(text, platform="win32") == text
    assert plain_tray_text(text, platform="darwin") == text
    assert _shown(plain_tray_text(text, platform="linux")) == text


def test_tray_balloon_shows_a_contacts_name_as_typed_not_as_markup(
        gui_app: Any, qloop: Any, settings: Any, tmp_path: Path, pretend_tray: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The "has just signed in" balloon names the contact whole: ``<b>Mallory</b><!--`` must not show as a
    bold "Mallory" with the rest of the line hidden (Qt's own balloon label guesses the format)."""
    async def scenario() -> None:
        async with world(tmp_path) as w:
            dave = await w.sign_in(DAVE)
            await dave.engine.set_friendly_name(NAME)
            await dave.engine.sign_out()
            window = gui_for(w, settings)
            tray = window.extras.tray
            assert tray is not None
            balloons: list[tuple[str, str]] = []
            monkeypatch.setattr(tray.icon, "showMessage",
                                lambda title, text, *_rest: balloons.append((title, text)))
            assert await window.session.sign_in(ALICE, PASSWORD)
            await dave.engine.sign_in(DAVE, PASSWORD)
            await wait_until(lambda: len(balloons) == 1)
            title, text = balloons[0]
            assert _shown(title) == "MSN Messenger Service"
            assert _shown(text) == f"{NAME} has just signed in."

    qloop.run(scenario())
