"""What the engine learned about a server (it drops the connection on PNG, it has no directory, it closes on
long messages) survives a restart of the app: it is kept in the settings file (issue 13)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from msnqt.client.quirks import SHARED_QUIRKS, ServerQuirks
from msnqt.gui.app.settings import AppSettings
from msnqt.gui.main import keep_server_quirks


def _settings(path: Path) -> AppSettings:
    return AppSettings(QSettings(str(path), QSettings.Format.IniFormat))


def test_a_server_without_png_or_directory_is_remembered_across_runs(tmp_path: Path) -> None:
    first_run = _settings(tmp_path / "msnqt.ini")
    keep_server_quirks(first_run)
    SHARED_QUIRKS.remember_no_ping("Go.Example.org")  # default port, any case: one server
    SHARED_QUIRKS.remember_unanswered("escargot.example.org:1863", "FND")
    SHARED_QUIRKS.remember_small_messages("go.example.org")
    first_run.sync()

    next_run = ServerQuirks()
    next_run.load(_settings(tmp_path / "msnqt.ini").server_quirks)
    assert not next_run.answers_ping("go.example.org:1863")
    assert next_run.answers_ping("escargot.example.org:1863")
    assert not next_run.answers("escargot.example.org", "FND")
    assert next_run.answers("escargot.example.org", "URL")
    assert not next_run.takes_long_messages("go.example.org")
    assert next_run.takes_long_messages("escargot.example.org")


def test_an_edited_settings_line_is_skipped() -> None:
    quirks = ServerQuirks()
    quirks.load("not an address at all\tno-ping\nok.example.org:1863\tno-ping\nok.example.org:1863\tRM -RF")
    assert not quirks.answers_ping("ok.example.org")
    assert quirks.export() == "ok.example.org:1863\tno-ping"
