"""Names as the protocol allows them: very long (387 encoded bytes) or holding ``&``. A long name is
shortened, never the status after it, with the whole text in the tool tip, and no window grows for it;
``&`` is shown as itself, never taken as an Alt key. Real engines on the real in-process server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFontMetrics, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QApplication

from msnqt.gui.contactlist.model import ONLINE_SECTION
from msnqt.gui.mainwindow.window import visible_contact_names
from msnqt.gui.text.elide import elide_keeping_tail, no_mnemonic
from msnqt.protocol.codes import Status
from tests.gui.live import world
from tests.gui.test_with_server import signed_in_gui
from tests.support.qt import wait_until

CAROL = "carol@hotmail.com"
LONG = "Carol the very long friendly name " + "with many words " * 12 + "and then some"
AMPERSAND = "a+b=c & d"


def mnemonic_texts() -> list[str]:
    """Every text Qt may read an Alt key from: buttons and actions (menus, tray) in every window."""
    texts: list[str] = []
    for top in QApplication.topLevelWidgets():
        texts += [b.text() for b in top.findChildren(QAbstractButton)]
        texts += [a.text() for a in top.findChildren(QAction)]
    return texts


def test_tail_is_kept_and_head_shortened(gui_app: Any) -> None:
    metrics = QFontMetrics(QApplication.font())
    shown = elide_keeping_tail(metrics, LONG, " (Be Right Back)", 200)
    assert shown.endswith("… (Be Right Back)") and shown.startswith("Carol")
    assert metrics.horizontalAdvance(shown) <= 200
    assert elide_keeping_tail(metrics, "Bob", " (Busy)", 200) == "Bob (Busy)"
    assert QKeySequence.mnemonic(no_mnemonic(AMPERSAND)).isEmpty()
    assert not QKeySequence.mnemonic(AMPERSAND).isEmpty()  # what Qt would have done


def test_a_long_name_neither_widens_the_windows_nor_hides_the_status(gui_app: Any, qloop: Any, settings: Any,
                                                                      tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            window.resize(260, 440)
            conv_window = window.session.open_conversation(CAROL)
            await wait_until(lambda: "Carol has joined the conversation." in conv_window.history_text())
            conv_width = conv_window.width()
            carol = w.peers[CAROL].engine
            await carol.set_friendly_name(LONG)
            await carol.set_status(Status.BE_RIGHT_BACK)
            row = f"{LONG} (Be Right Back)"
            await wait_until(lambda: row in visible_contact_names(window, ONLINE_SECTION))
            await wait_until(lambda: LONG in conv_window.to_label.text())

            assert window.width() == 260 and window.minimumSizeHint().width() < 300
            assert conv_window.width() == conv_width and conv_window.minimumSizeHint().width() < 400
            index = window.session.model.index_of(CAROL)
            tip = str(index.data(Qt.ItemDataRole.ToolTipRole))
            assert LONG in tip and "Be Right Back" in tip
            assert window.contact_tree.sizeHintForColumn(0) < 200

            # The To: line is shortened on screen; the whole line is its text (screen readers) and tool tip.
            assert conv_window.to_label.elided()
            assert LONG in conv_window.to_label.toolTip()
            received = await w.peers[CAROL].wait_for("ConversationStarted")
            received.conversation.notify_typing()
            await wait_until(lambda: conv_window.status_text == f"{LONG} is typing a message.")
            shown = conv_window.status_label.shown_text()
            assert shown.endswith("… is typing a message.")

    qloop.run(scenario())


def test_an_ampersand_in_a_name_is_never_an_alt_key(gui_app: Any, qloop: Any, settings: Any,
                                                    tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            window = await signed_in_gui(w, settings)
            await window.session.set_friendly_name(AMPERSAND)
            await w.peers[CAROL].engine.set_friendly_name("Tom & Jerry")
            await wait_until(lambda: window.session.my_name == AMPERSAND)
            await wait_until(lambda: "Tom & Jerry" in visible_contact_names(window, ONLINE_SECTION))
            button = window.status_button
            assert button.text() == "a+b=c && d (Online)"  # drawn as "a+b=c & d (Online)"
            assert QKeySequence.mnemonic(button.text()).isEmpty()
            conv_window = window.session.open_conversation(CAROL)
            await wait_until(lambda: "Tom & Jerry" in conv_window.windowTitle())
            window.contact_ui.menu_for(CAROL)
            named = [t for t in mnemonic_texts() if "Jerry" in t or "a+b=c" in t]
            assert named, "the names are somewhere a mnemonic could be read from"
            assert all(QKeySequence.mnemonic(t).isEmpty() for t in named), named
            # Tool tips show the name as written (Qt would read "<b>" in one as markup).
            tip = str(window.session.model.index_of(CAROL).data(Qt.ItemDataRole.ToolTipRole))
            assert "Tom &amp; Jerry" in tip and "<b>" not in tip.replace("&lt;b&gt;", "")

    qloop.run(scenario())
