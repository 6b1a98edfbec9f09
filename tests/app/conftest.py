"""App test fixtures: the classic look on the shared QApplication, temporary settings, fast demo bots."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from msnqt.demo import DemoTimings
from msnqt.gui.look import apply_classic_look
from msnqt.gui.settings import AppSettings
from tests.gui.teardown import close_every_window
from tests.support.bounded import BoundedRunner


@pytest.fixture
def gui_app(qapp: QApplication) -> Iterator[QApplication]:
    apply_classic_look(qapp)
    qapp.setQuitOnLastWindowClosed(False)
    yield qapp
    close_every_window(qapp)


@pytest.fixture
def aloop(aloop: asyncio.Runner) -> BoundedRunner:
    """Every scenario has a deadline (tests/support/bounded.py): a hang names the line it was stuck on."""
    return BoundedRunner(aloop)


@pytest.fixture
def qloop(qloop: asyncio.Runner) -> BoundedRunner:
    return BoundedRunner(qloop)


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    """Settings in a temporary INI file: never the user's real configuration."""
    return AppSettings(QSettings(str(tmp_path / "msnqt.ini"), QSettings.Format.IniFormat))


QUIET = DemoTimings(reply_delay=0.3, status_interval=60.0, invite_delay=60.0, request_timeout=5.0)
"""Bots that answer quickly and otherwise keep still, so a test sees one behaviour at a time."""
