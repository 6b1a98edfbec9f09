"""With no audio player at all, a message from a real contact still shows and flashes its window (the
visual equivalent of the "new message" sound), and nothing fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from msnqt.gui.app.credentials import MemoryCredentials
from msnqt.gui.main import build_main_window
from tests.gui.live import PASSWORD, fast_engine, world
from tests.support.qt import wait_until

ALICE, BOB = "alice@hotmail.com", "bob@hotmail.com"


def test_no_player_message_still_arrives_visibly(gui_app: Any, qloop: Any, settings: Any, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "no-players"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))

    async def scenario() -> None:
        async with world(tmp_path / "data") as w:
            window = build_main_window(w.address, settings=settings, credentials=MemoryCredentials(),
                                       engine_factory=fast_engine)
            window.show()
            assert await window.session.sign_in(ALICE, PASSWORD)
            assert settings.sounds_on  # sounds are wanted, there is just nothing to play them with
            sounds = window.extras.notifier.sounds
            bob = w.peers[BOB]
            conversation = await bob.engine.start_conversation(ALICE)
            await bob.wait_for("ParticipantJoined", handle=ALICE)
            await conversation.send_text("Can you hear me?")
            await wait_until(lambda: len(window.session.windows) == 1)
            conv_window = next(iter(window.session.windows.values()))
            await wait_until(lambda: "Bob says:\nCan you hear me?" in conv_window.history_text())
            assert conv_window.isVisible()
            assert conv_window.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
            assert sounds.player is None
            await sounds.drain()

    qloop.run(scenario())
