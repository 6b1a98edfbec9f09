"""The desktop-integration screens for docs/screenshots/ (called from make_screenshots.py): the Options
dialog's Preferences and Connection tabs, the "X has just signed in" alert, and the main window with the
unread-mail line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from msnqt.gui.options.dialog import OptionsDialog
from tests.gui.live import PASSWORD, World
from tests.support.qt import wait_until

ALICE, DAVE = "alice@hotmail.com", "dave@hotmail.com"


async def render_desktop_screens(window: Any, w: World, out: Path,
                                 save: Callable[[QWidget, Path], None]) -> None:
    options: OptionsDialog = window.contact_ui.open_options()
    options.tabs.setCurrentWidget(options.preferences_tab)
    save(options, out / "options-preferences.png")
    options.tabs.setCurrentWidget(options.connection_tab)
    save(options, out / "options-connection.png")
    options.reject()

    notifier = window.extras.notifier
    await w.sign_in(DAVE)
    await wait_until(lambda: len(notifier.toasts) == 1)
    save(notifier.toasts[0], out / "alert-signed-in.png")
    notifier.toasts[0].close()

    await window.session.sign_out()
    w.server.set_mailbox(ALICE, 2, 0)
    assert await window.session.sign_in(ALICE, PASSWORD)
    await wait_until(lambda: window.extras.mail_line.plain_text == "2 new e-mail messages")
    save(window, out / "main-window-mail.png")
