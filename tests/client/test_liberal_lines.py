"""The engine reads what real servers send (msnp2-reference §8) and skips, loudly, what it cannot use."""

from __future__ import annotations

import asyncio
import logging

import pytest

from msnqt.client import Messenger, ProtocolViolation
from msnqt.client import events as ev
from tests.client.util import PASSWORD, PRESENCE_BARRIER, EventRecorder, ns_login
from tests.support.fakeserver import C, Close, FakeServer, Hold, Mark, S
from tests.support.logfail import LogFail

E18_SYNC = [  # escargot-2018-transcripts.md §2, with the trailing "0" on the CHG echo (D10)
    C("SYN 5 0"), S("SYN 5 1"),
    S("LST 5 FL 1 0 0"), S("LST 5 AL 1 0 0"), S("LST 5 BL 1 0 0"), S("LST 5 RL 1 0 0"),
    S("GTC 5 1 A"), S("BLP 5 1 AL"),
    C("CHG 6 NLN"), S("CHG 6 NLN 0"), *PRESENCE_BARRIER,
]


def test_escargot_2018_sign_in_with_the_extra_chg_field(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        async with FakeServer([ns_login(1, friendly="alice@hotmail.com") + E18_SYNC + [
            Mark("online"), S("ADD 0 RL bob@hotmail.com bob@hotmail.com"),  # D12: no list version
            S("URL 0 stray line"), Hold(),
        ]]) as ns:
            messenger = Messenger(ns.address, request_timeout=5)
            recorder = EventRecorder(messenger)
            await messenger.sign_in("alice@hotmail.com", PASSWORD)
            assert messenger.signed_in
            added = await recorder.wait(ev.AddedBy)
            assert added == ev.AddedBy("bob@hotmail.com", "bob@hotmail.com", needs_prompt=True)
            await messenger.sign_out()
            ns.check()
    aloop.run(scenario())


def test_escargot_2025_url_reply_with_four_fields(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        async with FakeServer([ns_login(1) + E18_SYNC[:-4] + [
            C("CHG 6 NLN"), S("CHG 6 NLN"), *PRESENCE_BARRIER,
            C("URL 7 INBOX"), S("URL 7 /unused1 /unused2 1"), Hold(),
        ]]) as ns:
            messenger = Messenger(ns.address, request_timeout=5)
            await messenger.sign_in("alice@hotmail.com", PASSWORD)
            assert await messenger.url("INBOX") == ("/unused1", "/unused2")
            await messenger.sign_out()
            ns.check()
    aloop.run(scenario())


def test_an_unusable_line_is_logged_with_its_text_and_skipped(aloop: asyncio.Runner,
                                                               caplog: pytest.LogCaptureFixture,
                                                               logfail: LogFail) -> None:
    logfail.allow(r"skipped a line from the server")
    async def scenario() -> None:
        async with FakeServer([ns_login(1) + E18_SYNC[:-4] + [
            C("CHG 6 NLN"), S("CHG 6 NLN"), *PRESENCE_BARRIER,
            S("NLN ZZZ carol@hotmail.com Carol"), S("NLN BSY bob@hotmail.com Bob"), Hold(),
        ]]) as ns:
            messenger = Messenger(ns.address, request_timeout=5)
            recorder = EventRecorder(messenger)
            await messenger.sign_in("alice@hotmail.com", PASSWORD)
            changed = await recorder.wait(ev.ContactChanged)
            assert changed.contact.handle == "bob@hotmail.com"  # the line after the bad one still counts
            await messenger.sign_out()
    with caplog.at_level(logging.WARNING, logger="msnqt"):
        aloop.run(scenario())
    assert "NLN ZZZ carol@hotmail.com Carol" in caplog.text


def test_an_unusable_switchboard_line_is_logged_and_the_conversation_goes_on(
        aloop: asyncio.Runner, caplog: pytest.LogCaptureFixture, logfail: LogFail) -> None:
    logfail.allow(r"skipped a line from the server")
    alice, bob, cookie = "alice@hotmail.com", "bob@hotmail.com", "17262740.1050826919.32308"

    async def scenario() -> None:
        async with FakeServer([[
            C(f"USR 1 {alice} {cookie}"), S(f"USR 1 OK {alice} Alice%20Liddell"),
            C(f"CAL 2 {bob}"), S("CAL 2 RINGING 11752013"),
            S("JOI not-a-handle Nobody"), S(f"JOI {bob} Bob%20Builder 0"), Hold(),  # extra field: read
        ]]) as sb, FakeServer([ns_login(1) + E18_SYNC[:-4] + [
            C("CHG 6 NLN"), S("CHG 6 NLN"), *PRESENCE_BARRIER,
            C("XFR 7 SB"), S(f"XFR 7 SB {{sb}} CKI {cookie} extra"), Hold(),
        ]], sb=sb.address) as ns:
            messenger = Messenger(ns.address, request_timeout=5)
            recorder = EventRecorder(messenger)
            await messenger.sign_in(alice, PASSWORD)
            conversation = await messenger.start_conversation(bob)
            joined = await recorder.wait(ev.ParticipantJoined)
            assert (joined.handle, joined.friendly) == (bob, "Bob Builder")
            assert conversation.participants == {bob: "Bob Builder"}
            await messenger.sign_out()
            sb.check()
            ns.check()
    with caplog.at_level(logging.WARNING, logger="msnqt"):
        aloop.run(scenario())
    assert "JOI not-a-handle Nobody" in caplog.text


def test_a_referral_loop_does_not_say_try_again(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        hops = [[C(f"VER {t} MSNP2 CVR0"), S(f"VER {t} MSNP2"), C(f"INF {t + 1}"), S(f"INF {t + 1} MD5"),
                 C(f"USR {t + 2} MD5 I alice@hotmail.com"), S(f"XFR {t + 2} NS {{me}}"), Close()]
                for t in (1, 4, 7, 10)]  # each hop continues the TrIDs of the last; every one refers back
        async with FakeServer(hops) as ds:
            ds.vars["me"] = ds.address
            messenger = Messenger(ds.address, request_timeout=5)
            with pytest.raises(ProtocolViolation) as caught:
                await messenger.sign_in("alice@hotmail.com", PASSWORD)
            assert "try again" not in caught.value.user_message.lower()
            assert not messenger.signed_in
            ds.check()
    aloop.run(scenario())
