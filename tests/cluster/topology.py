"""A real cluster for tests: ``serve --role ...`` processes on loopback, real PostgreSQL and Redis.

Each component is started exactly as an operator would start it, and is ready when it printed its one
``XX listening on HOST:PORT`` line (nothing is slept on).
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from msnqt.server.core.model import Profile
from msnqt.server.store.postgres_store import PostgresStore

CLI = [sys.executable, "-m", "msnqt.server.cli"]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}
READY_TIMEOUT = 30.0
PASSWORD = "secret"
HEARTBEAT_LIFETIME = 1.5
"""Short, so a killed NS is noticed quickly; the docs' bound is this + a third of it. Only for the tests
that kill or stop a component and wait for the others to notice."""
STEADY_HEARTBEAT_LIFETIME = 10.0
"""The production default, for topologies no test kills: with 1.5 s, a loaded machine that delays one
process's heartbeats for a second makes a live SB look dead, and XFR SB is answered 601."""


@dataclass
class Component:
    role: str
    process: subprocess.Popen[str]
    address: tuple[str, int] = ("", 0)

    def kill(self) -> None:
        """``kill -9``: no goodbye, no cleanup, exactly like a crashed host."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGTERM)
        _, err = self.process.communicate(timeout=30)
        return self.process.returncode, err


def launch(role: str, dsn: str, redis_url: str, key_file: Path, *extra: str,
           heartbeat_lifetime: float = STEADY_HEARTBEAT_LIFETIME) -> Component:
    args = [*CLI, "serve", "--role", role, "--postgres", dsn, "--redis", redis_url, "--port", "0",
            "--heartbeat-lifetime", str(heartbeat_lifetime), *extra]
    if role == "ns":
        args += ["--key-file", str(key_file)]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    return Component(role, process)


def ready(component: Component) -> Component:
    """Wait (bounded) for the one ``listening on`` line and record the address."""
    stdout = component.process.stdout
    assert stdout is not None
    deadline = time.monotonic() + READY_TIMEOUT
    readable: list[object] = []
    while not readable and time.monotonic() < deadline and component.process.poll() is None:
        readable = select.select([stdout], [], [], 0.5)[0]
    if not readable:
        component.process.kill()
        _, err = component.process.communicate(timeout=10)
        raise AssertionError(f"{component.role} did not start: {err.strip()}")
    line = stdout.readline().strip()
    assert line.startswith(f"{component.role.upper()} listening on "), line
    host, port = line.rsplit(" ", 1)[1].rsplit(":", 1)
    component.address = (host, int(port))
    return component


@dataclass
class Cluster:
    dsn: str
    redis_url: str
    key_file: Path
    ds: Component | None = None
    ns: list[Component] = field(default_factory=list)
    sb: list[Component] = field(default_factory=list)

    def add_accounts(self, *handles: str) -> None:
        """Accounts ``handle`` with password :data:`PASSWORD` and the local part as friendly name."""
        store = PostgresStore.open(self.dsn, self.key_file)
        try:
            for handle in handles:
                name = handle.split("@")[0]
                store.create_account(handle, PASSWORD, name, Profile())
        finally:
            store.close()

    def components(self) -> list[Component]:
        return [*self.ns, *self.sb, *([self.ds] if self.ds else [])]


@contextmanager
def cluster(dsn: str, redis_url: str, key_file: Path, *, ns: int = 2, sb: int = 2,
            heartbeat_lifetime: float = STEADY_HEARTBEAT_LIFETIME) -> Iterator[Cluster]:
    """NS and SB processes started side by side, then the DS (which finds them in Redis)."""
    PostgresStore.initialise(dsn, key_file)[0].close()
    result = Cluster(dsn, redis_url, key_file)
    try:
        result.ns = [launch("ns", dsn, redis_url, key_file, heartbeat_lifetime=heartbeat_lifetime)
                     for _ in range(ns)]
        result.sb = [launch("sb", dsn, redis_url, key_file, heartbeat_lifetime=heartbeat_lifetime)
                     for _ in range(sb)]
        for component in [*result.ns, *result.sb]:
            ready(component)
        result.ds = ready(launch("ds", dsn, redis_url, key_file, heartbeat_lifetime=heartbeat_lifetime))
        yield result
    finally:
        for component in result.components():
            if component.process.poll() is None:
                component.process.kill()
            component.process.communicate(timeout=10)
