"""Presence, lists and sign-in across NS processes (issue 15): each user on a different NS."""

from __future__ import annotations

import asyncio
import itertools

from tests.cluster.topology import PASSWORD, Cluster
from tests.server.wire import LineClient, next_line_starting, parse_address, sign_in

_n = itertools.count(1)


def _handles(*names: str) -> list[str]:
    """Handles unique to this test (the cluster and its database are shared by the module)."""
    number = next(_n)
    return [f"{name}{number}@hotmail.com" for name in names]


async def _online(client: LineClient, trid: int, status: str = "NLN") -> list[str]:
    """CHG to ``status``; the ILN lines that came with the reply."""
    await client.send(f"CHG {trid} {status}")
    assert (await next_line_starting(client, "CHG")) == ["CHG", str(trid), status]
    initial = []
    await client.send("PNG")
    line = await client.line()
    while line != "QNG":
        initial.append(line)
        line = await client.line()
    return initial


async def _friends(a: LineClient, a_handle: str, b: LineClient, b_handle: str) -> None:
    """Each puts the other on FL and AL (the RL arrives as ADD 0 RL on the other NS)."""
    await a.send(f"ADD 10 FL {b_handle} {b_handle.split('@')[0]}")
    assert (await next_line_starting(a, "ADD"))[:3] == ["ADD", "10", "FL"]
    assert (await next_line_starting(b, "ADD"))[:3] == ["ADD", "0", "RL"]
    await b.send(f"ADD 11 FL {a_handle} {a_handle.split('@')[0]}")
    assert (await next_line_starting(b, "ADD"))[:3] == ["ADD", "11", "FL"]
    assert (await next_line_starting(a, "ADD"))[:3] == ["ADD", "0", "RL"]


def test_presence_crosses_ns_processes(shared_cluster: Cluster, aloop: asyncio.Runner) -> None:
    alice_h, bob_h = _handles("alice", "bob")
    alice_n, bob_n = alice_h.split("@")[0], bob_h.split("@")[0]
    shared_cluster.add_accounts(alice_h, bob_h)
    ns1, ns2 = (c.address for c in shared_cluster.ns)

    async def scenario() -> None:
        alice = await sign_in(ns1, alice_h, PASSWORD)
        bob = await sign_in(ns2, bob_h, PASSWORD)
        await _friends(alice, alice_h, bob, bob_h)
        assert await _online(alice, 20) == []
        assert await _online(bob, 21) == [f"ILN 21 NLN {alice_h} {alice_n}"]  # alice is on the other NS
        assert await next_line_starting(alice, "NLN") == ["NLN", "NLN", bob_h, bob_n]
        await bob.send("CHG 22 BSY")
        assert await next_line_starting(alice, "NLN") == ["NLN", "BSY", bob_h, bob_n]
        await bob.send(f"REA 23 {bob_h} Robert")
        assert (await next_line_starting(bob, "REA"))[:2] == ["REA", "23"]
        assert await next_line_starting(alice, "NLN") == ["NLN", "BSY", bob_h, "Robert"]
        await bob.send("BLP 24 BL")  # alice is on neither of bob's AL/BL: she sees him go ...
        assert await next_line_starting(alice, "FLN") == ["FLN", bob_h]
        await bob.send("BLP 25 AL")  # ... and come back
        assert await next_line_starting(alice, "NLN") == ["NLN", "BSY", bob_h, "Robert"]
        await bob.send(f"ADD 26 BL {alice_h} {alice_n}")  # blocked by name
        assert await next_line_starting(alice, "FLN") == ["FLN", bob_h]
        await bob.send(f"REM 27 BL {alice_h}")
        assert await next_line_starting(alice, "NLN") == ["NLN", "BSY", bob_h, "Robert"]
        await bob.send("OUT")
        assert await next_line_starting(alice, "FLN") == ["FLN", bob_h]
        await alice.send(f"REM 28 FL {bob_h}")
        assert (await next_line_starting(alice, "REM"))[:3] == ["REM", "28", "FL"]
        alice.close()
        bob.close()

    aloop.run(scenario())


def test_reverse_list_changes_reach_the_other_ns(shared_cluster: Cluster, aloop: asyncio.Runner) -> None:
    alice_h, bob_h = _handles("alice", "bob")
    shared_cluster.add_accounts(alice_h, bob_h)
    ns1, ns2 = (c.address for c in shared_cluster.ns)

    async def scenario() -> None:
        alice = await sign_in(ns1, alice_h, PASSWORD)
        bob = await sign_in(ns2, bob_h, PASSWORD)
        await alice.send(f"ADD 5 FL {bob_h} bob")
        assert await next_line_starting(alice, "ADD") == ["ADD", "5", "FL", "1", bob_h, "bob"]
        assert await next_line_starting(bob, "ADD") == ["ADD", "0", "RL", "1", alice_h, alice_h.split("@")[0]]
        await alice.send(f"REM 6 FL {bob_h}")
        assert await next_line_starting(alice, "REM") == ["REM", "6", "FL", "2", bob_h]
        assert await next_line_starting(bob, "REM") == ["REM", "0", "RL", "2", alice_h]
        alice.close()
        bob.close()

    aloop.run(scenario())


def test_signing_in_on_another_ns_ends_the_first_session(shared_cluster: Cluster,
                                                         aloop: asyncio.Runner) -> None:
    alice_h, bob_h = _handles("alice", "bob")
    shared_cluster.add_accounts(alice_h, bob_h)
    ns1, ns2 = (c.address for c in shared_cluster.ns)

    async def scenario() -> None:
        first = await sign_in(ns1, alice_h, PASSWORD)
        bob = await sign_in(ns1, bob_h, PASSWORD)
        await _friends(first, alice_h, bob, bob_h)
        await _online(first, 20)
        await _online(bob, 21)
        assert (await next_line_starting(first, "NLN"))[2] == bob_h
        second = await sign_in(ns2, alice_h, PASSWORD)
        assert await next_line_starting(first, "OUT") == ["OUT", "OTH"]
        assert await first.closed()
        assert await next_line_starting(bob, "FLN") == ["FLN", alice_h]  # the old session is gone ...
        assert await _online(second, 22) == [f"ILN 22 NLN {bob_h} {bob_h.split('@')[0]}"]
        assert (await next_line_starting(bob, "NLN"))[2] == alice_h  # ... and the new one is seen
        await second.send("SYN 23 0")
        assert (await next_line_starting(second, "SYN"))[:2] == ["SYN", "23"]
        second.close()
        bob.close()

    aloop.run(scenario())


def test_the_ds_refers_each_user_to_a_live_ns_and_keeps_doing_so(shared_cluster: Cluster,
                                                               aloop: asyncio.Runner) -> None:
    assert shared_cluster.ds is not None
    live = {c.address for c in shared_cluster.ns}

    async def referral(handle: str) -> tuple[str, int]:
        client = await LineClient.connect(shared_cluster.ds.address)  # type: ignore[union-attr]
        await client.send("VER 1 MSNP2")
        assert await client.line() == "VER 1 MSNP2"
        await client.send(f"USR 2 MD5 I {handle}")
        fields = (await client.line()).split()
        assert fields[:3] == ["XFR", "2", "NS"], fields
        assert await client.closed()
        client.close()
        return parse_address(fields[3])

    async def scenario() -> None:
        handles = [f"user{i}@hotmail.com" for i in range(24)]
        first = [await referral(h) for h in handles]
        assert set(first) <= live
        assert len(set(first)) == 2, "rendezvous hashing spreads users over both NS"
        assert [await referral(h) for h in handles] == first  # stable while the set does not change

    aloop.run(scenario())
