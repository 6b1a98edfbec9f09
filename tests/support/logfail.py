"""Tests fail on any ``msnqt.*`` WARNING or worse that the test did not declare (qutebrowser's ``logfail``).

A warning is the program saying something went wrong, and a test that passes while the engine or the app
complains hides a bug. The ``logfail`` fixture is imported into the conftests of the suites that use it
(client, gui, app); a test declares the warnings it expects with ``logfail.allow(regex)``."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest


class LogFail(logging.Handler):
    """Collects ``msnqt.*`` warnings so a test can fail on the ones it did not expect."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []
        self.allowed: list[re.Pattern[str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def allow(self, pattern: str) -> None:
        """Warnings whose message matches ``pattern`` (re.search) are expected in this test."""
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        messages = [f"{r.name} {r.levelname}: {r.getMessage()}" for r in self.records]
        return [m for m in messages if not any(p.search(m) for p in self.allowed)]


@pytest.fixture(autouse=True)
def logfail() -> Iterator[LogFail]:
    handler = LogFail()
    logger = logging.getLogger("msnqt")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
    unexpected = handler.unexpected()
    if unexpected:
        pytest.fail("unexpected warnings from msnqt:\n" + "\n".join(unexpected), pytrace=False)
