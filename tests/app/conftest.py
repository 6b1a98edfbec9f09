"""App test fixtures: the classic look on the shared QApplication, temporary settings, fast demo bots;
any msnqt warning a test did not declare fails it (tests/support/logfail.py)."""

from __future__ import annotations

from msnqt.demo import DemoTimings
from tests.support.gui_fixtures import gui_app, settings  # noqa: F401 (fixtures)
from tests.support.logfail import logfail  # noqa: F401 (autouse: unexpected msnqt warnings fail)

QUIET = DemoTimings(reply_delay=0.3, status_interval=60.0, invite_delay=60.0, request_timeout=5.0)
"""Bots that answer quickly and otherwise keep still, so a test sees one behaviour at a time."""
