"""GUI test fixtures: the classic look on the shared QApplication, temp QSettings, in-memory passwords."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings
from PySide6.QtWidgets import QApplication

from msnqt.gui.credentials import MemoryCredentials
from msnqt.gui.look import apply_classic_look
from msnqt.gui.settings import AppSettings


@pytest.fixture
def gui_app(qapp: QApplication) -> Iterator[QApplication]:
    apply_classic_look(qapp)
    qapp.setQuitOnLastWindowClosed(False)
    yield qapp
    close_every_window(qapp)


def close_every_window(qapp: QApplication) -> None:
    """Close and delete every top-level widget a test left behind, now rather than "later".

    Closing one window can close or create others (a conversation tells its session, a dialog's parent goes
    away), so the list is re-read until it is empty, and the deferred deletions are delivered before the
    next test starts: no half-destroyed window from this test meets the next test's loop.
    """
    for _round in range(5):
        widgets = [w for w in qapp.topLevelWidgets() if w.isVisible() or w.parent() is None]
        if not widgets:
            break
        for widget in widgets:
            widget.close()
            widget.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    """Settings in a temporary INI file: never the user's real configuration."""
    return AppSettings(QSettings(str(tmp_path / "msnqt.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def memory_credentials() -> MemoryCredentials:
    return MemoryCredentials()


def noop(*_args: Any) -> None:
    return None
