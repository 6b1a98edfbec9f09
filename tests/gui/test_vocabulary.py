"""One sign-in vocabulary (ui-fidelity §14.10, docs/design/ui-decisions.md): every command the user can
pick says Sign In / Sign Out; only the Log On dialog's title and its "Logon Name" label keep 1.0's words."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QLabel

from msnqt.gui.credentials import MemoryCredentials
from msnqt.gui.logon_dialog import LogonDialog
from msnqt.gui.main import build_main_window
from tests.support.qt import wait_until

OTHER_WORDS = re.compile(r"\blog ?(on|off|in|out)\b|\blog(on|off|in|out)\b", re.IGNORECASE)


def plain(text: str) -> str:
    return text.replace("&", "")


def test_every_command_says_sign_in_or_sign_out(gui_app: Any, qloop: Any, settings: Any) -> None:
    async def scenario() -> None:
        window = build_main_window("127.0.0.1:1", settings=settings, credentials=MemoryCredentials())
        window.show()
        window.open_logon()
        await wait_until(lambda: window.logon_dialog is not None and window.logon_dialog.isVisible())
        logon = window.logon_dialog
        assert isinstance(logon, LogonDialog)
        commands = [plain(a.text()) for a in window.findChildren(QAction) if a.text()]
        commands += [plain(b.text()) for b in logon.findChildren(QAbstractButton)
                     if not b.isCheckable()]  # "Remember my password" is a setting, not a command
        links = [label.text() for label in window.findChildren(QLabel) if "href" in label.text()]
        assert "Sign In..." in commands and "Sign Out" in commands
        assert [c for c in commands if OTHER_WORDS.search(c)] == []
        assert [link for link in links if OTHER_WORDS.search(link)] == []
        assert any("Click here to sign in" in link for link in links)
        # 1.0's own words stay where the issue names them.
        assert logon.windowTitle() == "Log On - MSN Messenger Service"
        assert any(plain(label.text()) == "Logon Name:" for label in logon.findChildren(QLabel))
        logon.reject()

    qloop.run(scenario())
