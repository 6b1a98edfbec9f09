"""The "X has just signed in" alert: shown near the screen corner without taking the focus when a contact
comes online (a real second engine signing in to the real server), never for the sign-in burst, and not
at all when the user turned alerts off."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from msnqt.gui.app.credentials import MemoryCredentials
from msnqt.gui.contactlist.model import ONLINE_SECTION
from msnqt.gui.desktop.alerts import AlertToast
from msnqt.gui.main import build_main_window
from msnqt.gui.mainwindow.window import MainWindow, visible_contact_names
from tests.gui.live import PASSWORD, World, fast_engine, world
from tests.support.qt import wait_until

ALICE, DAVE = "alice@hotmail.com", "dave@hotmail.com"


@pytest.fixture(autouse=True)
def no_sound_player(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No audio player on PATH: the alert must carry the event on its own."""
    empty = tmp_path / "no-players"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


async def signed_in(w: World, settings: Any) -> MainWindow:
    window = build_main_window(w.address, settings=settings, credentials=MemoryCredentials(),
                               engine_factory=fast_engine)
    window.show()
    assert await window.session.sign_in(ALICE, PASSWORD)
    return window


def test_a_contact_signing_in_shows_a_toast_that_does_not_take_focus(gui_app: Any, qloop: Any,
                                                                      settings: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in(w, settings)
            notifier = window.extras.notifier
            assert notifier.toasts == []  # Bob and Carol were already online: the ILN burst is no news
            assert window.extras.tray is None  # offscreen has no tray: the toast is the alert

            await w.sign_in(DAVE)
            await wait_until(lambda: len(notifier.toasts) == 1)
            toast = notifier.toasts[0]
            assert toast.text == "Dave has just signed in."
            assert toast.isVisible()
            assert toast.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
            assert toast.accessibleDescription() == "Dave has just signed in."
            # The offscreen platform activates every window it shows; on X11 these two keep the focus where
            # it was (checked by hand under Xvfb).
            assert toast.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus
            screen = gui_app.primaryScreen().availableGeometry()
            assert toast.geometry().bottom() > screen.center().y()
            assert toast.geometry().right() > screen.center().x()

            QTest.mouseClick(toast, Qt.MouseButton.LeftButton)
            windows = window.session.conversations
            await wait_until(lambda: any(win.handles == [DAVE] for win in windows.all_windows()))
            conversation = next(win for win in windows.all_windows() if win.handles == [DAVE])
            await wait_until(lambda: "Dave has joined the conversation." in conversation.history_text())
            conversation.close()

    qloop.run(scenario())


def test_no_toast_when_alerts_are_turned_off(gui_app: Any, qloop: Any, settings: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            settings.alert_on_online = False
            window = await signed_in(w, settings)
            await w.sign_in(DAVE)
            await wait_until(lambda: "Dave" in visible_contact_names(window, ONLINE_SECTION))
            assert window.extras.notifier.toasts == []

    qloop.run(scenario())


def test_the_toast_goes_away_by_itself(gui_app: Any, qloop: Any) -> None:
    async def scenario() -> None:
        toast = AlertToast("Bob has just signed in.", timeout_ms=10)
        closed: list[bool] = []
        toast.destroyed.connect(lambda *_: closed.append(True))
        toast.show_near_corner()
        assert toast.isVisible()
        await wait_until(lambda: closed == [True])

    qloop.run(scenario())


def test_adding_someone_who_is_online_is_not_a_sign_in(gui_app: Any, qloop: Any, settings: Any,
                                                       tmp_path: Path) -> None:
    erin = "erin@hotmail.com"

    async def scenario() -> None:
        async with world(tmp_path) as w:
            w.server.add_account(erin, PASSWORD, "Erin")
            erin_peer = await w.sign_in(erin)
            window = await signed_in(w, settings)
            notifier = window.extras.notifier
            await window.session.messenger.add_contact(erin, friendly="Erin")
            await wait_until(lambda: "Erin" in visible_contact_names(window, ONLINE_SECTION))
            assert notifier.toasts == []

            await erin_peer.engine.sign_out()
            del w.peers[erin]
            await wait_until(lambda: "Erin" not in visible_contact_names(window, ONLINE_SECTION))
            await w.sign_in(erin)
            await wait_until(lambda: [t.text for t in notifier.toasts] == ["Erin has just signed in."])

    qloop.run(scenario())


def test_alerts_at_the_same_time_stack_instead_of_hiding_each_other(gui_app: Any, qloop: Any,
                                                                    settings: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in(w, settings)
            notifier = window.extras.notifier
            notifier.contact_signed_in(DAVE, "Dave")
            notifier.contact_signed_in("bob@hotmail.com", "Bob")
            first, second = notifier.toasts
            assert second.geometry().bottom() < first.geometry().top()
            assert second.geometry().right() == first.geometry().right()

    qloop.run(scenario())


def test_a_burst_of_sign_ins_shows_the_latest_few_alerts_on_screen(gui_app: Any, qloop: Any,
                                                                   settings: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in(w, settings)
            notifier = window.extras.notifier
            for number in range(40):  # everyone back at once, e.g. after the server restarted
                notifier.contact_signed_in(f"friend{number}@hotmail.com", f"Friend {number}")
            shown = [toast for toast in notifier.toasts if toast.isVisible()]
            assert [t.text for t in shown] == [f"Friend {n} has just signed in." for n in (37, 38, 39)]
            screen = gui_app.primaryScreen().availableGeometry()
            assert all(screen.contains(t.geometry()) for t in shown)
            tops = sorted(t.geometry().top() for t in shown)
            assert all(upper + shown[0].height() <= lower for upper, lower in pairwise(tops))

    qloop.run(scenario())
