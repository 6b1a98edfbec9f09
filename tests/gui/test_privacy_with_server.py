"""Options > Privacy and the "has added you" prompt against the real server: the lists and BLP/GTC change
on the server, and the people concerned see me go offline or come back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox

from msnqt.gui.contacts.added_you import AddedYouDialog
from msnqt.gui.options.dialog import OptionsDialog
from msnqt.gui.options.privacy import ALL_OTHERS
from msnqt.protocol.codes import ListName, Privacy, ReverseListPrompt, Status
from tests.gui.live import Peer, world
from tests.gui.test_contacts_with_server import ERIN, add_erin, on_server_list
from tests.gui.test_with_server import ALICE, BOB, signed_in_gui
from tests.support.qt import wait_until

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise")  # online alerts, offscreen


def sees_alice(peer: Peer, status: Status) -> bool:
    contact = peer.engine.contact(ALICE)
    return contact is not None and contact.status is status


def texts(widget: Any) -> list[str]:
    return [widget.item(row).text() for row in range(widget.count())]


def test_privacy_tab_moves_people_and_all_others_and_sends_only_on_apply(
        gui_app: Any, qloop: Any, settings: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            add_erin(w)
            window = await signed_in_gui(w, settings)
            erin = await w.sign_in(ERIN)
            await erin.engine.add_contact(ALICE)
            await wait_until(lambda: sees_alice(erin, Status.ONLINE))  # BLP AL: strangers see me
            bob = w.peers[BOB]
            await wait_until(lambda: sees_alice(bob, Status.ONLINE))

            window.contact_ui.options_action.trigger()
            dialog = window.contact_ui.dialog
            assert isinstance(dialog, OptionsDialog)
            tab_names = [dialog.tabs.tabText(i).replace("&", "") for i in range(4)]
            assert tab_names == ["Personal", "Preferences", "Privacy", "Connection"]
            dialog.tabs.setCurrentWidget(dialog.privacy_tab)
            tab = dialog.privacy_tab
            assert texts(tab.allow_list) == [ALL_OTHERS, "Bob", "Carol", "Dave"]
            assert texts(tab.block_list) == []
            assert tab.alert_check.isChecked()

            tab.select(BOB)
            QTest.mouseClick(tab.block_button, Qt.MouseButton.LeftButton)
            tab.select("")
            QTest.mouseClick(tab.block_button, Qt.MouseButton.LeftButton)
            tab.alert_check.setChecked(False)
            assert on_server_list(w, ALICE, ListName.ALLOW, BOB)  # nothing sent before Apply

            QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Apply),
                             Qt.MouseButton.LeftButton)
            assert tab.task is not None
            await tab.task
            lists = w.server.store.lists(ALICE)
            assert lists.contains(ListName.BLOCK, BOB) and not lists.contains(ListName.ALLOW, BOB)
            assert lists.blp is Privacy.BLOCK_ALL
            assert lists.gtc is ReverseListPrompt.NEVER
            await wait_until(lambda: sees_alice(bob, Status.OFFLINE))
            await wait_until(lambda: sees_alice(erin, Status.OFFLINE))  # a stranger, now under "All others"
            assert texts(tab.block_list) == [ALL_OTHERS, "Bob"]

            tab.select(BOB)
            QTest.mouseClick(tab.allow_button, Qt.MouseButton.LeftButton)
            tab.select("")
            QTest.mouseClick(tab.allow_button, Qt.MouseButton.LeftButton)
            QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                             Qt.MouseButton.LeftButton)
            assert not dialog.isVisible()
            await tab.task
            lists = w.server.store.lists(ALICE)
            assert lists.contains(ListName.ALLOW, BOB) and lists.blp is Privacy.ALLOW_ALL
            await wait_until(lambda: sees_alice(bob, Status.ONLINE))
            await wait_until(lambda: sees_alice(erin, Status.ONLINE))

    qloop.run(scenario())


def test_view_lists_everyone_who_added_me(gui_app: Any, qloop: Any, settings: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            dialog = window.contact_ui.open_options()
            QTest.mouseClick(dialog.privacy_tab.view_button, Qt.MouseButton.LeftButton)
            view = dialog.privacy_tab.view_dialog
            assert view is not None and view.isVisible()
            assert texts(view.people) == ["Bob", "Carol", "Dave"]

    qloop.run(scenario())


async def prompt_for(window: Any, handle: str) -> AddedYouDialog:
    await wait_until(lambda: any(p.handle == handle and p.isVisible() for p in window.contact_ui.prompts))
    found: AddedYouDialog = next(p for p in window.contact_ui.prompts if p.handle == handle)
    return found


def test_being_added_while_signed_in_prompts_and_block_hides_me(gui_app: Any, qloop: Any, settings: Any,
                                                                 tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            add_erin(w)
            window = await signed_in_gui(w, settings)
            erin = await w.sign_in(ERIN)
            await erin.engine.add_contact(ALICE)
            prompt = await prompt_for(window, ERIN)
            assert prompt.allow_radio.isChecked() and prompt.add_check.isChecked()
            QTest.mouseClick(prompt.block_radio, Qt.MouseButton.LeftButton)
            QTest.keyClick(prompt, Qt.Key.Key_Return)
            assert not prompt.isVisible() and prompt.task is not None
            await prompt.task
            assert on_server_list(w, ALICE, ListName.BLOCK, ERIN)
            assert on_server_list(w, ALICE, ListName.FORWARD, ERIN)
            assert not on_server_list(w, ALICE, ListName.ALLOW, ERIN)
            await wait_until(lambda: sees_alice(erin, Status.OFFLINE))

    qloop.run(scenario())


def test_being_added_while_away_prompts_at_sign_in_and_allow_is_the_default(
        gui_app: Any, qloop: Any, settings: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            add_erin(w)
            erin = await w.sign_in(ERIN)
            await erin.engine.add_contact(ALICE)
            window = await signed_in_gui(w, settings)
            prompt = await prompt_for(window, ERIN)
            prompt.add_check.setChecked(False)
            QTest.keyClick(prompt, Qt.Key.Key_Return)
            assert prompt.task is not None
            await prompt.task
            assert on_server_list(w, ALICE, ListName.ALLOW, ERIN)
            assert not on_server_list(w, ALICE, ListName.FORWARD, ERIN)
            await wait_until(lambda: sees_alice(erin, Status.ONLINE))

    qloop.run(scenario())
