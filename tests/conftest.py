"""Shared fixtures. QT_QPA_PLATFORM is set before any QApplication exists (toolchain-notes §3)."""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.backends import BackendMissing, Postgres, Redis, postgres_server, redis_server
from tests.support.bounded import BoundedRunner

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test may touch the real keyring of the machine running it.
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
# Nor its log files (msnqt.logfile): programs started by tests, in-process or not, log to a throw-away folder.
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="msnqt-test-state-")


@pytest.fixture(autouse=True)
def _msnqt_logging_restored() -> Iterator[None]:
    """An entry point called in-process (gui_main, cli_main) opens its log file on the ``msnqt`` logger;
    the next test gets the logger as it was."""
    logger = logging.getLogger("msnqt")
    handlers, level = list(logger.handlers), logger.level
    yield
    for handler in [h for h in logger.handlers if h not in handlers]:
        logger.removeHandler(handler)
        handler.close()
    logger.setLevel(level)


@pytest.fixture(autouse=True)
def _fresh_server_quirks() -> Iterator[None]:
    """What one test's fake server taught the engines (no PNG, ...) must not reach the next test, whose
    server may get the same loopback port."""
    yield
    from msnqt.client.quirks import SHARED_QUIRKS

    SHARED_QUIRKS.clear()
    SHARED_QUIRKS.on_change = None


@pytest.fixture
def aloop() -> Iterator[BoundedRunner]:
    """A plain asyncio loop for tests of the server and the engine (no Qt): ``aloop.run(coro)``.

    Every ``run`` has a deadline (tests/support/bounded.py): a hang fails this test naming the line it was
    stuck on, instead of running into pytest-timeout."""
    errors: list[dict[str, Any]] = []
    with asyncio.Runner() as runner:
        runner.get_loop().set_exception_handler(lambda loop, ctx: errors.append(ctx))
        yield BoundedRunner(runner)
        gc.collect()
    if errors:
        pytest.fail("asyncio errors: " + "; ".join(
            f"{c.get('message')}: {c.get('exception')!r}" for c in errors), pytrace=False)


@pytest.fixture
def qloop(qapp: Any) -> Iterator[BoundedRunner]:
    """One qasync loop per test, driving pytest-qt's session QApplication: ``qloop.run(coro)`` (bounded)."""
    import qasync

    errors: list[dict[str, Any]] = []
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(qapp)) as runner:
        runner.get_loop().set_exception_handler(lambda loop, ctx: errors.append(ctx))
        yield BoundedRunner(runner)
        gc.collect()
    if errors:
        pytest.fail("asyncio errors on the qasync loop: " + "; ".join(
            f"{c.get('message')}: {c.get('exception')!r}" for c in errors), pytrace=False)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """One real PostgreSQL for the session (started only when a test asks for it; fails if missing)."""
    try:
        with postgres_server() as server:
            yield server
    except BackendMissing as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def redis_backend() -> Iterator[Redis]:
    """One real Redis for the session (started only when a test asks for it; fails if missing)."""
    try:
        with redis_server() as server:
            yield server
    except BackendMissing as exc:
        pytest.fail(str(exc), pytrace=False)


_databases = itertools.count(1)


@pytest.fixture
def pg_dsn(postgres: Postgres) -> str:
    """A fresh, empty database of the session's PostgreSQL for this test."""
    import psycopg

    name = f"msnqt_test_{os.getpid()}_{next(_databases)}"
    with psycopg.connect(postgres.dsn(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return postgres.dsn(name)


@pytest.fixture
def redis_url(redis_backend: Redis) -> str:
    """Database 0 of the session's Redis, emptied for this test (clusters use the others)."""
    import redis

    url = redis_backend.url()
    with redis.Redis.from_url(url) as client:
        client.flushdb()
    return url
