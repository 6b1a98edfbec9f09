"""``python -m bench.cluster --data DIR [--ns N] [--sb N] [--loop asyncio|uvloop]``: a whole cluster as one
bench target.

It starts a private PostgreSQL and Redis (unix sockets, as the tests do), imports the accounts of the
bench data directory (``bench.accounts``) into PostgreSQL, then one DS, N NS and N SB processes, and
prints ``DS listening on``, ``NS listening on`` (the first NS) and ``READY`` like ``bench.serve``. Every
server process is a descendant of this one (PostgreSQL runs in the foreground, not daemonised by
pg_ctl), so ``bench.procfs.tree_cpu_seconds`` of this pid is the CPU of the whole cluster, PostgreSQL and
Redis included. The roles run with the limits a benchmark needs lifted, as ``bench.serve`` does.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from msnqt.server.config import ServerConfig
from msnqt.server.core.errors import StoreError
from msnqt.server.core.limits import RateLimits

START_TIMEOUT = 60.0


def _unlimited() -> ServerConfig:
    return ServerConfig(data_dir=None, rate_limits=RateLimits.unlimited(),
                        max_connections_per_address=1 << 20, max_switchboards_per_user=1 << 20)


async def _role(args: argparse.Namespace) -> None:
    """One role in this process (``--child ROLE``), limits lifted."""
    from msnqt.server.cluster.roles import RoleConfig, start_role

    component = await start_role(RoleConfig(args.child, args.postgres, args.redis, args.key_file,
                                            tunables=_unlimited()))
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    host, port = component.address
    print(f"{args.child.upper()} listening on {host}:{port}", flush=True)
    try:
        await stop.wait()
    finally:
        await component.close()


def _wait_line(process: subprocess.Popen[str], marker: str) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        if select.select([process.stdout], [], [], 0.5)[0]:
            line = process.stdout.readline()
            if line.startswith(marker):
                return line[len(marker):].strip()
    raise RuntimeError(f"no {marker!r} line (exit status {process.poll()})")


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _cluster(args: argparse.Namespace) -> int:
    from msnqt.server.store.postgres_store import PostgresStore
    from msnqt.server.store.transfer import import_community
    from tests.support.backends import _pg_bin

    root = Path(tempfile.mkdtemp(prefix="msnqt-bench-cluster-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    children: list[subprocess.Popen[str]] = []
    try:
        initdb = [_pg_bin("initdb"), "-D", str(root / "data"), "-A", "trust", "-U", "msnqt", "--no-sync",
                  "-E", "UTF8", "--locale", "C"]
        subprocess.run(_as_postgres(initdb), check=True, capture_output=True)
        # Durable as in production (fsync on), so the cost of a commit is counted.
        children.append(subprocess.Popen(_as_postgres(
            [_pg_bin("postgres"), "-D", str(root / "data"), "-k", str(root), "-c", "listen_addresses="]),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True))
        redis_socket = root / "redis.sock"
        children.append(subprocess.Popen(
            ["redis-server", "--port", "0", "--unixsocket", str(redis_socket), "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True))
        dsn, redis_url = f"postgresql://msnqt@/postgres?host={root}", f"unix://{redis_socket}"
        deadline = time.monotonic() + START_TIMEOUT
        while not (redis_socket.exists() and (root / ".s.PGSQL.5432").exists()):
            if time.monotonic() > deadline:
                raise RuntimeError("PostgreSQL or Redis did not start")
            time.sleep(0.05)
        key_file = root / "secret.key"
        while True:  # the socket exists a moment before PostgreSQL accepts ("starting up")
            try:
                store, _ = PostgresStore.initialise(dsn, key_file)
                break
            except StoreError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        try:
            import_community(args.data, store)
        finally:
            store.close()

        def child(role: str) -> subprocess.Popen[str]:
            process = subprocess.Popen(
                [sys.executable, "-m", "bench.cluster", "--child", role, "--postgres", dsn,
                 "--redis", redis_url, "--key-file", str(key_file), "--loop", args.loop,
                 "--data", str(args.data)],
                stdout=subprocess.PIPE, text=True)
            children.append(process)
            return process

        ns = [child("ns") for _ in range(args.ns)]
        sb = [child("sb") for _ in range(args.sb)]
        ns_addresses = [_wait_line(p, "NS listening on ") for p in ns]
        for process in sb:
            _wait_line(process, "SB listening on ")
        ds_address = _wait_line(child("ds"), "DS listening on ")
        print(f"DS listening on {ds_address}")
        print(f"NS listening on {ns_addresses[0]}")
        print(f"BACKENDS {dsn} {redis_url}")  # for bench.sizing, which reads their sizes
        print("READY", flush=True)
        stop = [False]
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.__setitem__(0, True))
        while not stop[0] and all(p.poll() is None for p in children):
            signal.pause()
    finally:
        # The roles first (they say goodbye through Redis), then Redis and PostgreSQL.
        for group in (children[2:], children[:2]):
            for process in group:
                if process.poll() is None:
                    process.terminate()
            for process in group:
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(root, ignore_errors=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--ns", type=int, default=1)
    parser.add_argument("--sb", type=int, default=1)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--child", choices=("ds", "ns", "sb"), help=argparse.SUPPRESS)
    parser.add_argument("--postgres", help=argparse.SUPPRESS)
    parser.add_argument("--redis", help=argparse.SUPPRESS)
    parser.add_argument("--key-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is None:
        return _cluster(args)
    from .baseline import install_loop

    install_loop(args.loop)
    asyncio.run(_role(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
