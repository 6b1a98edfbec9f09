"""The database under pressure: another process's lock, what is promised on disk, what is stored.

(issue 14: the write lock held elsewhere froze the loop 5 s per write; ``synchronous = NORMAL``
contradicted "the acknowledgement is never ahead of the disk"; names with control characters were
stored and shown to everyone.)
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

import pytest

from msnqt.protocol.codes import ListName
from msnqt.server import MsnServer, ServerConfig
from msnqt.server.store.sqlite_store import DB_FILE_NAME, SERVER_BUSY_TIMEOUT
from tests.server.wire import next_line_starting, sign_in


@pytest.fixture
def server(tmp_path: Path, aloop: asyncio.Runner):  # type: ignore[no-untyped-def]
    instance = aloop.run(MsnServer.start(ServerConfig(data_dir=tmp_path, ds_port=0, ns_port=0, sb_port=0)))
    for name in ("alice", "bob"):
        instance.add_account(f"{name}@example.org", f"{name}pw", name.title())
    yield instance
    aloop.run(instance.close())


def test_a_write_lock_held_elsewhere_is_answered_501_and_others_are_served(
        server: MsnServer, tmp_path: Path, aloop: asyncio.Runner,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="msnqt.server")
    other = sqlite3.connect(tmp_path / DB_FILE_NAME, isolation_level=None)  # e.g. a backup tool

    async def run() -> None:
        alice = await sign_in(server.ns_address, "alice@example.org", "alicepw")
        bob = await sign_in(server.ns_address, "bob@example.org", "bobpw")
        other.execute("BEGIN IMMEDIATE")
        await alice.send("ADD 5 FL bob@example.org Bob")
        await bob.send("PNG")
        assert await alice.line() == "501 5"  # not done, and said so
        assert await bob.line() == "QNG"
        other.execute("ROLLBACK")
        await alice.send("ADD 6 FL bob@example.org Bob")
        assert (await alice.line()).startswith("ADD 6 FL 1 bob@example.org ")
        alice.close()
        bob.close()

    try:
        aloop.run(run())
    finally:
        other.close()
    assert server.store._db.execute("PRAGMA busy_timeout").fetchone()[0] == int(SERVER_BUSY_TIMEOUT * 1000)
    locked = [r for r in caplog.records if "locked" in r.getMessage()]
    assert len(locked) == 1 and locked[0].exc_info is None
    assert "alice@example.org at 127.0.0.1:" in locked[0].getMessage()


def test_every_acknowledged_commit_is_synced_to_disk(server: MsnServer) -> None:
    assert server.store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


@pytest.mark.parametrize("name", ["Eve%0A*%20bob@example.org%20NLN", "%1B]0;owned%07", "Tab%09bed",
                                  "%C2%9B2J"])
def test_names_with_control_characters_are_refused_and_not_stored(
        server: MsnServer, aloop: asyncio.Runner, name: str) -> None:
    async def run() -> list[str]:
        alice = await sign_in(server.ns_address, "alice@example.org", "alicepw")
        await alice.send(f"REA 5 alice@example.org {name}")
        await alice.send(f"ADD 6 FL bob@example.org {name}")
        replies = [await alice.line(), await alice.line()]
        await alice.send("ADD 7 FL bob@example.org Bob")
        assert (await next_line_starting(alice, "ADD"))[1] == "7"
        await alice.send("REA 8 bob@example.org " + name)
        replies.append(await alice.line())
        alice.close()
        return replies

    assert aloop.run(run()) == ["209 5", "209 6", "209 8"]
    account = server.store.account("alice@example.org")
    assert account is not None and account.friendly == "Alice"
    forward = server.store.lists("alice@example.org").members(ListName.FORWARD)
    assert [e.friendly for e in forward] == ["Bob"]
