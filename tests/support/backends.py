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

    def stop(self) -> None:
        """Shut the server down (clients see their connections end), keeping its data."""
        subprocess.run(_as_owner([_pg_bin("pg_ctl"), "-D", str(self.socket_dir / "data"), "-m", "fast", "-w",
                                  "stop"]), check=True, capture_output=True)

    def start(self) -> None:
        """Start it again on the same socket and data; returns once it accepts connections."""
        subprocess.run(_as_owner([_pg_bin("pg_ctl"), "-D", str(self.socket_dir / "data"), "-o",
                                  _pg_options(self.socket_dir), "-l", str(self.socket_dir / "log"), "-w",
                                  "-t", str(int(START_TIMEOUT)), "start"]), check=True, capture_output=True)


def _pg_options(root: Path) -> str:
    # Durability of the test cluster itself does not matter: fsync off keeps the suite fast.
    return f"-k {root} -c listen_addresses='' -c fsync=off -c full_page_writes=off"


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
        server = Postgres(root)
        server.start()
        try:
            yield server
        finally:
            subprocess.run(_as_owner([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
                           capture_output=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


class Redis:
    """A redis-server on a unix socket only, with nothing persisted (a restart starts empty)."""

    def __init__(self, binary: str, root: Path) -> None:
        self._binary, self._root = binary, root
        self.socket = root / "redis.sock"
        self._process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"unix://{self.socket}?db={db}"

    def start(self) -> None:
        self._process = subprocess.Popen(
            [self._binary, "--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm", "700",
             "--save", "", "--appendonly", "no", "--dir", str(self._root), "--databases", "64"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for(self.socket, "redis-server", self._process)

    def stop(self) -> None:
        """Stop the server; its socket file goes with it, so clients see connection errors."""
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None
        self.socket.unlink(missing_ok=True)


@contextmanager
def redis_server() -> Iterator[Redis]:
    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)
    if binary is None:
        raise BackendMissing(f"redis-server is not installed: {INSTALL_HINT}")
    root = Path(tempfile.mkdtemp(prefix="msnqt-redis-"))
    server = Redis(binary, root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
