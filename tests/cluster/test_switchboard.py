"""Switchboards across processes: any live SB, rings across NS, one meeting place, single-use cookies."""

from __future__ import annotations

import asyncio
import itertools

from msnqt.protocol import encode_friendly
from tests.cluster.topology import PASSWORD, Cluster
from tests.server.wire import LineClient, go_online, next_line_starting, parse_address, sign_in

_n = itertools.count(1)




def test_a_call_rings_a_callee_on_another_ns_to_the_same_sb(shared_cluster: Cluster,
                                                          aloop: asyncio.Runner) -> None:
    number = next(_n)
    alice_h, bob_h, carol_h = (f"{n}{number}sb@hotmail.com" for n in ("alice", "bob", "carol"))
    shared_cluster.add_accounts(alice_h, bob_h, carol_h)
    ns1, ns2 = (c.address for c in shared_cluster.ns)
    switchboards = {c.address for c in shared_cluster.sb}

    async def scenario() -> None:
        alice = await sign_in(ns1, alice_h, PASSWORD)
        bob = await sign_in(ns2, bob_h, PASSWORD)
        carol = await sign_in(ns2, carol_h, PASSWORD)
        for client, trid in ((alice, 1), (bob, 2), (carol, 3)):
            await go_online(client, trid)
        await alice.send("XFR 4 SB")
        xfr = await next_line_starting(alice, "XFR")
        sb = parse_address(xfr[3])
        assert sb in switchboards
        caller = await LineClient.connect(sb)
        await caller.send(f"USR 1 {alice_h} {xfr[5]}")
        assert (await caller.line()).startswith(f"USR 1 OK {alice_h} ")

        await caller.send(f"CAL 2 {bob_h}")
        session_id = (await caller.line()).split()[-1]
        ring = await next_line_starting(bob, "RNG")
        assert ring[1] == session_id and parse_address(ring[2]) == sb  # the ring names the caller's SB
        callee = await LineClient.connect(sb)
        await callee.send(f"ANS 1 {bob_h} {ring[4]} {session_id}")
        assert await callee.line() == f"IRO 1 1 1 {alice_h} {encode_friendly(alice_h.split('@')[0])}"
        assert await callee.line() == "ANS 1 OK"
        assert (await caller.line()).startswith(f"JOI {bob_h} ")

        await caller.send(f"CAL 3 {carol_h}")
        assert (await caller.line()).split()[-1] == session_id
        ring = await next_line_starting(carol, "RNG")
        assert parse_address(ring[2]) == sb
        # The cookie is good once, on its own SB only: the other SB and a second use are refused.
        for elsewhere in switchboards - {sb}:
            thief = await LineClient.connect(elsewhere)
            await thief.send(f"ANS 1 {carol_h} {ring[4]} {session_id}")
            assert await thief.line() == "911 1"
            thief.close()
        third = await LineClient.connect(sb)
        await third.send(f"ANS 1 {carol_h} {ring[4]} {session_id}")
        assert (await third.line()).startswith("IRO 1 1 2 ")
        assert (await third.line()).startswith("IRO 1 2 2 ")
        assert await third.line() == "ANS 1 OK"
        replay = await LineClient.connect(sb)
        await replay.send(f"ANS 1 {carol_h} {ring[4]} {session_id}")
        assert await replay.line() == "911 1"

        payload = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nhello"
        caller.writer.write(f"MSG 4 N {len(payload)}\r\n{payload}".encode())
        for member in (callee, third):
            assert (await next_line_starting(member, "MSG"))[1] == alice_h
        for client in (alice, bob, carol, caller, callee, third, replay):
            client.close()

    aloop.run(scenario())


def test_switchboard_session_ids_are_unique_across_sb_processes(shared_cluster: Cluster,
                                                              aloop: asyncio.Runner) -> None:
    number = next(_n)
    alice_h, bob_h = (f"{n}{number}ids@hotmail.com" for n in ("alice", "bob"))
    shared_cluster.add_accounts(alice_h, bob_h)
    ns1 = shared_cluster.ns[0].address

    async def scenario() -> None:
        alice = await sign_in(ns1, alice_h, PASSWORD)
        bob = await sign_in(ns1, bob_h, PASSWORD)
        await go_online(alice, 1)
        await go_online(bob, 2)
        await bob.send(f"ADD 3 AL {alice_h} alice")
        await next_line_starting(bob, "ADD")
        seen: dict[str, tuple[str, int]] = {}
        used: set[tuple[str, int]] = set()
        # The NS hands out its live SBs in turn: as many XFRs as SBs reach each of them once.
        for trid in range(11, 11 + len(shared_cluster.sb)):
            await alice.send(f"XFR {trid} SB")
            xfr = await next_line_starting(alice, "XFR")
            sb = parse_address(xfr[3])
            client = await LineClient.connect(sb)
            await client.send(f"USR 1 {alice_h} {xfr[5]}")
            assert (await client.line()).startswith(f"USR 1 OK {alice_h} ")
            await client.send(f"CAL 2 {bob_h}")
            answer = (await client.line()).split()
            assert answer[:3] == ["CAL", "2", "RINGING"], answer
            session_id = answer[-1]
            assert session_id not in seen, (session_id, seen[session_id], sb)
            seen[session_id] = sb
            used.add(sb)
            client.close()
        assert len(used) == 2
        alice.close()
        bob.close()

    aloop.run(scenario())
