"""Switchboard cookies cost constant work each, and stop working once their owner hides or leaves.

(issue 14: "``XFR SB`` is quadratic"; "a cookie taken while visible still opens a switchboard and
rings people after ``CHG HDN`` or sign-out".)
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from msnqt.server import MsnServer, ServerConfig
from msnqt.server.core.switchboard import CookieJar
from tests.server.wire import LineClient, next_line_starting, sign_in


def test_expired_cookies_are_dropped_as_new_ones_are_issued() -> None:
    async def body() -> None:
        now = [0.0]
        jar = CookieJar(lifetime=60.0, clock=lambda: now[0])
        cookies = [await jar.issue(f"user{n}@example.org") for n in range(20_000)]
        assert len(jar) == 20_000
        now[0] = 59.0
        assert await jar.redeem(cookies[7], "user7@example.org", None) is not None  # live ones still work
        now[0] = 61.0
        latest = await jar.issue("late@example.org")
        assert len(jar) == 1  # the twenty thousand expired ones are gone, not kept until redeemed
        assert await jar.redeem(cookies[8], "user8@example.org", None) is None
        assert await jar.redeem(latest, "late@example.org", None) is not None

    asyncio.run(body())


@pytest.fixture
def server(tmp_path: Path, aloop: asyncio.Runner):  # type: ignore[no-untyped-def]
    instance = aloop.run(MsnServer.start(ServerConfig(data_dir=tmp_path, ds_port=0, ns_port=0, sb_port=0)))
    for name in ("alice", "bob"):
        instance.add_account(f"{name}@example.org", f"{name}pw", name.title())
    yield instance
    aloop.run(instance.close())


async def online(server: MsnServer, name: str) -> LineClient:
    client = await sign_in(server.ns_address, f"{name}@example.org", f"{name}pw")
    await client.send("CHG 1 NLN")
    await next_line_starting(client, "CHG")
    return client


async def take_cookie(ns: LineClient) -> str:
    await ns.send("XFR 2 SB")
    return (await next_line_starting(ns, "XFR"))[5]


@pytest.mark.parametrize("then", ["CHG 3 HDN", "OUT"])
def test_a_cookie_taken_while_visible_opens_nothing_after_hiding_or_signing_out(
        server: MsnServer, aloop: asyncio.Runner, then: str) -> None:
    async def run() -> None:
        alice = await online(server, "alice")
        cookie = await take_cookie(alice)
        await alice.send(then)
        await alice.line()  # CHG 3 HDN, or OUT
        sb = await LineClient.connect(server.sb_address)
        await sb.send(f"USR 1 alice@example.org {cookie}")
        assert await sb.line() == "913 1"
        assert await sb.closed()
        assert server.switchboard.session_count() == 0
        alice.close()

    aloop.run(run())


def test_a_hidden_user_rings_nobody_from_a_session_opened_while_visible(
        server: MsnServer, aloop: asyncio.Runner) -> None:
    async def run() -> None:
        alice, bob = await online(server, "alice"), await online(server, "bob")
        cookie = await take_cookie(alice)
        sb = await LineClient.connect(server.sb_address)
        await sb.send(f"USR 1 alice@example.org {cookie}")
        assert (await sb.line()).startswith("USR 1 OK ")
        await alice.send("CHG 3 HDN")
        await next_line_starting(alice, "CHG")
        await sb.send("CAL 2 bob@example.org")
        assert await sb.line() == "913 2"
        await bob.send("PNG")
        assert await bob.line() == "QNG"  # no RNG before it
        for client in (sb, alice, bob):
            client.close()

    aloop.run(run())
