"""One cluster (DS, two NS, two SB, real PostgreSQL and Redis) shared by the tests of a module.

Tests that break a component (kill -9) start their own with :func:`tests.cluster.topology.cluster`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.cluster.topology import Cluster, cluster, component_logs
from tests.support.backends import Postgres, Redis

_ids = itertools.count(1)


@pytest.fixture(scope="module")
def shared_cluster(postgres: Postgres, redis_backend: Redis,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    number = next(_ids)
    name = f"msnqt_cluster_{number}"
    with psycopg.connect(postgres.dsn(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    key_file = tmp_path_factory.mktemp("cluster") / "secret.key"
    with cluster(postgres.dsn(name), redis_backend.url(db=number), key_file) as running:
        yield running


@pytest.fixture
def fresh_backends(postgres: Postgres, redis_backend: Redis, tmp_path: Path) -> tuple[str, str, Path]:
    """A new database, Redis database and key file path for a test that builds its own cluster."""
    number = next(_ids)
    name = f"msnqt_cluster_{number}"
    with psycopg.connect(postgres.dsn(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return postgres.dsn(name), redis_backend.url(db=number), tmp_path / "secret.key"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """A failing test on the shared cluster reports what its components wrote to stderr."""
    report: pytest.TestReport = yield
    running = getattr(item, "funcargs", {}).get("shared_cluster")
    if report.failed and isinstance(running, Cluster):
        report.sections.append(("cluster components", component_logs(running)))
    return report
