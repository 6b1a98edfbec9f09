"""The app against a server that never NAKs (the Escargot 2018 fake, msnp2-reference §8.2 D21): a message
whose only recipient vanishes as it goes is shown as not delivered, with its text (issue 13).

Alice is the GUI; Bob is a real engine. The fake says nothing about the message (no NAK); the only evidence
is Bob's BYE, which comes right behind it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from msnqt.client import Messenger
from msnqt.gui.app.credentials import MemoryCredentials
from msnqt.gui.main import build_main_window
from msnqt.gui.mainwindow.window import MainWindow
from tests.gui.live import FAST, PASSWORD, Peer
from tests.support.dialects import DIALECTS, DialectServer
from tests.support.qt import wait_until

ALICE, BOB = "alice@example.com", "bob@example.com"
NAMES = {ALICE: "Alice", BOB: "Bob"}
UNDELIVERED = "The following message could not be delivered to all recipients:"


def engine(server: str) -> Messenger:
    # a window long enough for Bob's BYE to fall inside it on a loaded machine
    return Messenger(server, **{**FAST, "delivery_window": 2.0, "join_timeout": 3.0})  # type: ignore[arg-type]


@asynccontextmanager
async def escargot_with_friends() -> AsyncIterator[str]:
    async with DialectServer(DIALECTS["escargot2018"]) as fake:
        for handle, name in NAMES.items():
            fake.add_account(handle, PASSWORD, name)
        for handle, other in ((ALICE, BOB), (BOB, ALICE)):
            messenger = engine(fake.address)
            await messenger.sign_in(handle, PASSWORD)
            await messenger.add_contact(other, friendly=NAMES[other])
            await messenger.sign_out()
        yield fake.address


async def alice_talking_to_bob(address: str, settings: Any) -> tuple[MainWindow, Any, Peer]:
    bob = Peer(engine(address))
    await bob.engine.sign_in(BOB, PASSWORD)
    window = build_main_window(address, settings=settings, credentials=MemoryCredentials(),
                               engine_factory=engine)
    window.show()
    assert await window.session.sign_in(ALICE, PASSWORD)
    conversation = window.session.open_conversation(BOB)
    await wait_until(lambda: "Bob has joined the conversation." in conversation.history_text())
    await bob.wait_for("ConversationStarted")  # Bob's side has the conversation too
    return window, conversation, bob


def test_a_message_to_someone_who_vanishes_as_it_goes_is_shown_undelivered(
        gui_app: Any, qloop: Any, settings: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with escargot_with_friends() as address:
            window, conversation, bob = await alice_talking_to_bob(address, settings)
            conversation.send_text("Still there?")
            await bob.engine.sign_out()  # Bob's OUTs go right behind Alice's MSG
            await wait_until(lambda: UNDELIVERED in conversation.history_text(), timeout=15)
            history = conversation.history_text()
            assert history.count(UNDELIVERED) == 1
            assert history.rstrip().endswith(f"{UNDELIVERED}\nStill there?")
            assert "Bob has left the conversation." in history
            await window.session.sign_out()
    qloop.run(scenario())


def test_a_message_to_someone_who_closes_the_window_as_it_goes_reaches_them_again(
        gui_app: Any, qloop: Any, settings: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with escargot_with_friends() as address:
            window, conversation, bob = await alice_talking_to_bob(address, settings)
            started = await bob.wait_for("ConversationStarted")
            judged: list[str] = []
            conversation.messageSent.connect(judged.append)  # emitted once the send is judged
            conversation.send_text("Still there?")
            await started.conversation.leave()  # Bob closes his window, and stays online
            await wait_until(lambda: sum(type(e).__name__ == "MessageReceived" for e in bob.events) >= 1
                             and conversation.history_text().count("Bob has joined the conversation.") == 2,
                             timeout=15)
            assert any(getattr(e, "text", None) == "Still there?" for e in bob.events
                       if type(e).__name__ == "MessageReceived")
            await wait_until(lambda: judged == ["Still there?"], timeout=15)
            assert UNDELIVERED not in conversation.history_text()
            await bob.engine.sign_out()
            await window.session.sign_out()
    qloop.run(scenario())
