"""Contact management from the GUI against the real in-process server: the Add a Contact wizard, the
right-click menu and the "has added you" prompt. Each test checks the server's lists and what another
person's engine sees, not just the widgets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QWizard

from msnqt.gui.contactlist.model import OFFLINE_SECTION, ONLINE_SECTION, BlockedRole
from msnqt.gui.contacts.add_wizard import ADDRESS_PAGE, RESULT_PAGE, SEARCH_PAGE, AddContactWizard
from msnqt.gui.mainwindow.window import MainWindow, visible_contact_names
from msnqt.protocol.codes import ListName, Status
from msnqt.server import MsnServer, ServerConfig
from tests.gui.live import PASSWORD, World, world
from tests.gui.test_with_server import ALICE, BOB, signed_in_gui
from tests.support.qt import wait_until

ERIN = "erin@hotmail.com"

# Offscreen, the online alerts' raise() and a popup menu's keyboard grab are refused with a warning.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise",
                                       "This plugin does not support grabbing")


def add_erin(w: World) -> None:
    w.server.add_account(ERIN, PASSWORD, "Erin", fname="Erin", lname="Example", city="Seattle", state="WA",
                         country="US")


def on_server_list(w: World, owner: str, list_name: ListName, handle: str) -> bool:
    return w.server.store.lists(owner).contains(list_name, handle)


async def finish_result_page(wizard: AddContactWizard) -> str:
    await wait_until(lambda: wizard.currentId() == RESULT_PAGE and wizard.result_page.task is None)
    return wizard.result_page.message.text()


def click_next(wizard: AddContactWizard) -> None:
    QTest.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)


def test_add_by_address_puts_them_on_my_lists_and_they_are_asked(gui_app: Any, qloop: Any, settings: Any,
                                                                  tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            add_erin(w)
            window = await signed_in_gui(w, settings)
            window.contact_ui.add_action.trigger()
            wizard = window.contact_ui.dialog
            assert isinstance(wizard, AddContactWizard) and wizard.isVisible()
            click_next(wizard)  # "By e-mail address" is the default choice
            assert wizard.currentId() == ADDRESS_PAGE
            QTest.keyClicks(wizard.address_page.address_edit, ERIN)
            click_next(wizard)
            assert await finish_result_page(wizard) == (
                f"{ERIN} was added to your contact list.\n\nClick Finish. You will see when they are online.")
            assert on_server_list(w, ALICE, ListName.FORWARD, ERIN)
            assert on_server_list(w, ALICE, ListName.ALLOW, ERIN)  # the 1.0 habit: ADD AL with ADD FL
            await wait_until(lambda: ERIN in visible_contact_names(window, OFFLINE_SECTION))  # no name yet

            erin = await w.sign_in(ERIN)
            prompt = await erin.wait_for("AddedBy", handle=ALICE)
            assert prompt.needs_prompt
            await wait_until(lambda: "Erin" in visible_contact_names(window, ONLINE_SECTION))

    qloop.run(scenario())


def test_adding_a_non_member_offers_an_invitation_and_known_errors_are_plain(
        gui_app: Any, qloop: Any, settings: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            wizard = window.contact_ui.open_add_contact()
            click_next(wizard)
            QTest.keyClicks(wizard.address_page.address_edit, "nobody@hotmail.com")
            click_next(wizard)
            text = await finish_result_page(wizard)
            assert text.startswith("nobody@hotmail.com is not an MSN Messenger Service member yet")
            assert wizard.result_page.invite_button.isVisible()
            QTest.mouseClick(wizard.result_page.invite_button, Qt.MouseButton.LeftButton)
            assert (await finish_result_page(wizard)).startswith(
                "The server has accepted an e-mail invitation for nobody@hotmail.com.\n\nThis server runs on "
                "your own computer")
            assert w.server.store.invitations(ALICE) == ["nobody@hotmail.com"]
            assert not on_server_list(w, ALICE, ListName.FORWARD, "nobody@hotmail.com")

            wizard.back()
            wizard.address_page.address_edit.setText(BOB)
            click_next(wizard)
            assert await finish_result_page(wizard) == (
                f"{BOB} was not added. That person is already on the list.")
            assert not wizard.result_page.invite_button.isVisible()

            wizard.back()
            wizard.address_page.address_edit.setText("bob@")
            click_next(wizard)
            assert "is not a valid e-mail address" in await finish_result_page(wizard)

    qloop.run(scenario())


def test_directory_search_lists_members_and_leads_to_the_address_page(
        gui_app: Any, qloop: Any, settings: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            add_erin(w)
            window = await signed_in_gui(w, settings)
            wizard = window.contact_ui.open_add_contact()
            wizard.choice_page.by_search.setChecked(True)
            click_next(wizard)
            assert wizard.currentId() == SEARCH_PAGE
            page = wizard.search_page
            assert not page.search_button.isEnabled()  # FND needs both names
            QTest.keyClicks(page.fields["fname"], "Erin")
            QTest.keyClicks(page.fields["lname"], "Example")
            QTest.keyClick(page.fields["lname"], Qt.Key.Key_Return)
            await wait_until(lambda: page.task is None and page.results.count() > 0)
            assert page.results.item(0).text() == "Erin Example (Seattle, WA, US)"
            assert page.message.text() == "1 member found. Pick one and click Next."  # said as a person would
            click_next(wizard)
            assert wizard.currentId() == ADDRESS_PAGE
            assert "You chose Erin Example" in wizard.address_page.hint.text()
            # Not knowing Erin's address is no dead end: the server can mail her by the search hit.
            address_page = wizard.address_page
            assert address_page.invite_button.isVisibleTo(address_page)
            address_page.invite_button.click()
            await wait_until(lambda: address_page.invited)
            assert w.server.store.invitations(ALICE) == ["erin@hotmail.com"]
            assert "accepted an e-mail invitation" in address_page.invite_message.text()

            wizard.back()
            page.fields["lname"].setText("Nobody")
            page.start_search()
            await wait_until(lambda: page.task is None)
            assert page.results.count() == 0
            assert page.message.text().startswith("No members match")

    qloop.run(scenario())


def menu_of(window: MainWindow, handle: str) -> Any:
    return window.contact_ui.menu_for(handle)


async def settle(window: MainWindow) -> None:
    await wait_until(lambda: not window.contact_ui.tasks)


def row_blocked(window: MainWindow, handle: str) -> bool:
    return bool(window.session.model.index_of(handle).data(BlockedRole))


def test_block_unblock_from_the_menu_hides_me_from_them(gui_app: Any, qloop: Any, settings: Any,
                                                         tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            bob = w.peers[BOB]
            await wait_until(lambda: (c := bob.engine.contact(ALICE)) is not None
                             and c.status is Status.ONLINE)
            menu = menu_of(window, BOB)
            assert [a.text() for a in menu.actions() if a.text()] == [
                "Send an Instant &Message", "Send &Mail", "&Block", "&Delete Contact", "P&roperties"]
            assert menu.defaultAction() is menu.send_action
            menu.block_action.trigger()
            await settle(window)
            assert on_server_list(w, ALICE, ListName.BLOCK, BOB)
            assert not on_server_list(w, ALICE, ListName.ALLOW, BOB)
            await wait_until(lambda: (c := bob.engine.contact(ALICE)) is not None
                             and c.status is Status.OFFLINE)
            await wait_until(lambda: row_blocked(window, BOB))

            menu = menu_of(window, BOB)
            assert menu.block_action.text() == "&Unblock"
            menu.block_action.trigger()
            await settle(window)
            assert on_server_list(w, ALICE, ListName.ALLOW, BOB)
            await wait_until(lambda: (c := bob.engine.contact(ALICE)) is not None
                             and c.status is Status.ONLINE)
            assert not row_blocked(window, BOB)

    qloop.run(scenario())


def test_delete_asks_first_then_removes_them_and_properties_show_lists(
        gui_app: Any, qloop: Any, settings: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            menu_of(window, BOB).properties_action.trigger()
            props = window.contact_ui.dialog
            assert props is not None and props.isVisible()
            assert props.fields["handle"].text() == BOB  # type: ignore[attr-defined]
            assert props.fields["lists"].text() == (  # type: ignore[attr-defined]
                "My contact list\nMy Allow List\nHas me on their contact list")
            props.close()

            menu_of(window, BOB).delete_action.trigger()
            box = window.contact_ui.dialog
            assert isinstance(box, QMessageBox) and "Delete Bob" in box.text()
            QTest.mouseClick(box.button(QMessageBox.StandardButton.No), Qt.MouseButton.LeftButton)
            await settle(window)
            assert on_server_list(w, ALICE, ListName.FORWARD, BOB)

            menu_of(window, BOB).delete_action.trigger()
            box = window.contact_ui.dialog
            assert isinstance(box, QMessageBox)
            QTest.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
            await wait_until(lambda: not on_server_list(w, ALICE, ListName.FORWARD, BOB))
            await w.peers[BOB].wait_for("RemovedBy", handle=ALICE)
            await wait_until(lambda: "Bob" not in visible_contact_names(window, ONLINE_SECTION))

    qloop.run(scenario())


def test_keyboard_menu_key_and_delete_key_act_on_the_current_contact(gui_app: Any, qloop: Any, settings: Any,
                                                                      tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            tree = window.contact_tree
            tree.setFocus()
            tree.setCurrentIndex(window.session.model.index_of("carol@hotmail.com"))
            QTest.keyClick(tree, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
            menu = window.contact_ui.menu
            assert menu is not None and menu.handle == "carol@hotmail.com"
            await wait_until(menu.isVisible)
            menu.close()

            tree.setCurrentIndex(window.session.model.index_of(BOB))
            QTest.keyClick(tree, Qt.Key.Key_Delete)
            box = window.contact_ui.dialog
            assert isinstance(box, QMessageBox) and "Delete Bob" in box.text()
            QTest.keyClick(box, Qt.Key.Key_Y)  # the message box's own Yes key
            await wait_until(lambda: not on_server_list(w, ALICE, ListName.FORWARD, BOB))

    qloop.run(scenario())


def test_a_full_contact_list_is_explained(gui_app: Any, qloop: Any, settings: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        server = await MsnServer.start(ServerConfig(data_dir=tmp_path, host="127.0.0.1", ds_port=0, ns_port=0,
                                                    sb_port=0, fl_limit=1))
        try:
            for handle, name in ((ALICE, "Alice"), (BOB, "Bob"), (ERIN, "Erin")):
                server.add_account(handle, PASSWORD, name)
            host, port = server.ds_address
            w = World(server, f"{host}:{port}")
            window = await signed_in_gui(w, settings)
            await window.session.messenger.add_contact(BOB)  # the one place on a one-contact list
            wizard = window.contact_ui.open_add_contact()
            click_next(wizard)
            QTest.keyClicks(wizard.address_page.address_edit, ERIN)
            click_next(wizard)
            assert await finish_result_page(wizard) == (
                f"{ERIN} was not added. Your contact list is full. "
                "Remove someone before adding a new contact.")
            assert not wizard.result_page.invite_button.isVisible()
            assert not on_server_list(w, ALICE, ListName.FORWARD, ERIN)
            await window.session.sign_out()
        finally:
            await server.close()

    qloop.run(scenario())
