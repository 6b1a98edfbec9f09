"""Whether a message is shown as delivered, against switchboards that behave like Escargot and like ours.

Escargot never NAKs (msnp2-reference.md §8, D21): when the only recipient's client dies, the sender
gets the recipient's ``BYE`` 0-2 ms after its own ``MSG`` and nothing else. Our server NAKs a message
that reached nobody. In both cases the message must never be reported delivered: it is written again
after the recipient has been re-invited, or reported undelivered with its text.
"""

from __future__ import annotations

import asyncio

import pytest

from msnqt.client import Undelivered
from msnqt.client import events as ev
from msnqt.protocol.message import plain_text_payload
from tests.client.test_conversation import ALICE, BOB, OPEN_SB, SB_CALL_BOB, SIGNED_IN, start
from tests.support.fakeserver import C, Close, FakeServer, Gate, Hold, Mark, Pause, S, Step

CAROL = "carol@hotmail.com"
BOB_JOINS = [S(f"JOI {BOB} Bob%20Builder")]
REINVITE_BOB_WHO_ANSWERS = [C(f"CAL 4 {BOB}"), S("CAL 4 RINGING 11752013"), S(f"JOI {BOB} Bob%20Builder")]
REINVITE_BOB_WHO_IS_OFFLINE = [C(f"CAL 4 {BOB}"), S("217 4")]


async def converse(sb_script: list[Step], text: str, *, window: float = 1.0, **options: float
                   ) -> tuple[BaseException | None, list[ev.Event], list[bytes], list[str]]:
    """Alice sends ``text`` to Bob through a switchboard playing ``sb_script``.

    Returns what send_text raised, the events, and the payloads and lines the switchboard received."""
    async with FakeServer([sb_script]) as sb, \
            FakeServer([[*SIGNED_IN, *OPEN_SB, Hold()]], sb=sb.address) as ns:
        messenger, recorder = await start(ns, delivery_window=window, **options)
        conversation = await messenger.start_conversation(BOB)
        await recorder.wait(ev.ParticipantJoined)
        failure: BaseException | None = None
        try:
            await conversation.send_text(text)
        except Undelivered as exc:
            failure = exc
        record = await sb.connection(0)
        await messenger.sign_out()
        sb.check()
        ns.check()
        return failure, recorder.events, record.payloads, record.received


def undelivered(events: list[ev.Event]) -> list[tuple[str, str]]:
    return [(e.text, e.reason) for e in events if isinstance(e, ev.MessageUndelivered)]


@pytest.mark.parametrize("bye_after", [[], [Pause(0.002)]], ids=["0ms", "2ms"])
def test_escargot_recipient_who_vanishes_and_is_still_online_gets_the_message_again(
        aloop: asyncio.Runner, bye_after: list[Step]) -> None:
    failure, events, payloads, _ = aloop.run(converse(
        [*SB_CALL_BOB, *BOB_JOINS, C("MSG 3 N *"), *bye_after, S(f"BYE {BOB}"),
         *REINVITE_BOB_WHO_ANSWERS, C("MSG 5 N *"), Hold()], "Are you there?"))
    assert failure is None
    assert undelivered(events) == []
    assert payloads == [plain_text_payload("Are you there?")] * 2
    assert [(type(e).__name__, e.handle) for e in events
            if isinstance(e, ev.ParticipantJoined | ev.ParticipantLeft)] == [
        ("ParticipantJoined", BOB), ("ParticipantLeft", BOB), ("ParticipantJoined", BOB)]


@pytest.mark.parametrize("bye_after", [[], [Pause(0.002)]], ids=["0ms", "2ms"])
def test_escargot_recipient_who_vanishes_and_went_offline_is_undelivered_with_the_text(
        aloop: asyncio.Runner, bye_after: list[Step]) -> None:
    failure, events, payloads, _ = aloop.run(converse(
        [*SB_CALL_BOB, *BOB_JOINS, C("MSG 3 N *"), *bye_after, S(f"BYE {BOB}"),
         *REINVITE_BOB_WHO_IS_OFFLINE, Hold()], "Are you there?"))
    assert isinstance(failure, Undelivered)
    assert (failure.text, failure.reason) == ("Are you there?", "not_online")
    assert undelivered(events) == [("Are you there?", "not_online")]
    assert payloads == [plain_text_payload("Are you there?")]


def test_escargot_recipient_leaving_late_in_the_window_is_not_shown_delivered(aloop: asyncio.Runner) -> None:
    async def scenario() -> tuple[Undelivered, list[ev.Event]]:
        async with FakeServer([[*SB_CALL_BOB, *BOB_JOINS, C("MSG 3 N *"), Mark("written"), Gate("leave"),
                                S(f"BYE {BOB}"), C(f"CAL 4 {BOB}"), S("CAL 4 RINGING 11752013"),
                                Hold()]]) as sb, \
                FakeServer([[*SIGNED_IN, *OPEN_SB, Hold()]], sb=sb.address) as ns:
            # a window far longer than the test: the BYE comes well inside it, and the verdict must not
            # wait for its end; Bob is rung again but never answers
            messenger, recorder = await start(ns, delivery_window=600, join_timeout=0.2)
            conversation = await messenger.start_conversation(BOB)
            await recorder.wait(ev.ParticipantJoined)
            sending = asyncio.ensure_future(conversation.send_text("Still there?"))
            await sb.reached("written")
            sb.open_gate("leave")
            with pytest.raises(Undelivered) as caught:
                await asyncio.wait_for(sending, 10)
            await messenger.sign_out()
            sb.check()
            ns.check()
            return caught.value, recorder.events
    failure, events = aloop.run(scenario())
    assert (failure.text, failure.reason) == ("Still there?", "no_answer")
    assert undelivered(events) == [("Still there?", "no_answer")]


def test_nak_after_the_recipient_left_is_followed_by_a_reinvitation(aloop: asyncio.Runner) -> None:
    """Our server: the MSG reached nobody, so a NAK follows the BYE; the re-invitation is refused."""
    failure, events, payloads, _ = aloop.run(converse(
        [*SB_CALL_BOB, *BOB_JOINS, C("MSG 3 N *"), S(f"BYE {BOB}"), S("NAK 3"),
         *REINVITE_BOB_WHO_IS_OFFLINE, Hold()], "Hello?"))
    assert isinstance(failure, Undelivered)
    assert (failure.text, failure.reason) == ("Hello?", "not_online")
    assert undelivered(events) == [("Hello?", "not_online")]
    assert payloads == [plain_text_payload("Hello?")]


def test_a_second_vanishing_is_undelivered_not_a_third_try(aloop: asyncio.Runner) -> None:
    failure, events, payloads, _ = aloop.run(converse(
        [*SB_CALL_BOB, *BOB_JOINS, C("MSG 3 N *"), S(f"BYE {BOB}"), *REINVITE_BOB_WHO_ANSWERS,
         C("MSG 5 N *"), S(f"BYE {BOB}"), Hold()], "Hello?"))
    assert isinstance(failure, Undelivered)
    assert (failure.text, failure.reason) == ("Hello?", "left")
    assert undelivered(events) == [("Hello?", "left")]
    assert payloads == [plain_text_payload("Hello?")] * 2


def test_one_of_two_recipients_leaving_is_not_delivered_to_all_and_not_repeated(
        aloop: asyncio.Runner) -> None:
    failure, events, payloads, received = aloop.run(converse(
        [*SB_CALL_BOB, *BOB_JOINS, S(f"JOI {CAROL} Carol"), C("MSG 3 N *"), S(f"BYE {CAROL}"), Hold()],
        "Hi both", window=0.3))
    assert isinstance(failure, Undelivered)
    assert (failure.text, failure.reason) == ("Hi both", "left")
    assert undelivered(events) == [("Hi both", "left")]
    assert payloads == [plain_text_payload("Hi both")]  # Bob got it: writing it again would repeat it
    assert not [line for line in received if line.startswith("CAL") and CAROL in line]


def test_messages_written_again_keep_their_order(aloop: asyncio.Runner) -> None:
    async def scenario() -> tuple[list[bytes], list[ev.Event]]:
        async with FakeServer([[*SB_CALL_BOB, *BOB_JOINS, C("MSG 3 N *"), C("MSG 4 N *"), S(f"BYE {BOB}"),
                                C(f"CAL 5 {BOB}"), S("CAL 5 RINGING 11752013"), Mark("ringing"),
                                Gate("answer"), S(f"JOI {BOB} Bob%20Builder"),
                                C("MSG 6 N *"), C("MSG 7 N *"), C("MSG 8 N *"), Hold()]]) as sb, \
                FakeServer([[*SIGNED_IN, *OPEN_SB, Hold()]], sb=sb.address) as ns:
            messenger, recorder = await start(ns)
            conversation = await messenger.start_conversation(BOB)
            await recorder.wait(ev.ParticipantJoined)
            first = asyncio.ensure_future(conversation.send_text("one"))
            second = asyncio.ensure_future(conversation.send_text("two"))
            await sb.reached("ringing")
            third = asyncio.ensure_future(conversation.send_text("three"))  # typed while Bob is rung
            sb.open_gate("answer")
            await asyncio.wait_for(asyncio.gather(first, second, third), 10)
            record = await sb.connection(0)
            await messenger.sign_out()
            sb.check()
            ns.check()
            return record.payloads, recorder.events
    payloads, events = aloop.run(scenario())
    assert payloads == [plain_text_payload(t) for t in ("one", "two", "one", "two", "three")]
    assert undelivered(events) == []


def test_first_message_in_the_same_read_as_ans_ok_comes_after_the_join(aloop: asyncio.Runner) -> None:
    hello = plain_text_payload("Hi Alice")
    # one write, so the client reads these lines at once (E18 also sends the joiner its own JOI first)
    burst = (f"JOI {ALICE} Alice%20Liddell\r\nIRO 1 1 1 {BOB} Bob%20Builder\r\nANS 1 OK\r\n"
             f"MSG {BOB} Bob%20Builder")

    async def scenario() -> list[ev.Event]:
        async with FakeServer([[C(f"ANS 1 {ALICE} 849102291.520491113 11752013"), S(burst, payload=hello),
                                Hold()]]) as sb, \
                FakeServer([[*SIGNED_IN, Gate("ring"),
                             S(f"RNG 11752013 {{sb}} CKI 849102291.520491113 {BOB} Bob%20Builder"),
                             Hold()]], sb=sb.address) as ns:
            messenger, recorder = await start(ns)
            ns.open_gate("ring")
            await recorder.wait(ev.MessageReceived)
            await messenger.sign_out()
            sb.check()
            ns.check()
            return recorder.events
    events = aloop.run(scenario())
    story = [(type(e).__name__, getattr(e, "handle", getattr(e, "sender", None))) for e in events
             if isinstance(e, ev.ConversationStarted | ev.ParticipantJoined | ev.MessageReceived)]
    assert story == [("ConversationStarted", None), ("ParticipantJoined", BOB), ("MessageReceived", BOB)]


def test_an_invitation_still_being_answered_at_sign_out_is_left_not_joined(aloop: asyncio.Runner) -> None:
    """Otherwise the caller's message would go into a session nobody reads, and count as delivered."""
    async def scenario() -> list[ev.Event]:
        async with FakeServer([[C(f"ANS 1 {ALICE} 849102291.520491113 11752013"), Mark("answering"),
                                Gate("ok"), S(f"IRO 1 1 1 {BOB} Bob%20Builder"), S("ANS 1 OK"),
                                S(f"MSG {BOB} Bob%20Builder", payload=plain_text_payload("Hi Alice")),
                                C("OUT")]]) as sb, \
                FakeServer([[*SIGNED_IN, Gate("ring"),
                             S(f"RNG 11752013 {{sb}} CKI 849102291.520491113 {BOB} Bob%20Builder"),
                             C("OUT"), Close()]], sb=sb.address) as ns:
            messenger, recorder = await start(ns)
            ns.open_gate("ring")
            await sb.reached("answering")
            await messenger.sign_out()
            sb.open_gate("ok")
            await sb.finished(0)  # the client said OUT on the switchboard
            sb.check()
            ns.check()
            return recorder.events
    events = aloop.run(scenario())
    assert not [e for e in events if isinstance(e, ev.ConversationStarted | ev.MessageReceived)]
