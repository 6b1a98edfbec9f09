"""A cluster losing a process: an NS killed with ``kill -9`` (no goodbye, like a crashed host)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.cluster.topology import HEARTBEAT_LIFETIME, PASSWORD, cluster
from tests.server.wire import LineClient, next_line_starting, sign_in

DEATH_NOTICED_WITHIN = HEARTBEAT_LIFETIME + 1.0
"""docs/cluster.md: watchers see FLN within the heartbeat lifetime plus a third of it (+ slack)."""


async def _referral(ds: tuple[str, int], handle: str) -> tuple[str, int]:
    client = await LineClient.connect(ds)
    await client.send("VER 1 MSNP2")
    await client.line()
    await client.send(f"USR 2 MD5 I {handle}")
    fields = (await client.line()).split()
    client.close()
    host, port = fields[3].rsplit(":", 1)
    return host, int(port)


def test_a_killed_ns_leaves_no_ghosts(fresh_backends: tuple[str, str, Path], aloop: asyncio.Runner) -> None:
    dsn, redis_url, key_file = fresh_backends
    alice_h, bob_h = "alice@hotmail.com", "bob@hotmail.com"
    with cluster(dsn, redis_url, key_file, ns=2, sb=1) as running:
        running.add_accounts(alice_h, bob_h)
        survivor, victim = running.ns
        assert running.ds is not None
        ds = running.ds.address

        async def scenario() -> None:
            alice = await sign_in(survivor.address, alice_h, PASSWORD)
            bob = await sign_in(victim.address, bob_h, PASSWORD)
            for client, other, trid in ((alice, bob_h, 1), (bob, alice_h, 2)):
                await client.send(f"ADD {trid} FL {other} x")
                await next_line_starting(client, "ADD")
            await alice.send("CHG 3 NLN")
            await next_line_starting(alice, "CHG")
            await bob.send("CHG 4 NLN")
            assert (await next_line_starting(alice, "NLN"))[2] == bob_h

            victim.kill()
            alice.timeout = DEATH_NOTICED_WITHIN
            assert await next_line_starting(alice, "FLN") == ["FLN", bob_h]
            alice.timeout = 5.0

            await alice.send("XFR 5 SB")  # no ghost to ring: bob is offline
            xfr = await next_line_starting(alice, "XFR")
            host, port = xfr[3].rsplit(":", 1)
            sb = await LineClient.connect((host, int(port)))
            await sb.send(f"USR 1 {alice_h} {xfr[5]}")
            await sb.line()
            await sb.send(f"CAL 2 {bob_h}")
            assert await sb.line() == "217 2"

            # The DS stops referring anyone to the dead NS once its own view (refreshed every third of a
            # lifetime) has caught up; bob can sign in again on the survivor meanwhile.
            handles = [f"user{i}@hotmail.com" for i in range(16)]
            deadline = asyncio.get_running_loop().time() + HEARTBEAT_LIFETIME
            referred = {await _referral(ds, h) for h in handles}
            while referred != {survivor.address} and asyncio.get_running_loop().time() < deadline:
                referred = {await _referral(ds, h) for h in handles}
            assert referred == {survivor.address}
            again = await sign_in(survivor.address, bob_h, PASSWORD)
            await again.send("CHG 1 NLN")
            assert (await next_line_starting(alice, "NLN"))[2] == bob_h
            for client in (alice, sb, again):
                client.close()

        aloop.run(scenario())
        assert survivor.stop()[0] == 0
