"""Fixtures shared by the GUI and app tests (imported into their conftests)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from msnqt.gui.app.look import apply_classic_look
from msnqt.gui.app.settings import AppSettings
from tests.gui.teardown import close_every_window


@pytest.fixture
def gui_app(qapp: QApplication) -> Iterator[QApplication]:
    """The shared QApplication in the classic look; every window is closed and deleted afterwards."""
    apply_classic_look(qapp)
    qapp.setQuitOnLastWindowClosed(False)
    yield qapp
    close_every_window(qapp)


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    """Settings in a temporary INI file: never the user's real configuration."""
    return AppSettings(QSettings(str(tmp_path / "msnqt.ini"), QSettings.Format.IniFormat))
