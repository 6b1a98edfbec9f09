"""Every scenario on the test loop has a deadline (tests/support/bounded.py): a hang fails this test with
the line it was stuck on instead of running into pytest-timeout."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.bounded import BoundedRunner


@pytest.fixture
def aloop(aloop: asyncio.Runner) -> BoundedRunner:
    return BoundedRunner(aloop)


@pytest.fixture
def qloop(qloop: asyncio.Runner) -> BoundedRunner:
    return BoundedRunner(qloop)
