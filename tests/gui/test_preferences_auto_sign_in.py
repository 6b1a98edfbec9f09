""""Automatically sign me in": the app signs in on start with the remembered password, and opens the
Log On dialog instead when no password is remembered (the option never silently does nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from msnqt.gui.app.credentials import MemoryCredentials
from msnqt.gui.main import build_main_window
from msnqt.gui.session.state import SIGNED_IN
from tests.gui.live import PASSWORD, fast_engine, world
from tests.support.qt import wait_until

ALICE = "alice@hotmail.com"


def test_auto_sign_in_uses_the_remembered_password(gui_app: Any, qloop: Any, settings: Any,
                                                   tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            credentials = MemoryCredentials()
            await credentials.save(ALICE, PASSWORD)
            settings.last_account = ALICE
            settings.auto_sign_in = True
            window = build_main_window(w.address, settings=settings, credentials=credentials,
                                       engine_factory=fast_engine)
            window.show()
            await wait_until(lambda: window.session.state == SIGNED_IN)
            assert window.status_button.text() == "Alice (Online)"

    qloop.run(scenario())


def test_auto_sign_in_without_a_password_asks_for_it(gui_app: Any, qloop: Any, settings: Any,
                                                     tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            settings.last_account = ALICE
            settings.auto_sign_in = True
            window = build_main_window(w.address, settings=settings, credentials=MemoryCredentials(),
                                       engine_factory=fast_engine)
            window.show()
            await wait_until(lambda: window.logon_dialog is not None and window.logon_dialog.isVisible())
            assert window.logon_dialog is not None
            assert window.logon_dialog.account_edit.text() == ALICE

    qloop.run(scenario())
