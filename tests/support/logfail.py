"""Collects ``msnqt.*`` warnings so a test can fail on the ones it did not expect (qutebrowser's logfail)."""

from __future__ import annotations

import logging
import re


class LogFail(logging.Handler):
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
