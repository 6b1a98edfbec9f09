"""``msnqt-server serve --loop``: which event loop serves, and a clear refusal when uvloop is missing.

uvloop is not a dependency, so these tests never need it: a stand-in ``uvloop`` module on PYTHONPATH
either refuses to import (uvloop "not installed") or hands out asyncio's loop and says so on stderr
(uvloop "installed"). Every serving run signs a user in over TCP, so "serves" means a peer was served.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server.wire import sign_in

pytestmark = pytest.mark.slow
CLI = [sys.executable, "-m", "msnqt.server.cli"]
MISSING_UVLOOP = 'raise ImportError("No module named \'uvloop\'")\n'
FAKE_UVLOOP = (
    "import asyncio, sys\n"
    "def new_event_loop():\n"
    "    print('stand-in uvloop loop', file=sys.stderr, flush=True)\n"
    "    return asyncio.new_event_loop()\n"
)


def environment(tmp_path: Path, uvloop_source: str) -> dict[str, str]:
    modules = tmp_path / "modules"
    modules.mkdir(exist_ok=True)
    (modules / "uvloop.py").write_text(uvloop_source, encoding="utf-8")
    path = os.pathsep.join(p for p in (str(modules), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": path}


def add_alice(data: Path, env: dict[str, str]) -> None:
    added = subprocess.run([*CLI, "user", "add", "alice@hotmail.com", "--data", str(data)], input="pw\n",
                           capture_output=True, text=True, timeout=30, env=env)
    assert added.returncode == 0, added.stderr


def serve_and_sign_in(data: Path, loop: str, env: dict[str, str], aloop: asyncio.Runner) -> tuple[int, str]:
    """Serve with ``--loop LOOP``, sign Alice in on the NS, stop with SIGTERM; the exit status and stderr."""
    process = subprocess.Popen(
        [*CLI, "serve", "--data", str(data), "--ds-port", "0", "--ns-port", "0", "--sb-port", "0",
         "--loop", loop], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        assert lines[1].startswith("NS listening on "), lines
        host, port = lines[1].split()[-1].rsplit(":", 1)

        async def session() -> None:
            alice = await sign_in((host, int(port)), "alice@hotmail.com", "pw")
            alice.close()

        aloop.run(session())
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
        return process.returncode, err
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_asyncio_loop_serves_even_where_uvloop_is_installed(tmp_path: Path, aloop: asyncio.Runner) -> None:
    env = environment(tmp_path, FAKE_UVLOOP)
    add_alice(tmp_path / "data", env)
    assert serve_and_sign_in(tmp_path / "data", "asyncio", env, aloop) == (0, "")


def test_auto_uses_uvloop_when_it_is_installed(tmp_path: Path, aloop: asyncio.Runner) -> None:
    env = environment(tmp_path, FAKE_UVLOOP)
    add_alice(tmp_path / "data", env)
    assert serve_and_sign_in(tmp_path / "data", "auto", env, aloop) == (0, "stand-in uvloop loop\n")


def test_auto_falls_back_to_asyncio_without_uvloop(tmp_path: Path, aloop: asyncio.Runner) -> None:
    env = environment(tmp_path, MISSING_UVLOOP)
    add_alice(tmp_path / "data", env)
    assert serve_and_sign_in(tmp_path / "data", "auto", env, aloop) == (0, "")


def test_asking_for_a_missing_uvloop_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [*CLI, "serve", "--data", str(tmp_path / "data"), "--ds-port", "0", "--ns-port", "0",
         "--sb-port", "0", "--loop", "uvloop"],
        capture_output=True, text=True, timeout=30, env=environment(tmp_path, MISSING_UVLOOP))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "msnqt-server: error: --loop uvloop: uvloop is not installed (pip install uvloop)"]
    assert not (tmp_path / "data").exists()  # refused before touching anything


def test_an_unknown_loop_is_a_usage_error(tmp_path: Path) -> None:
    result = subprocess.run([*CLI, "serve", "--data", str(tmp_path), "--loop", "trio"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert "--loop" in result.stderr and "trio" in result.stderr
