"""Garbage never takes the server down: every front answers or closes, and nothing crashes a handler.

Hypothesis throws lines built from real command names, handles, numbers and junk at the DS, at a
signed-in NS session and at a joined SB session; afterwards a fresh user must still be able to sign
in, and the server must have logged no handler failure (the safety net in ``Connection.serve``).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msnqt.server import MsnServer, ServerConfig
from tests.server.harness import NO_RATE_LIMITS
from tests.server.wire import LineClient, sign_in

WORDS = ["VER", "INF", "USR", "MD5", "I", "S", "OK", "SYN", "LST", "GTC", "BLP", "ADD", "REM", "REA",
         "CHG", "XFR", "URL", "FND", "SND", "PNG", "OUT", "CVR", "CVQ", "CAL", "ANS", "MSG", "FL", "AL",
         "BL", "RL", "A", "N", "U", "NLN", "HDN", "FLN", "SB", "NS", "MSNP2", "CVR0", "0", "1", "7",
         "-1", "4294967296", "99999999999999999999", "alice@hotmail.com", "bob@hotmail.com", "x@y.z",
         "%", "%zz", "%C3%28", "fname=*", "lname=a", "\x00", "é"]
token = st.one_of(st.sampled_from(WORDS), st.text(st.characters(codec="latin-1", exclude_characters="\r\n"),
                                                  max_size=6))
COMMANDS = ["VER", "INF", "USR", "SYN", "LST", "GTC", "BLP", "ADD", "REM", "REA", "CHG", "XFR", "URL",
            "FND", "SND", "PNG", "OUT", "CVR", "CAL", "ANS", "MSG"]
ARGS = ["FL", "AL", "BL", "RL", "alice@hotmail.com", "bob@hotmail.com", "carol@hotmail.com", "x@y.z", "NLN",
        "HDN", "FLN", "N", "A", "U", "SB", "MD5", "I", "S", "0", "5", "%zz", "é", "*"]
structured = st.builds(lambda name, trid, args: " ".join([name, str(trid), *args]),
                       st.sampled_from(COMMANDS), st.integers(0, 30),
                       st.lists(st.sampled_from(ARGS), max_size=4))
line = st.one_of(structured, st.lists(token, max_size=7).map(" ".join))
script = st.lists(line, min_size=1, max_size=8).map(lambda lines: "\r\n".join(lines) + "\r\n")
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def server(tmp_path: Path, aloop: asyncio.Runner, caplog: pytest.LogCaptureFixture):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING, logger="msnqt.server")
    # One server serves every example, so the per-user rate limits would soon refuse the sign-in steps.
    config = ServerConfig(data_dir=tmp_path, ds_port=0, ns_port=0, sb_port=0, sb_auth_timeout=5.0,
                          rate_limits=NO_RATE_LIMITS)
    instance = aloop.run(MsnServer.start(config))
    for name in ("alice", "bob", "carol"):
        instance.add_account(f"{name}@hotmail.com", f"{name}pw", name.title())
    yield instance
    aloop.run(instance.close())
    assert [r.getMessage() for r in caplog.get_records("call") if r.name.startswith("msnqt.server")] == []


async def _still_serving(server: MsnServer) -> None:
    carol = await sign_in(server.ns_address, "carol@hotmail.com", "carolpw")
    await carol.send("PNG")
    assert await carol.line() == "QNG"
    carol.close()


@given(data=script)
@FUZZ
def test_ds_survives_garbage(server: MsnServer, aloop: asyncio.Runner, data: str) -> None:
    async def run() -> None:
        client = await LineClient.connect(server.ds_address)
        await client.send("VER 1 MSNP2")
        client.writer.write(data.encode("utf-8", "surrogateescape"))
        client.close()
        await _still_serving(server)

    aloop.run(run())


@given(data=script)
@FUZZ
def test_ns_session_survives_garbage(server: MsnServer, aloop: asyncio.Runner, data: str) -> None:
    async def run() -> None:
        alice = await sign_in(server.ns_address, "alice@hotmail.com", "alicepw")
        await alice.send("CHG 4 NLN")
        alice.writer.write(data.encode("utf-8", "surrogateescape"))
        await alice.writer.drain()
        await _still_serving(server)
        alice.close()

    aloop.run(run())


@given(data=script)
@FUZZ
def test_sb_session_survives_garbage(server: MsnServer, aloop: asyncio.Runner, data: str) -> None:
    async def run() -> None:
        bob = await sign_in(server.ns_address, "bob@hotmail.com", "bobpw")
        await bob.send("CHG 4 NLN")
        assert await bob.line() == "CHG 4 NLN"
        await bob.send("XFR 5 SB")
        cookie = (await bob.line()).split()[-1]
        sb = await LineClient.connect(server.sb_address)
        await sb.send(f"USR 1 bob@hotmail.com {cookie}")
        assert await sb.line() == "USR 1 OK bob@hotmail.com Bob"
        sb.writer.write(data.encode("utf-8", "surrogateescape"))
        await sb.writer.drain()
        await _still_serving(server)
        sb.close()
        bob.close()

    aloop.run(run())
