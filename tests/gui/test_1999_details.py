"""1999 details a user notices: passwords echo as *, About names the version, Help Topics is there (F1), the
signed-out page offers the last account as a link, and an empty list says how to add someone. Real
engines on the real in-process server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLineEdit, QStyle

from msnqt import __version__
from msnqt.gui.app.credentials import MemoryCredentials
from msnqt.gui.main import build_main_window
from msnqt.gui.session.state import SIGNED_IN
from msnqt.server import MsnServer, ServerConfig
from tests.gui.live import PASSWORD, fast_engine, world
from tests.gui.test_with_server import ALICE, signed_in_gui
from tests.support.qt import wait_until


def test_passwords_echo_as_stars(gui_app: Any) -> None:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    assert edit.style().styleHint(QStyle.StyleHint.SH_LineEdit_PasswordCharacter, None, edit) == ord("*")
    edit.setText("secret")
    assert edit.displayText() == "******"


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_about_names_the_version_and_help_topics_open(gui_app: Any, qloop: Any, settings: Any) -> None:
    async def scenario() -> None:
        window = build_main_window("127.0.0.1:1", settings=settings, credentials=MemoryCredentials())
        window.show()
        labels = [a.text() for a in window.menuBar().actions()[-1].menu().actions() if a.text()]
        assert labels == ["&Help Topics", "&About MSN Messenger Service"]
        window.help_action.trigger()
        assert window.help_dialog is not None and window.help_dialog.isVisible()
        assert "Saving a conversation" in window.help_dialog.plain_text()
        window.help_dialog.close()
        window.menuBar().actions()[-1].menu().actions()[-1].trigger()
        assert window.message_box is not None and f"Version {__version__}" in window.message_box.text()
        window.message_box.close()

    qloop.run(scenario())


def test_signed_out_page_offers_the_last_account(gui_app: Any, qloop: Any, settings: Any,
                                                 tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            await window.session.sign_out()
            assert ALICE in window.sign_in_link.text() and "different name" in window.sign_in_link.text()
            # No password remembered: the account's link asks for it, with the account filled in.
            window.sign_in_link.linkActivated.emit("last")
            await wait_until(lambda: window.logon_dialog is not None and window.logon_dialog.isVisible())
            assert window.logon_dialog is not None and window.logon_dialog.account == ALICE
            window.logon_dialog.reject()
            window.sign_in_link.linkActivated.emit("other")
            await wait_until(lambda: window.logon_dialog is not None and window.logon_dialog.isVisible())
            assert window.logon_dialog is not None and window.logon_dialog.account == ""
            window.logon_dialog.reject()

            # With the password remembered, the link signs straight in.
            await window.session.credentials.save(ALICE, PASSWORD)
            window.sign_in_link.linkActivated.emit("last")
            await wait_until(lambda: window.session.state == SIGNED_IN)

    qloop.run(scenario())


def test_an_empty_list_hints_at_add(gui_app: Any, qloop: Any, settings: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        server = await MsnServer.start(ServerConfig(data_dir=tmp_path, host="127.0.0.1", ds_port=0, ns_port=0,
                                                    sb_port=0))
        try:
            server.add_account("new@hotmail.com", PASSWORD, "Newcomer")
            server.add_account(ALICE, PASSWORD, "Alice")
            host, port = server.ds_address
            window = build_main_window(f"{host}:{port}", settings=settings, credentials=MemoryCredentials(),
                                       engine_factory=fast_engine)
            window.show()
            assert not window.empty_hint.isVisible()
            assert await window.session.sign_in("new@hotmail.com", PASSWORD)
            assert window.empty_hint.isVisible() and "click Add" in window.empty_hint.text()
            await window.contact_ui.run(window.contact_ui.actions.add(ALICE))
            await wait_until(lambda: not window.empty_hint.isVisible())
            await window.session.sign_out()
        finally:
            await server.close()

    qloop.run(scenario())


def test_message_boxes_have_9x_style_icons_of_our_own(gui_app: Any) -> None:
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QMessageBox

    from msnqt.gui.app.resources import icon

    for kind, name, colour in ((QMessageBox.Icon.Warning, "msgbox-warning", "#ffff00"),
                               (QMessageBox.Icon.Critical, "msgbox-critical", "#ff0000"),
                               (QMessageBox.Icon.Information, "msgbox-information", "#0000c0"),
                               (QMessageBox.Icon.Question, "msgbox-question", "#0000c0")):
        box = QMessageBox(kind, "MSN Messenger Service", "text")
        shown = box.iconPixmap().toImage()
        ours = icon(name).pixmap(box.iconPixmap().size()).toImage()
        assert shown == ours, name
        colours = {shown.pixelColor(x, y).name() for x in range(shown.width()) for y in range(shown.height())}
        assert QColor(colour).name() in colours, name
