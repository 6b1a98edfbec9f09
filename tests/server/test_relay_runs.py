"""Several MSGs in one read are relayed as a run: the peer sees each message, byte for byte, in order,
and the sender gets each ACK or NAK its mode asks for, in order."""

from __future__ import annotations

import asyncio
from pathlib import Path

from msnqt.server import MsnServer, ServerConfig
from tests.server.test_broken_stream import chat_between_alice_and_bob


def test_messages_written_at_once_are_relayed_in_order_with_their_acks(
        tmp_path: Path, aloop: asyncio.Runner) -> None:
    async def main() -> None:
        server = await MsnServer.start(ServerConfig(data_dir=tmp_path, ds_port=0, ns_port=0, sb_port=0))
        try:
            server.add_account("alice@hotmail.com", "alicepw", "Alice")
            server.add_account("bob@hotmail.com", "bobpw", "Bob")
            a_sb, b_sb = await chat_between_alice_and_bob(server)
            a_sb.writer.write(b"MSG 3 A 5\r\nfirstMSG 4 U 6\r\nsecondMSG 5 N 0\r\nMSG 6 A 5\r\nthird")
            await a_sb.writer.drain()
            expected = (b"MSG alice@hotmail.com Alice 5\r\nfirst"
                        b"MSG alice@hotmail.com Alice 6\r\nsecond"
                        b"MSG alice@hotmail.com Alice 0\r\n"
                        b"MSG alice@hotmail.com Alice 5\r\nthird")
            relayed = await asyncio.wait_for(b_sb.reader.readexactly(len(expected)), b_sb.timeout)
            assert relayed == expected
            assert await a_sb.line() == "ACK 3"
            assert await a_sb.line() == "ACK 6"

            await b_sb.send("OUT")
            assert await a_sb.line() == "BYE bob@hotmail.com"
            a_sb.writer.write(b"MSG 7 A 2\r\nhiMSG 8 U 2\r\nhiMSG 9 N 2\r\nhi")
            await a_sb.writer.drain()
            assert await a_sb.line() == "NAK 7"  # nobody left to deliver to
            assert await a_sb.line() == "NAK 9"
        finally:
            await server.close()

    aloop.run(main())
