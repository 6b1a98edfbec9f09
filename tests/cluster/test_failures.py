"""A cluster losing a piece: an NS killed with ``kill -9``, PostgreSQL away, Redis restarted empty."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import redis

from msnqt.protocol import md5_response
from tests.cluster.topology import HEARTBEAT_LIFETIME, PASSWORD, cluster, referral
from tests.server.wire import LineClient, next_line_starting, parse_address, sign_in
from tests.support.backends import Postgres, redis_server

DEATH_NOTICED_WITHIN = HEARTBEAT_LIFETIME + 1.0
"""docs/cluster.md: watchers see FLN within the heartbeat lifetime plus a third of it (+ slack)."""


async def _sign_in_reply(ns: tuple[str, int], handle: str) -> str:
    """The reply to a correct USR S, for a sign-in the server cannot complete; asserts it then closes."""
    client = await LineClient.connect(ns)
    await client.send("VER 1 MSNP2")
    await client.line()
    await client.send(f"USR 2 MD5 I {handle}")
    challenge = (await client.line()).split()[-1]
    await client.send(f"USR 3 MD5 S {md5_response(challenge, PASSWORD)}")
    reply = await client.line()
    assert await client.closed()
    client.close()
    return reply


async def _watching_each_other(ns_a: tuple[str, int], alice_h: str, ns_b: tuple[str, int],
                               bob_h: str) -> tuple[LineClient, LineClient]:
    """Alice on one NS and Bob on another, each on the other's FL, both online; Alice has seen Bob's NLN."""
    alice = await sign_in(ns_a, alice_h, PASSWORD)
    bob = await sign_in(ns_b, bob_h, PASSWORD)
    for client, other, trid in ((alice, bob_h, 1), (bob, alice_h, 2)):
        await client.send(f"ADD {trid} FL {other} x")
        await next_line_starting(client, "ADD")
    await alice.send("CHG 3 NLN")
    await next_line_starting(alice, "CHG")
    await bob.send("CHG 4 NLN")
    assert (await next_line_starting(alice, "NLN"))[2] == bob_h
    return alice, bob


def test_a_killed_ns_leaves_no_ghosts(fresh_backends: tuple[str, str, Path], aloop: asyncio.Runner) -> None:
    dsn, redis_url, key_file = fresh_backends
    alice_h, bob_h = "alice@hotmail.com", "bob@hotmail.com"
    with cluster(dsn, redis_url, key_file, ns=2, sb=1, heartbeat_lifetime=HEARTBEAT_LIFETIME) as running:
        running.add_accounts(alice_h, bob_h)
        survivor, victim = running.ns
        assert running.ds is not None
        ds = running.ds.address

        async def scenario() -> None:
            alice, _bob = await _watching_each_other(survivor.address, alice_h, victim.address, bob_h)

            victim.kill()
            alice.timeout = DEATH_NOTICED_WITHIN
            assert await next_line_starting(alice, "FLN") == ["FLN", bob_h]
            alice.timeout = 5.0

            await alice.send("XFR 5 SB")  # no ghost to ring: bob is offline
            xfr = await next_line_starting(alice, "XFR")
            sb = await LineClient.connect(parse_address(xfr[3]))
            await sb.send(f"USR 1 {alice_h} {xfr[5]}")
            await sb.line()
            await sb.send(f"CAL 2 {bob_h}")
            assert await sb.line() == "217 2"

            # The DS stops referring anyone to the dead NS once its own view (refreshed every third of a
            # lifetime) has caught up; bob can sign in again on the survivor meanwhile.
            handles = [f"user{i}@hotmail.com" for i in range(16)]
            deadline = asyncio.get_running_loop().time() + HEARTBEAT_LIFETIME
            referred = {await referral(ds, h) for h in handles}
            while referred != {survivor.address} and asyncio.get_running_loop().time() < deadline:
                referred = {await referral(ds, h) for h in handles}
            assert referred == {survivor.address}
            again = await sign_in(survivor.address, bob_h, PASSWORD)
            await again.send("CHG 1 NLN")
            assert (await next_line_starting(alice, "NLN"))[2] == bob_h
            for client in (alice, sb, again):
                client.close()

        aloop.run(scenario())
        assert survivor.stop()[0] == 0


def test_postgres_away_for_a_while_is_501_then_recovers(fresh_backends: tuple[str, str, Path],
                                                        postgres: Postgres, aloop: asyncio.Runner) -> None:
    dsn, redis_url, key_file = fresh_backends
    with cluster(dsn, redis_url, key_file, ns=1, sb=1, heartbeat_lifetime=HEARTBEAT_LIFETIME) as running:
        running.add_accounts("alice@hotmail.com", "bob@hotmail.com", "carol@hotmail.com")
        ns = running.ns[0].address

        async def scenario() -> None:
            alice = await sign_in(ns, "alice@hotmail.com", PASSWORD)
            await alice.send("ADD 1 FL bob@hotmail.com bob")
            assert (await alice.line()).startswith("ADD 1 FL 1 ")
            postgres.stop()
            try:
                await alice.send("ADD 2 FL carol@hotmail.com carol")
                assert await alice.line() == "501 2"  # not done, and not said to be done
                assert await _sign_in_reply(ns, "carol@hotmail.com") == "501 3"  # then closed
            finally:
                postgres.start()
            await alice.send("ADD 3 FL carol@hotmail.com carol")  # same process, connection re-opened
            assert await alice.line() == "ADD 3 FL 2 carol@hotmail.com carol"
            await alice.send("SYN 4 0")
            assert await alice.line() == "SYN 4 2"
            alice.close()

        aloop.run(scenario())


def test_redis_restarting_is_501_then_recovers(fresh_backends: tuple[str, str, Path],
                                               aloop: asyncio.Runner) -> None:
    """Redis comes back empty: the sessions it forgot end with OUT SSD (their users sign in again, rather
    than linger unseen), and the same NS processes serve presence across each other again."""
    dsn, _, key_file = fresh_backends
    with redis_server() as private, cluster(dsn, private.url(), key_file, ns=2, sb=1,
                                            heartbeat_lifetime=HEARTBEAT_LIFETIME) as running:
        running.add_accounts("alice@hotmail.com", "bob@hotmail.com")
        ns1, ns2 = (c.address for c in running.ns)

        async def friends_online() -> tuple[LineClient, LineClient]:
            alice = await sign_in(ns1, "alice@hotmail.com", PASSWORD)
            bob = await sign_in(ns2, "bob@hotmail.com", PASSWORD)
            await alice.send("CHG 1 NLN")
            await next_line_starting(alice, "CHG")
            await bob.send("CHG 2 NLN")
            assert (await next_line_starting(alice, "NLN"))[2] == "bob@hotmail.com"
            return alice, bob

        async def scenario() -> None:
            alice = await sign_in(ns1, "alice@hotmail.com", PASSWORD)
            await alice.send("ADD 1 FL bob@hotmail.com bob")
            await next_line_starting(alice, "ADD")
            alice.close()
            alice, bob = await friends_online()

            private.stop()
            await alice.send("XFR 3 SB")
            # Not done, and said so: 501 when the cookie cannot be stored, 601 when the NS has just lost
            # sight of every SB (its live set is read from the same Redis); seen both ways in a clean root.
            assert await alice.line() in ("501 3", "601 3")
            assert await _sign_in_reply(ns2, "alice@hotmail.com") == "501 3"  # then closed
            private.start()  # empty: every session, presence and heartbeat is gone
            for forgotten in (alice, bob):  # each NS notices once it is subscribed again
                assert await next_line_starting(forgotten, "OUT") == ["OUT", "SSD"]
                assert await forgotten.closed()
                forgotten.close()
            alice, bob = await friends_online()  # presence crosses NS processes again, no restart
            alice.close()
            bob.close()

        aloop.run(scenario())


def test_an_ns_stopping_says_goodbye_to_its_users_and_their_watchers(
        fresh_backends: tuple[str, str, Path], aloop: asyncio.Runner) -> None:
    dsn, redis_url, key_file = fresh_backends
    with cluster(dsn, redis_url, key_file, ns=2, sb=1, heartbeat_lifetime=HEARTBEAT_LIFETIME) as running:
        running.add_accounts("alice@hotmail.com", "bob@hotmail.com", "carol@hotmail.com")
        staying, leaving = running.ns

        async def scenario() -> None:
            # Carol's session moved from the NS that stops to the one that stays (OUT OTH, routed there):
            # the stopping NS must say goodbye to its own sessions only, not to hers.
            carol_before = await sign_in(leaving.address, "carol@hotmail.com", PASSWORD)
            carol = await sign_in(staying.address, "carol@hotmail.com", PASSWORD)
            assert await next_line_starting(carol_before, "OUT") == ["OUT", "OTH"]
            alice = await sign_in(staying.address, "alice@hotmail.com", PASSWORD)
            bob = await sign_in(leaving.address, "bob@hotmail.com", PASSWORD)
            for client, other, trid in ((alice, "bob@hotmail.com", 1), (bob, "alice@hotmail.com", 2)):
                await client.send(f"ADD {trid} FL {other} x")
                await next_line_starting(client, "ADD")
            await alice.send("CHG 3 NLN")
            await next_line_starting(alice, "CHG")
            await bob.send("CHG 4 NLN")
            assert (await next_line_starting(alice, "NLN"))[2] == "bob@hotmail.com"

            assert leaving.stop()[0] == 0  # SIGTERM: a clean stop, no heartbeat to wait for
            assert await next_line_starting(bob, "OUT") == ["OUT", "SSD"]
            assert await bob.closed()
            assert await next_line_starting(alice, "FLN") == ["FLN", "bob@hotmail.com"]
            await carol.send("PNG")
            assert await carol.line() == "QNG"  # still signed in: no OUT SSD from the NS that stopped

            for client in (alice, bob, carol, carol_before):
                client.close()

        aloop.run(scenario())


def test_an_ns_taken_for_dead_while_stalled_ends_its_sessions_when_it_is_back(
        fresh_backends: tuple[str, str, Path], aloop: asyncio.Runner) -> None:
    """A stalled NS (SIGSTOP: a frozen VM, a long GC pause) misses its heartbeats and is reaped: its
    users are signed out for everyone. Back, it must not keep serving them as if nothing happened
    (connected, yet offline to all their contacts): they get OUT SSD and sign in again."""
    dsn, redis_url, key_file = fresh_backends
    alice_h, bob_h = "alice@hotmail.com", "bob@hotmail.com"
    with cluster(dsn, redis_url, key_file, ns=2, sb=1, heartbeat_lifetime=HEARTBEAT_LIFETIME) as running:
        running.add_accounts(alice_h, bob_h)
        survivor, stalled = running.ns

        async def scenario() -> None:
            alice, bob = await _watching_each_other(survivor.address, alice_h, stalled.address, bob_h)

            stalled.process.send_signal(signal.SIGSTOP)
            try:
                alice.timeout = DEATH_NOTICED_WITHIN
                assert await next_line_starting(alice, "FLN") == ["FLN", bob_h]
            finally:
                stalled.process.send_signal(signal.SIGCONT)
            bob.timeout = HEARTBEAT_LIFETIME + 5.0
            assert await next_line_starting(bob, "OUT") == ["OUT", "SSD"]
            again = await sign_in(stalled.address, bob_h, PASSWORD)
            await again.send("CHG 1 NLN")
            alice.timeout = 5.0
            assert (await next_line_starting(alice, "NLN"))[2] == bob_h
            for client in (alice, bob, again):
                client.close()

        aloop.run(scenario())


def test_an_ns_that_stopped_hearing_its_channel_tells_its_users_presence_again(
        fresh_backends: tuple[str, str, Path], aloop: asyncio.Runner) -> None:
    """The NS's subscription is cut while Redis keeps everything (a network blip): whatever NLN or FLN was
    published meanwhile went to nobody, so once each NS hears its channel again, its users are told their
    contacts' presence again, and see the truth without signing in again."""
    dsn, _, key_file = fresh_backends
    alice_h, bob_h = "alice@hotmail.com", "bob@hotmail.com"
    with redis_server() as private, cluster(dsn, private.url(), key_file, ns=2, sb=1,
                                            heartbeat_lifetime=HEARTBEAT_LIFETIME) as running:
        running.add_accounts(alice_h, bob_h)
        running.expect_log("event subscription lost")
        ns1, ns2 = (c.address for c in running.ns)

        async def scenario() -> None:
            alice, bob = await _watching_each_other(ns1, alice_h, ns2, bob_h)
            with redis.Redis.from_url(private.url()) as admin:
                assert admin.client_kill_filter(_type="pubsub") == 2  # one subscription per NS
            assert (await next_line_starting(alice, "NLN"))[1:3] == ["NLN", bob_h]
            assert (await next_line_starting(bob, "NLN"))[1:3] == ["NLN", alice_h]
            await bob.send("CHG 5 BSY")  # and the channels carry events again
            assert (await next_line_starting(alice, "NLN"))[1:3] == ["BSY", bob_h]
            alice.close()
            bob.close()

        aloop.run(scenario())
