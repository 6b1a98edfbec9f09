"""Client tests fail on any ``msnqt.*`` WARNING or worse that the test did not declare (qutebrowser's
``logfail``): a warning is the engine saying something went wrong, and a test that passes while the
engine complains hides a bug. Declare the expected ones with ``logfail.allow(regex)``."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.support.logfail import LogFail


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
