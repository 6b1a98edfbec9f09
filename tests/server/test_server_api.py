"""The in-process API the desktop app's demo mode and the engine's tests rely on."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from msnqt.server import AccountError, MsnServer, ServerConfig
from msnqt.server.fronts.ns import NsConnection
from tests.server.harness import NO_RATE_LIMITS
from tests.server.wire import LineClient, open_chat, sign_in

ALICE, BOB = ("alice@example.org", "Alice"), ("bob@example.org", "Bob")


def _config(tmp_path: Path, host: str = "127.0.0.1") -> ServerConfig:
    return ServerConfig(data_dir=tmp_path, host=host, ds_port=0, ns_port=0, sb_port=0)


def test_ports_are_resolved_and_accounts_validated(tmp_path: Path, aloop: asyncio.Runner) -> None:
    server = aloop.run(MsnServer.start(_config(tmp_path)))
    try:
        ports = {server.ds_address[1], server.ns_address[1], server.sb_address[1]}
        assert 0 not in ports and len(ports) == 3
        assert server.add_account("Dave@Example.org", "pw").friendly == "Dave@Example.org"
        with pytest.raises(AccountError, match="already exists") as duplicate:
            server.add_account("dave@example.org", "pw")
        assert duplicate.value.reason == "exists"
        with pytest.raises(AccountError, match="e-mail") as malformed:
            server.add_account("dave", "pw")
        assert malformed.value.reason == "bad_handle"
        with pytest.raises(AccountError, match="387") as too_long:
            server.add_account("eve@example.org", "pw", "é" * 200)
        assert too_long.value.reason == "bad_name"
    finally:
        aloop.run(server.close())


def test_close_tells_signed_in_users_and_the_data_persists(tmp_path: Path, aloop: asyncio.Runner) -> None:
    async def first() -> None:
        server = await MsnServer.start(_config(tmp_path))
        server.add_account("alice@example.org", "alicepw", "Alice")
        server.add_account("bob@example.org", "bobpw", "Bob")
        alice = await sign_in(server.ns_address, "alice@example.org", "alicepw")
        await alice.send("ADD 4 FL bob@example.org Bob")
        assert await alice.line() == "ADD 4 FL 1 bob@example.org Bob"
        closing = asyncio.ensure_future(server.close())
        assert await alice.line() == "OUT SSD"
        assert await alice.closed()
        await closing
        alice.close()

    async def second() -> None:
        server = await MsnServer.start(_config(tmp_path))
        alice = await sign_in(server.ns_address, "alice@example.org", "alicepw")
        await alice.send("LST 4 FL")
        assert await alice.line() == "LST 4 FL 1 1 1 bob@example.org Bob"
        alice.close()
        await server.close()

    aloop.run(first())
    aloop.run(second())


def test_a_wildcard_bind_refers_clients_to_the_address_they_reached(tmp_path: Path,
                                                                    aloop: asyncio.Runner) -> None:
    async def run() -> str:
        server = await MsnServer.start(_config(tmp_path, host="0.0.0.0"))
        try:
            client = await LineClient.connect(("127.0.0.1", server.ds_address[1]))
            await client.send("VER 1 MSNP2")
            await client.line()
            await client.send("USR 2 MD5 I a@example.org")
            referral = await client.line()
            client.close()
            return referral.replace(str(server.ns_address[1]), "PORT")
        finally:
            await server.close()

    assert aloop.run(run()) == "XFR 2 NS 127.0.0.1:PORT"


class _DiskFull:
    """Wraps the store's sqlite3 connection; every write fails the way a full disk would."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if sql.lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            raise sqlite3.OperationalError("database or disk is full")
        return self._db.execute(sql, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(self._db, name)


def test_a_failed_commit_is_answered_501_and_never_acknowledged(tmp_path: Path, aloop: asyncio.Runner,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    async def run() -> list[str]:
        server = await MsnServer.start(_config(tmp_path))
        try:
            server.add_account("alice@example.org", "alicepw", "Alice")
            server.add_account("bob@example.org", "bobpw", "Bob")
            alice = await sign_in(server.ns_address, "alice@example.org", "alicepw")
            real = server.store._db
            server.store._db = _DiskFull(real)  # type: ignore[assignment]
            replies = []
            for line in ("ADD 4 FL bob@example.org Bob", "BLP 5 BL", "REA 6 alice@example.org Al"):
                await alice.send(line)
                replies.append(await alice.line())
            server.store._db = real
            await alice.send("SYN 7 0")
            replies.append(await alice.line())
            alice.close()
            return replies
        finally:
            await server.close()

    with caplog.at_level(logging.WARNING, logger="msnqt.server"):
        assert aloop.run(run()) == ["501 4", "501 5", "501 6", "SYN 7 0"]
    failures = [r for r in caplog.records if "storage failed" in r.getMessage()]
    assert len(failures) == 3
    # One line each naming who and why, no traceback (a full disk would otherwise flood the log).
    assert all(r.exc_info is None and "alice@example.org at 127.0.0.1:" in r.getMessage()
               and "disk is full" in r.getMessage() for r in failures)


def test_a_key_file_that_does_not_match_answers_501(tmp_path: Path, aloop: asyncio.Runner,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    async def run() -> str:
        server = await MsnServer.start(_config(tmp_path))
        server.add_account("alice@example.org", "alicepw", "Alice")
        await server.close()
        (tmp_path / "secret.key").write_bytes(Fernet.generate_key())  # someone swapped the key
        server = await MsnServer.start(_config(tmp_path))
        try:
            client = await LineClient.connect(server.ns_address)
            await client.send("VER 1 MSNP2")
            await client.line()
            await client.send("USR 2 MD5 I alice@example.org")
            await client.line()
            await client.send("USR 3 MD5 S 0123456789abcdef0123456789abcdef")
            reply = await client.line()
            assert await client.closed()  # no second try against the same challenge
            client.close()
            return reply
        finally:
            await server.close()

    with caplog.at_level(logging.ERROR, logger="msnqt.server"):
        assert aloop.run(run()) == "501 3"
    assert "alicepw" not in caplog.text


def test_a_participant_who_stops_reading_is_dropped_not_buffered_forever(
        tmp_path: Path, aloop: asyncio.Runner, caplog: pytest.LogCaptureFixture) -> None:
    payload = b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + b"x" * 1600

    async def run() -> None:
        # Within the relay rate limit alice could never fill bob's buffer (test_rate_limits.py);
        # without it, this is the last line of defence.
        config = replace(_config(tmp_path), rate_limits=NO_RATE_LIMITS)
        server = await MsnServer.start(config)
        try:
            server.add_account("alice@example.org", "alicepw", "Alice")
            server.add_account("bob@example.org", "bobpw", "Bob")
            alice = await sign_in(server.ns_address, "alice@example.org", "alicepw")
            bob = await sign_in(server.ns_address, "bob@example.org", "bobpw")
            for client in (alice, bob):
                await client.send("CHG 4 NLN")
                assert await client.line() == "CHG 4 NLN"
            alice_sb, bob_sb = await open_chat(alice, ALICE, bob, BOB, xfr_trid=5)
            # bob reads nothing from now on; alice talks far more than any buffer holds.
            for trid in range(3, 9000):
                alice_sb.writer.write(f"MSG {trid} U {len(payload)}\r\n".encode() + payload)
                if trid % 500 == 0:
                    await alice_sb.writer.drain()
            await alice_sb.writer.drain()
            assert await alice_sb.line() == "BYE bob@example.org"
            for client in (alice, bob, alice_sb, bob_sb):
                client.close()
        finally:
            await server.close()

    with caplog.at_level(logging.WARNING, logger="msnqt.server"):
        aloop.run(run())
    assert "does not read its output" in caplog.text


def test_snd_by_fnd_index_records_the_account_behind_the_hit(tmp_path: Path, aloop: asyncio.Runner) -> None:
    async def run() -> list[str]:
        server = await MsnServer.start(_config(tmp_path))
        try:
            server.add_account("alice@example.org", "alicepw", "Alice")
            server.add_account("Liddell@Example.org", "pw", "L", fname="Alice", lname="Liddell")
            alice = await sign_in(server.ns_address, "alice@example.org", "alicepw")
            await alice.send("FND 4 fname=alice lname=liddell city=* state=* country=*")
            assert (await alice.line()).startswith("FND 4 1 1 ")
            await alice.send("SND 5 1")
            assert await alice.line() == "SND 5 OK"
            await alice.send("SND 6 friend@example.com")
            assert await alice.line() == "SND 6 OK"
            alice.close()
            return server.store.invitations("alice@example.org")
        finally:
            await server.close()

    assert aloop.run(run()) == ["Liddell@Example.org", "friend@example.com"]


def test_disconnect_drops_one_users_chats_or_whole_session(tmp_path: Path, aloop: asyncio.Runner) -> None:
    async def run() -> None:
        server = await MsnServer.start(_config(tmp_path))
        try:
            for name in ("alice", "bob"):
                server.add_account(f"{name}@example.org", f"{name}pw", name.title())
            alice = await sign_in(server.ns_address, "alice@example.org", "alicepw")
            bob = await sign_in(server.ns_address, "bob@example.org", "bobpw")
            await alice.send("ADD 4 FL bob@example.org Bob")
            assert await alice.line() == "ADD 4 FL 1 bob@example.org Bob"
            assert await bob.line() == "ADD 0 RL 1 alice@example.org Alice"
            for client in (bob, alice):
                await client.send("CHG 5 NLN")
                assert await client.line() == "CHG 5 NLN"
            assert await alice.line() == "ILN 5 NLN bob@example.org Bob"
            alice_sb, bob_sb = await open_chat(alice, ALICE, bob, BOB, xfr_trid=6)

            assert server.disconnect("nobody@example.org") == 0
            assert server.disconnect("BOB@example.org", switchboards_only=True) == 1
            assert await bob_sb.closed()
            assert await alice_sb.line() == "BYE bob@example.org"
            await bob.send("PNG")  # bob is still signed in
            assert await bob.line() == "QNG"

            assert server.disconnect("bob@example.org") == 1
            assert await bob.closed()
            assert await alice.line() == "FLN bob@example.org"
            for client in (alice, bob, alice_sb, bob_sb):
                client.close()
        finally:
            await server.close()

    aloop.run(run())


def test_a_client_that_sends_without_reading_is_paused_and_then_gets_every_reply_in_order(
        tmp_path: Path, aloop: asyncio.Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    """Flow control: while replies pile up unread, the server stops reading that client's requests
    (instead of buffering without bound or dropping it); once the client reads, nothing is missing."""
    requests = 100_000  # ~10 MB of replies: more than the kernel's socket buffers hold
    observed: list[bool] = []
    paused = asyncio.Event()
    pause_writing = NsConnection.pause_writing

    def watching(connection: NsConnection) -> None:
        pause_writing(connection)
        transport = connection.transport
        observed.append(transport is not None and transport.is_reading())
        paused.set()

    monkeypatch.setattr(NsConnection, "pause_writing", watching)

    async def run() -> list[int]:
        server = await MsnServer.start(_config(tmp_path))
        try:
            server.add_account("alice@example.org", "alicepw", "Alice")
            alice = await sign_in(server.ns_address, "alice@example.org", "alicepw")
            alice.writer.transport.pause_reading()
            alice.writer.write(b"".join(b"URL %d INBOX\r\n" % trid for trid in range(10, 10 + requests)))
            await asyncio.wait_for(paused.wait(), 30)
            alice.writer.transport.resume_reading()
            trids: list[int] = []
            while len(trids) < requests:
                trids.append(int((await alice.line()).split()[1]))
            alice.close()
            return trids
        finally:
            await server.close()

    assert aloop.run(run()) == list(range(10, 10 + requests))
    assert observed and not any(observed)  # no longer reading that client while its replies wait
