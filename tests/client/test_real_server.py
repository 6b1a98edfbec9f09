"""Engines against the real bundled server on loopback: messages, presence, privacy, switchboards."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from msnqt.client import Conversation, Messenger, ServerError, Undelivered
from msnqt.client import events as ev
from msnqt.client.states import NsState
from msnqt.protocol.codes import ListName, Status
from msnqt.protocol.message import split_text
from tests.client.util import EventRecorder

server_module = pytest.importorskip("msnqt.server", reason="the bundled server has not landed yet")

ALICE, BOB, CAROL = "alice@hotmail.com", "bob@hotmail.com", "carol@hotmail.com"
PASSWORDS = {ALICE: "alicepw", BOB: "bobpw", CAROL: "carolpw"}
NAMES = {ALICE: "Alice Liddell", BOB: "Bob Builder", CAROL: "Carol"}


class World:
    """A running server with three accounts who all have each other on FL and AL."""

    def __init__(self, server: object, address: str) -> None:
        self.server = server
        self.address = address
        self.engines: list[Messenger] = []

    async def sign_in(self, handle: str, **options: float) -> tuple[Messenger, EventRecorder]:
        messenger = Messenger(self.address, request_timeout=5, delivery_window=0.3,
                              **options)  # type: ignore[arg-type]
        recorder = EventRecorder(messenger)
        await messenger.sign_in(handle, PASSWORDS[handle])
        self.engines.append(messenger)
        return messenger, recorder

    def kill_switchboards(self, *handles: str) -> int:
        """Drop these users' switchboard connections on the server side, as a crash or idle timeout would."""
        return sum(self.server.disconnect(handle, switchboards_only=True) for handle in handles)


@contextlib.asynccontextmanager
async def world(tmp_path: Path) -> AsyncIterator[World]:
    server = await server_module.MsnServer.start(server_module.ServerConfig(
        data_dir=tmp_path, host="127.0.0.1", ds_port=0, ns_port=0, sb_port=0))
    try:
        for handle in (ALICE, BOB, CAROL):
            server.add_account(handle, PASSWORDS[handle], NAMES[handle])
        host, port = server.ds_address
        the_world = World(server, f"{host}:{port}")
        for handle in (ALICE, BOB, CAROL):  # everyone adds everyone (FL, and AL by the engine)
            messenger, _ = await the_world.sign_in(handle)
            for other in (ALICE, BOB, CAROL):
                if other != handle:
                    await messenger.add_contact(other, friendly=NAMES[other])
            await messenger.sign_out()
        the_world.engines.clear()
        yield the_world
    finally:
        for engine in the_world.engines:
            await engine.sign_out()
        await server.close()


def run(aloop: asyncio.Runner, tmp_path: Path, body: Callable[[World], Awaitable[None]]) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as the_world:
            await body(the_world)
    aloop.run(scenario())


async def open_chat(caller: Messenger, caller_events: EventRecorder, callee_events: EventRecorder,
                    callee: str) -> tuple[Conversation, Conversation]:
    conversation = await caller.start_conversation(callee)
    await caller_events.wait(ev.ParticipantJoined, lambda e: e.conversation is conversation)
    started = await callee_events.wait(ev.ConversationStarted, lambda e: not e.initiated_by_us)
    return conversation, started.conversation


def test_two_engines_exchange_messages(aloop: asyncio.Runner, tmp_path: Path) -> None:
    async def body(w: World) -> None:
        alice, alice_events = await w.sign_in(ALICE)
        _bob, bob_events = await w.sign_in(BOB)
        mine, bobs = await open_chat(alice, alice_events, bob_events, BOB)
        assert mine.participants == {BOB: "Bob Builder"}
        assert bobs.participants == {ALICE: "Alice Liddell"}
        await mine.send_text("Hello Bob é")
        got = await bob_events.wait(ev.MessageReceived)
        assert (got.sender, got.friendly, got.text) == (ALICE, "Alice Liddell", "Hello Bob é")
        assert got.conversation is bobs
        await bobs.send_text("Hi Alice")
        back = await alice_events.wait(ev.MessageReceived)
        assert (back.sender, back.text, back.conversation) == (BOB, "Hi Alice", mine)
    run(aloop, tmp_path, body)


def test_three_engines_share_a_conversation(aloop: asyncio.Runner, tmp_path: Path) -> None:
    async def body(w: World) -> None:
        alice, alice_events = await w.sign_in(ALICE)
        _bob, bob_events = await w.sign_in(BOB)
        _carol, carol_events = await w.sign_in(CAROL)
        mine, bobs = await open_chat(alice, alice_events, bob_events, BOB)
        await mine.invite(CAROL)
        carols = (await carol_events.wait(ev.ConversationStarted)).conversation
        assert set(carols.participants) == {ALICE, BOB}
        await bob_events.wait(ev.ParticipantJoined, lambda e: e.handle == CAROL)
        await carols.send_text("Hi both")
        for recorder in (alice_events, bob_events):
            got = await recorder.wait(ev.MessageReceived)
            assert (got.sender, got.text) == (CAROL, "Hi both")
        assert bobs.participants.keys() == {ALICE, CAROL}
    run(aloop, tmp_path, body)


def test_presence_changes_reach_contacts(aloop: asyncio.Runner, tmp_path: Path) -> None:
    async def body(w: World) -> None:
        alice, alice_events = await w.sign_in(ALICE)
        bob, _ = await w.sign_in(BOB)
        await alice_events.wait(ev.ContactChanged, lambda e: e.contact.handle == BOB
                                and e.contact.status is Status.ONLINE)
        await bob.set_status(Status.AWAY)
        await alice_events.wait(ev.ContactChanged, lambda e: e.contact.handle == BOB
                                and e.contact.status is Status.AWAY)
        await bob.set_friendly_name("Bob the Builder")
        await alice_events.wait(ev.ContactChanged, lambda e: e.contact.friendly == "Bob the Builder")
        await bob.sign_out()
        await alice_events.wait(ev.ContactChanged, lambda e: e.contact.handle == BOB
                                and e.contact.status is Status.OFFLINE)
        contact = alice.contact(BOB)
        assert contact is not None and contact.status is Status.OFFLINE
    run(aloop, tmp_path, body)


def test_blocking_hides_us_and_refuses_their_invitations(aloop: asyncio.Runner, tmp_path: Path) -> None:
    async def body(w: World) -> None:
        alice, _ = await w.sign_in(ALICE)
        bob, bob_events = await w.sign_in(BOB)
        await bob_events.wait(ev.ContactChanged, lambda e: e.contact.handle == ALICE
                              and e.contact.status is Status.ONLINE)
        with pytest.raises(ServerError) as refused:  # AL and BL exclude each other...
            await alice.add_contact(BOB, ListName.BLOCK)
        assert refused.value.code == 219
        await alice.block(BOB)  # ...so block() moves bob from AL to BL
        blocked = alice.contact(BOB)
        assert blocked is not None and ListName.BLOCK in blocked.lists
        assert ListName.ALLOW not in blocked.lists
        await bob_events.wait(ev.ContactChanged, lambda e: e.contact.handle == ALICE
                              and e.contact.status is Status.OFFLINE)
        with pytest.raises(ServerError) as caught:
            await bob.start_conversation(ALICE)
        assert caught.value.code == 217
        before = bob_events.mark()
        await alice.unblock(BOB)
        await bob_events.wait(ev.ContactChanged, lambda e: e.contact.handle == ALICE
                              and e.contact.status is Status.ONLINE, since=before)
        unblocked = alice.contact(BOB)
        assert unblocked is not None and ListName.ALLOW in unblocked.lists
        assert ListName.BLOCK not in unblocked.lists
    run(aloop, tmp_path, body)


def test_typing_notification_is_received_once_per_burst(aloop: asyncio.Runner, tmp_path: Path) -> None:
    async def body(w: World) -> None:
        alice, alice_events = await w.sign_in(ALICE)
        _bob, bob_events = await w.sign_in(BOB)
        mine, _ = await open_chat(alice, alice_events, bob_events, BOB)
        for _keystroke in range(5):
            mine.notify_typing()
        await mine.send_text("done typing")
        await bob_events.wait(ev.MessageReceived)
        typing = bob_events.of_type(ev.TypingReceived)
        assert [t.handle for t in typing] == [ALICE]  # relayed in order, before the text
    run(aloop, tmp_path, body)


def test_long_text_is_split_and_arrives_whole(aloop: asyncio.Runner, tmp_path: Path) -> None:
    async def body(w: World) -> None:
        alice, alice_events = await w.sign_in(ALICE)
        _bob, bob_events = await w.sign_in(BOB)
        mine, _ = await open_chat(alice, alice_events, bob_events, BOB)
        text = " ".join(f"word{i}" for i in range(700))  # about 5 KB: four MSGs
        await mine.send_text(text)
        expected_parts = len(split_text(text))
        assert expected_parts >= 4
        received = await bob_events.wait_all(ev.MessageReceived, expected_parts)
        assert "".join(m.text for m in received) == text
        assert all(len(m.text.encode()) <= 1602 for m in received)
    run(aloop, tmp_path, body)


def test_killed_switchboard_is_reopened_for_the_next_message(aloop: asyncio.Runner, tmp_path: Path) -> None:
    async def body(w: World) -> None:
        alice, alice_events = await w.sign_in(ALICE)
        _bob, bob_events = await w.sign_in(BOB)
        mine, _ = await open_chat(alice, alice_events, bob_events, BOB)
        await mine.send_text("first")
        await bob_events.wait(ev.MessageReceived, lambda e: e.text == "first")
        assert w.kill_switchboards(ALICE, BOB) == 2
        await alice_events.wait(ev.ConversationEnded, lambda e: e.conversation is mine)
        assert not mine.active
        await mine.send_text("second")  # XFR SB, USR, CAL bob, JOI, MSG
        got = await bob_events.wait(ev.MessageReceived, lambda e: e.text == "second")
        assert got.sender == ALICE
        assert mine.active and BOB in mine.participants
        assert alice.conversations() == [mine]
    run(aloop, tmp_path, body)


def test_message_to_someone_who_left_is_reported_undelivered(aloop: asyncio.Runner, tmp_path: Path) -> None:
    async def body(w: World) -> None:
        alice, alice_events = await w.sign_in(ALICE)
        bob, bob_events = await w.sign_in(BOB)
        mine, _ = await open_chat(alice, alice_events, bob_events, BOB)
        await bob.sign_out()
        await alice_events.wait(ev.ParticipantLeft, lambda e: e.handle == BOB)
        with pytest.raises(Undelivered) as caught:
            await mine.send_text("are you there?")
        assert caught.value.text == "are you there?"
        assert caught.value.reason == "not_online"
        event = await alice_events.wait(ev.MessageUndelivered)
        assert (event.text, event.conversation) == ("are you there?", mine)
    run(aloop, tmp_path, body)


def test_signing_in_elsewhere_stops_the_first_session(aloop: asyncio.Runner, tmp_path: Path) -> None:
    async def body(w: World) -> None:
        first, first_events = await w.sign_in(ALICE, reconnect_delay=0.01)
        second, _ = await w.sign_in(ALICE)
        assert await first_events.wait(ev.SignedOut) == ev.SignedOut("elsewhere")
        assert first.state is NsState.OFFLINE
        assert first_events.of_type(ev.Reconnecting) == []
        assert second.signed_in
    run(aloop, tmp_path, body)


def test_mailbox_summary_at_sign_in(aloop: asyncio.Runner, tmp_path: Path) -> None:
    async def body(w: World) -> None:
        w.server.set_mailbox(ALICE, 3, 1)  # type: ignore[attr-defined]
        _alice, alice_events = await w.sign_in(ALICE)
        assert await alice_events.wait(ev.MailSummary) == ev.MailSummary(3, 1)
    run(aloop, tmp_path, body)


def test_directory_search_url_and_email_invitation(aloop: asyncio.Runner, tmp_path: Path) -> None:
    async def body(w: World) -> None:
        alice, _ = await w.sign_in(ALICE)
        relative, login = await alice.url("INBOX")
        assert relative and login
        assert await alice.find("Nobody", "Atall") == []
        await alice.invite_by_email("friend@example.com")
    run(aloop, tmp_path, body)
