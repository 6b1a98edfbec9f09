"""Each connection's commands are served in order, one at a time, and a handler that waits for the store
holds only its own connection (issue 15, "the seams first").

The store's writes run on its worker thread; here one of them is held on a threading event, which
stands for a slow disk (an fsync) or a slow database round trip. While it is held, everyone else is
served. Reads that SQLite answers on the loop are held where the core awaits them (``server.requests``),
which stands for a read that has to wait after all (PostgreSQL, or a read the loop handed to the worker).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from msnqt.protocol import md5_response
from msnqt.server import MsnServer, ServerConfig
from tests.server.wire import LineClient, sign_in

ALICE, BOB = "alice@example.org", "bob@example.org"
HOLD_SECONDS = 10.0
"""The longest a held store call waits for the test to let it go (a bound, never reached when green)."""


@asynccontextmanager
async def running(tmp_path: Path, login_timeout: float = 60.0) -> AsyncIterator[MsnServer]:
    server = await MsnServer.start(ServerConfig(data_dir=tmp_path, ds_port=0, ns_port=0, sb_port=0,
                                                login_timeout=login_timeout))
    try:
        server.add_account(ALICE, "alicepw", "Alice")
        server.add_account(BOB, "bobpw", "Bob")
        yield server
    finally:
        await server.close()


class Held:
    """Wraps one store method so its calls wait, on the store's thread, until :meth:`release`."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self._real = real
        self.entered = threading.Event()
        self._go = threading.Event()
        self.expired = False
        """The hold ran out before the test released it (what the test was waiting for never came)."""

    def __call__(self, *args: Any) -> Any:
        self.entered.set()
        self.expired = not self._go.wait(HOLD_SECONDS)
        return self._real(*args)

    async def wait_entered(self) -> None:
        assert await asyncio.get_running_loop().run_in_executor(None, self.entered.wait, HOLD_SECONDS)

    def release(self) -> None:
        self._go.set()


class HeldRead:
    """Wraps one read of the store as the core awaits it, so its calls wait until :meth:`release`."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self._real = real
        self.entered = asyncio.Event()
        self._go = asyncio.Event()

    async def __call__(self, *args: Any) -> Any:
        self.entered.set()
        await asyncio.wait_for(self._go.wait(), HOLD_SECONDS)
        return await self._real(*args)

    async def wait_entered(self) -> None:
        await asyncio.wait_for(self.entered.wait(), HOLD_SECONDS)

    def release(self) -> None:
        self._go.set()


def test_a_slow_commit_holds_only_its_own_connection_and_its_replies_keep_their_order(
        tmp_path: Path, aloop: asyncio.Runner) -> None:
    async def run() -> None:
        async with running(tmp_path) as server:
            alice = await sign_in(server.ns_address, ALICE, "alicepw")
            bob = await sign_in(server.ns_address, BOB, "bobpw")
            held = Held(server.store.add_entry)
            server.store.add_entry = held  # type: ignore[method-assign]
            try:
                await alice.send(f"ADD 5 FL {BOB} Bob")
                await alice.send("PNG")  # pipelined behind the ADD: answered after it, never before
                await held.wait_entered()
                await bob.send("PNG")
                assert await bob.line() == "QNG"  # served while alice's commit is still on the disk
            finally:
                held.release()
            assert await alice.line() == f"ADD 5 FL 1 {BOB} Bob"
            assert await alice.line() == "QNG"
            assert await bob.line() == f"ADD 0 RL 1 {ALICE} Alice"
            alice.close()
            bob.close()

    aloop.run(run())


def test_sign_ins_and_list_reads_go_on_while_a_commit_holds_the_worker(
        tmp_path: Path, aloop: asyncio.Runner) -> None:
    """The loop reads SQLite through a connection of its own, so a sign-in and a SYN are served while
    another user's change is still being committed on the worker (they used to queue behind it)."""
    async def run() -> None:
        async with running(tmp_path) as server:
            alice = await sign_in(server.ns_address, ALICE, "alicepw")
            held = Held(server.store.add_entry)
            server.store.add_entry = held  # type: ignore[method-assign]
            try:
                await alice.send(f"ADD 5 FL {BOB} Bob")
                await held.wait_entered()
                bob = await sign_in(server.ns_address, BOB, "bobpw")
                await bob.send("SYN 4 0")
                assert await bob.line() == "SYN 4 0"
                assert not held.expired  # all that while, alice's commit was still held
            finally:
                held.release()
            assert await alice.line() == f"ADD 5 FL 1 {BOB} Bob"
            alice.close()
            bob.close()

    aloop.run(run())


def test_a_handler_that_fails_closes_only_its_own_connection(
        tmp_path: Path, aloop: asyncio.Runner, caplog: pytest.LogCaptureFixture) -> None:
    async def run() -> None:
        async with running(tmp_path) as server:
            alice = await sign_in(server.ns_address, ALICE, "alicepw")
            bob = await sign_in(server.ns_address, BOB, "bobpw")
            real_lists = server.requests.lists

            async def lists(handle: str) -> Any:
                if handle == ALICE:
                    raise RuntimeError("a bug in the store")  # not a StoreError: nothing to answer
                return await real_lists(handle)
            server.requests.lists = lists  # type: ignore[method-assign]
            await alice.send("SYN 4 0")
            assert await alice.closed()
            await bob.send("SYN 4 0")
            assert await bob.line() == "SYN 4 0"
            await bob.send("PNG")
            assert await bob.line() == "QNG"
            alice.close()
            bob.close()

    with caplog.at_level(logging.ERROR, logger="msnqt.server"):
        aloop.run(run())
    assert "closing this connection only" in caplog.text


def test_a_sign_in_that_completes_after_its_socket_closed_leaves_no_ghost(
        tmp_path: Path, aloop: asyncio.Runner) -> None:
    """The login timer closes the socket while the password check waits for the store: the handler
    goes on once the store answers, and must not leave a session behind for a socket that is gone
    (nobody may see, or ring, a user who is not there)."""
    async def run() -> None:
        async with running(tmp_path, login_timeout=0.5) as server:
            held = HeldRead(server.requests.credentials)
            server.requests.credentials = held  # type: ignore[method-assign]
            client = await LineClient.connect(server.ns_address)
            try:
                await client.send("VER 1 MSNP2")
                assert await client.line() == "VER 1 MSNP2"
                await client.send(f"USR 2 MD5 I {ALICE}")
                challenge = (await client.line()).split()[-1]
                await client.send(f"USR 3 MD5 S {md5_response(challenge, 'alicepw')}")
                await held.wait_entered()
                assert await client.closed()  # the login timer fired while the check was held
            finally:
                held.release()
            await server.settle()
            assert await server.notification.presence.get(ALICE) is None
            bob = await sign_in(server.ns_address, BOB, "bobpw")
            await bob.send("CHG 4 NLN")
            assert await bob.line() == "CHG 4 NLN"
            await bob.send("XFR 5 SB")
            cookie = (await bob.line()).split()[-1]
            sb = await LineClient.connect(server.sb_address)
            await sb.send(f"USR 1 {BOB} {cookie}")
            assert (await sb.line()).startswith("USR 1 OK")
            await sb.send(f"CAL 2 {ALICE}")
            assert await sb.line() == "217 2"  # offline, not rung
            for each in (client, bob, sb):
                each.close()

    aloop.run(run())
