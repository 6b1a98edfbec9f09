"""The contact-management screens for docs/screenshots/ (called from make_screenshots.py): the Add a
Contact wizard, the right-click menu, Properties, the "has added you" prompt and the Options tabs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from msnqt.gui.contactlist.model import BlockedRole
from msnqt.gui.contacts.add_wizard import AddContactWizard
from msnqt.gui.contacts.added_you import AddedYouDialog
from msnqt.gui.mainwindow.window import visible_contact_names
from msnqt.gui.options.dialog import OptionsDialog
from msnqt.protocol.codes import Status
from tests.gui.live import PASSWORD, World
from tests.support.qt import wait_until

ERIN = "erin@hotmail.com"
CAROL = "carol@hotmail.com"
LONG_NAME = ("Carol, who is away from her desk until the quarterly planning meeting is over and asks that "
             "you leave a message")
"""A friendly name far wider than the contact list: it must elide, and the status must stay visible."""


async def render_contact_screens(window: Any, w: World, out: Path,
                                 save: Callable[[QWidget, Path], None]) -> None:
    w.server.add_account(ERIN, PASSWORD, "Erin", fname="Erin", lname="Example", city="Seattle", state="WA",
                         country="US")
    ui = window.contact_ui

    wizard: AddContactWizard = ui.open_add_contact()
    save(wizard, out / "add-contact-1-choice.png")
    wizard.choice_page.by_search.setChecked(True)
    wizard.next()
    page = wizard.search_page
    page.fields["fname"].setText("Erin")
    page.fields["lname"].setText("Example")
    page.start_search()
    await wait_until(lambda: page.task is None and page.results.count() > 0)
    save(wizard, out / "add-contact-2-search.png")
    wizard.next()
    wizard.address_page.address_edit.setText("erin.friend@hotmail.com")
    wizard.next()
    await wait_until(lambda: wizard.result_page.task is None)
    save(wizard, out / "add-contact-3-not-a-member.png")
    wizard.reject()

    menu = ui.menu_for("bob@hotmail.com")
    menu.popup(window.mapToGlobal(window.rect().center()))
    await wait_until(menu.isVisible)
    save(menu, out / "contact-menu.png")
    menu.close()

    await ui.actions.block("carol@hotmail.com")
    await wait_until(lambda: bool(window.session.model.index_of("carol@hotmail.com").data(BlockedRole)))
    save(window, out / "main-window-blocked-contact.png")
    await ui.actions.unblock("carol@hotmail.com")

    carol = w.peers[CAROL].engine
    await carol.set_friendly_name(LONG_NAME)
    await carol.set_status(Status.BE_RIGHT_BACK)
    await wait_until(lambda: f"{LONG_NAME} (Be Right Back)" in visible_contact_names(window, 0))
    save(window, out / "main-window-long-name.png")
    await carol.set_friendly_name("Carol")
    await carol.set_status(Status.OUT_TO_LUNCH)
    await wait_until(lambda: "Carol (Out to Lunch)" in visible_contact_names(window, 0))

    ui.open_properties("bob@hotmail.com")
    save(ui.dialog, out / "contact-properties.png")
    ui.dialog.close()

    prompt = AddedYouDialog(window.session, ERIN, "Erin", window)
    prompt.open()
    save(prompt, out / "added-you-prompt.png")
    prompt.reject()

    options: OptionsDialog = ui.open_options()
    save(options, out / "options-personal.png")
    options.tabs.setCurrentWidget(options.privacy_tab)
    options.privacy_tab.select("carol@hotmail.com")
    options.privacy_tab.block_button.click()
    save(options, out / "options-privacy.png")
    options.privacy_tab.open_reverse_list()
    view = options.privacy_tab.view_dialog
    assert view is not None
    save(view, out / "options-privacy-view.png")
    view.close()
    options.reject()
