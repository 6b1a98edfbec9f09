"""One cluster (DS, two NS, two SB, real PostgreSQL and Redis) shared by the tests of a module.

Tests that break a component (kill -9) start their own with :func:`tests.cluster.topology.cluster`.
What the components write to stderr is checked for tracebacks and errors (``topology``); what runs in
this process (the roles of ``harness.py``, the Redis ports) for any msnqt warning (``logfail``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.topology import Cluster, cluster, component_logs, fail_on_unexpected_log, new_backends
from tests.support.backends import Postgres, Redis
from tests.support.logfail import logfail  # noqa: F401 (autouse: unexpected msnqt warnings fail)


@pytest.fixture(scope="module")
def shared_cluster(postgres: Postgres, redis_backend: Redis,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with cluster(*new_backends(postgres, redis_backend, tmp_path_factory.mktemp("cluster"))) as running:
        yield running


@pytest.fixture(autouse=True)
def _shared_cluster_logs_checked(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test on the shared cluster, what its components logged meanwhile is judged (no
    traceback, no ERROR the test did not declare), and the test's declarations are forgotten."""
    if "shared_cluster" not in request.fixturenames:
        yield
        return
    running: Cluster = request.getfixturevalue("shared_cluster")
    running.expected.clear()
    yield
    try:
        fail_on_unexpected_log(running)
    finally:
        running.expected.clear()


@pytest.fixture
def fresh_backends(postgres: Postgres, redis_backend: Redis, tmp_path: Path) -> tuple[str, str, Path]:
    """A new database, Redis database and key file path for a test that builds its own cluster."""
    return new_backends(postgres, redis_backend, tmp_path)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """A failing test on the shared cluster reports what its components wrote to stderr."""
    report: pytest.TestReport = yield
    running = getattr(item, "funcargs", {}).get("shared_cluster")
    if report.failed and isinstance(running, Cluster):
        report.sections.append(("cluster components", component_logs(running)))
    return report
