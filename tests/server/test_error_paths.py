"""A store that fails halfway never leaves a session half-done: what the client is told matches what is.

Each test breaks reads of the lists (as a locked or corrupt database would) at one awkward moment and
checks what the users notice afterwards, once the store works again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from msnqt.protocol import md5_response
from msnqt.server import MsnServer, ServerConfig
from msnqt.server.core.errors import StoreError
from tests.server.wire import LineClient, sign_in

ALICE, BOB = "alice@example.org", "bob@example.org"


@asynccontextmanager
async def running(tmp_path: Path) -> AsyncIterator[MsnServer]:
    server = await MsnServer.start(ServerConfig(data_dir=tmp_path, ds_port=0, ns_port=0, sb_port=0))
    try:
        server.add_account(ALICE, "alicepw", "Alice")
        server.add_account(BOB, "bobpw", "Bob")
        yield server
    finally:
        await server.close()


LIST_READS = ("lists", "watchers_facts", "privacy_towards")
"""The store's reads that come from a user's lists (the last two answered from the lists on SQLite)."""


def break_lists(server: MsnServer) -> Callable[[], None]:
    """Make every list read fail, cached or not; returns the function that mends it."""
    async def broken(*args: Any) -> Any:
        raise StoreError("database is locked")
    for read in LIST_READS:
        setattr(server.requests, read, broken)

    def mend() -> None:
        for read in LIST_READS:
            delattr(server.requests, read)
    return mend


async def chg(client: LineClient, trid: int) -> None:
    await client.send(f"CHG {trid} NLN")
    assert await client.line() == f"CHG {trid} NLN"


def test_a_first_chg_that_fails_is_undone_so_the_retry_reaches_watchers(
        tmp_path: Path, aloop: asyncio.Runner, caplog: pytest.LogCaptureFixture) -> None:
    async def run() -> None:
        async with running(tmp_path) as server:
            bob = await sign_in(server.ns_address, BOB, "bobpw")
            await bob.send(f"ADD 4 FL {ALICE} Alice")
            assert await bob.line() == f"ADD 4 FL 1 {ALICE} Alice"
            await chg(bob, 5)
            alice = await sign_in(server.ns_address, ALICE, "alicepw")
            mend = break_lists(server)
            await alice.send("CHG 4 NLN")
            assert await alice.line() == "501 4"
            mend()
            await chg(alice, 5)
            assert await bob.line() == f"NLN NLN {ALICE} Alice"
            alice.close()
            bob.close()

    with caplog.at_level(logging.ERROR, logger="msnqt.server"):
        aloop.run(run())


def test_a_committed_add_is_acknowledged_even_if_the_fan_out_cannot_read(
        tmp_path: Path, aloop: asyncio.Runner, caplog: pytest.LogCaptureFixture) -> None:
    async def run() -> None:
        async with running(tmp_path) as server:
            bob = await sign_in(server.ns_address, BOB, "bobpw")
            alice = await sign_in(server.ns_address, ALICE, "alicepw")
            await chg(bob, 4)
            await chg(alice, 4)
            real_add = server.store.add_entry
            mend: list[Callable[[], None]] = []

            def add_then_break(*args: Any) -> Any:
                change = real_add(*args)
                mend.append(break_lists(server))
                return change
            server.store.add_entry = add_then_break  # type: ignore[method-assign]
            await alice.send(f"ADD 5 FL {BOB} Bob")
            assert await alice.line() == f"ADD 5 FL 1 {BOB} Bob"  # durable, so acknowledged
            assert await bob.line() == f"ADD 0 RL 1 {ALICE} Alice"
            mend[0]()
            await alice.send("SYN 6 0")
            assert await alice.line() == "SYN 6 1"
            alice.close()
            bob.close()

    with caplog.at_level(logging.ERROR, logger="msnqt.server"):
        aloop.run(run())
    assert "could not notify watchers" in caplog.text


def test_a_sign_out_that_cannot_read_lists_leaves_no_online_ghost(
        tmp_path: Path, aloop: asyncio.Runner, caplog: pytest.LogCaptureFixture) -> None:
    async def run() -> None:
        async with running(tmp_path) as server:
            alice = await sign_in(server.ns_address, ALICE, "alicepw")
            bob = await sign_in(server.ns_address, BOB, "bobpw")
            await chg(alice, 4)
            await chg(bob, 4)
            await bob.send("XFR 5 SB")
            cookie = (await bob.line()).split()[-1]
            bob_sb = await LineClient.connect(server.sb_address)
            await bob_sb.send(f"USR 1 {BOB} {cookie}")
            assert (await bob_sb.line()).startswith("USR 1 OK")
            mend = break_lists(server)
            assert server.disconnect(ALICE) == 1
            await server.settle()  # the sign-out ran, with the lists unreadable
            mend()
            assert await alice.closed()
            await bob_sb.send(f"CAL 2 {ALICE}")
            assert await bob_sb.line() == "217 2"  # not "RINGING" for someone who is gone
            for client in (alice, bob, bob_sb):
                client.close()

    with caplog.at_level(logging.WARNING, logger="msnqt.server"):
        aloop.run(run())
    assert "could not tell watchers" in caplog.text


def test_a_second_login_that_fails_leaves_the_first_session_in_charge(
        tmp_path: Path, aloop: asyncio.Runner, caplog: pytest.LogCaptureFixture) -> None:
    async def run() -> None:
        async with running(tmp_path) as server:
            first = await sign_in(server.ns_address, ALICE, "alicepw")
            await chg(first, 4)
            mend = break_lists(server)
            second = await LineClient.connect(server.ns_address)
            await second.send("VER 1 MSNP2")
            await second.line()
            await second.send(f"USR 2 MD5 I {ALICE}")
            challenge = (await second.line()).split()[-1]
            await second.send(f"USR 3 MD5 S {md5_response(challenge, 'alicepw')}")
            assert await second.line() == "501 3"
            assert await second.closed()
            mend()
            bob = await sign_in(server.ns_address, BOB, "bobpw")
            await bob.send(f"ADD 4 FL {ALICE} Alice")
            assert await bob.line() == f"ADD 4 FL 1 {ALICE} Alice"
            assert await first.line() == f"ADD 0 RL 1 {BOB} Bob"  # events still reach the first
            for client in (first, second, bob):
                client.close()

    with caplog.at_level(logging.ERROR, logger="msnqt.server"):
        aloop.run(run())


def test_an_account_removed_while_signed_in_ends_its_session_cleanly(
        tmp_path: Path, aloop: asyncio.Runner, caplog: pytest.LogCaptureFixture) -> None:
    async def run() -> None:
        async with running(tmp_path) as server:
            alice = await sign_in(server.ns_address, ALICE, "alicepw")
            await chg(alice, 4)
            server.store.remove_account(ALICE)  # as `msnqt-server user remove` would
            await alice.send("SYN 5 0")
            assert await alice.closed()
            alice.close()
            await server.settle()
            assert await server.notification.presence.get(ALICE) is None

    with caplog.at_level(logging.WARNING, logger="msnqt.server"):
        aloop.run(run())
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_contact_removed_between_the_check_and_the_write_is_205_not_a_dropped_session(
        tmp_path: Path, aloop: asyncio.Runner, caplog: pytest.LogCaptureFixture) -> None:
    async def run() -> None:
        async with running(tmp_path) as server:
            alice = await sign_in(server.ns_address, ALICE, "alicepw")
            looked_up = server.store.account(BOB)
            server.store.remove_account(BOB)  # another process removes bob right after the lookup
            async def stale_account(handle: str) -> Any:
                return looked_up
            server.requests.account = stale_account  # type: ignore[method-assign]
            await alice.send(f"ADD 4 FL {BOB} Bob")
            assert await alice.line() == "205 4"
            del server.requests.account
            await alice.send("SYN 5 0")
            assert await alice.line() == "SYN 5 0"
            alice.close()

    with caplog.at_level(logging.WARNING, logger="msnqt.server"):
        aloop.run(run())
    assert not caplog.records


def test_a_switchboard_login_that_hits_a_store_failure_can_be_retried_with_the_same_cookie(
        tmp_path: Path, aloop: asyncio.Runner, caplog: pytest.LogCaptureFixture) -> None:
    async def run() -> None:
        async with running(tmp_path) as server:
            alice = await sign_in(server.ns_address, ALICE, "alicepw")
            await chg(alice, 4)
            await alice.send("XFR 5 SB")
            cookie = (await alice.line()).split()[-1]
            sb = await LineClient.connect(server.sb_address)

            async def locked(handle: str) -> Any:
                raise StoreError("database is locked")
            server.requests.account = locked  # type: ignore[method-assign]
            await sb.send(f"USR 1 {ALICE} {cookie}")
            assert await sb.line() == "501 1"
            del server.requests.account
            await sb.send(f"USR 2 {ALICE} {cookie}")
            assert await sb.line() == f"USR 2 OK {ALICE} Alice"
            alice.close()
            sb.close()

    with caplog.at_level(logging.ERROR, logger="msnqt.server"):
        aloop.run(run())
