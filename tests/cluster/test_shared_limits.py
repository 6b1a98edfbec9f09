"""Limits an attacker could multiply by choosing the process hold across the cluster (docs/cluster.md):
wrong passwords spread over both NS, rings for one callee and CALs of one caller spread over both SBs."""

from __future__ import annotations

import asyncio
import itertools
import time

from msnqt.protocol import md5_response
from tests.cluster.topology import PASSWORD, Cluster
from tests.server.wire import LineClient, go_online, next_line_starting, parse_address, sign_in, try_sign_in

_n = itertools.count(1)

FIRST_LOCK_SECONDS = 1.0
"""The first lock after the free failures (docs/server.md); a check later than this proves nothing."""




async def _switchboard(client: LineClient, handle: str, trid: int,
                       avoid: tuple[str, int] | None = None) -> tuple[LineClient, tuple[str, int]]:
    """A switchboard session of ``handle``'s on an SB other than ``avoid`` (the NS hands out SBs in turn)."""
    for attempt in range(3):
        await client.send(f"XFR {trid + attempt} SB")
        xfr = await next_line_starting(client, "XFR")
        sb = parse_address(xfr[3])
        if sb != avoid:
            board = await LineClient.connect(sb)
            await board.send(f"USR 1 {handle} {xfr[5]}")
            assert (await board.line()).startswith(f"USR 1 OK {handle} ")
            return board, sb
    raise AssertionError(f"three XFR SB in a row named {avoid}")


def test_wrong_passwords_spread_over_two_ns_are_throttled_as_on_one(shared_cluster: Cluster,
                                                                  aloop: asyncio.Runner) -> None:
    """Three wrong passwords on NS1, the fourth on NS2: that one starts the account's lock (logged by
    NS2), and the owner's right password, sent at once, is refused like a wrong one."""
    number = next(_n)
    victim = f"victim{number}throttle@hotmail.com"
    guesser = "127.0.0.9"
    shared_cluster.add_accounts(victim)
    ns1, ns2 = (c.address for c in shared_cluster.ns)

    async def attack() -> None:
        for _ in range(3):
            client, answer = await try_sign_in(ns1, victim, "guess", source=guesser)
            assert answer == "911 3"
            client.close()
        # The owner is ready to answer a challenge before the fourth guess, so one line follows it.
        owner = await LineClient.connect(ns2)
        await owner.send("VER 1 MSNP2")
        assert await owner.line() == "VER 1 MSNP2"
        await owner.send(f"USR 2 MD5 I {victim}")
        challenge = (await owner.line()).split()[-1]
        client, answer = await try_sign_in(ns2, victim, "guess", source=guesser)
        assert answer == "911 3"
        locked_at = time.monotonic()
        client.close()
        await owner.send(f"USR 3 MD5 S {md5_response(challenge, PASSWORD)}")
        answer = await owner.line()
        if time.monotonic() - locked_at < FIRST_LOCK_SECONDS:
            assert answer == "911 3"
        owner.close()

    aloop.run(attack())
    assert f"failed sign-in for {victim} at {guesser}" in shared_cluster.ns[1].stderr()
    assert "further tries are refused for a while" in shared_cluster.ns[1].stderr()


def test_rings_for_one_callee_from_two_sbs_stop_at_the_limit(shared_cluster: Cluster,
                                                           aloop: asyncio.Runner) -> None:
    """Two callers ring one victim from sessions on two SBs: the victim's client is rung ten times in
    all (ring_limit_per_minute), and the eleventh CAL is answered 713 whichever SB it reaches."""
    number = next(_n)
    victim_h, first_h, second_h = (f"{n}{number}rings@hotmail.com" for n in ("victim", "one", "two"))
    shared_cluster.add_accounts(victim_h, first_h, second_h)
    ns1, ns2 = (c.address for c in shared_cluster.ns)

    async def attack() -> None:
        victim = await sign_in(ns1, victim_h, PASSWORD)
        first = await sign_in(ns1, first_h, PASSWORD)
        second = await sign_in(ns2, second_h, PASSWORD)
        for client, trid in ((victim, 1), (first, 2), (second, 3)):
            await go_online(client, trid)
        board_one, sb_one = await _switchboard(first, first_h, 10)
        board_two, sb_two = await _switchboard(second, second_h, 10, avoid=sb_one)
        answers = []
        for call in range(11):
            board = (board_one, board_two)[call % 2]
            await board.send(f"CAL {call + 2} {victim_h}")
            answers.append((await board.line()).split()[:3])
        assert answers[:10] == [["CAL", str(n + 2), "RINGING"] for n in range(10)]
        assert answers[10] == ["713", "12"]
        rings = [await next_line_starting(victim, "RNG") for _ in range(10)]
        assert {parse_address(ring[2]) for ring in rings} == {sb_one, sb_two}
        await victim.send("PNG")
        assert await next_line_starting(victim, "QNG")  # no eleventh ring before it
        for client in (victim, first, second, board_one, board_two):
            client.close()

    aloop.run(attack())


def test_calls_of_one_caller_from_two_sbs_stop_at_the_limit(shared_cluster: Cluster,
                                                          aloop: asyncio.Runner) -> None:
    """One caller's CALs (refused ones count) alternate between its sessions on two SBs: thirty in a
    minute (cal_limit_per_minute) are answered, the thirty-first is 713."""
    number = next(_n)
    caller_h, absent_h = (f"{n}{number}calls@hotmail.com" for n in ("caller", "absent"))
    shared_cluster.add_accounts(caller_h, absent_h)
    ns1 = shared_cluster.ns[0].address

    async def flood() -> None:
        caller = await sign_in(ns1, caller_h, PASSWORD)
        await go_online(caller, 1)
        board_one, sb_one = await _switchboard(caller, caller_h, 10)
        board_two, _ = await _switchboard(caller, caller_h, 20, avoid=sb_one)
        answers = []
        for call in range(31):
            board = (board_one, board_two)[call % 2]
            await board.send(f"CAL {call + 2} {absent_h}")
            answers.append((await board.line()).split())
        assert answers[:30] == [["217", str(n + 2)] for n in range(30)]  # signed out: not rung
        assert answers[30] == ["713", "32"]
        for client in (caller, board_one, board_two):
            client.close()

    aloop.run(flood())
