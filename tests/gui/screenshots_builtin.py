"""The built-in server's screens for docs/screenshots/ (called from make_screenshots.py): the Log On dialog
when the built-in server is chosen, and the "Create a New Account" form filled in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from msnqt.app import BuiltInServer
from msnqt.gui.app.credentials import MemoryCredentials
from msnqt.gui.app.settings import AppSettings
from msnqt.gui.main import build_main_window
from tests.gui.live import fast_engine
from tests.support.qt import wait_until


async def render_builtin_screens(work: Path, out: Path, save: Callable[[QWidget, Path], None]) -> None:
    settings = AppSettings(QSettings(str(work / "builtin.ini"), QSettings.Format.IniFormat))
    settings.use_local_server = True
    server = BuiltInServer(work / "builtin-server")
    window = build_main_window("127.0.0.1:1", settings=settings, credentials=MemoryCredentials(),
                               engine_factory=fast_engine, idle_ms=0, local_server=server.address,
                               create_account=server.create_account)
    try:
        window.show()
        window.open_logon()
        await wait_until(lambda: window.logon_dialog is not None and window.logon_dialog.isVisible())
        logon = window.logon_dialog
        assert logon is not None
        logon.adjustSize()
        save(logon, out / "logon-dialog-built-in-server.png")
        form = window.open_create_account(logon)
        form.handle_edit.setText("me@example.com")
        form.name_edit.setText("Me")
        form.password_edit.setText("secret")
        form.again_edit.setText("secre")
        form.create_button.click()  # the mismatch sentence, shown in the form
        form.adjustSize()
        save(form, out / "create-account.png")
        form.reject()
        logon.reject()
    finally:
        await window.session.shutdown()
        window.close()
        await server.close()
