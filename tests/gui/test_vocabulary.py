"""One sign-in vocabulary (ui-fidelity §14.10, docs/design/ui-decisions.md): every command the user can
pick, title and label says Sign In / Sign Out (the evidence for "Log On" is one modern replica)."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QLabel

from msnqt.gui.app.credentials import MemoryCredentials
from msnqt.gui.main import build_main_window
from msnqt.gui.mainwindow.logon_dialog import LogonDialog
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
        # The dialog too (issue 16): one word for the action everywhere.
        assert logon.windowTitle() == "Sign In - MSN Messenger Service"
        assert any(plain(label.text()) == "Sign-in name:" for label in logon.findChildren(QLabel))
        labels = [plain(label.text()) for label in logon.findChildren(QLabel)] + [logon.windowTitle()]
        assert [text for text in labels if OTHER_WORDS.search(text)] == []
        logon.reject()

    qloop.run(scenario())
