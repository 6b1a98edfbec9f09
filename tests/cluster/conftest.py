"""One cluster (DS, two NS, two SB, real PostgreSQL and Redis) shared by the tests of a module.

Tests that break a component (kill -9) start their own with :func:`tests.cluster.topology.cluster`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.topology import Cluster, cluster, component_logs, new_backends
from tests.support.backends import Postgres, Redis


@pytest.fixture(scope="module")
def shared_cluster(postgres: Postgres, redis_backend: Redis,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with cluster(*new_backends(postgres, redis_backend, tmp_path_factory.mktemp("cluster"))) as running:
        yield running


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
