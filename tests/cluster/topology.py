"""A real cluster for tests: ``serve --role ...`` processes on loopback, real PostgreSQL and Redis.

Each component is started exactly as an operator would start it, and is ready when it printed its one
``XX listening on HOST:PORT`` line (nothing is slept on). A cluster is handed out once every NS refers
``XFR SB`` to every SB, as a user would find it (:func:`wait_until_settled`).

A component's stderr goes to a file, never to a pipe nobody reads: a process that logs more than a pipe
holds would block in ``write`` and stop heartbeating, and look dead. :func:`component_logs` shows them
when a test fails.

No traceback reaches a log unnoticed (qutebrowser's log-fail, as ``tests/support/logfail.py`` does for
in-process logs): when a topology stops, and after each test on the shared one, a Python traceback or an
ERROR/CRITICAL line in any component's stderr fails the run, unless the test declared it expected with
:meth:`Cluster.expect_log`.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from msnqt.server.core.model import Profile
from msnqt.server.store.postgres_store import PostgresStore
from tests.server.wire import LineClient, next_line_starting, parse_address, sign_in
from tests.support.backends import Postgres, Redis

CLI = [sys.executable, "-m", "msnqt.server.cli"]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}
READY_TIMEOUT = 30.0
SETTLE_TIMEOUT = 30.0
SETTLE_RETRY = 0.5
"""Between probes while an NS has not yet seen every SB (it re-reads the live set every half second)."""
PROBE_HANDLE = "settle-probe@cluster.test"
PASSWORD = "secret"
HEARTBEAT_LIFETIME = 1.5
"""Short, so a killed NS is noticed quickly; the docs' bound is this + a third of it. Only for the tests
that kill or stop a component and wait for the others to notice."""
STEADY_HEARTBEAT_LIFETIME = 10.0
"""The production default, for topologies no test kills: with 1.5 s, a loaded machine that delays one
process's heartbeats for a second makes a live SB look dead, and XFR SB is answered 601."""


_backend_ids = itertools.count(1)


def new_backends(postgres: Postgres, redis: Redis, directory: Path) -> tuple[str, str, Path]:
    """A new database, a Redis database of its own and a key file path, for one cluster.

    Every cluster of the session takes its Redis database number from here, so no two share live sets.
    """
    number = next(_backend_ids)
    name = f"msnqt_cluster_{number}"
    with psycopg.connect(postgres.dsn(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return postgres.dsn(name), redis.url(db=number), directory / "secret.key"


@contextmanager
def cluster_for(request: pytest.FixtureRequest, folder: Path,
                accounts: dict[str, tuple[str, str]]) -> Iterator[Cluster]:
    """A cluster of the default shape for one test outside tests/cluster (a fixture that runs the same
    scenario on one process and on a cluster), with ``accounts``: handle → (password, friendly name).
    The session's PostgreSQL and Redis are asked for only here, so one-process runs never start them."""
    backends = new_backends(request.getfixturevalue("postgres"), request.getfixturevalue("redis_backend"),
                            folder)
    with cluster(*backends) as running:
        for handle, (password, friendly) in accounts.items():
            running.add_account(handle, password, friendly)
        yield running


async def referral(ds: tuple[str, int], handle: str) -> tuple[str, int]:
    """The NS the DS refers ``handle`` to (``XFR 2 NS host:port``), asked on a connection of its own."""
    client = await LineClient.connect(ds)
    try:
        await client.send("VER 1 MSNP2")
        await client.line()
        await client.send(f"USR 2 MD5 I {handle}")
        fields = (await client.line()).split()
    finally:
        client.close()
    assert fields[:3] == ["XFR", "2", "NS"], fields
    return parse_address(fields[3])


_RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \S+ (?P<level>[A-Z]+) ", re.M)
"""The first line of a log record (``cli.py``'s format); the lines up to the next one belong to it."""
_PROBLEMS = ("Traceback (most recent call last)", "Exception ignored in")


def log_problems(text: str) -> list[str]:
    """The records of ``text`` (a component's stderr) at ERROR or worse, or carrying a traceback; text
    outside any record (a crash's raw traceback) is judged as a record of its own."""
    starts = [m.start() for m in _RECORD_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    records = [text[a:b].rstrip() for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    problems = []
    for record in records:
        level = _RECORD_START.match(record)
        severe = level is not None and level["level"] in ("ERROR", "CRITICAL")
        if severe or any(p in record for p in _PROBLEMS):
            problems.append(record)
    return problems


@dataclass
class Component:
    role: str
    process: subprocess.Popen[str]
    address: tuple[str, int] = ("", 0)
    log: Path | None = None
    """Where the process's stderr goes (None: a pipe, read once it ends)."""
    checked: int = 0
    """How much of the log :meth:`Cluster.unexpected_log` has judged already."""

    def stderr(self) -> str:
        """What the process wrote to stderr so far (all of it once it ended)."""
        if self.log is not None:
            return self.log.read_text(errors="replace")
        _, err = self.process.communicate(timeout=10)
        return err or ""

    def kill(self) -> None:
        """``kill -9``: no goodbye, no cleanup, exactly like a crashed host."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
        return self.process.returncode, self.stderr()


def launch(role: str, dsn: str, redis_url: str, key_file: Path, *extra: str,
           heartbeat_lifetime: float = STEADY_HEARTBEAT_LIFETIME) -> Component:
    args = [*CLI, "serve", "--role", role, "--postgres", dsn, "--redis", redis_url, "--port", "0",
            "--heartbeat-lifetime", str(heartbeat_lifetime), *extra]
    if role == "ns":
        args += ["--key-file", str(key_file)]
    handle, name = tempfile.mkstemp(prefix=f"{role}-", suffix=".log", dir=key_file.parent)
    with os.fdopen(handle, "w") as log:
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, text=True, env=ENV)
    return Component(role, process, log=Path(name))


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
        component.process.wait(timeout=10)
        raise AssertionError(f"{component.role} did not start: {component.stderr().strip()}")
    line = stdout.readline().strip()
    assert line.startswith(f"{component.role.upper()} listening on "), line
    component.address = parse_address(line.rsplit(" ", 1)[1])
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
        for handle in handles:
            self.add_account(handle, PASSWORD, handle.split("@")[0])

    def add_account(self, handle: str, password: str, friendly: str) -> None:
        store = PostgresStore.open(self.dsn, self.key_file)
        try:
            store.create_account(handle, password, friendly, Profile())
        finally:
            store.close()

    expected: list[re.Pattern[str]] = field(default_factory=list)
    """Log records the running test declared (:meth:`expect_log`); the shared cluster forgets them
    after each test."""

    def components(self) -> list[Component]:
        return [*self.ns, *self.sb, *([self.ds] if self.ds else [])]

    def expect_log(self, pattern: str) -> None:
        """A traceback or ERROR record matching ``pattern`` (re.search) is this test's doing, not a bug."""
        self.expected.append(re.compile(pattern))

    def unexpected_log(self) -> list[str]:
        """Problem records (:func:`log_problems`) written since the last call, less the expected ones.

        Only whole lines are judged: a record still being written is judged at the next call."""
        found = []
        for component in self.components():
            if component.log is None:
                continue
            text = component.log.read_text(errors="replace")
            end = text.rfind("\n", component.checked) + 1
            if end <= component.checked:
                continue
            fresh, component.checked = text[component.checked:end], end
            found += [f"--- {component.role} {component.address}\n{record}" for record in log_problems(fresh)
                      if not any(p.search(record) for p in self.expected)]
        return found


def fail_on_unexpected_log(running: Cluster) -> None:
    problems = running.unexpected_log()
    if problems:
        raise AssertionError("tracebacks or errors in the cluster's logs (declare the expected ones with "
                             "Cluster.expect_log):\n" + "\n".join(problems))


def component_logs(running: Cluster) -> str:
    """Every component's state and stderr, for a failing test's report."""
    parts = []
    for component in running.components():
        state = "running" if component.process.poll() is None else f"exited {component.process.returncode}"
        parts.append(f"--- {component.role} {component.address} ({state})\n{component.stderr().strip()}")
    return "\n".join(parts)


def wait_until_settled(running: Cluster) -> None:
    """Bounded wait until every NS refers ``XFR SB`` to every SB, probed as a user would.

    An NS re-reads the live SB set every half second, so right after start it may know only the SBs
    that were up at its previous read. Each NS hands out its live SBs in turn, so as many XFRs in a row
    as there are SBs reach all of them once it sees them all. A refusal other than "no SB yet" fails at
    once, with the answer in the message."""
    running.add_accounts(PROBE_HANDLE)
    expected = {sb.address for sb in running.sb}

    async def settle(ns: tuple[str, int]) -> None:
        probe = await sign_in(ns, PROBE_HANDLE, PASSWORD)
        try:
            await probe.send("CHG 1 NLN")
            await next_line_starting(probe, "CHG")
            deadline = time.monotonic() + SETTLE_TIMEOUT
            trid = 1
            while True:
                seen: set[tuple[str, int]] = set()
                for _ in expected:
                    trid += 1
                    await probe.send(f"XFR {trid} SB")
                    fields = (await probe.line()).split()
                    if fields[0] == "XFR":
                        seen.add(parse_address(fields[3]))
                    else:
                        assert fields[:1] == ["601"], f"NS {ns}: XFR SB answered {' '.join(fields)}"
                if seen == expected:
                    return
                assert time.monotonic() < deadline, f"NS {ns} refers XFR SB only to {seen}, not {expected}"
                await asyncio.sleep(SETTLE_RETRY)
        finally:
            probe.close()

    async def settle_all() -> None:
        for ns in running.ns:
            await settle(ns.address)

    asyncio.run(settle_all())


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
        if result.sb:
            wait_until_settled(result)
        yield result
    except BaseException:
        print(component_logs(result))  # captured by pytest, shown with the failure
        raise
    finally:
        for component in result.components():
            if component.process.poll() is None:
                component.process.kill()
            component.process.wait(timeout=10)
            if component.process.stdout is not None:
                component.process.stdout.close()
    fail_on_unexpected_log(result)  # reached only when the test itself passed
