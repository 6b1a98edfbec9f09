"""``msnqt`` without --demo: the GUI gets the built-in server's two hooks, its data folder is the one
asked for, and --server picks a server explicitly (turning the built-in one off)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

import msnqt.gui.app.settings
import msnqt.gui.main
from msnqt.app import gui_main
from msnqt.gui.app.settings import AppSettings


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """run_gui replaced by a recorder; settings in a temporary INI with the built-in server chosen."""
    calls: dict[str, Any] = {}
    settings = AppSettings(QSettings(str(tmp_path / "msnqt.ini"), QSettings.Format.IniFormat))
    settings.use_local_server = True
    monkeypatch.setattr(msnqt.gui.app.settings, "AppSettings", lambda: settings)

    def record(server: str, **kwargs: Any) -> int:
        calls.update(kwargs, server=server)
        return 0

    monkeypatch.setattr(msnqt.gui.main, "run_gui", record)
    return calls


def test_the_desktop_app_can_run_the_built_in_server(captured: dict[str, Any], aloop: Any,
                                                     tmp_path: Path) -> None:
    assert gui_main(["--data-dir", str(tmp_path / "accounts")]) == 0
    assert captured["settings"].use_local_server

    async def scenario() -> None:
        async with captured["backend"]():
            address = await captured["local_server"]()
            assert address.startswith("127.0.0.1:")
            captured["create_account"]("me@example.com", "Me", "secret1")
        assert (tmp_path / "accounts").is_dir() and any((tmp_path / "accounts").iterdir())

    aloop.run(scenario())


def test_an_explicit_server_turns_the_built_in_one_off(captured: dict[str, Any]) -> None:
    assert gui_main(["--server", "messenger.example.org:1863"]) == 0
    assert captured["server"] == "messenger.example.org:1863"
    assert not captured["settings"].use_local_server
