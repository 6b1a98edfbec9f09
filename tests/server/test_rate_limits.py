"""Floods are refused to the flooder, never felt by the people around it (issue 14, "No rate limits").

Each attack is replayed at a bounded size on loopback. The limiters' clock is frozen, so what gets
through is exactly the burst, whatever the machine's speed: the assertions count lines, not time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from msnqt.protocol.codes import ListName
from msnqt.server import MsnServer, ServerConfig
from msnqt.server.core.limits import DEFAULT_RATE_LIMITS, KeyedBuckets, Rate, RateLimits
from tests.server.wire import LineClient, next_line_starting, open_chat, sign_in

PRESENCE_BURST = DEFAULT_RATE_LIMITS.presence.burst
LISTS_BURST = DEFAULT_RATE_LIMITS.lists.burst
PATIENCE = DEFAULT_RATE_LIMITS.refusals.burst


@asynccontextmanager
async def frozen_server(tmp_path: Path, **settings: object) -> AsyncIterator[MsnServer]:
    """A server whose rate limiters never refill: a burst is all anyone gets during the test."""
    config = ServerConfig(data_dir=tmp_path, ds_port=0, ns_port=0, sb_port=0, **settings)  # type: ignore[arg-type]
    server = await MsnServer.start(config, clock=lambda: 0.0)
    try:
        for name in ("flood", "bob", "carol", "victim"):
            server.add_account(f"{name}@example.org", f"{name}pw", name.title())
        yield server
    finally:
        await server.close()


async def online(server: MsnServer, name: str) -> LineClient:
    client = await sign_in(server.ns_address, f"{name}@example.org", f"{name}pw")
    await client.send("CHG 1 NLN")
    await next_line_starting(client, "CHG")
    return client


async def replies_until_closed(client: LineClient) -> list[str]:
    """Every line until the server closes. Closed with the rest of the flood unread, the socket is
    reset, and the kernel may throw away the last replies: callers count what matters server-side."""
    lines = []
    while True:
        try:
            raw = await asyncio.wait_for(client.reader.readline(), client.timeout)
        except ConnectionResetError:
            return lines
        if not raw:
            return lines
        lines.append(raw.decode().rstrip("\r\n"))


def test_a_status_flood_is_refused_and_closed_while_its_watcher_stays(tmp_path: Path,
                                                                      aloop: asyncio.Runner) -> None:
    """30,000 CHG flips in one write: the watcher, not reading meanwhile, sees the burst only and
    stays connected; the flooder gets 713s, then is closed."""
    async def run() -> None:
        async with frozen_server(tmp_path) as server:
            flood = server.store.account("flood@example.org")
            assert flood is not None
            server.store.add_entry("bob@example.org", ListName.FORWARD, flood, "Flood")
            bob = await online(server, "bob")
            flooder = await sign_in(server.ns_address, "flood@example.org", "floodpw")
            flips = b"".join(b"CHG %d %s\r\n" % (t, b"BSY" if t % 2 else b"NLN") for t in range(30_000))
            flooder.writer.write(flips)
            replies = await replies_until_closed(flooder)
            assert {r.split()[0] for r in replies} <= {"CHG", "713"}
            assert len(replies) <= PRESENCE_BURST + PATIENCE

            seen = []
            while (line := await bob.line()) != "FLN flood@example.org":
                seen.append(line)
            assert len(seen) == PRESENCE_BURST and all(s.startswith("NLN ") for s in seen)
            await bob.send("PNG")
            assert await bob.line() == "QNG"  # the watcher was never dropped
            bob.close()

    aloop.run(run())


LIST_FLOODS: dict[str, Callable[[int], bytes]] = {
    "REA": lambda t: b"REA %d flood@example.org Name%d" % (t, t),
    "ADD/REM": lambda t: (b"ADD %d AL bob@example.org Bob" if t % 2 else b"REM %d AL bob@example.org") % t,
}


@pytest.mark.parametrize("kind", LIST_FLOODS)
def test_a_list_flood_is_refused_after_the_burst_and_others_are_served(
        tmp_path: Path, aloop: asyncio.Runner, kind: str) -> None:
    async def run() -> None:
        async with frozen_server(tmp_path) as server:
            carol = await online(server, "carol")
            flooder = await online(server, "flood")
            # Odd TrIDs first: the ADD/REM flood starts with an ADD, so every allowed line is a change.
            flooder.writer.write(b"".join(LIST_FLOODS[kind](t) + b"\r\n" for t in range(11, 5011)))
            await carol.send("PNG")
            assert await carol.line() == "QNG"
            replies = await replies_until_closed(flooder)
            assert len(replies) <= LISTS_BURST + PATIENCE
            # Each change is committed and bumps the list version: nothing beyond the burst was done.
            assert server.store.lists("flood@example.org").version == LISTS_BURST
            carol.close()

    aloop.run(run())


async def switchboard(server: MsnServer, ns: LineClient, handle: str, trid: int) -> LineClient:
    """XFR SB and USR: a new switchboard session of ``handle``'s own."""
    await ns.send(f"XFR {trid} SB")
    xfr = await next_line_starting(ns, "XFR")
    sb = await LineClient.connect(server.sb_address)
    await sb.send(f"USR 1 {handle} {xfr[5]}")
    assert (await sb.line()).startswith(f"USR 1 OK {handle} ")
    return sb


def test_rings_are_limited_per_callee_across_switchboards_and_callers(tmp_path: Path,
                                                                      aloop: asyncio.Runner) -> None:
    """Many switchboards ringing one victim: only ``ring_limit_per_minute`` rings reach them,
    whoever calls; calls to anyone else still ring."""
    async def run() -> None:
        async with frozen_server(tmp_path, ring_limit_per_minute=2) as server:
            victim, carol = await online(server, "victim"), await online(server, "carol")
            flooder, bob = await online(server, "flood"), await online(server, "bob")
            boards = [await switchboard(server, flooder, "flood@example.org", 10 + n) for n in range(3)]
            answers = []
            for sb in boards:
                await sb.send("CAL 5 victim@example.org")
                answers.append((await sb.line()).split()[:3])
            assert answers == [["CAL", "5", "RINGING"], ["CAL", "5", "RINGING"], ["713", "5"]]
            bobs = await switchboard(server, bob, "bob@example.org", 20)
            await bobs.send("CAL 6 victim@example.org")
            assert await bobs.line() == "713 6"  # another caller: the victim's allowance is spent
            await bobs.send("CAL 7 carol@example.org")
            assert (await bobs.line()).startswith("CAL 7 RINGING ")
            assert (await next_line_starting(carol, "RNG"))[5] == "bob@example.org"
            rings = [(await next_line_starting(victim, "RNG"))[5] for _ in range(2)]
            assert rings == ["flood@example.org", "flood@example.org"]
            await victim.send("PNG")
            assert await victim.line() == "QNG"  # no third RNG was queued before it
            for client in (*boards, bobs, victim, carol, flooder, bob):
                client.close()

    aloop.run(run())


def test_calls_are_limited_per_caller_across_their_switchboards(tmp_path: Path,
                                                               aloop: asyncio.Runner) -> None:
    async def run() -> None:
        async with frozen_server(tmp_path, cal_limit_per_minute=2) as server:
            flooder = await online(server, "flood")
            others = [await online(server, name) for name in ("bob", "carol", "victim")]
            boards = [await switchboard(server, flooder, "flood@example.org", 10 + n) for n in range(3)]
            answers = []
            for sb, callee in zip(boards, ("bob", "carol", "victim"), strict=True):
                await sb.send(f"CAL 5 {callee}@example.org")
                answers.append((await sb.line()).split()[:3])
            assert answers == [["CAL", "5", "RINGING"], ["CAL", "5", "RINGING"], ["713", "5"]]
            for client in (*boards, *others, flooder):
                client.close()

    aloop.run(run())


def test_a_switchboard_flood_is_refused_to_the_flooder_and_the_reader_stays(
        tmp_path: Path, aloop: asyncio.Runner) -> None:
    """4 MiB of MSGs in one write at someone who is not reading just then: the reader gets the
    flooder's allowance, no more, and is never dropped; the flooder is closed."""
    relay_burst = DEFAULT_RATE_LIMITS.relay.burst

    async def run() -> None:
        async with frozen_server(tmp_path) as server:
            flooder, bob = await online(server, "flood"), await online(server, "bob")
            flood_sb, bob_sb = await open_chat(flooder, ("flood@example.org", "Flood"), bob,
                                               ("bob@example.org", "Bob"), xfr_trid=5)
            payload = b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n" + b"x" * 1000
            message = b"MSG %%d N %d\r\n%s" % (len(payload), payload)
            flood_sb.writer.write(b"".join(message % t for t in range(4 << 10)))
            replies = await replies_until_closed(flood_sb)
            assert {r.split()[0] for r in replies} <= {"NAK"}  # nothing refused went out unsaid
            relayed = 0
            while (line := await bob_sb.line()) != "BYE flood@example.org":
                assert line.startswith("MSG flood@example.org Flood ")
                relayed += len(payload)
            assert 0 < relayed <= relay_burst
            await bob.send("PNG")  # bob was never dropped
            assert await next_line_starting(bob, "QNG") == ["QNG"]
            for client in (bob_sb, bob, flooder):
                client.close()

    aloop.run(run())


def test_invitations_are_limited_per_user_per_day(tmp_path: Path, aloop: asyncio.Runner) -> None:
    async def run() -> None:
        limits = RateLimits(invitations=Rate(3, 3 / 86_400))
        async with frozen_server(tmp_path, rate_limits=limits) as server:
            flooder = await online(server, "flood")
            replies = []
            for n in range(5):
                await flooder.send(f"SND {10 + n} friend{n}@example.org")
                replies.append(await flooder.line())
            assert replies == ["SND 10 OK", "SND 11 OK", "SND 12 OK", "713 13", "713 14"]
            assert server.store.invitations("flood@example.org") == [
                "friend0@example.org", "friend1@example.org", "friend2@example.org"]
            flooder.close()

    aloop.run(run())


def test_a_bucket_refills_at_its_rate_and_no_further() -> None:
    now = [0.0]
    buckets: KeyedBuckets[str] = KeyedBuckets(Rate(2, 3 / 86_400), clock=lambda: now[0])
    assert [buckets.allow("a"), buckets.allow("a"), buckets.allow("a")] == [True, True, False]
    assert buckets.allow("b")  # another user has their own allowance
    now[0] = 86_400 / 3  # one invitation's worth of a day
    assert [buckets.allow("a"), buckets.allow("a")] == [True, False]
    now[0] = 10 * 86_400  # a long pause refills to the burst, not beyond
    assert [buckets.allow("a"), buckets.allow("a"), buckets.allow("a")] == [True, True, False]
