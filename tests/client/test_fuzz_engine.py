"""Fuzzing the engine with what a server may send once the user is signed in (issue 14, "make it stay fixed").

Hypothesis writes sequences of server lines to a signed-in engine: well-formed commands of every kind the
NS and SB send (the codec's strategies, with TrIDs near the ones in use), lines built from the words
servers use with hostile names and numbers, and plain junk. Whatever comes, the engine must not fail
inside (no handler or background task logs an error, asyncio reports nothing), must keep no more than
its caps, and must still sign out cleanly. A server that sends something unusable may be hung up on.

The default run is short (``FUZZ_EXAMPLES``, 25 examples per test). For a long run:

    MSNQT_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest -q tests/client/test_fuzz_engine.py
"""

from __future__ import annotations

import asyncio
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msnqt.client import Messenger
from msnqt.client import events as ev
from msnqt.protocol import MsgRelay, Rng, XfrNs, encode
from msnqt.protocol.limits import MAX_CONVERSATIONS, MAX_LIST_ENTRIES, MAX_NS_PAYLOAD, MAX_PARTICIPANTS
from msnqt.protocol.message import mail_summary_payload, plain_text_payload, typing_payload
from tests.client.util import PASSWORD, EventRecorder, ns_login, sync_empty
from tests.protocol.strategies import SERVER_NS, SERVER_SB
from tests.support.fakeserver import C, FakeServer, Gate, Hold, Raw, S, unused_port
from tests.support.logfail import LogFail

FUZZ_EXAMPLES = int(os.environ.get("MSNQT_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=FUZZ_EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
ALICE, BOB = "alice@hotmail.com", "bob@hotmail.com"
END = "the last message"
REFUSED = f"127.0.0.1:{unused_port()}"
"""The only switchboard address lines may name: loopback, nothing listening (never a name to resolve)."""

HANDLES = [ALICE, BOB, "Bob@Hotmail.com", "carol@hotmail.com", "x@y.zz", "bob@", "Hotmail"]
NAMES = ["Bob", "Jos%E9", "%C3", "%0Aeve@hotmail.com%09NLN", "%1B]0;t%07", "<b>M</b><!--", "x" * 400,
         "%25", "%"]
WORDS = ["NLN", "BSY", "IDL", "BRB", "AWY", "PHN", "LUN", "HDN", "FLN", "FL", "AL", "BL", "RL", "A", "N",
         "AL", "OK", "CKI", "SB", "NS", REFUSED, "0", "1", "2", "7", "4294967295", "4294967296", "-1", "*"]
NAMES_OF_COMMANDS = ["NLN", "ILN", "FLN", "ADD", "REM", "REA", "CHG", "LST", "GTC", "BLP", "SYN", "RNG",
                     "OUT", "QNG", "URL", "FND", "SND", "200", "207", "911", "MSG", "JOI", "IRO", "BYE",
                     "ACK", "NAK", "ANS", "CAL", "USR", "XYZ"]

_field = st.one_of(st.sampled_from(HANDLES), st.sampled_from(NAMES), st.sampled_from(WORDS),
                   st.integers(0, 12).map(str))
_worded = st.builds(lambda name, fields: " ".join([name, *fields]).encode() + b"\r\n",
                    st.sampled_from(NAMES_OF_COMMANDS), st.lists(_field, max_size=7))
_junk = st.binary(max_size=60).map(lambda data: data.replace(b"\n", b" ") + b"\r\n")


def _small_trid(command: object) -> object:
    """Commands from the codec's strategies with TrIDs near the engine's (so some meet a request)."""
    trid = getattr(command, "trid", None)
    if isinstance(trid, int) and trid > 12:
        object.__setattr__(command, "trid", trid % 13)
    return command


def _safe(command: object) -> bool:
    """No line that sends the engine to an address other than REFUSED (nothing may leave loopback)."""
    return not isinstance(command, XfrNs | Rng)


_ring = st.builds(lambda sid, caller: f"RNG {sid} {REFUSED} CKI ck {caller} Bob\r\n".encode(),
                  st.integers(0, 3), st.sampled_from(HANDLES))
_mail = st.sampled_from([mail_summary_payload(2, 1), plain_text_payload("hi"), b"junk"]).map(
    lambda payload: encode(MsgRelay("Hotmail", "Hotmail", payload)))
NS_LINES = st.one_of(SERVER_NS.filter(_safe).map(_small_trid).map(encode), _worded, _junk, _ring, _mail)
SB_LINES = st.one_of(SERVER_SB.map(_small_trid).map(encode), _worded, _junk,
                     st.sampled_from([plain_text_payload("<b>hi</b>\x1b[2J"), typing_payload(BOB)]).map(
                         lambda payload: encode(MsgRelay(BOB, "Bob", payload))))


@pytest.fixture
def failures(logfail: LogFail) -> LogFail:
    """A fuzzed server is expected to make the engine warn (skipped lines, a hang-up); an ERROR (a handler
    that raised, a background task that failed) still fails the test (tests/client/conftest.py)."""
    logfail.allow(r"^msnqt\.[\w.]+ WARNING: ")
    return logfail


def _assert_within_caps(messenger: Messenger) -> None:
    assert all(len(members) <= MAX_LIST_ENTRIES for members in messenger.list_cache.entries.values())
    assert len(messenger.conversations()) <= MAX_CONVERSATIONS
    assert all(len(c.participants) <= MAX_PARTICIPANTS for c in messenger.conversations())


@given(lines=st.lists(NS_LINES, min_size=1, max_size=25))
@FUZZ
def test_any_notification_server_lines_after_sign_in(aloop: asyncio.Runner, failures: LogFail,
                                                     lines: list[bytes]) -> None:
    async def scenario() -> None:
        async with FakeServer([[*ns_login(1), *sync_empty(5), Gate("signed in"), Raw(b"".join(lines)),
                                Hold()]]) as ns:
            messenger = Messenger(ns.address, request_timeout=2, auto_reconnect=False)
            recorder = EventRecorder(messenger)
            await messenger.sign_in(ALICE, PASSWORD)
            ns.open_gate("signed in")
            await messenger.sign_out()  # the server answers OUT after every line above: all were read
            _assert_within_caps(messenger)
            assert not messenger.signed_in
            assert recorder.of_type(ev.SignedOut)  # by us, or by the server (OUT, a hang-up): said once
            recorder.unsubscribe()
    aloop.run(scenario())


@given(lines=st.lists(SB_LINES, min_size=1, max_size=25))
@FUZZ
def test_any_switchboard_lines_in_a_conversation(aloop: asyncio.Runner, failures: LogFail,
                                                 lines: list[bytes]) -> None:
    # then blank lines enough to complete any payload a line above announced, and a last message: once it
    # (or the end of the conversation) is seen, every line has been read
    end = b"\r\n" * (MAX_NS_PAYLOAD // 2 + 1) + encode(MsgRelay(BOB, "Bob", plain_text_payload(END)))

    async def scenario() -> None:
        async with FakeServer([[C(f"ANS 1 {ALICE} ck 1"), S(f"IRO 1 1 1 {BOB} Bob"), S("ANS 1 OK"),
                                Gate("answered"), Raw(b"".join(lines) + end), Hold()]]) as sb, \
                FakeServer([[*ns_login(1), *sync_empty(5), S(f"RNG 1 {{sb}} CKI ck {BOB} Bob"), Hold()]],
                           sb=sb.address) as ns:
            messenger = Messenger(ns.address, request_timeout=2, auto_reconnect=False)
            recorder = EventRecorder(messenger)
            await messenger.sign_in(ALICE, PASSWORD)
            await recorder.wait(ev.ConversationStarted)
            sb.open_gate("answered")
            await recorder.wait(object, lambda e: isinstance(e, ev.ConversationEnded) or (
                isinstance(e, ev.MessageReceived) and e.text == END), timeout=10)
            await messenger.sign_out()
            _assert_within_caps(messenger)
            assert not messenger.signed_in
            recorder.unsubscribe()
    aloop.run(scenario())
