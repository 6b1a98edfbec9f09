"""Demo mode in-process (offscreen): the GUI signed in to the demo server through the real protocol, with the
bots doing what a user of the demo would notice."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from msnqt.demo import DEMO_PASSWORD, USER, demo_world
from msnqt.demo.bots import MoodyBot
from msnqt.demo.cast import ANSWERER, HOST, NEWCOMER
from msnqt.gui.app.credentials import MemoryCredentials
from msnqt.gui.contactlist.model import OFFLINE_SECTION, ONLINE_SECTION
from msnqt.gui.main import build_main_window
from msnqt.gui.mainwindow.window import MainWindow, visible_contact_names
from tests.app.conftest import QUIET
from tests.support.qt import wait_until


async def signed_in(address: str, settings: Any) -> MainWindow:
    window = build_main_window(address, settings=settings, credentials=MemoryCredentials(), idle_ms=0)
    window.show()
    assert await window.session.sign_in(USER.handle, DEMO_PASSWORD)
    return window


def test_the_user_sees_the_cast_in_both_sections_and_the_answering_bot_replies(
        gui_app: Any, qloop: Any, settings: Any) -> None:
    async def scenario() -> None:
        # a whole second of "is typing" so a busy machine cannot miss it
        async with demo_world(dataclasses.replace(QUIET, reply_delay=1.0)) as world:
            window = await signed_in(world.address, settings)
            assert window.status_button.text() == "Alex (Online)"
            await wait_until(lambda: visible_contact_names(window, ONLINE_SECTION)
                             == ["Jen", "Mike (Away)", "Sarah"])
            assert visible_contact_names(window, OFFLINE_SECTION) == ["Dave"]

            conversation = window.session.open_conversation(ANSWERER.handle)
            await wait_until(lambda: "Sarah has joined" in conversation.history_text())
            conversation.send_text("Hello Sarah")
            await wait_until(lambda: conversation.status_text == "Sarah is typing a message.")
            await wait_until(lambda: "Nice to hear from you" in conversation.history_text())
            assert conversation.history_text().index("Hello Sarah") \
                < conversation.history_text().index("Sarah says:")
            await window.session.shutdown()

    qloop.run(scenario())


class ContactListRecorder:
    """Every distinct state of the contact list the user could have seen, in order.

    The moody bot changes status every 0.2 s; polling the list can miss a state when a busy machine
    delivers two changes between polls, so each change of the model is recorded as it happens."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.seen: list[tuple[list[str], list[str]]] = []
        model = window.session.model
        for signal in (model.rowsInserted, model.rowsRemoved, model.rowsMoved, model.dataChanged,
                       model.modelReset, model.layoutChanged):
            signal.connect(self.snapshot)
        self.snapshot()

    def snapshot(self, *_args: Any) -> None:
        state = (visible_contact_names(self.window, ONLINE_SECTION),
                 visible_contact_names(self.window, OFFLINE_SECTION))
        if not self.seen or self.seen[-1] != state:
            self.seen.append(state)

    def saw_in_order(self, *conditions: Any) -> bool:
        """True when states meeting ``conditions`` were seen one after the other (others may come between)."""
        wanted = iter(conditions)
        condition = next(wanted, None)
        for online, offline in self.seen:
            if condition is not None and condition(online, offline):
                condition = next(wanted, None)
        return condition is None


def test_the_moody_bot_goes_away_busy_on_the_phone_offline_and_back(
        gui_app: Any, qloop: Any, settings: Any) -> None:
    async def scenario() -> None:
        async with demo_world(dataclasses.replace(QUIET, status_interval=0.2)) as world:
            window = await signed_in(world.address, settings)
            recorder = ContactListRecorder(window)
            await wait_until(lambda: recorder.saw_in_order(
                lambda online, _offline: "Mike (Busy)" in online,
                lambda online, _offline: "Mike (On the Phone)" in online,
                lambda _online, offline: offline == ["Dave", "Mike"],
                lambda online, _offline: "Mike" in online,
            ), timeout=10.0)
            # One tour, then Mike stays online: no list reordering and no "signed in" alert forever.
            moody = next(bot for bot in world.bots if isinstance(bot, MoodyBot))
            await wait_until(lambda: moody.settled)
            assert "Mike" in visible_contact_names(window, ONLINE_SECTION)
            await window.session.shutdown()

    qloop.run(scenario())


def test_the_host_bot_invites_the_user_into_a_three_person_conversation(
        gui_app: Any, qloop: Any, settings: Any) -> None:
    async def scenario() -> None:
        async with demo_world(dataclasses.replace(QUIET, invite_delay=0.1)) as world:
            window = await signed_in(world.address, settings)
            await wait_until(lambda: len(window.session.windows) == 1)
            (conversation,) = window.session.windows.values()
            await wait_until(lambda: "I've asked Sarah to join us" in conversation.history_text())
            assert set(conversation.handles) == {HOST.handle, ANSWERER.handle}
            assert conversation.isVisible()
            conversation.send_text("Hi both of you")
            await wait_until(lambda: "Nice to hear from you" in conversation.history_text())
            await window.session.shutdown()

    qloop.run(scenario())


def test_leaving_the_demo_stops_the_server_and_deletes_its_data(aloop: Any) -> None:
    async def scenario() -> tuple[str, Path]:
        async with demo_world(QUIET) as world:
            assert world.data_dir.is_dir()
            return world.address, world.data_dir

    address, data_dir = aloop.run(scenario())
    assert not data_dir.exists()
    host, port = address.rsplit(":", 1)

    async def connect() -> None:
        await asyncio.open_connection(host, int(port))

    with pytest.raises(OSError):
        aloop.run(connect())


def test_find_a_contact_finds_someone_in_the_demo_directory(gui_app: Any, qloop: Any, settings: Any) -> None:
    async def scenario() -> None:
        async with demo_world(QUIET) as world:
            window = await signed_in(world.address, settings)
            hits = await window.contact_ui.actions.find("Erin", "Example", "", "", "")
            assert [(h.fname, h.lname, h.city) for h in hits] == [("Erin", "Example", "Seattle")]
            assert NEWCOMER.handle not in [c.handle for c in window.session.messenger.contacts()]
            assert await window.contact_ui.actions.find("Sarah", "Jones", "", "", "")
            await window.session.shutdown()

    qloop.run(scenario())
