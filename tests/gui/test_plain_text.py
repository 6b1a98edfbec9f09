"""Names and messages are shown as text, never as markup (issue 14): a sweep over every window the app opens
for a contact whose friendly name is ``<b>Mallory</b><!--``.

Rendered as HTML that name shows as a bold "Mallory" and the comment swallows the rest of the line: the
e-mail address in the "has added you" prompt and the conversation's To: line, which is how a user tells
who is really there. The sweep reads what each widget *shows* (rich text rendered the way Qt renders it)
and fails when a text that shows any of the name does not show all of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import Qt as QtGuiNamespace
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QMessageBox, QTextEdit, QWidget

from msnqt.gui.contacts.added_you import AddedYouDialog
from msnqt.gui.contacts.properties import PropertiesDialog
from msnqt.gui.conversation.window import ConversationWindow
from msnqt.gui.desktop.alerts import AlertToast
from msnqt.protocol.codes import ListName, Status
from tests.gui.fake_messenger import AddedBy, Contact
from tests.gui.test_widgets_fake_engine import make_window, sign_in
from tests.support.qt import wait_until

NAME = "<b>Mallory</b><!--"
"""A friendly name that, as HTML, shows only "Mallory" (bold) and hides whatever follows it."""
MESSAGE = "<i>Hello</i><!-- and the rest is hidden"
EVE = Contact("eve@hotmail.com", NAME, Status.OFFLINE,
              frozenset({ListName.FORWARD, ListName.ALLOW, ListName.REVERSE}))


def _shown(text: str, text_format: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """What the user sees of ``text`` in a widget with ``text_format`` (AutoText guesses, as Qt does)."""
    rich = text_format == Qt.TextFormat.RichText or (
        text_format == Qt.TextFormat.AutoText and QtGuiNamespace.mightBeRichText(text))
    if not rich:
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def _texts(widget: QWidget) -> Iterator[tuple[str, str]]:
    """(where, shown text) for every text ``widget`` and its children show, tooltips included."""
    for child in [widget, *widget.findChildren(QWidget)]:
        where = f"{type(child).__name__} {child.objectName() or child.accessibleName()!r} in {widget!r}"
        if isinstance(child, QLabel):
            yield where, _shown(child.text(), child.textFormat())
        elif isinstance(child, QTextEdit):
            yield where, child.toPlainText()
        elif isinstance(child, QAbstractButton):
            yield where, child.text()
        if child.toolTip():
            yield f"tooltip of {where}", _shown(child.toolTip())


def _model_texts(model: Any, parent: QModelIndex | None = None) -> Iterator[tuple[str, str]]:
    parent = parent or QModelIndex()
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        yield f"contact list row {row}", str(index.data(Qt.ItemDataRole.DisplayRole))  # painted as text
        tooltip = index.data(Qt.ItemDataRole.ToolTipRole)
        if isinstance(tooltip, str):
            yield f"contact list row {row} tooltip", _shown(tooltip)
        yield from _model_texts(model, index)


def test_every_window_shows_a_hostile_name_and_message_as_text(gui_app: Any, qloop: Any,
                                                                settings: Any) -> None:
    window, engines = make_window(settings)

    async def scenario() -> None:
        await sign_in(window)
        engine = engines[0]
        engine._contacts[EVE.handle] = EVE
        engine.set_contact_status(EVE.handle, Status.OFFLINE)  # now on the list (offline): then she signs in
        engine.set_contact_status(EVE.handle, Status.ONLINE)  # -> the "has just signed in" alert
        conversation = engine.incoming(EVE.handle, MESSAGE)  # -> a conversation window with a message
        engine.typing(conversation, EVE.handle)  # -> "<name> is typing a message." in its status bar
        engine.emit(AddedBy(EVE.handle, NAME, True))  # -> the "has added you" prompt
        window.contact_ui.open_properties(EVE.handle)
        window.contact_ui.confirm_delete(EVE.handle)
        await wait_until(lambda: {AlertToast, ConversationWindow, AddedYouDialog, QMessageBox} <= {
            type(w) for w in QApplication.topLevelWidgets() if w.isVisible()}, timeout=10)
        await wait_until(lambda: any(isinstance(w, PropertiesDialog) and w.isVisible()
                                     for w in QApplication.topLevelWidgets()))

    qloop.run(scenario())
    shown = [pair for w in QApplication.topLevelWidgets() if w.isVisible() for pair in _texts(w)]
    shown += list(_model_texts(window.contact_tree.model()))
    with_name = [(where, text) for where, text in shown if "Mallory" in text]
    with_message = [(where, text) for where, text in shown if "Hello" in text]
    # the sweep saw the places the issue names (and the contact list): it is not vacuous
    assert {type_name for where, _ in with_name for type_name in ("AlertToast", "ConversationWindow",
                                                                   "AddedYouDialog", "contact list")
            if type_name in where} == {"AlertToast", "ConversationWindow", "AddedYouDialog", "contact list"}
    assert with_message
    rendered = [(where, text) for where, text in with_name if NAME not in text]
    rendered += [(where, text) for where, text in with_message if MESSAGE not in text]
    assert rendered == [], "shown as markup: " + "; ".join(f"{where}: {text!r}" for where, text in rendered)
    prompt = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, AddedYouDialog) and w.isVisible())
    assert any(f"{NAME} ({EVE.handle}) has added you" in text for _, text in _texts(prompt))
    for top in QApplication.topLevelWidgets():
        if top is not window and top.isVisible():
            top.close()
