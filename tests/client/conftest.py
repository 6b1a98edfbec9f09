"""Client tests fail on any ``msnqt.*`` WARNING they did not declare (tests/support/logfail.py)."""

from __future__ import annotations

from tests.support.logfail import logfail  # noqa: F401 (autouse fixture)
