"""A broken stream closes the connection, but what the peer sent before the break still arrives."""

from __future__ import annotations

import asyncio
from pathlib import Path

from msnqt.protocol import AckMode, MsgSend, encode
from msnqt.server import MsnServer, ServerConfig
from tests.server.wire import LineClient, open_chat, sign_in


async def chat_between_alice_and_bob(server: MsnServer) -> tuple[LineClient, LineClient]:
    """Alice and Bob online, in one switchboard session."""
    alice = await sign_in(server.ns_address, "alice@hotmail.com", "alicepw")
    bob = await sign_in(server.ns_address, "bob@hotmail.com", "bobpw")
    for who in (alice, bob):
        await who.send("CHG 4 NLN")
        assert (await who.line()).startswith("CHG 4 NLN")
    return await open_chat(alice, ("alice@hotmail.com", "Alice"), bob, ("bob@hotmail.com", "Bob"), xfr_trid=5)


def test_a_message_before_an_oversized_one_in_the_same_read_is_relayed(
        tmp_path: Path, aloop: asyncio.Runner) -> None:
    async def main() -> None:
        server = await MsnServer.start(ServerConfig(data_dir=tmp_path, ds_port=0, ns_port=0, sb_port=0))
        try:
            server.add_account("alice@hotmail.com", "alicepw", "Alice")
            server.add_account("bob@hotmail.com", "bobpw", "Bob")
            a_sb, b_sb = await chat_between_alice_and_bob(server)
            payload = b"MIME-Version: 1.0\r\n\r\nsee you"
            a_sb.writer.write(encode(MsgSend(3, AckMode.NAK_ONLY, payload)) + b"MSG 4 N 99999\r\n")
            await a_sb.writer.drain()
            assert await b_sb.line() == f"MSG alice@hotmail.com Alice {len(payload)}"
            assert await b_sb.line() == "BYE alice@hotmail.com"
            assert await a_sb.closed()
        finally:
            await server.close()

    aloop.run(main())
