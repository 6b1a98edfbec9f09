"""Every (state, command) pair of the NS and SB state machines, h2-style.

For each state a fresh connection is brought there, one sample line is sent, and the server must
either answer or close the connection, never crash a handler (which would be logged by the safety net
in ``Connection.serve``); a fresh user must still be able to sign in afterwards.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from msnqt.server import MsnServer, ServerConfig
from tests.server.harness import NO_RATE_LIMITS
from tests.server.wire import LineClient, ns_in_state, sb_in_state, sign_in

NS_SAMPLES = [
    "VER 9 MSNP2 CVR0", "VER 9 MSNP7", "VER 9", "INF 9", "USR 9 MD5 I bob@hotmail.com",
    "USR 9 MD5 S 0123456789abcdef0123456789abcdef", "USR 9 CTP I bob@hotmail.com", "USR 9 MD5 X y",
    "SYN 9 0", "SYN 9 x", "LST 9 FL", "LST 9 ZZ", "GTC 9 N", "GTC 9 A", "GTC 9 Q", "BLP 9 BL", "BLP 9 AL",
    "ADD 9 FL bob@hotmail.com Bob", "ADD 9 AL bob@hotmail.com Bob", "ADD 9 BL bob@hotmail.com Bob",
    "ADD 9 RL bob@hotmail.com Bob", "ADD 9 FL alice@hotmail.com Me", "ADD 9 FL bad Bad", "ADD 9 FL",
    "REM 9 FL bob@hotmail.com", "REM 9 RL bob@hotmail.com", "REM 9 AL nobody@hotmail.com",
    "REA 9 alice@hotmail.com New%20Name", "REA 9 bob@hotmail.com Bob", "REA 9 alice@hotmail.com %C3%28",
    "CHG 9 NLN", "CHG 9 HDN", "CHG 9 FLN", "CHG 9 ZZZ", "XFR 9 SB", "XFR 9 NS", "URL 9 INBOX",
    "URL 9 NOPE", "FND 9 fname=a lname=b city=* state=* country=*", "FND 9 junk", "SND 9 x@y.z",
    "SND 9 junk", "CVR 9 0x0409 win 4.10 i386 MSMSGS 1.0.0863", "CVQ 9 0x0409 win 4.10 i386 MSMSGS 1.0",
    "PNG", "PNG 9", "OUT", "OUT OTH", "CAL 9 bob@hotmail.com", "ANS 9 a b c", "QNG", "ILN 9 NLN a@b.c A",
    "FOO 9", "usr 9 MD5 I bob@hotmail.com", "ADD 4294967296 FL bob@hotmail.com Bob", "",
]
SB_SAMPLES = [
    "USR 9 bob@hotmail.com 1.2.3", "USR 9 bob@hotmail.com", "ANS 9 bob@hotmail.com 1.2.3 123",
    "ANS 9 bob@hotmail.com", "CAL 9 alice@hotmail.com", "CAL 9 bob@hotmail.com", "CAL 9 bad",
    "CAL 9 ghost@hotmail.com", "CAL 9", "OUT", "VER 9 MSNP2", "INF 9", "PNG", "BYE x@y.z", "JOI a b",
    "MSG 9 Z 0", "MSG 9 N x", "FOO", "",
]


@pytest.fixture
def server(tmp_path: Path, aloop: asyncio.Runner, caplog: pytest.LogCaptureFixture):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING, logger="msnqt.server")
    # Every sample signs in (or guesses a password for) the same account: not the limits under test.
    config = ServerConfig(data_dir=tmp_path, ds_port=0, ns_port=0, sb_port=0, rate_limits=NO_RATE_LIMITS,
                          login_free_failures=1_000_000)
    instance = aloop.run(MsnServer.start(config))
    for name in ("alice", "bob", "carol"):
        instance.add_account(f"{name}@hotmail.com", f"{name}pw", name.title())
    yield instance
    aloop.run(instance.close())
    assert [r.getMessage() for r in caplog.get_records("call") if r.name.startswith("msnqt.server")] == []


async def _ns_at(server: MsnServer, state: str) -> LineClient:
    return await ns_in_state(server.ns_address, state, ("alice@hotmail.com", "alicepw"))


PROBES = {
    "NEGOTIATED": ("INF 99", "INF 99 MD5"), "CHALLENGED": ("INF 99", "INF 99 MD5"),
    "SIGNED_IN": ("PNG", "QNG"), "ONLINE": ("PNG", "QNG"),
    "IN_SESSION": ("CAL 99 ghost@hotmail.com", "217 99"),
}


async def _answered_or_closed(client: LineClient, sample: str, state: str) -> None:
    """The sample is followed, pipelined, by a probe whose answer is known in this state.

    Either the server closes the connection (possibly after an answer), or the session survived the
    sample in a usable state and answers the probe. Silence fails the test.
    """
    probe = PROBES.get(state)
    await client.send(sample)
    if probe is not None:
        await client.send(probe[0])
    while True:
        try:
            line = await client.line()
        except (asyncio.IncompleteReadError, ConnectionResetError):
            break  # closed: a clean answer to bad input
        if probe is None or line == probe[1]:
            break
    client.close()


async def _still_serving(server: MsnServer) -> None:
    carol = await sign_in(server.ns_address, "carol@hotmail.com", "carolpw")
    await carol.send("PNG")
    assert await carol.line() == "QNG"
    carol.close()


def _each(aloop: asyncio.Runner, server: MsnServer, samples: list[str], state: str,
          reach: Callable[[], Awaitable[LineClient]]) -> None:
    async def run() -> None:
        for sample in samples:
            client = await reach()
            if PROBES.get(state) is None and sample in ("PNG", "OUT", "", "QNG", "FOO"):
                # Before negotiation nothing can prove the session is alive without changing its state.
                await client.send(sample)
                client.close()
            else:
                await _answered_or_closed(client, sample, state)
        await _still_serving(server)

    aloop.run(run())


@pytest.mark.parametrize("state", ["CONNECTED", "NEGOTIATED", "CHALLENGED", "SIGNED_IN", "ONLINE"])
def test_every_ns_command_in_every_state(state: str, server: MsnServer, aloop: asyncio.Runner) -> None:
    _each(aloop, server, NS_SAMPLES, state, lambda: _ns_at(server, state))


async def _sb_at(server: MsnServer, state: str) -> LineClient:
    return await sb_in_state(server.ns_address, server.sb_address, state, ("bob@hotmail.com", "bobpw"))


@pytest.mark.parametrize("state", ["CONNECTED", "IN_SESSION"])
def test_every_sb_command_in_every_state(state: str, server: MsnServer, aloop: asyncio.Runner) -> None:
    _each(aloop, server, SB_SAMPLES, state, lambda: _sb_at(server, state))
