"""The signed-in NS session against scripted servers: correlation, errors, lists, OUT OTH, reconnect."""

from __future__ import annotations

import asyncio

import pytest

from msnqt.client import Messenger, ServerError, SignedInElsewhere
from msnqt.client import events as ev
from msnqt.client.states import NsState
from msnqt.protocol.codes import ListName, Status
from tests.client.util import PASSWORD, PRESENCE_BARRIER, EventRecorder, ns_login, sync_empty
from tests.support.fakeserver import C, Close, FakeServer, Gate, Hold, Mark, S
from tests.support.logfail import LogFail

SIGNED_IN = [*ns_login(1), *sync_empty(5)]  # the next client TrID is 7


async def signed_in(server: FakeServer, **options: float | bool) -> tuple[Messenger, EventRecorder]:
    timeout = float(options.pop("request_timeout", 5))
    messenger = Messenger(server.address, request_timeout=timeout, **options)  # type: ignore[arg-type]
    recorder = EventRecorder(messenger)
    await messenger.sign_in("alice@hotmail.com", PASSWORD)
    return messenger, recorder


def test_replies_out_of_order_reach_the_right_request(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        async with FakeServer([[*SIGNED_IN, C("URL {a} INBOX"), C("URL {b} COMPOSE bob@hotmail.com"),
                                C("PNG"),  # does the server pass over URL? (services.py)
                                S("URL {b} /cgi-bin/compose https://login/compose"),
                                S("URL {a} /cgi-bin/HoTMaiL https://login/inbox"), S("QNG"), Hold()]]) as ns:
            messenger, _ = await signed_in(ns)
            inbox, compose = await asyncio.gather(messenger.url("INBOX"),
                                                  messenger.url("COMPOSE", "bob@hotmail.com"))
            assert inbox == ("/cgi-bin/HoTMaiL", "https://login/inbox")
            assert compose == ("/cgi-bin/compose", "https://login/compose")
            await messenger.sign_out()
            ns.check()
    aloop.run(scenario())


def test_error_without_trid_fails_the_waiting_request_and_the_session_goes_on(aloop: asyncio.Runner,
                                                                              logfail: LogFail) -> None:
    logfail.allow(r"error 500 outside any request")
    async def scenario() -> None:
        async with FakeServer([[*SIGNED_IN, S("500"),  # nothing pending: logged, ignored
                                C("ADD 7 FL nobody@hotmail.com nobody@hotmail.com"), S("205"),
                                C("URL 8 INBOX"), S("URL 8 /inbox https://login"), Hold()]]) as ns:
            messenger, _ = await signed_in(ns)
            with pytest.raises(ServerError) as caught:
                await messenger.add_contact("nobody@hotmail.com")
            assert caught.value.code == 205
            assert "no MSN Messenger account" in caught.value.user_message
            assert await messenger.url("INBOX") == ("/inbox", "https://login")
            assert messenger.signed_in
            await messenger.sign_out()
            ns.check()
    aloop.run(scenario())


def test_several_lines_with_one_trid_fnd(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        async with FakeServer([[*SIGNED_IN, C("FND 7 fname=Bob lname=Builder city=* state=* country=*"),
                                S("FND 7 1 2 fname=Bob lname=Builder city=* state=* country=UK"),
                                S("FND 7 2 2 fname=Bob lname=Builder city=Austin state=TX country=US"),
                                Hold()]]) as ns:
            messenger, _ = await signed_in(ns)
            found = await messenger.find("Bob", "Builder")
            assert [(e.country, e.city, e.index) for e in found] == [("UK", "*", 1), ("US", "Austin", 2)]
            await messenger.sign_out()
            ns.check()
    aloop.run(scenario())


def test_adding_a_contact_also_allows_them(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        async with FakeServer([[*SIGNED_IN,
                                C("ADD 7 FL bob@hotmail.com Bob"), S("ADD 7 FL 1 bob@hotmail.com Bob"),
                                S("ILN 7 AWY bob@hotmail.com Bob%20Builder"),
                                C("ADD 8 AL bob@hotmail.com Bob"), S("ADD 8 AL 2 bob@hotmail.com Bob"),
                                # the name ILN showed is stored, as 1.0 did
                                C("REA 9 bob@hotmail.com Bob%20Builder"),
                                S("REA 9 3 bob@hotmail.com Bob%20Builder"), Mark("renamed"),
                                C("PNG"), S("QNG"),
                                Hold()]]) as ns:
            messenger, recorder = await signed_in(ns)
            await messenger.add_contact("bob@hotmail.com", friendly="Bob")
            await recorder.wait(ev.ContactChanged, lambda e: e.contact.status is Status.AWAY)
            bob = messenger.contact("bob@hotmail.com")
            assert bob is not None
            assert bob.lists == {ListName.FORWARD, ListName.ALLOW}
            assert (bob.status, bob.friendly) == (Status.AWAY, "Bob Builder")
            await ns.reached("renamed")
            await messenger.ping()  # the REA reply has been handled once QNG is back
            assert messenger.list_cache.version == 3
            assert messenger.list_cache.entries[ListName.FORWARD] == {"bob@hotmail.com": "Bob Builder"}
            await messenger.sign_out()
            ns.check()
    aloop.run(scenario())


def test_added_by_someone_prompts_with_gtc_a(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        async with FakeServer([[*SIGNED_IN, Gate("go"), S("ADD 0 RL 1 dave@hotmail.com Dave"),
                                S("REM 0 RL 2 carol@hotmail.com"), Hold()]]) as ns:
            messenger, recorder = await signed_in(ns)
            ns.open_gate("go")
            added = await recorder.wait(ev.AddedBy)
            assert added == ev.AddedBy("dave@hotmail.com", "Dave", needs_prompt=True)
            assert await recorder.wait(ev.RemovedBy) == ev.RemovedBy("carol@hotmail.com")
            assert messenger.list_cache.version == 2
            await messenger.sign_out()
            ns.check()
    aloop.run(scenario())


def test_gtc_n_allows_silently_also_after_sync(aloop: asyncio.Runner) -> None:
    """§6.4: with GTC N the client itself puts RL entries on AL (here one found by SYN, one live)."""
    async def scenario() -> None:
        async with FakeServer([[*ns_login(1),
                                C("SYN 5 0"), S("SYN 5 3"), S("GTC 5 3 N"), S("BLP 5 3 AL"),
                                S("LST 5 FL 3 0 0"), S("LST 5 AL 3 0 0"), S("LST 5 BL 3 0 0"),
                                S("LST 5 RL 3 1 1 erin@hotmail.com Erin"),
                                C("ADD 6 AL erin@hotmail.com Erin"), S("ADD 6 AL 4 erin@hotmail.com Erin"),
                                C("CHG 7 NLN"), S("CHG 7 NLN"), *PRESENCE_BARRIER,
                                S("ADD 0 RL 5 dave@hotmail.com Dave"),
                                C("ADD 8 AL dave@hotmail.com Dave"), S("ADD 8 AL 6 dave@hotmail.com Dave"),
                                Hold()]]) as ns:
            messenger, recorder = await signed_in(ns)
            added = await recorder.wait(ev.AddedBy)
            assert added == ev.AddedBy("dave@hotmail.com", "Dave", needs_prompt=False)
            await recorder.wait(ev.ContactChanged, lambda e: ListName.ALLOW in e.contact.lists
                                and e.contact.handle == "dave@hotmail.com")
            assert {c.handle for c in messenger.list_members(ListName.ALLOW)} == {
                "erin@hotmail.com", "dave@hotmail.com"}
            await messenger.sign_out()
            ns.check()
    aloop.run(scenario())


def test_out_oth_signs_out_without_reconnecting(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        async with FakeServer([[*SIGNED_IN, Gate("kick"), S("OUT OTH"), Close()]]) as ns:
            messenger, recorder = await signed_in(ns, reconnect_delay=0.01)
            ns.open_gate("kick")
            assert await recorder.wait(ev.SignedOut) == ev.SignedOut("elsewhere")
            await ns.finished(0)
            assert messenger.state is NsState.OFFLINE  # a reconnect would be RECONNECTING at once
            assert not messenger.signed_in
            assert recorder.of_type(ev.Reconnecting) == []
            assert len(ns.connections) == 1
            with pytest.raises(SignedInElsewhere) as caught:
                await messenger.set_status(Status.AWAY)
            assert "another location" in caught.value.user_message
            await messenger.sign_out()  # harmless now
            ns.check()
    aloop.run(scenario())


def test_network_loss_reconnects_and_resyncs(aloop: asyncio.Runner, logfail: LogFail) -> None:
    logfail.allow(r"lost the connection to the notification server")
    async def scenario() -> None:
        first = [*ns_login(1), C("SYN 5 0"), S("SYN 5 1"), S("GTC 5 1 A"), S("BLP 5 1 AL"),
                 S("LST 5 FL 1 1 1 bob@hotmail.com Bob"), S("LST 5 AL 1 0 0"), S("LST 5 BL 1 0 0"),
                 S("LST 5 RL 1 0 0"), C("CHG 6 BSY"), S("CHG 6 BSY"), S("ILN 6 NLN bob@hotmail.com Bob"),
                 *PRESENCE_BARRIER, Gate("drop"), Close()]
        second = [*ns_login(1), *sync_empty(5, version=1, status="BSY"), Hold()]
        async with FakeServer([first, second]) as ns:
            messenger = Messenger(ns.address, request_timeout=5, reconnect_delay=0.01)
            recorder = EventRecorder(messenger)
            await messenger.sign_in("alice@hotmail.com", PASSWORD, status=Status.BUSY)
            assert [c.status for c in messenger.contacts()] == [Status.ONLINE]
            ns.open_gate("drop")
            reconnecting = await recorder.wait(ev.Reconnecting)
            assert reconnecting.attempt == 1
            # while away, everybody is shown offline
            await recorder.wait(ev.ContactChanged, lambda e: e.contact.status is Status.OFFLINE)
            assert len(await recorder.wait_all(ev.SignedIn, 2)) == 2
            assert messenger.signed_in
            assert messenger.status is Status.BUSY
            assert [c.handle for c in messenger.contacts()] == ["bob@hotmail.com"]
            await messenger.sign_out()
            ns.check()
    aloop.run(scenario())


def test_missing_keepalive_answer_means_a_dead_connection(aloop: asyncio.Runner, logfail: LogFail) -> None:
    logfail.allow(r"no answer to the keep-alive")
    logfail.allow(r"lost the connection to the notification server")
    async def scenario() -> None:
        first = [*SIGNED_IN, C("PNG"), Hold()]  # never answers
        second = [*SIGNED_IN, Hold()]
        async with FakeServer([first, second]) as ns:
            messenger, recorder = await signed_in(ns, request_timeout=1.0, keepalive_interval=0.05,
                                                  reconnect_delay=0.01)
            await recorder.wait(ev.Reconnecting)
            assert len(await recorder.wait_all(ev.SignedIn, 2)) == 2
            await messenger.sign_out()
            ns.check()
    aloop.run(scenario())


def test_keepalive_answered_keeps_the_session(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        async with FakeServer([[*SIGNED_IN, C("PNG"), S("QNG"), C("PNG"), S("QNG"), C("PNG"), S("QNG"),
                                Mark("pinged"), Hold()]]) as ns:
            messenger, recorder = await signed_in(ns, request_timeout=5, keepalive_interval=0.05)
            await ns.reached("pinged")
            assert messenger.signed_in
            assert recorder.of_type(ev.Reconnecting) == []
            await messenger.sign_out()
            ns.check()
    aloop.run(scenario())


def test_reconnect_backs_off_and_caps_the_delay(aloop: asyncio.Runner, logfail: LogFail) -> None:
    logfail.allow(r"lost the connection to the notification server")
    async def scenario() -> None:
        first = [*SIGNED_IN, Gate("drop"), Close()]
        refused = [Close()]  # the server accepts and hangs up: that attempt fails
        async with FakeServer([first, refused, refused, [*SIGNED_IN, Hold()]]) as ns:
            messenger, recorder = await signed_in(ns, reconnect_delay=0.01, reconnect_max_delay=0.03)
            ns.open_gate("drop")
            await recorder.wait_all(ev.SignedIn, 2)
            assert [(r.attempt, r.delay) for r in recorder.of_type(ev.Reconnecting)] == [
                (1, 0.01), (2, 0.02), (3, 0.03)]
            assert messenger.signed_in
            await messenger.sign_out()
            ns.check()
    aloop.run(scenario())


def test_server_shutdown_signs_out_without_reconnecting(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        async with FakeServer([[*SIGNED_IN, Gate("down"), S("OUT SSD"), Close()]]) as ns:
            messenger, recorder = await signed_in(ns, reconnect_delay=0.01)
            ns.open_gate("down")
            assert await recorder.wait(ev.SignedOut) == ev.SignedOut("shutdown")
            assert messenger.state is NsState.OFFLINE
            assert recorder.of_type(ev.Reconnecting) == []
            ns.check()
    aloop.run(scenario())


NEW_MAIL = (b"MIME-Version: 1.0\r\nContent-Type: application/x-msmsgsemailnotification; charset=UTF-8\r\n\r\n"
            b"From: Dave\r\nMessage-URL: /cgi-bin/getmsg?msg=MSG932688123.42\r\nPost-URL: http://www.hotmail.com"
            b"\r\nSubject: Lunch?\r\nDest-Folder: ACTIVE\r\nFrom-Addr: dave@hotmail.com\r\n\r\n")
PROFILE = (b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsprofile; charset=UTF-8\r\n"
           b"LoginTime: 932688000\r\n\r\n")
SUMMARY = (b"MIME-Version: 1.0\r\nContent-Type: application/x-msmsgsemailnotification; charset=UTF-8\r\n\r\n"
           b"Inbox-Unread: 2\r\nFolders-Unread: 0\r\nInbox-URL: /cgi-bin/HoTMaiL\r\n"
           b"Folders-URL: /cgi-bin/folders\r\nPost-URL: http://www.hotmail.com\r\n\r\n")


def test_hotmail_notifications_become_events(aloop: asyncio.Runner) -> None:
    """The profile and mailbox MSGs come right after USR OK, before SYN: they must not be lost."""
    login = ns_login(1)
    async def scenario() -> None:
        async with FakeServer([[*login, S("MSG Hotmail Hotmail", payload=PROFILE),
                                S("MSG Hotmail Hotmail", payload=SUMMARY), *sync_empty(5),
                                Gate("mail"), S("MSG Hotmail Hotmail", payload=NEW_MAIL), Hold()]]) as ns:
            messenger, recorder = await signed_in(ns)
            assert recorder.of_type(ev.MailSummary) == [ev.MailSummary(2, 0)]
            ns.open_gate("mail")
            assert await recorder.wait(ev.NewMail) == ev.NewMail("dave@hotmail.com", "Lunch?")
            await messenger.sign_out()
            ns.check()
    aloop.run(scenario())


def test_without_auto_reconnect_a_lost_connection_signs_out(aloop: asyncio.Runner, logfail: LogFail) -> None:
    logfail.allow(r"lost the connection to the notification server")
    async def scenario() -> None:
        async with FakeServer([[*SIGNED_IN, Gate("drop"), Close()]]) as ns:
            messenger, recorder = await signed_in(ns, auto_reconnect=False)
            ns.open_gate("drop")
            assert await recorder.wait(ev.SignedOut) == ev.SignedOut("connection_lost")
            assert messenger.state is NsState.OFFLINE
            assert messenger.status is Status.OFFLINE
            assert recorder.of_type(ev.Reconnecting) == []
            ns.check()
    aloop.run(scenario())


def test_a_broken_stream_still_delivers_what_came_before_it(aloop: asyncio.Runner, logfail: LogFail) -> None:
    logfail.allow(r"unreadable data from the server")
    logfail.allow(r"lost the connection to the notification server")
    """The server's valid line and an oversized MSG arrive in one write: the line is not lost."""
    async def scenario() -> None:
        burst = "ADD 0 RL 2 carol@hotmail.com Carol\r\nMSG Hotmail Hotmail 999999"
        async with FakeServer([[*SIGNED_IN, Gate("burst"), S(burst), Hold()]]) as ns:
            messenger, recorder = await signed_in(ns, auto_reconnect=False)
            ns.open_gate("burst")
            added = await recorder.wait(ev.AddedBy)
            assert added.handle == "carol@hotmail.com"
            assert await recorder.wait(ev.SignedOut) == ev.SignedOut("connection_lost")
            assert not messenger.signed_in
    aloop.run(scenario())
