"""A broken stream closes the connection, but what the peer sent before the break still arrives."""

from __future__ import annotations

import asyncio
from pathlib import Path

from msnqt.protocol import AckMode, MsgSend, encode
from msnqt.server import MsnServer, ServerConfig
from tests.server.wire import LineClient, sign_in


async def _chat(server: MsnServer) -> tuple[LineClient, LineClient]:
    alice = await sign_in(server.ns_address, "alice@hotmail.com", "alicepw")
    bob = await sign_in(server.ns_address, "bob@hotmail.com", "bobpw")
    for who in (alice, bob):
        await who.send("CHG 4 NLN")
        assert (await who.line()).startswith("CHG 4 NLN")
    await alice.send("XFR 5 SB")
    xfr = (await alice.line()).split()
    while xfr[0] != "XFR":  # NLN/ILN lines about bob may come first
        xfr = (await alice.line()).split()
    host, port = xfr[3].split(":")
    a_sb = await LineClient.connect((host, int(port)))
    await a_sb.send(f"USR 1 alice@hotmail.com {xfr[5]}")
    assert (await a_sb.line()).startswith("USR 1 OK")
    await a_sb.send("CAL 2 bob@hotmail.com")
    sid = (await a_sb.line()).split()[-1]
    rng = (await bob.line()).split()
    while rng[0] != "RNG":
        rng = (await bob.line()).split()
    b_sb = await LineClient.connect((host, int(port)))
    await b_sb.send(f"ANS 1 bob@hotmail.com {rng[4]} {sid}")
    assert (await b_sb.line()).startswith("IRO 1 1 1 alice@hotmail.com")
    assert await b_sb.line() == "ANS 1 OK"
    assert (await a_sb.line()).startswith("JOI bob@hotmail.com")
    return a_sb, b_sb


def test_a_message_before_an_oversized_one_in_the_same_read_is_relayed(
        tmp_path: Path, aloop: asyncio.Runner) -> None:
    async def main() -> None:
        server = await MsnServer.start(ServerConfig(data_dir=tmp_path, ds_port=0, ns_port=0, sb_port=0))
        try:
            server.add_account("alice@hotmail.com", "alicepw", "Alice")
            server.add_account("bob@hotmail.com", "bobpw", "Bob")
            a_sb, b_sb = await _chat(server)
            payload = b"MIME-Version: 1.0\r\n\r\nsee you"
            a_sb.writer.write(encode(MsgSend(3, AckMode.NAK_ONLY, payload)) + b"MSG 4 N 99999\r\n")
            await a_sb.writer.drain()
            assert await b_sb.line() == f"MSG alice@hotmail.com Alice {len(payload)}"
            assert await b_sb.line() == "BYE alice@hotmail.com"
            assert await a_sb.closed()
        finally:
            await server.close()

    aloop.run(main())
