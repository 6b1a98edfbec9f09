"""An SB process killed with ``kill -9`` while a conversation is open on it.

Its participants' engines report the conversation ended and the message that was on its way undelivered
(never delivered: it went to a dead socket); the NS stops handing the dead SB out once its heartbeat has
run out (docs/cluster.md, "An SB dies"); the same two people then talk again on the other SB.

Only the SB that is killed runs with the short heartbeat lifetime: the NS and the surviving SB keep the
production one, so a loaded machine delaying their heartbeats cannot make them look dead.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import redis

from msnqt.client import Messenger, Undelivered
from msnqt.client import events as ev
from msnqt.server.cluster.liveness import LIVE_SET_REFRESH
from tests.client.util import EventRecorder
from tests.cluster.topology import HEARTBEAT_LIFETIME, PASSWORD, cluster, launch, ready
from tests.server.wire import LineClient, parse_address, sign_in

ALICE, BOB, CAROL, DAVE = (f"{n}@hotmail.com" for n in ("alice", "bob", "carol", "dave"))
SLACK = 1.0
"""What a loaded machine may add to a documented bound (the same slack as for a killed NS)."""
PROBES_IN_A_ROW = 3
"""An NS hands out its live SBs in turn: while it still counts the dead SB among them, no two answers in a
row name the survivor (and a rate limit of 20 XFR SB per user leaves room for the probes)."""
PROBE_INTERVAL = 0.1
"""Probes are spread over more than one live-set refresh, so a run of them sees the NS's newest view."""
DEADLINE = 10.0


def _text(address: tuple[str, int]) -> str:
    return "{}:{}".format(*address)



async def _online_prober(ns: tuple[str, int], handle: str) -> LineClient:
    """A user (with nobody on their lists: no presence lines) who asks the NS for switchboards."""
    client = await sign_in(ns, handle, PASSWORD)
    await client.send("CHG 1 NLN")
    assert await client.line() == "CHG 1 NLN"
    return client


async def _handed_out(prober: LineClient, trid: int) -> tuple[str, int] | None:
    """The SB the NS hands out for one ``XFR SB``, or None when it knows no live SB (``601``)."""
    await prober.send(f"XFR {trid} SB")
    fields = (await prober.line()).split()
    if fields == ["601", str(trid)]:
        return None
    assert fields[:3] == ["XFR", str(trid), "SB"], fields
    return parse_address(fields[3])


def _sb_heartbeats(redis_url: str) -> set[tuple[str, int]]:
    """The SB addresses whose heartbeat key is alive in Redis (what every NS reads its live set from)."""
    with redis.Redis.from_url(redis_url, decode_responses=True) as client:
        keys = list(client.scan_iter("msnqt:node:sb:*"))
        return {parse_address(value) for value in client.mget(keys) if value is not None} if keys else set()


def test_a_killed_sb_ends_its_conversations_and_is_handed_out_no_more(
        fresh_backends: tuple[str, str, Path], aloop: asyncio.Runner) -> None:
    dsn, redis_url, key_file = fresh_backends
    with cluster(dsn, redis_url, key_file, ns=2, sb=0) as running:
        running.add_accounts(ALICE, BOB, CAROL, DAVE)
        ns1, ns2 = (c.address for c in running.ns)
        victim = ready(launch("sb", dsn, redis_url, key_file, heartbeat_lifetime=HEARTBEAT_LIFETIME))
        running.sb.append(victim)

        async def scenario() -> None:
            loop = asyncio.get_running_loop()
            # alice's window outlasts the wait for a closed socket's end of file on a loaded machine
            alice = Messenger(_text(ns1), request_timeout=5, delivery_window=2, reconnect_delay=0.05)
            bob = Messenger(_text(ns2), request_timeout=5, delivery_window=0.3, reconnect_delay=0.05)
            alice_events, bob_events = EventRecorder(alice), EventRecorder(bob)
            await alice.sign_in(ALICE, PASSWORD)
            await bob.sign_in(BOB, PASSWORD)
            await alice.add_contact(BOB)
            await bob.add_contact(ALICE)

            # The victim is the only SB: wait (bounded) until the NS has read it from the live set.
            dave = await _online_prober(ns1, DAVE)
            deadline = loop.time() + DEADLINE
            trid = 1
            while (picked := await _handed_out(dave, trid := trid + 1)) is None and loop.time() < deadline:
                await asyncio.sleep(PROBE_INTERVAL)
            assert picked == victim.address

            mine = await alice.start_conversation(BOB)
            await alice_events.wait(ev.ParticipantJoined, lambda e: e.conversation is mine)
            bobs = (await bob_events.wait(ev.ConversationStarted)).conversation
            await bobs.send_text("before")
            assert (await alice_events.wait(ev.MessageReceived)).text == "before"

            survivor = await loop.run_in_executor(None, lambda: ready(launch("sb", dsn, redis_url, key_file)))
            running.sb.append(survivor)

            # The message is queued before the kill and written after it (the sending task runs on
            # the loop, which the kill below blocks): it goes to a dead socket and reaches nobody.
            sending = asyncio.ensure_future(mine.send_text("Did this arrive?"))
            victim.kill()
            killed_at = loop.time()
            with pytest.raises(Undelivered) as caught:
                await asyncio.wait_for(sending, DEADLINE)
            assert (caught.value.text, caught.value.reason) == ("Did this arrive?", "connection_lost")
            assert [(e.text, e.reason) for e in alice_events.of_type(ev.MessageUndelivered)] == [
                ("Did this arrive?", "connection_lost")]
            await alice_events.wait(ev.ConversationEnded, lambda e: e.conversation is mine)
            await bob_events.wait(ev.ConversationEnded, lambda e: e.conversation is bobs)
            assert not mine.active and not bobs.active
            assert alice.signed_in and bob.signed_in  # only the conversation ended

            # Its heartbeat runs out within one lifetime; each NS re-reads the live set within
            # LIVE_SET_REFRESH after that, and from then on hands out only the survivor. Both NS are
            # probed, each on its own clock: alice's (ns1) is the one her next chat asks.
            while victim.address in await loop.run_in_executor(None, _sb_heartbeats, redis_url):
                assert loop.time() < killed_at + HEARTBEAT_LIFETIME + SLACK, "the dead SB's heartbeat lingers"
                await asyncio.sleep(PROBE_INTERVAL)
            carol = await _online_prober(ns2, CAROL)
            no_longer_after = killed_at + HEARTBEAT_LIFETIME + LIVE_SET_REFRESH + SLACK
            for prober in (carol, dave):
                in_a_row = 0
                while in_a_row < PROBES_IN_A_ROW:
                    assert in_a_row > 0 or loop.time() < no_longer_after, "an NS still hands out the dead SB"
                    picked = await _handed_out(prober, trid := trid + 1)
                    in_a_row = in_a_row + 1 if picked == survivor.address else 0
                    await asyncio.sleep(PROBE_INTERVAL)

            # The same two people talk again: a new switchboard, on the survivor.
            before = bob_events.mark()
            await mine.send_text("after")
            again = await bob_events.wait(ev.MessageReceived, since=before)
            assert again.text == "after" and again.conversation.active
            assert mine.active and BOB in mine.participants
            assert [e.text for e in bob_events.of_type(ev.MessageReceived)] == ["after"]
            assert alice_events.of_type(ev.MessageUndelivered)[1:] == []

            for client in (carol, dave):
                client.close()
            for engine in (alice, bob):
                await engine.sign_out()

        aloop.run(scenario())
        for component in running.components():
            assert component is victim or component.process.poll() is None  # nothing else died

