"""The engine reads what real servers send (msnp2-reference §8) and skips, loudly, what it cannot use."""

from __future__ import annotations

import asyncio
import logging

import pytest

from msnqt.client import Messenger
from msnqt.client import events as ev
from tests.client.util import PASSWORD, PRESENCE_BARRIER, EventRecorder, ns_login
from tests.support.fakeserver import C, FakeServer, Hold, Mark, S
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
