"""Hotmail with the bundled server: the Tools menu entries and the unread-mail line never open a dead
link; they explain that there is no mailbox. A server that answers a live address gets it opened."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtTest import QTest

from msnqt.gui.app.credentials import MemoryCredentials
from msnqt.gui.desktop.hotmail import COMPOSE, INBOX, PASSWORD, PERSON, link_target
from msnqt.gui.main import build_main_window
from msnqt.gui.mainwindow.window import MainWindow
from msnqt.protocol.codes import Status
from tests.gui.live import PASSWORD as SECRET
from tests.gui.live import World, fast_engine, world
from tests.support.qt import wait_until

ALICE = "alice@hotmail.com"


def gui_for(w: World, settings: Any) -> tuple[MainWindow, list[QUrl]]:
    window = build_main_window(w.address, settings=settings, credentials=MemoryCredentials(),
                               engine_factory=fast_engine)
    opened: list[QUrl] = []
    window.extras.hotmail.open_url = lambda url: opened.append(url) or True
    window.show()
    return window, opened


def test_links_are_disabled_while_signed_out(gui_app: Any, qloop: Any, settings: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window, _ = gui_for(w, settings)
            actions = window.extras.hotmail_actions
            assert set(actions) == {INBOX, COMPOSE, PASSWORD, PERSON}
            assert not any(a.isEnabled() for a in actions.values())
            assert await window.session.sign_in(ALICE, SECRET)
            assert all(a.isEnabled() for a in actions.values())

    qloop.run(scenario())


def test_a_server_without_mail_greys_the_hotmail_items_and_says_why(gui_app: Any, qloop: Any, settings: Any,
                                                                      tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window, opened = gui_for(w, settings)
            assert await window.session.sign_in(ALICE, SECRET)
            actions = window.extras.hotmail_actions
            await wait_until(lambda: not any(a.isEnabled() for a in actions.values()))
            for action in actions.values():
                assert "no Hotmail mailbox behind it" in action.toolTip()
                assert "no Hotmail mailbox behind it" in action.statusTip()
            assert opened == []

    qloop.run(scenario())


@pytest.mark.parametrize("service", [INBOX, COMPOSE, PASSWORD, PERSON])
def test_the_bundled_server_gets_an_explanation_not_a_dead_link(gui_app: Any, qloop: Any, settings: Any,
                                                                tmp_path: Path, service: str) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window, opened = gui_for(w, settings)
            assert await window.session.sign_in(ALICE, SECRET)
            hotmail = window.extras.hotmail
            hotmail.open(service)  # as the mail line does
            await wait_until(lambda: hotmail.message_box is not None and hotmail.message_box.isVisible())
            assert hotmail.message_box is not None
            assert "no Hotmail account behind this server" in hotmail.message_box.text()
            assert opened == []

    qloop.run(scenario())


def test_mail_line_shows_the_servers_count_and_opens_inbox(gui_app: Any, qloop: Any, settings: Any,
                                                           tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window, opened = gui_for(w, settings)
            line = window.extras.mail_line
            assert line.plain_text == ""
            w.server.set_mailbox(ALICE, 3, 1)
            assert await window.session.sign_in(ALICE, SECRET)
            await wait_until(lambda: line.plain_text == "3 new e-mail messages")
            assert line.isVisible()
            assert "3 new e-mail messages" in line.accessibleName()

            line.setFocus()
            QTest.keyClick(line, Qt.Key.Key_Return)  # the keyboard reaches it like the mouse does
            hotmail = window.extras.hotmail
            await wait_until(lambda: hotmail.message_box is not None and hotmail.message_box.isVisible())
            assert "your Hotmail inbox cannot be opened" in hotmail.message_box.text()
            assert opened == []

            await window.session.sign_out()
            assert line.plain_text == "" and not line.isVisible()

    qloop.run(scenario())


def test_no_mail_no_line(gui_app: Any, qloop: Any, settings: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window, _ = gui_for(w, settings)
            w.server.set_mailbox(ALICE, 0, 0)
            assert await window.session.sign_in(ALICE, SECRET)
            await window.session.set_status(Status.BUSY)  # one more round trip: the sign-in mail MSG is in
            assert window.status_button.text() == "Alice (Busy)"
            assert window.extras.mail_line.plain_text == ""

    qloop.run(scenario())


def test_live_addresses_are_opened_and_retired_ones_are_not() -> None:
    live = link_target("https://mail.example.org/inbox", "https://login.example.org/")
    assert live is not None and live.toString() == "https://mail.example.org/inbox"
    via_login = link_target("/cgi-bin/HoTMaiL", "https://login.example.org/auth?lc=1033")
    assert via_login is not None
    assert via_login.toString().startswith("https://login.example.org/auth?lc=1033&rru=")
    passport = "https://loginnet.passport.com/ppsecure/md5auth.srf?lc=1033"  # what the bundled server says
    assert link_target("/cgi-bin/HoTMaiL", passport) is None
    assert link_target("http://www.hotmail.com/", "") is None
    assert link_target("/cgi-bin/compose", "not a url") is None
