"""Sockets are shared by everyone: nobody may hold them all (issue 14, "File descriptors run out").

Replayed at a small scale with small caps: idle unauthenticated sockets from one address, switchboard
sessions piled up by one user, switchboards nobody talks in. Each time, someone else must still get in.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from pathlib import Path

import pytest

from msnqt.server import MsnServer, ServerConfig
from msnqt.server.fronts.admission import quiet_accept_errors, raise_fd_limit
from tests.server.wire import LineClient, next_line_starting, open_chat, sign_in

OTHER_HOST = "127.0.0.2"


def start(tmp_path: Path, aloop: asyncio.Runner, **settings: object) -> MsnServer:
    config = ServerConfig(data_dir=tmp_path, ds_port=0, ns_port=0, sb_port=0, **settings)  # type: ignore[arg-type]
    server = aloop.run(MsnServer.start(config))
    for name in ("alice", "bob"):
        server.add_account(f"{name}@example.org", f"{name}pw", name.title())
    return server


async def answered(address: tuple[str, int], source: str | None = None) -> LineClient | None:
    """A new socket that the server answers (VER), or None if it was closed at once."""
    client = await LineClient.connect(address, source=source)
    await client.send("VER 1 MSNP2")
    try:
        line = await client.line()
    except (asyncio.IncompleteReadError, ConnectionResetError):
        client.close()
        return None
    assert line == "VER 1 MSNP2"
    return client


def test_idle_sockets_from_one_address_cannot_lock_others_out(tmp_path: Path, aloop: asyncio.Runner) -> None:
    server = start(tmp_path, aloop, max_connections_per_address=3)

    async def run() -> None:
        held = [await answered(server.ns_address, OTHER_HOST) for _ in range(3)]
        assert all(held)
        assert await answered(server.ds_address, OTHER_HOST) is None  # a fourth, on any port: closed
        bob = await sign_in(server.ns_address, "bob@example.org", "bobpw")  # from 127.0.0.1: served
        await bob.send("PNG")
        assert await bob.line() == "QNG"
        first = held[0]
        assert first is not None
        first.close()
        await first.writer.wait_closed()
        # Once one of the three is gone, its place is free again.
        again = None
        while again is None:
            again = await answered(server.ns_address, OTHER_HOST)
        for client in (*held[1:], again, bob):
            assert client is not None
            client.close()

    try:
        aloop.run(run())
    finally:
        aloop.run(server.close())


def test_connections_in_all_are_capped_below_the_descriptor_limit(tmp_path: Path,
                                                                  aloop: asyncio.Runner) -> None:
    server = start(tmp_path, aloop, max_connections=2)
    assert server.fd_limit == resource.getrlimit(resource.RLIMIT_NOFILE)[0]

    async def run() -> None:
        held = [await answered(server.ns_address, OTHER_HOST), await answered(server.ns_address)]
        assert all(held)
        assert await answered(server.ns_address) is None
        for client in held:
            assert client is not None
            client.close()

    try:
        aloop.run(run())
    finally:
        aloop.run(server.close())


def test_one_user_cannot_hold_more_than_their_share_of_switchboards(tmp_path: Path,
                                                                    aloop: asyncio.Runner) -> None:
    server = start(tmp_path, aloop, max_switchboards_per_user=2)

    async def online(name: str) -> LineClient:
        client = await sign_in(server.ns_address, f"{name}@example.org", f"{name}pw")
        await client.send("CHG 1 NLN")
        await next_line_starting(client, "CHG")
        return client

    async def run() -> None:
        alice, bob = await online("alice"), await online("bob")
        boards = []
        for trid in (10, 11):
            await alice.send(f"XFR {trid} SB")
            cookie = (await next_line_starting(alice, "XFR"))[5]
            sb = await LineClient.connect(server.sb_address)
            await sb.send(f"USR 1 alice@example.org {cookie}")
            assert (await sb.line()).startswith("USR 1 OK ")
            boards.append(sb)
        await alice.send("XFR 12 SB")
        assert await alice.line() == "713 12"
        # bob is not affected: he opens a switchboard and rings her; answering would be her third.
        await bob.send("XFR 20 SB")
        cookie = (await next_line_starting(bob, "XFR"))[5]
        bob_sb = await LineClient.connect(server.sb_address)
        await bob_sb.send(f"USR 1 bob@example.org {cookie}")
        assert (await bob_sb.line()).startswith("USR 1 OK ")
        await bob_sb.send("CAL 2 alice@example.org")
        session_id = (await bob_sb.line()).split()[-1]
        ring = await next_line_starting(alice, "RNG")
        alice_sb = await LineClient.connect(server.sb_address)
        await alice_sb.send(f"ANS 1 alice@example.org {ring[4]} {session_id}")
        assert await alice_sb.line() == "713 1"
        assert await alice_sb.closed()
        # Once she leaves one, she may open another.
        await boards[0].send("OUT")
        assert await boards[0].closed()
        await alice.send("XFR 13 SB")
        assert (await next_line_starting(alice, "XFR"))[1] == "13"
        for client in (*boards, bob_sb, alice, bob):
            client.close()

    try:
        aloop.run(run())
    finally:
        aloop.run(server.close())


def test_a_switchboard_nobody_talks_in_is_closed_and_the_sign_ins_stay(tmp_path: Path,
                                                                        aloop: asyncio.Runner) -> None:
    server = start(tmp_path, aloop, sb_idle_timeout=0.2)

    async def online(name: str) -> LineClient:
        client = await sign_in(server.ns_address, f"{name}@example.org", f"{name}pw")
        await client.send("CHG 1 NLN")
        await next_line_starting(client, "CHG")
        return client

    async def run() -> None:
        alice, bob = await online("alice"), await online("bob")
        alice_sb, bob_sb = await open_chat(alice, ("alice@example.org", "Alice"), bob,
                                           ("bob@example.org", "Bob"), xfr_trid=5)
        # Whoever's check comes first is closed; the other hears BYE (or not, if closed at once).
        assert await lines_until_closed(alice_sb) in ([], ["BYE bob@example.org"])
        assert await lines_until_closed(bob_sb) in ([], ["BYE alice@example.org"])
        assert server.switchboard.session_count() == 0
        for ns in (alice, bob):
            await ns.send("PNG")
            assert await next_line_starting(ns, "QNG") == ["QNG"]
            ns.close()

    try:
        aloop.run(run())
    finally:
        aloop.run(server.close())


async def lines_until_closed(client: LineClient) -> list[str]:
    lines = []
    while raw := await asyncio.wait_for(client.reader.readline(), client.timeout):
        lines.append(raw.decode().rstrip("\r\n"))
    return lines


def test_the_open_files_limit_is_raised_to_the_hard_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    lowered = min(soft, 256)
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowered, hard))
    try:
        assert raise_fd_limit() == hard
        assert resource.getrlimit(resource.RLIMIT_NOFILE) == (hard, hard)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_failing_accepts_log_one_line_not_a_traceback_each(aloop: asyncio.Runner,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="msnqt.server")

    async def run() -> None:
        loop = asyncio.get_running_loop()
        quiet_accept_errors(loop)
        for _ in range(1000):  # what asyncio reports while out of descriptors
            loop.call_exception_handler({"message": "socket.accept() out of system resource",
                                         "exception": OSError(24, "Too many open files")})

    aloop.run(run())
    assert [r.getMessage() for r in caplog.records] == [
        "cannot accept connections: [Errno 24] Too many open files (retrying; logged once a minute)"]
    assert all(r.exc_info is None for r in caplog.records)
