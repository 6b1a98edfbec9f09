"""Sign-in tells nobody who has an account, and guessing passwords gets slow (issue 14).

Replayed attacks: a non-ASCII MD5 response (once a traceback and a silent close for a known account,
911 for an unknown one: a one-probe enumeration), the decoy work for unknown accounts, and password
guessing from one address against one account while others sign in.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from msnqt.protocol import md5_response
from msnqt.server import MsnServer, ServerConfig
from msnqt.server.store import SqliteStore
from tests.server.wire import LineClient, sign_in, try_sign_in

GUESSER = "127.0.0.2"
"""Another loopback address stands for another host; the innocent users connect from 127.0.0.1."""


@pytest.fixture
def clock() -> list[float]:
    return [1000.0]


@pytest.fixture
def server(tmp_path: Path, aloop: asyncio.Runner, clock: list[float]):  # type: ignore[no-untyped-def]
    config = ServerConfig(data_dir=tmp_path, ds_port=0, ns_port=0, sb_port=0)
    instance = aloop.run(MsnServer.start(config, clock=lambda: clock[0]))
    for name in ("alice", "bob", "carol"):
        instance.add_account(f"{name}@example.org", f"{name}pw", name.title())
    yield instance
    aloop.run(instance.close())


async def raw_response(server: MsnServer, handle: str, response: bytes) -> tuple[str, bool]:
    client = await LineClient.connect(server.ns_address)
    await client.send("VER 1 MSNP2")
    await client.line()
    await client.send(f"USR 2 MD5 I {handle}")
    await client.line()
    client.writer.write(b"USR 3 MD5 S " + response + b"\r\n")
    answer = await client.line()
    closed = await client.closed()
    client.close()
    return answer, closed


@pytest.mark.parametrize("response", ["é".encode(), b"\xff\xfe", "０１２３".encode()])
def test_a_non_ascii_response_is_911_for_known_and_unknown_accounts_alike(
        server: MsnServer, aloop: asyncio.Runner, caplog: pytest.LogCaptureFixture, response: bytes) -> None:
    caplog.set_level(logging.WARNING, logger="msnqt")
    known = aloop.run(raw_response(server, "alice@example.org", response))
    unknown = aloop.run(raw_response(server, "nobody@example.org", response))
    assert known == unknown == ("911 3", True)
    assert not [r for r in caplog.records if r.exc_info]  # no traceback


def test_unknown_accounts_cost_the_same_decryption_as_known_ones(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    store = SqliteStore.open(tmp_path)
    try:
        from msnqt.server.core.model import Profile
        store.create_account("alice@example.org", "alicepw", "Alice", Profile("", "", "", "", ""))
        unsealed: list[bytes] = []
        real = store._vault.unseal
        monkeypatch.setattr(store._vault, "unseal", lambda token: unsealed.append(token) or real(token))
        assert store.password("alice@example.org") == "alicepw"
        assert store.password("nobody@example.org") is None
        assert len(unsealed) == 2  # one decryption for the known account, one decoy for the unknown
    finally:
        store.close()


def test_guessing_locks_the_account_and_the_address_but_not_the_others(
        server: MsnServer, aloop: asyncio.Runner, clock: list[float],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="msnqt")

    async def attempt(handle: str, password: str, source: str | None = None) -> str:
        client, answer = await try_sign_in(server.ns_address, handle, password, source=source)
        client.close()
        return answer

    async def run() -> None:
        # Three free wrong guesses, a fourth that locks; then even the right password is refused.
        guesses = [await attempt("alice@example.org", f"guess{n}", GUESSER) for n in range(4)]
        assert guesses == ["911 3"] * 4
        assert await attempt("alice@example.org", "alicepw", GUESSER) == "911 3"
        # Someone else, elsewhere, signs in as usual while alice's account is locked.
        bob = await sign_in(server.ns_address, "bob@example.org", "bobpw")
        await bob.send("PNG")
        assert await bob.line() == "QNG"
        bob.close()
        assert await attempt("alice@example.org", "alicepw") == "911 3"  # the account lock, briefly
        # The guesser's address stays locked for every account, even with a right password.
        assert await attempt("carol@example.org", "carolpw", GUESSER) == "911 3"
        clock[0] += 1.5  # the first locks (1 s) are over
        alice = await sign_in(server.ns_address, "alice@example.org", "alicepw")
        alice.close()
        # The guesser's next wrong guess (carol's first) locks the address again, twice as long.
        assert await attempt("carol@example.org", "guess", GUESSER) == "911 3"
        clock[0] += 1.5
        assert await attempt("carol@example.org", "carolpw", GUESSER) == "911 3"
        clock[0] += 1.0
        (await sign_in(server.ns_address, "carol@example.org", "carolpw", source=GUESSER)).close()

    aloop.run(run())
    failures = [r.getMessage() for r in caplog.records if "failed sign-in" in r.getMessage()]
    # Only checked attempts are failures (locked ones cost nothing, and do not flood the log).
    assert len(failures) == 5
    assert all(f"example.org at {GUESSER}:" in f for f in failures)
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "guess" not in logged and "alicepw" not in logged



def test_guesses_sent_at_once_on_many_connections_get_the_allowance_once(
        server: MsnServer, aloop: asyncio.Runner, caplog: pytest.LogCaptureFixture) -> None:
    """Twenty connections, each challenged, send a wrong password at the same moment: three free
    failures and one that locks are checked, the other sixteen are refused unchecked, and the owner's
    right password is refused too while the lock lasts (the server's clock stands still here)."""
    caplog.set_level(logging.INFO, logger="msnqt")

    async def challenged(handle: str, source: str) -> tuple[LineClient, str]:
        client = await LineClient.connect(server.ns_address, source=source)
        await client.send("VER 1 MSNP2")
        await client.line()
        await client.send(f"USR 2 MD5 I {handle}")
        return client, (await client.line()).split()[-1]

    async def run() -> None:
        guessers = [await challenged("alice@example.org", f"127.0.1.{n}") for n in range(20)]
        owner, challenge = await challenged("alice@example.org", "127.0.0.1")
        for client, _ in guessers:
            client.writer.write(b"USR 3 MD5 S " + b"0" * 32 + b"\r\n")
        await asyncio.gather(*(client.writer.drain() for client, _ in guessers))
        assert [await client.line() for client, _ in guessers] == ["911 3"] * 20
        await owner.send(f"USR 3 MD5 S {md5_response(challenge, 'alicepw')}")
        assert await owner.line() == "911 3"
        for client, _ in [*guessers, (owner, "")]:
            client.close()

    aloop.run(run())
    checked = [r for r in caplog.records if r.getMessage().startswith("failed sign-in")]
    assert len(checked) == 4
