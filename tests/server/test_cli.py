"""``msnqt-server`` end to end: add users, serve on free ports, sign in over TCP, stop, restart."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.server.wire import LineClient, sign_in

pytestmark = pytest.mark.slow
CLI = [sys.executable, "-m", "msnqt.server.cli"]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], input=stdin, capture_output=True, text=True, timeout=30, env=ENV)


@contextmanager
def serving(data: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, tuple[str, int]]]]:
    process = subprocess.Popen(
        [*CLI, "serve", "--data", str(data), "--ds-port", "0", "--ns-port", "0", "--sb-port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    try:
        addresses = {}
        for name in ("DS", "NS", "SB"):
            line = process.stdout.readline() if process.stdout else ""
            assert line.startswith(f"{name} listening on 127.0.0.1:"), (line, process.stderr)
            host, port = line.split()[-1].rsplit(":", 1)
            addresses[name] = (host, int(port))
        yield process, addresses
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    return process.returncode, err


def test_users_serve_sign_in_stop_restart(tmp_path: Path, aloop: asyncio.Runner) -> None:
    data = tmp_path / "data"
    added = cli("user", "add", "Alice@Hotmail.com", "--data", str(data), "--name", "Alice Liddell",
                "--first", "Alice", "--last", "Liddell", stdin="alicepw\n")
    assert (added.returncode, added.stderr) == (0, "")
    assert cli("user", "add", "bob@hotmail.com", "--data", str(data), stdin="bobpw\n").returncode == 0

    with serving(data) as (process, addresses):
        async def first_session() -> None:
            ds = await sign_in_via_ds(addresses["DS"])
            assert ds == addresses["NS"]
            alice = await sign_in(addresses["NS"], "alice@hotmail.com", "alicepw")
            await alice.send("ADD 4 FL bob@hotmail.com Bob")
            assert await alice.line() == "ADD 4 FL 1 bob@hotmail.com Bob"
            await alice.send("BLP 5 BL")
            assert await alice.line() == "BLP 5 2 BL"
            # SIGTERM: the session is told the server is going down, then closed.
            process.send_signal(signal.SIGTERM)
            assert await alice.line() == "OUT SSD"
            assert await alice.closed()
            alice.close()

        aloop.run(first_session())
        _, err = process.communicate(timeout=30)
        assert (process.returncode, err) == (0, "")

    with serving(data) as (process, addresses):
        async def second_session() -> list[str]:
            alice = await sign_in(addresses["NS"], "ALICE@hotmail.com", "alicepw")
            await alice.send("SYN 4 0")
            lines = [await alice.line() for _ in range(7)]
            alice.close()
            return lines

        assert aloop.run(second_session()) == [
            "SYN 4 2", "GTC 4 2 A", "BLP 4 2 BL", "LST 4 FL 2 1 1 bob@hotmail.com Bob",
            "LST 4 AL 2 0 0", "LST 4 BL 2 0 0", "LST 4 RL 2 0 0"]
        assert stop(process) == (0, "")

    listing = cli("user", "list", "--data", str(data))
    assert listing.stdout.splitlines() == [
        "Alice@Hotmail.com\tAlice Liddell", "bob@hotmail.com\tbob@hotmail.com"]


async def sign_in_via_ds(ds: tuple[str, int]) -> tuple[str, int]:
    client = await LineClient.connect(ds)
    await client.send("VER 1 MSNP2 CVR0")
    assert await client.line() == "VER 1 MSNP2"
    await client.send("USR 2 MD5 I alice@hotmail.com")
    host, port = (await client.line()).split()[-1].rsplit(":", 1)
    assert await client.closed()
    client.close()
    return host, int(port)


def test_password_change_and_removal(tmp_path: Path, aloop: asyncio.Runner) -> None:
    data = str(tmp_path)
    assert cli("user", "add", "carol@hotmail.com", "--data", data, stdin="old\n").returncode == 0
    changed = cli("user", "passwd", "CAROL@hotmail.com", "--data", data, stdin="new\n")
    assert changed.returncode == 0
    with serving(tmp_path) as (process, addresses):
        client = aloop.run(sign_in(addresses["NS"], "carol@hotmail.com", "new"))
        client.close()
        assert stop(process) == (0, "")
    assert cli("user", "remove", "carol@hotmail.com", "--data", data).returncode == 0
    assert cli("user", "list", "--data", data).stdout == ""


@pytest.mark.parametrize("args, stdin", [
    (["user", "add", "not-an-address", "--data", "{d}"], "pw\n"),
    (["user", "add", "dup@hotmail.com", "--data", "{d}"], "pw\n"),
    (["user", "add", "new@hotmail.com", "--data", "{d}"], ""),
    (["user", "remove", "ghost@hotmail.com", "--data", "{d}"], ""),
    (["user", "passwd", "ghost@hotmail.com", "--data", "{d}"], "pw\n"),
    # An empty name made an account that could never sign in; a control character forges lines.
    (["user", "add", "empty@hotmail.com", "--data", "{d}", "--name", ""], "pw\n"),
    (["user", "add", "forge@hotmail.com", "--data", "{d}", "--name", "Eve\n* bob@hotmail.com NLN"], "pw\n"),
])
def test_failures_are_one_line_and_exit_1(args: list[str], stdin: str, tmp_path: Path) -> None:
    cli("user", "add", "dup@hotmail.com", "--data", str(tmp_path), stdin="pw\n")
    result = cli(*[a.replace("{d}", str(tmp_path)) for a in args], stdin=stdin)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("msnqt-server: ")
    assert "pw" not in result.stderr


@pytest.mark.parametrize("args", [
    [], ["frobnicate"], ["serve"], ["serve", "--data", "x", "--ns-port", "70000"],
    ["serve", "--data", "x", "--sb-port", "many"], ["user"], ["user", "add", "a@b.com"],
    ["user", "list", "--data", "x", "extra"],
])
def test_bad_arguments_are_one_line_and_exit_2(args: list[str]) -> None:
    result = cli(*args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("msnqt-server: error: ")


def test_serve_reports_a_port_in_use_in_one_line(tmp_path: Path) -> None:
    with serving(tmp_path / "a") as (process, addresses):
        taken = str(addresses["NS"][1])
        result = cli("serve", "--data", str(tmp_path / "b"), "--ds-port", "0", "--ns-port", taken,
                     "--sb-port", "0")
        assert result.returncode == 1
        assert len(result.stderr.strip().splitlines()) == 1
        assert stop(process) == (0, "")
