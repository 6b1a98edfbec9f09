"""Readable by everyone: what a screen reader finds when it walks the accessibility tree of the main window
and a conversation (names, states, counts), what it is told without moving the focus, and where Tab goes.
Real engines on the real in-process server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleInterface, QColor, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from tests.gui.live import world
from tests.gui.test_with_server import BOB, signed_in_gui
from tests.support.qt import wait_until

CAROL = "carol@hotmail.com"


def walk(iface: QAccessibleInterface | None) -> Iterator[QAccessibleInterface]:
    if iface is None or not iface.isValid():
        return
    yield iface
    for i in range(iface.childCount()):
        yield from walk(iface.child(i))


def spoken_names(widget: QWidget) -> list[str]:
    """Every name a screen reader would read in ``widget``'s window, in tree order."""
    return [i.text(QAccessible.Text.Name) for i in walk(QAccessible.queryAccessibleInterface(widget))]


def contrast(a: QColor, b: QColor) -> float:
    def lum(c: QColor) -> float:
        def ch(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_a_screen_reader_walk_of_the_list_and_a_conversation(gui_app: Any, qloop: Any, settings: Any,
                                                             tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            await window.contact_ui.run(window.contact_ui.actions.block(CAROL))
            await wait_until(lambda: any("Carol" in n and "blocked" in n for n in spoken_names(window)))
            names = spoken_names(window)
            assert "Bob, Online" in names
            assert "Carol, Online, blocked" in names
            assert "Contacts Not Online, 1 contact" in names  # Dave alone: not "1 contacts"
            assert "Contacts Currently Online, 2 contacts" in names

            conv_window = window.session.open_conversation(BOB)
            await wait_until(lambda: "Bob has joined the conversation." in conv_window.history_text())
            await wait_until(lambda: QApplication.activeWindow() is conv_window)
            conv_window.input.setFocus()
            assert "Conversation history" in spoken_names(conv_window)
            QTest.keyClicks(conv_window.input, "Hi")
            for _ in range(3):  # Send, Invite, then the history
                QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            assert QApplication.focusWidget() is conv_window.history

            # Incoming text and typing are spoken without taking the focus from where the user is.
            received = await w.peers[BOB].wait_for("ConversationStarted")
            bob_side = received.conversation
            bob_side.notify_typing()
            await wait_until(lambda: "Bob is typing a message." in conv_window.announced)
            await bob_side.send_text("Can you hear me?")
            await wait_until(lambda: "Bob says: Can you hear me?" in conv_window.announced)
            assert QApplication.focusWidget() is conv_window.history

    qloop.run(scenario())


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_selection_and_disabled_items_stay_readable(gui_app: Any) -> None:
    palette = QApplication.palette()
    group, role = QPalette.ColorGroup, QPalette.ColorRole
    # A highlighted disabled menu item: its text on its bar (both were #808080, a blank bar).
    disabled_text = palette.color(group.Disabled, role.Text)
    assert contrast(disabled_text, palette.color(group.Disabled, role.Highlight)) >= 3
    # The focused list's selection is not the same as one in a window without the focus.
    assert palette.color(group.Active, role.Highlight) != palette.color(group.Inactive, role.Highlight)
    assert contrast(palette.color(group.Inactive, role.HighlightedText),
                    palette.color(group.Inactive, role.Highlight)) >= 4.5

    menu = QMenu()
    action = menu.addAction("Go to my Hotmail Inbox")
    action.setEnabled(False)
    menu.addAction("Options...")
    menu.show()
    menu.setActiveAction(action)
    image = menu.grab().toImage()
    rect = menu.actionGeometry(action)
    colours = {image.pixelColor(x, y).name() for x in range(rect.left(), rect.right())
               for y in range(rect.top(), rect.bottom())}
    assert len(colours) > 2  # text drawn on the bar, not one flat colour
    menu.close()
