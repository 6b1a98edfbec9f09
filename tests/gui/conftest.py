"""GUI test fixtures: the classic look on the shared QApplication, temp QSettings, in-memory passwords;
any msnqt warning a test did not declare fails it (tests/support/logfail.py)."""

from __future__ import annotations

from typing import Any

import pytest

from msnqt.gui.app.credentials import MemoryCredentials
from tests.support.gui_fixtures import gui_app, settings  # noqa: F401 (fixtures)
from tests.support.logfail import logfail  # noqa: F401 (autouse: unexpected msnqt warnings fail)


@pytest.fixture
def memory_credentials() -> MemoryCredentials:
    return MemoryCredentials()


def noop(*_args: Any) -> None:
    return None
