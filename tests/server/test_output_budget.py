"""One connection asking for more than it reads stalls only itself (issue 14, "Replies have no budget").

The attack: a user with forty contacts under long names sends ``SYN 1 0`` thousands of times in one
write and reads nothing. Each SYN answers ~18 KB, so serving the whole write at once froze everyone
and grew the server by hundreds of megabytes. Now the server serves that connection only while its
unsent output is within budget; the rest waits, unread, until the flooder reads.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from msnqt.protocol.codes import ListName
from msnqt.server import MsnServer, ServerConfig
from msnqt.server.fronts.connection import MAX_PENDING_OUTPUT, OUTPUT_BUDGET
from msnqt.server.fronts.ns import NsConnection
from tests.server.harness import NO_RATE_LIMITS
from tests.server.wire import LineClient, sign_in
from tests.support.qt import wait_until

LONG_NAME = "A%20rather%20long%20friendly%20name%20" * 8


def ns_connection_of(server: MsnServer, handle: str) -> NsConnection:
    """The server side of ``handle``'s NS session (to look at what it holds back)."""
    found = [c for c in server._connections
             if isinstance(c, NsConnection) and c.account is not None and c.account.handle == handle]
    assert len(found) == 1, found
    return found[0]


def pending_output(connection: Any) -> int:
    return int(connection.transport.get_write_buffer_size())


def with_forty_contacts(server: MsnServer, owner: str) -> None:
    owner_account = server.add_account(owner, "pw", "Owner")
    for n in range(40):
        contact = server.add_account(f"contact{n}@example.org", "pw", f"Contact {n} " + "x" * 300)
        server.store.add_entry(owner_account.handle, ListName.FORWARD, contact, contact.friendly)


def test_a_syn_flood_in_one_write_does_not_delay_others_or_grow_without_bound(
        tmp_path: Path, aloop: asyncio.Runner) -> None:
    async def run() -> None:
        # The rate limit on SYN would refuse most of this flood; here the budget alone must hold.
        server = await MsnServer.start(ServerConfig(data_dir=tmp_path, ds_port=0, ns_port=0, sb_port=0,
                                                    rate_limits=NO_RATE_LIMITS))
        try:
            with_forty_contacts(server, "flood@example.org")
            server.add_account("bob@example.org", "bobpw", "Bob")
            flooder = await sign_in(server.ns_address, "flood@example.org", "pw")
            bob = await sign_in(server.ns_address, "bob@example.org", "bobpw")
            flood_side = ns_connection_of(server, "flood@example.org")

            flooder.writer.write(b"SYN 1 0\r\n" * 5000)  # 45 KB in one write, and no reading
            await wait_until(lambda: flood_side.backlog_size > 0)

            await bob.send("PNG")
            assert await bob.line() == "QNG"  # answered while the flood waits
            # The flood is not served: most of it is still waiting, and what the server holds for the
            # flooder is its budget plus at most one reply, not thousands of replies.
            assert flood_side.backlog_size > 4000
            assert pending_output(flood_side) < OUTPUT_BUDGET + MAX_PENDING_OUTPUT
            assert not flood_side.closing

            # Nothing is lost for the flooder either: reading, it gets its replies in order.
            for _ in range(3):
                assert await flooder.line() == "SYN 1 40"  # one list version per ADD
                assert (await flooder.line()).startswith("GTC 1 40 ")
                assert (await flooder.line()).startswith("BLP 1 40 ")
                for n in range(1, 41):
                    assert (await flooder.line()).startswith(f"LST 1 FL 40 {n} 40 contact")
                await skip_until(flooder, "LST 1 RL ")
            flooder.close()
            bob.close()
        finally:
            await server.close()

    aloop.run(run())


async def skip_until(client: LineClient, prefix: str) -> None:
    """Read past the lists that do not matter here, up to and including the first ``prefix`` line."""
    while not (await client.line()).startswith(prefix):
        pass


def test_many_cheap_commands_in_one_write_are_served_in_shares(tmp_path: Path, aloop: asyncio.Runner) -> None:
    """A read of thousands of PNGs is served a share per loop turn, so a PNG from someone else sent
    after it is answered before the whole flood is (the flooder reads, so only the turn limit acts)."""
    async def run() -> None:
        server = await MsnServer.start(ServerConfig(data_dir=tmp_path, ds_port=0, ns_port=0, sb_port=0))
        try:
            server.add_account("flood@example.org", "pw", "Flood")
            server.add_account("bob@example.org", "bobpw", "Bob")
            flooder = await sign_in(server.ns_address, "flood@example.org", "pw")
            bob = await sign_in(server.ns_address, "bob@example.org", "bobpw")
            flood_side = ns_connection_of(server, "flood@example.org")
            flooder.writer.write(b"PNG\r\n" * 5000)
            await wait_until(lambda: flood_side.backlog_size > 0)
            await bob.send("PNG")
            assert await bob.line() == "QNG"
            assert flood_side.backlog_size > 0
            for _ in range(5000):
                assert await flooder.line() == "QNG"
            flooder.close()
            bob.close()
        finally:
            await server.close()

    aloop.run(run())


def test_commands_sent_before_a_half_close_are_all_answered(tmp_path: Path, aloop: asyncio.Runner) -> None:
    """More commands than one turn serves, then FIN (``printf ... | nc``): every one is answered, then
    the server closes."""
    async def run() -> None:
        server = await MsnServer.start(ServerConfig(data_dir=tmp_path, ds_port=0, ns_port=0, sb_port=0))
        try:
            server.add_account("alice@example.org", "pw", "Alice")
            alice = await sign_in(server.ns_address, "alice@example.org", "pw")
            alice.writer.write(b"PNG\r\n" * 1000)
            alice.writer.write_eof()
            for _ in range(1000):
                assert await alice.line() == "QNG"
            assert await alice.closed()
            alice.close()
        finally:
            await server.close()

    aloop.run(run())
