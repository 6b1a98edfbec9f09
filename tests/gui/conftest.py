"""GUI test fixtures: the classic look on the shared QApplication, temp QSettings, in-memory passwords."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from msnqt.gui.credentials import MemoryCredentials
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


@pytest.fixture
def memory_credentials() -> MemoryCredentials:
    return MemoryCredentials()


def noop(*_args: Any) -> None:
    return None
