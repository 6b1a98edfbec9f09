"""App test fixtures: the classic look on the shared QApplication, temporary settings, fast demo bots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from msnqt.demo import DemoTimings
from msnqt.gui.look import apply_classic_look
from msnqt.gui.settings import AppSettings


@pytest.fixture
def gui_app(qapp: QApplication) -> Iterator[QApplication]:
    apply_classic_look(qapp)
    qapp.setQuitOnLastWindowClosed(False)
    yield qapp
    for widget in qapp.topLevelWidgets():
        widget.close()
        widget.deleteLater()


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    """Settings in a temporary INI file: never the user's real configuration."""
    return AppSettings(QSettings(str(tmp_path / "msnqt.ini"), QSettings.Format.IniFormat))


QUIET = DemoTimings(reply_delay=0.3, status_interval=60.0, invite_delay=60.0, request_timeout=5.0)
"""Bots that answer quickly and otherwise keep still, so a test sees one behaviour at a time."""
