"""The engine against a hostile or broken server (issue 14, "the client"): every buffer the server can
fill has a cap, going past it closes the connection with a clear error, and one bad name costs nothing
but that name. Each attack is replayed at a bounded size against a scripted server on loopback."""

from __future__ import annotations

import asyncio

import pytest

from msnqt.client import ListCache, Messenger, ServerOverLimit
from msnqt.client import events as ev
from msnqt.protocol.codes import ListName, Status
from msnqt.protocol.limits import (
    MAX_CONVERSATIONS,
    MAX_EARLY_LINES,
    MAX_FRIENDLY_BYTES,
    MAX_LIST_ENTRIES,
    MAX_PARTICIPANTS,
)
from msnqt.protocol.message import mail_summary_payload
from tests.client.util import PASSWORD, PRESENCE_BARRIER, EventRecorder, ns_login, sync_empty
from tests.support.fakeserver import C, FakeServer, Gate, Hold, S, Step
from tests.support.logfail import LogFail


@pytest.fixture(autouse=True)
def _hostile_servers_make_the_engine_warn(logfail: LogFail) -> None:
    """Every server here misbehaves on purpose: the engine saying so is expected (see conftest.py)."""
    logfail.allow(r"closing the connection|leaving the switchboard|unreadable data|lost the connection"
                  r"|not answering invitations"
                  r"|could not answer")

ALICE, BOB, CAROL = "alice@hotmail.com", "bob@hotmail.com", "carol@hotmail.com"


def _lines(*lines: str) -> S:
    """Several server lines in one write (S appends the last CRLF); braces are literal."""
    return S("\r\n".join(lines).replace("{", "{{").replace("}", "}}"))


def _syn(fl: list[str], rl: list[str] | None = None, *, gtc: str = "A") -> list[Step]:
    """SYN 5 0 answered with version 1 and the given FL (and RL) lines, then CHG and the barrier."""
    empty = {"AL": ["LST 5 AL 1 0 0"], "BL": ["LST 5 BL 1 0 0"], "RL": rl or ["LST 5 RL 1 0 0"]}
    return [C("SYN 5 0"), _lines("SYN 5 1", f"GTC 5 1 {gtc}", "BLP 5 1 AL", *(fl or ["LST 5 FL 1 0 0"]),
                                 *empty["AL"], *empty["BL"], *empty["RL"]),
            C("CHG 6 NLN"), S("CHG 6 NLN"), *PRESENCE_BARRIER]


def _fl(handles_and_names: list[tuple[str, str]], total: int | None = None) -> list[str]:
    total = len(handles_and_names) if total is None else total
    return [f"LST 5 FL 1 {i} {total} {h} {n}" for i, (h, n) in enumerate(handles_and_names, 1)]


# --- 1. unbounded memory ---------------------------------------------------------------------------------

def test_presence_flood_during_sign_in_closes_with_a_clear_error(aloop: asyncio.Runner) -> None:
    """The attack: NLN lines before every reply of the sign-in (1.3 GB in the report). Now the client
    keeps MAX_EARLY_LINES of them and then hangs up with ServerOverLimit."""
    flood = [f"NLN NLN u{i}@example.com User" for i in range(MAX_EARLY_LINES * 10)]

    async def scenario() -> None:
        async with FakeServer([[C("VER 1 MSNP2 CVR0"), _lines(*flood, "VER 1 MSNP2"), Hold()]]) as ns:
            messenger = Messenger(ns.address, request_timeout=5)
            with pytest.raises(ServerOverLimit) as caught:
                await messenger.sign_in(ALICE, PASSWORD)
            assert "at most 100" in caught.value.user_message
            assert not messenger.signed_in
            record = await ns.finished(0)
            assert record.closed_by_client.is_set()
            assert record.received == ["VER 1 MSNP2 CVR0"]
    aloop.run(scenario())


def test_a_few_early_lines_are_kept_and_replayed(aloop: asyncio.Runner) -> None:
    """What a real server sends unasked during sign-in (a mail notice after USR OK) still arrives."""
    mail = mail_summary_payload(3, 1)

    async def scenario() -> None:
        async with FakeServer([[*ns_login(1), S("MSG Hotmail Hotmail", payload=mail), *sync_empty(5),
                                Hold()]]) as ns:
            messenger = Messenger(ns.address, request_timeout=5)
            recorder = EventRecorder(messenger)
            await messenger.sign_in(ALICE, PASSWORD)
            assert recorder.of_type(ev.MailSummary) == [ev.MailSummary(3, 1)]
            await messenger.sign_out()
            ns.check()
    aloop.run(scenario())


def test_presence_of_endless_strangers_closes_the_connection(aloop: asyncio.Runner) -> None:
    strangers = [f"NLN NLN s{i}@example.com S" for i in range(MAX_LIST_ENTRIES + 1)]

    async def scenario() -> None:
        async with FakeServer([[*ns_login(1), *_syn(_fl([(BOB, "Bob")])), Gate("flood"),
                                _lines(*strangers),
                                Hold()]]) as ns:
            messenger = Messenger(ns.address, request_timeout=5, auto_reconnect=False)
            recorder = EventRecorder(messenger)
            await messenger.sign_in(ALICE, PASSWORD)
            ns.open_gate("flood")
            signed_out = await recorder.wait(ev.SignedOut, timeout=30)
            assert signed_out.reason == "connection_lost"
            assert not messenger.signed_in
    aloop.run(scenario())


def test_invitation_flood_opens_at_most_max_conversations(aloop: asyncio.Runner) -> None:
    """Each RNG makes the client connect to a switchboard: past MAX_CONVERSATIONS it stops answering
    (1,200 rings used up every file descriptor). The ones it answered still work."""
    rings = [f"RNG {i} {{sb}} CKI ck{i} {BOB} Bob" for i in range(MAX_CONVERSATIONS + 20)]
    answered = [[C(f"ANS 1 {ALICE} ck{i} {i}"), S(f"IRO 1 1 1 {BOB} Bob"), S("ANS 1 OK"), Hold()]
                for i in range(MAX_CONVERSATIONS)]

    async def scenario() -> None:
        async with FakeServer(answered) as sb, \
                FakeServer([[*ns_login(1), *sync_empty(5), S("\r\n".join(rings)),
                             *PRESENCE_BARRIER, Hold()]],
                           sb=sb.address) as ns:
            messenger = Messenger(ns.address, request_timeout=10)
            recorder = EventRecorder(messenger)
            await messenger.sign_in(ALICE, PASSWORD)
            await recorder.wait_all(ev.ConversationStarted, MAX_CONVERSATIONS, timeout=60)
            assert await messenger.ping()  # every RNG has been read: the refused ones were refused
            assert len(messenger.conversations()) == MAX_CONVERSATIONS
            await messenger.sign_out()
            sb.check()  # no connection beyond the scripted MAX_CONVERSATIONS
            assert len(sb.connections) == MAX_CONVERSATIONS
            ns.check()
    aloop.run(scenario())


def test_a_switchboard_inventing_participants_is_left(aloop: asyncio.Runner) -> None:
    joins = [f"JOI p{i}@example.com P" for i in range(MAX_PARTICIPANTS + 1)]

    async def scenario() -> None:
        async with FakeServer([[C(f"ANS 1 {ALICE} ck 1"), S(f"IRO 1 1 1 {BOB} Bob"), S("ANS 1 OK"),
                                _lines(*joins), Hold()]]) as sb, \
                FakeServer([[*ns_login(1), *sync_empty(5), S(f"RNG 1 {{sb}} CKI ck {BOB} Bob"), Hold()]],
                           sb=sb.address) as ns:
            messenger = Messenger(ns.address, request_timeout=5)
            recorder = EventRecorder(messenger)
            await messenger.sign_in(ALICE, PASSWORD)
            ended = await recorder.wait(ev.ConversationEnded, timeout=15)
            assert len(ended.conversation.participants) == 0
            assert len(recorder.of_type(ev.ParticipantJoined)) == MAX_PARTICIPANTS
            assert (await sb.finished(0)).closed_by_client.is_set()
            assert messenger.signed_in  # the NS session is not affected
            await messenger.sign_out()
    aloop.run(scenario())


# --- 2. list loading: linear, capped ---------------------------------------------------------------------

def test_a_full_list_loads_and_one_entry_more_is_refused_clearly(aloop: asyncio.Runner) -> None:
    full = [(f"c{i}@example.com", f"C{i}") for i in range(MAX_LIST_ENTRIES)]

    async def scenario() -> None:
        async with FakeServer([[*ns_login(1), *_syn(_fl(full)), Hold()]]) as ok, \
                FakeServer([[*ns_login(1), C("SYN 5 0"),
                             _lines("SYN 5 1", *_fl([*full, (BOB, "Bob")])), Hold()]]) as too_long:
            messenger = Messenger(ok.address, request_timeout=30)
            await messenger.sign_in(ALICE, PASSWORD)
            contacts = messenger.contacts()
            assert len(contacts) == MAX_LIST_ENTRIES
            assert messenger.contact("C77@EXAMPLE.COM") == contacts[[c.handle for c in contacts].index(
                "c77@example.com")]
            await messenger.sign_out()

            refused = Messenger(too_long.address, request_timeout=30)
            with pytest.raises(ServerOverLimit) as caught:
                await refused.sign_in(ALICE, PASSWORD)
            assert caught.value.user_message == (
                "The server sent more entries on one contact list than this program accepts "
                f"(at most {MAX_LIST_ENTRIES:,}), so the connection was closed.")
            assert (await too_long.finished(0)).closed_by_client.is_set()
    aloop.run(scenario())


@pytest.mark.parametrize("lines", [
    # announces more than the cap in its count
    [f"LST 5 FL 1 1 {MAX_LIST_ENTRIES + 1} {BOB} Bob"],
    # lies about its count and never finishes the list
    [f"LST 5 FL 1 1 2 u{i}@example.com U" for i in range(MAX_LIST_ENTRIES + 1)],
])
def test_an_oversized_or_endless_list_stops_the_sign_in(aloop: asyncio.Runner, lines: list[str]) -> None:
    async def scenario() -> None:
        async with FakeServer([[*ns_login(1), C("SYN 5 0"), _lines("SYN 5 1", *lines), Hold()]]) as ns:
            messenger = Messenger(ns.address, request_timeout=30)
            with pytest.raises(ServerOverLimit):
                await messenger.sign_in(ALICE, PASSWORD)
            assert (await ns.finished(0)).closed_by_client.is_set()
    aloop.run(scenario())


def test_list_cache_look_ups_ignore_case_after_every_change() -> None:
    cache = ListCache()
    cache.put(ListName.FORWARD, "Bob@Hotmail.com", "Bob")
    assert cache.find(ListName.FORWARD, "bob@hotmail.COM") == "Bob@Hotmail.com"
    cache.put(ListName.FORWARD, "bob@hotmail.com", "Bobby")  # the server's new spelling replaces the old
    assert cache.entries[ListName.FORWARD] == {"bob@hotmail.com": "Bobby"}
    assert cache.drop(ListName.FORWARD, "BOB@hotmail.com")
    assert cache.find(ListName.FORWARD, "bob@hotmail.com") is None
    restored = ListCache.from_json(ListCache(entries={**ListCache().entries,
                                                      ListName.ALLOW: {"Carol@x.org": "C"}}).to_json())
    assert restored.find(ListName.ALLOW, "carol@X.ORG") == "Carol@x.org"


# --- 3. one bad name costs only that name ----------------------------------------------------------------

def test_bad_names_in_the_list_are_shown_decoded_and_the_sign_in_goes_on(aloop: asyncio.Runner) -> None:
    long_name = "%C3%A9" * 70  # 420 bytes encoded
    fl = _fl([(BOB, "Jos%E9"), (CAROL, long_name)])
    rl = [f"LST 5 RL 1 1 1 {CAROL} {long_name}"]

    async def scenario() -> None:
        async with FakeServer([[*ns_login(1), *_syn(fl, rl), C(f"ADD 7 AL {CAROL} {{name}}"),
                                S(f"ADD 7 AL 2 {CAROL} {{name}}"), Hold()]]) as ns:
            messenger = Messenger(ns.address, request_timeout=5)
            recorder = EventRecorder(messenger)
            await messenger.sign_in(ALICE, PASSWORD, status=Status.ONLINE)
            names = {c.handle: c.friendly for c in messenger.contacts()}
            assert names == {BOB: "Jos\ufffd", CAROL: "é" * 64}
            prompt = await recorder.wait(ev.AddedBy)
            assert (prompt.handle, prompt.friendly, prompt.needs_prompt) == (CAROL, "é" * 64, True)
            await messenger.add_contact(CAROL, ListName.ALLOW, prompt.friendly)  # "allow": it is taken
            record = await ns.connection(0)
            assert len(record.captures["name"]) <= MAX_FRIENDLY_BYTES
            carol = messenger.contact(CAROL)
            assert carol is not None
            assert carol.lists == {ListName.FORWARD, ListName.ALLOW, ListName.REVERSE}
            await messenger.sign_out()
            ns.check()
    aloop.run(scenario())
