"""No zombie sessions: a closed NS connection fails what waits on it at once (issue 13).

Every test here would hang for a request timeout, or report a session that is not there, if a close went
unnoticed: the timeouts are long (30 s) and the run's deadline is shorter, so a hang fails the test.
"""

from __future__ import annotations

import asyncio
import sys

import pytest

from msnqt.client import ConnectionLost, Messenger, NotSignedIn
from msnqt.client import events as ev
from msnqt.client.quirks import ServerQuirks
from msnqt.client.states import NsState
from msnqt.protocol.codes import Status
from tests.client.util import PASSWORD, EventRecorder, ns_login
from tests.support.fakeserver import C, Close, FakeServer, Gate, Hold, S
from tests.support.logfail import LogFail

BOB = "bob@hotmail.com"
SLOW = 30.0
"""A request timeout no test may run into."""

SYNCED = [*ns_login(1), C("SYN 5 0"), S("SYN 5 0"), C("CHG 6 NLN"), S("CHG 6 NLN"),
          S("ILN 6 NLN bob@hotmail.com Bob")]
"""Signed in up to the barrier: the next client line is the PNG (or the SYN barrier, TrID 7)."""


def _messenger(server: FakeServer, quirks: ServerQuirks, **options: float | bool) -> Messenger:
    return Messenger(server.address, request_timeout=SLOW, quirks=quirks, **options)  # type: ignore[arg-type]


def test_a_server_that_drops_on_png_is_signed_in_to_without_it_and_remembered(aloop: asyncio.Runner) -> None:
    """The Go MSNP2 server closes the NS connection on any command it does not handle, PNG included."""
    async def scenario() -> None:
        dropped = [*SYNCED, C("PNG"), Close()]
        without_png = [*SYNCED, C("SYN 7 0"), S("SYN 7 0"), C("CHG 8 AWY"), S("CHG 8 AWY"), Hold()]
        next_time = [*SYNCED, C("SYN 7 0"), S("SYN 7 0"), Hold()]
        async with FakeServer([dropped, without_png, next_time]) as ns:
            quirks = ServerQuirks()
            messenger = _messenger(ns, quirks, keepalive_interval=0)
            recorder = EventRecorder(messenger)
            await messenger.sign_in("alice@hotmail.com", PASSWORD)
            assert messenger.signed_in and messenger.status is Status.ONLINE
            bob = [e.contact for e in recorder.of_type(ev.ContactChanged) if e.contact.handle == BOB]
            assert bob[-1].status is Status.ONLINE  # the ILN burst of the second connection
            assert recorder.of_type(ev.SignedIn) == [ev.SignedIn("alice@hotmail.com", "Alice Liddell")]
            assert not quirks.answers_ping(ns.address)
            await messenger.set_status(Status.AWAY)  # a round trip during which a keep-alive would run
            await messenger.sign_out()
            record = await ns.finished(1)
            assert "PNG" not in record.received
            again = _messenger(ns, quirks)
            await again.sign_in("alice@hotmail.com", PASSWORD)  # straight to the SYN barrier
            await again.sign_out()
            ns.check()
    aloop.run(scenario())


def test_a_close_during_the_sign_in_barrier_fails_the_sign_in_at_once(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        dropped = [*SYNCED, C("PNG"), Close()]
        async with FakeServer([dropped, dropped]) as ns:
            quirks = ServerQuirks()
            messenger = _messenger(ns, quirks)
            with pytest.raises(ConnectionLost):
                await messenger.sign_in("alice@hotmail.com", PASSWORD)
            assert messenger.state is NsState.OFFLINE
            assert quirks.answers_ping(ns.address)  # nothing learned from a server that just went away
            with pytest.raises(NotSignedIn):
                await messenger.set_status(Status.AWAY)
    aloop.run(scenario())


def test_a_server_that_ignores_png_costs_one_timeout_once(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        silent = [*SYNCED, C("PNG"), C("CHG 7 AWY"), S("CHG 7 AWY"), Hold()]
        async with FakeServer([silent, [*SYNCED, C("SYN 7 0"), S("SYN 7 0"), Hold()]]) as ns:
            quirks = ServerQuirks()
            messenger = Messenger(ns.address, request_timeout=1.0, quirks=quirks, keepalive_interval=0)
            await messenger.sign_in("alice@hotmail.com", PASSWORD)
            assert messenger.signed_in and not quirks.answers_ping(ns.address)
            await messenger.set_status(Status.AWAY)  # a round trip during which a keep-alive would run
            await messenger.sign_out()
            assert (await ns.finished(0)).received.count("PNG") == 1
            again = Messenger(ns.address, request_timeout=SLOW, quirks=quirks)
            await again.sign_in("alice@hotmail.com", PASSWORD)
            await again.sign_out()
            ns.check()
    aloop.run(scenario())


def test_a_close_while_a_request_waits_fails_it_and_reconnects(aloop: asyncio.Runner,
                                                               logfail: LogFail) -> None:
    logfail.allow(r"lost the connection to the notification server")
    async def scenario() -> None:
        first = [*SYNCED, C("PNG"), S("QNG"), C("CHG 7 AWY"), Close()]
        second = [*SYNCED, C("PNG"), S("QNG"), Hold()]
        async with FakeServer([first, second]) as ns:
            messenger = _messenger(ns, ServerQuirks(), reconnect_delay=0.01)
            recorder = EventRecorder(messenger)
            await messenger.sign_in("alice@hotmail.com", PASSWORD)
            with pytest.raises(ConnectionLost):
                await messenger.set_status(Status.AWAY)
            await recorder.wait(ev.Reconnecting)
            assert len(await recorder.wait_all(ev.SignedIn, 2)) == 2
            assert messenger.signed_in and messenger.status is Status.ONLINE
            await messenger.sign_out()
            ns.check()
    aloop.run(scenario())


def test_a_close_during_a_keepalive_ping_signs_out_when_reconnecting_fails(aloop: asyncio.Runner,
                                                                           logfail: LogFail) -> None:
    logfail.allow(r"lost the connection to the notification server")
    logfail.allow(r"giving up after 1 reconnect")
    async def scenario() -> None:
        first = [*SYNCED, C("PNG"), S("QNG"), C("PNG"), Close()]
        async with FakeServer([first, [Close()]]) as ns:
            messenger = _messenger(ns, ServerQuirks(), keepalive_interval=0.01, reconnect_delay=0.01,
                                   max_reconnect_attempts=1)
            recorder = EventRecorder(messenger)
            await messenger.sign_in("alice@hotmail.com", PASSWORD)
            assert await recorder.wait(ev.SignedOut) == ev.SignedOut("connection_lost")
            assert messenger.state is NsState.OFFLINE and not messenger.signed_in
            ns.check()
    aloop.run(scenario())


def test_a_server_initiated_move_goes_to_the_address_given(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        signed_in = [*SYNCED, C("PNG"), S("QNG")]
        async with FakeServer([[*signed_in, Hold()]]) as target, FakeServer([
                [*signed_in, Gate("move"), S("XFR 0 NS {target}"), Hold()]], target=target.address) as ns:
            messenger = _messenger(ns, ServerQuirks(), reconnect_delay=SLOW)
            recorder = EventRecorder(messenger)
            await messenger.sign_in("alice@hotmail.com", PASSWORD)
            ns.open_gate("move")
            assert len(await recorder.wait_all(ev.SignedIn, 2)) == 2
            assert len(target.connections) == 1 and len(ns.connections) == 1
            await messenger.sign_out()
            ns.check()
            target.check()
    aloop.run(scenario())


def test_cli_listen_exits_1_when_the_connection_is_lost_for_good(aloop: asyncio.Runner) -> None:
    async def scenario() -> tuple[int, bytes]:
        async with FakeServer([[*SYNCED, C("PNG"), S("QNG"), Close()]]) as ns:
            cli = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "msnqt.client", "--server", ns.address, "--user", "alice@hotmail.com",
                "listen", "--retries", "0",
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            _, stderr = await asyncio.wait_for(cli.communicate(PASSWORD.encode() + b"\n"), 30)
            return cli.returncode or 0, stderr
    returncode, stderr = aloop.run(scenario())
    assert returncode == 1
    lines = stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("msnqt-cli: ") and "lost" in lines[0], stderr.decode()


def test_without_png_the_keepalive_is_a_syn_and_still_notices_a_dead_connection(
        aloop: asyncio.Runner, logfail: LogFail) -> None:
    logfail.allow(r"no answer to the keep-alive|lost the connection to the notification server")

    async def scenario() -> None:
        barrier = [C("SYN 7 0"), S("SYN 7 0")]
        first = [*SYNCED, *barrier, C("SYN 8 0"), S("SYN 8 0"), C("SYN 9 0"), Hold()]  # then silence
        async with FakeServer([first, [*SYNCED, *barrier, Hold()]]) as ns:
            quirks = ServerQuirks()
            quirks.remember_no_ping(ns.address)  # known from an earlier sign-in (the Go server)
            messenger = Messenger(ns.address, request_timeout=1.0, quirks=quirks, keepalive_interval=0.01,
                                  reconnect_delay=0.01)
            recorder = EventRecorder(messenger)
            await messenger.sign_in("alice@hotmail.com", PASSWORD)
            await recorder.wait(ev.Reconnecting)
            assert len(await recorder.wait_all(ev.SignedIn, 2)) == 2
            await messenger.sign_out()
            assert "PNG" not in (await ns.finished(0)).received
            ns.check()
    aloop.run(scenario())
