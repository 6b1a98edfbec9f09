"""Garbage never takes the server down: every front answers or closes, and nothing crashes a handler.

Hypothesis throws lines built from the command grammar (real command names with plausible and
implausible arguments, MSG blocks with right and wrong lengths) and junk at the DS, at an NS
connection in each of its states and at an SB connection in each of its states; afterwards a fresh
user must still be able to sign in and be answered, and the server must have logged no handler
failure (the safety net in ``Connection``) nor any other warning.

The default run is short (``MSNQT_FUZZ_EXAMPLES``, 40 per test). For a long run (docs/server.md):

    MSNQT_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest -m fuzz --timeout=0 tests/server
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msnqt.server import MsnServer, ServerConfig
from tests.server.harness import NO_RATE_LIMITS
from tests.server.wire import NS_STATES, SB_STATES, LineClient, ns_in_state, sb_in_state, sign_in

pytestmark = pytest.mark.fuzz

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


def _msg(trid: int, mode: str, body: str, skew: int) -> str:
    """A MSG block whose declared length is right (skew 0) or off by a little."""
    payload = "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n" + body
    return f"MSG {trid} {mode} {max(0, len(payload.encode()) + skew)}\r\n{payload}"


message = st.builds(_msg, st.integers(0, 30), st.sampled_from(["U", "N", "A", "Z"]),
                    st.text(max_size=20), st.sampled_from([0, 0, 0, -1, 1, 5]))
line = st.one_of(structured, st.lists(token, max_size=7).map(" ".join))
script = st.lists(st.one_of(line, line, message), min_size=1, max_size=8).map(
    lambda lines: "\r\n".join(lines) + "\r\n")
FUZZ = settings(max_examples=int(os.environ.get("MSNQT_FUZZ_EXAMPLES", "40")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def server(tmp_path: Path, aloop: asyncio.Runner, caplog: pytest.LogCaptureFixture):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING, logger="msnqt.server")
    # One server serves every example, so the per-user rate limits would soon refuse the sign-in steps.
    config = ServerConfig(data_dir=tmp_path, ds_port=0, ns_port=0, sb_port=0, sb_auth_timeout=5.0,
                          rate_limits=NO_RATE_LIMITS, login_free_failures=1_000_000)
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


@pytest.mark.parametrize("state", NS_STATES)
@given(data=script)
@FUZZ
def test_ns_survives_garbage_in_every_state(server: MsnServer, aloop: asyncio.Runner, state: str,
                                            data: str) -> None:
    async def run() -> None:
        client = await ns_in_state(server.ns_address, state, ("alice@hotmail.com", "alicepw"))
        client.writer.write(data.encode("utf-8", "surrogateescape"))
        await client.writer.drain()
        await _still_serving(server)
        client.close()

    aloop.run(run())


@pytest.mark.parametrize("state", SB_STATES)
@given(data=script)
@FUZZ
def test_sb_survives_garbage_in_every_state(server: MsnServer, aloop: asyncio.Runner, state: str,
                                            data: str) -> None:
    async def run() -> None:
        client = await sb_in_state(server.ns_address, server.sb_address, state, ("bob@hotmail.com", "bobpw"))
        client.writer.write(data.encode("utf-8", "surrogateescape"))
        await client.writer.drain()
        await _still_serving(server)
        client.close()

    aloop.run(run())
