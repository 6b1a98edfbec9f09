"""Conversations against a scripted NS and SB: what goes on the wire and how odd input is handled."""

from __future__ import annotations

import asyncio

import pytest

from msnqt.client import Messenger, ServerError, Undelivered
from msnqt.client import events as ev
from msnqt.protocol.message import build_message, plain_text_payload, typing_payload
from tests.client.util import PASSWORD, EventRecorder, ns_login, sync_empty
from tests.support.fakeserver import C, Close, FakeServer, Gate, Hold, S

ALICE, BOB = "alice@hotmail.com", "bob@hotmail.com"
SIGNED_IN = [*ns_login(1), *sync_empty(5)]
OPEN_SB = [C("XFR 7 SB"), S("XFR 7 SB {sb} CKI 17262740.1050826919.32308")]
SB_CALL_BOB = [C(f"USR 1 {ALICE} 17262740.1050826919.32308"), S(f"USR 1 OK {ALICE} Alice%20Liddell"),
               C(f"CAL 2 {BOB}"), S("CAL 2 RINGING 11752013")]


async def start(ns: FakeServer, delivery_window: float = 1.0, **options: float
                ) -> tuple[Messenger, EventRecorder]:
    # the window must outlast a NAK's trip even on a loaded machine; only the NAK-free sends wait it out,
    # so a test that never expects a NAK passes a short window rather than waiting a second per message
    messenger = Messenger(ns.address, request_timeout=5, delivery_window=delivery_window,
                          **options)  # type: ignore[arg-type]
    recorder = EventRecorder(messenger)
    await messenger.sign_in(ALICE, PASSWORD)
    return messenger, recorder


def test_nak_is_reported_undelivered_and_silence_is_delivery(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        async with FakeServer([[*SB_CALL_BOB, S(f"JOI {ALICE} Alice%20Liddell"),  # a self-JOI: ignored
                                S(f"JOI {BOB} Bob%20Builder"),
                                C("MSG 3 N 71"), C("MSG 4 N *"), S("NAK 4"), Hold()]]) as sb, \
                FakeServer([[*SIGNED_IN, *OPEN_SB, Hold()]], sb=sb.address) as ns:
            messenger, recorder = await start(ns)
            conversation = await messenger.start_conversation(BOB)
            await recorder.wait(ev.ParticipantJoined, lambda e: e.handle == BOB)
            await conversation.send_text("Hello Bob")  # no NAK within the window: delivered
            with pytest.raises(Undelivered) as caught:
                await conversation.send_text("Anyone?")
            assert (caught.value.text, caught.value.reason) == ("Anyone?", "nak")
            undelivered = await recorder.wait(ev.MessageUndelivered)
            assert (undelivered.text, undelivered.conversation) == ("Anyone?", conversation)
            assert conversation.participants == {BOB: "Bob Builder"}
            assert [e.handle for e in recorder.of_type(ev.ParticipantJoined)] == [BOB]
            record = await sb.connection(0)
            assert record.payloads == [plain_text_payload("Hello Bob"), plain_text_payload("Anyone?")]
            await messenger.sign_out()
            sb.check()
            ns.check()
    aloop.run(scenario())


def test_long_text_is_split_never_truncated(aloop: asyncio.Runner) -> None:
    text = "a" * 2000  # no whitespace to break at: cut at the byte limit

    async def scenario() -> None:
        async with FakeServer([[*SB_CALL_BOB, S(f"JOI {BOB} Bob"), C("MSG 3 N 1664"), C("MSG 4 N 460"),
                                Hold()]]) as sb, \
                FakeServer([[*SIGNED_IN, *OPEN_SB, Hold()]], sb=sb.address) as ns:
            messenger, _recorder = await start(ns, delivery_window=0.05)
            conversation = await messenger.start_conversation(BOB)
            await conversation.send_text(text)  # waits for the ringing callee's JOI, then sends
            record = await sb.connection(0)
            bodies = [p.split(b"\r\n\r\n", 1)[1] for p in record.payloads]
            assert b"".join(bodies) == text.encode()
            await messenger.sign_out()
            sb.check()
            ns.check()
    aloop.run(scenario())


def test_typing_notifications_are_throttled(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        async with FakeServer([[*SB_CALL_BOB, S(f"JOI {BOB} Bob"),
                                C("MSG 3 U *"), C("MSG 4 N *"), Hold()]]) as sb, \
                FakeServer([[*SIGNED_IN, *OPEN_SB, Hold()]], sb=sb.address) as ns:
            messenger, recorder = await start(ns, delivery_window=0.05, typing_interval=60)
            conversation = await messenger.start_conversation(BOB)
            await recorder.wait(ev.ParticipantJoined)
            for _keystroke in range(10):
                conversation.notify_typing()
            await conversation.send_text("x")  # the script fails if a second MSG U came first
            record = await sb.connection(0)
            assert record.payloads[0] == typing_payload(ALICE)
            await messenger.sign_out()
            sb.check()
            ns.check()
    aloop.run(scenario())


def test_invitation_is_answered_and_only_plain_text_is_shown(aloop: asyncio.Runner) -> None:
    formatted = build_message([("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=UTF-8"),
                               ("X-MMS-IM-Format", "FN=Arial; EF=B; CO=ff; CS=0; PF=22")], b"bold hi")
    invite = build_message([("MIME-Version", "1.0"),
                            ("Content-Type", "text/x-msmsgsinvite; charset=UTF-8")], b"Application-Name: x")
    latin1 = b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\ncaf\xe9"

    async def scenario() -> None:
        async with FakeServer([[C(f"ANS 1 {ALICE} 849102291.520491113 11752013"),
                                S(f"IRO 1 1 1 {BOB} Bob%20Builder"), S("ANS 1 OK"),
                                S(f"MSG {BOB} Bob%20Builder", payload=typing_payload(BOB)),
                                S(f"MSG {BOB} Bob%20Builder", payload=invite),
                                S(f"MSG {BOB} Bob%20Builder", payload=formatted),
                                S(f"MSG {BOB} Bob%20Builder", payload=latin1),
                                S(f"MSG {BOB} Bob%20Builder", payload=plain_text_payload("last")),
                                Hold()]]) as sb, \
                FakeServer([[*SIGNED_IN, Gate("ring"),
                             S(f"RNG 11752013 {{sb}} CKI 849102291.520491113 {BOB} Bob%20Builder"),
                             Hold()]], sb=sb.address) as ns:
            messenger, recorder = await start(ns)
            ns.open_gate("ring")
            started = await recorder.wait(ev.ConversationStarted)
            assert not started.initiated_by_us
            assert started.conversation.participants == {BOB: "Bob Builder"}
            await recorder.wait(ev.MessageReceived, lambda e: e.text == "last")
            assert [e.text for e in recorder.of_type(ev.MessageReceived)] == ["bold hi", "café", "last"]
            assert [e.handle for e in recorder.of_type(ev.TypingReceived)] == [BOB]
            assert messenger.conversations() == [started.conversation]
            await messenger.sign_out()
            sb.check()
            ns.check()
    aloop.run(scenario())


def test_refused_call_raises_and_leaves_no_conversation(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        async with FakeServer([[*SB_CALL_BOB[:2], C(f"CAL 2 {BOB}"), S("217 2"), Hold()]]) as sb, \
                FakeServer([[*SIGNED_IN, *OPEN_SB, Hold()]], sb=sb.address) as ns:
            messenger, _ = await start(ns)
            with pytest.raises(ServerError) as caught:
                await messenger.start_conversation(BOB)
            assert caught.value.code == 217
            assert "not online" in caught.value.user_message
            assert messenger.conversations() == []
            await messenger.sign_out()
            sb.check()
            ns.check()
    aloop.run(scenario())


def test_hidden_user_cannot_start_a_conversation(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        async with FakeServer([[*SIGNED_IN, C("XFR 7 SB"), S("913 7"), Hold()]]) as ns:
            messenger, _ = await start(ns)
            with pytest.raises(ServerError) as caught:
                await messenger.start_conversation(BOB)
            assert caught.value.code == 913
            assert caught.value.user_message == "You cannot do that while you appear offline."
            await messenger.sign_out()
            ns.check()
    aloop.run(scenario())


def test_switchboard_closing_while_waiting_for_the_callee_reports_at_once(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        async with FakeServer([[*SB_CALL_BOB, Gate("drop"), Close()]]) as sb, \
                FakeServer([[*SIGNED_IN, *OPEN_SB, Hold()]], sb=sb.address) as ns:
            messenger, recorder = await start(ns, join_timeout=600)
            conversation = await messenger.start_conversation(BOB)
            sending = asyncio.ensure_future(conversation.send_text("hello?"))
            sb.open_gate("drop")
            with pytest.raises(Undelivered) as caught:
                await asyncio.wait_for(sending, 5)  # not the 600 s join timeout
            assert caught.value.reason == "connection_lost"
            assert (await recorder.wait(ev.MessageUndelivered)).text == "hello?"
            assert not conversation.active
            await messenger.sign_out()
            sb.check()
            ns.check()
    aloop.run(scenario())
