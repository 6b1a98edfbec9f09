"""The typed boundary between engine and app: every event the engine can emit has a route to a Qt signal,
matched by type, and the signal a switchboard closing sends is acted on in the conversation window."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

from msnqt.client import events as ev
from msnqt.client.errors import Undelivered
from msnqt.gui.app.bridge import EngineBridge
from msnqt.gui.app.errors import is_undelivered
from tests.gui.live import world
from tests.gui.test_with_server import ALICE, BOB, signed_in_gui
from tests.support.qt import wait_until


def test_every_engine_event_has_a_route(gui_app: Any) -> None:
    every_event = set(typing.get_args(ev.Event))
    assert every_event  # the union the engine emits
    assert EngineBridge().routed_types == every_event


def test_undelivered_is_recognised_by_type() -> None:
    assert is_undelivered(Undelivered("hi", "no_answer"))
    assert not is_undelivered(RuntimeError("Undelivered"))


def test_a_closed_switchboard_clears_is_typing(gui_app: Any, qloop: Any, settings: Any,
                                               tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            conv_window = window.session.open_conversation(BOB)
            await wait_until(lambda: "Bob has joined the conversation." in conv_window.history_text())
            received = await w.peers[BOB].wait_for("ConversationStarted")
            received.conversation.notify_typing()
            await wait_until(lambda: conv_window.status_text == "Bob is typing a message.")
            assert w.server.disconnect(ALICE, switchboards_only=True) >= 1  # the switchboard goes away
            await wait_until(lambda: conv_window.status_text == "")
            assert conv_window.to_label.text() == f"To: Bob <{BOB}>"  # the next message calls Bob back

    qloop.run(scenario())
