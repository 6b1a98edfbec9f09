"""Real PostgreSQL and Redis servers for the tests, started on temporary unix sockets.

Never mocked and never skipped: a machine without the binaries fails the run with the apt-get line that
fixes it (``packaging/dev`` installs them). PostgreSQL refuses to run as root, and CI runs as root, so
there the binaries run as the ``postgres`` user on a directory it owns (toolchain-notes §12). Each server
listens on a unix socket only (no TCP port to collide with another test run on the same machine).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = "apt-get install -y --no-install-recommends postgresql redis-server (packaging/dev does it)"
START_TIMEOUT = 30.0


class BackendMissing(RuntimeError):
    """A server binary is not installed: the run fails (never skips) with this message."""


def _pg_bin(name: str) -> str:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    found = candidates[0] if candidates else shutil.which(name)
    if found is None:
        raise BackendMissing(f"PostgreSQL's {name} is not installed: {INSTALL_HINT}")
    return found


def _as_owner(argv: list[str]) -> list[str]:
    """Run as ``postgres`` when we are root (initdb and postgres refuse root), as ourselves otherwise."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _wait_for(path: Path, what: str, process: subprocess.Popen[bytes] | None = None) -> None:
    """Bounded wait for a server's socket file to appear (the observable sign that it accepts)."""
    deadline = time.monotonic() + START_TIMEOUT
    while not path.exists():
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode} before listening")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not create {path} within {START_TIMEOUT} s")
        time.sleep(0.02)


@dataclass(frozen=True)
class Postgres:
    """A running cluster: connect as superuser ``msnqt`` over the socket in ``socket_dir``."""

    socket_dir: Path

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://msnqt@/{database}?host={self.socket_dir}"


@contextmanager
def postgres_server() -> Iterator[Postgres]:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    root = Path(tempfile.mkdtemp(prefix="msnqt-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
    data = root / "data"
    try:
        subprocess.run(_as_owner([initdb, "-D", str(data), "-A", "trust", "-U", "msnqt", "--no-sync",
                                  "-E", "UTF8", "--locale", "C"]),
                       check=True, capture_output=True)
        # Durability of the test cluster itself does not matter: fsync off keeps the suite fast.
        options = f"-k {root} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
        subprocess.run(_as_owner([pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"),
                                  "-w", "-t", str(int(START_TIMEOUT)), "start"]),
                       check=True, capture_output=True)
        try:
            yield Postgres(root)
        finally:
            subprocess.run(_as_owner([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
                           capture_output=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class Redis:
    socket: Path

    def url(self, db: int = 0) -> str:
        return f"unix://{self.socket}?db={db}"


@contextmanager
def redis_server() -> Iterator[Redis]:
    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)
    if binary is None:
        raise BackendMissing(f"redis-server is not installed: {INSTALL_HINT}")
    root = Path(tempfile.mkdtemp(prefix="msnqt-redis-"))
    socket = root / "redis.sock"
    process = subprocess.Popen(
        [binary, "--port", "0", "--unixsocket", str(socket), "--unixsocketperm", "700", "--save", "",
         "--appendonly", "no", "--dir", str(root), "--databases", "64"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(socket, "redis-server", process)
        yield Redis(socket)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)
