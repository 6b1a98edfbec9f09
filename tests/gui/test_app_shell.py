"""The app's shell: command line, starting and ending the main coroutine, accessibility of every window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from msnqt.gui.app.credentials import MemoryCredentials
from msnqt.gui.main import main, run_app
from msnqt.gui.mainwindow.window import MainWindow, visible_contact_names
from msnqt.gui.session.state import SIGNED_IN
from msnqt.protocol.codes import Status
from tests.gui.live import PASSWORD, fast_engine, world
from tests.support.qt import wait_until

ALICE, BOB = "alice@hotmail.com", "bob@hotmail.com"


@pytest.mark.parametrize("bad", ["nonsense", "host:", ":1863", "host:99999", "host:port"])
def test_bad_server_argument_is_one_line_and_exit_code_2(bad: str, capsys: Any) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--server", bad])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("msnqt: ") and "HOST:PORT" in err


def test_closing_the_last_window_signs_out_and_ends_the_app(gui_app: Any, qloop: Any, settings: Any,
                                                              tmp_path: Path) -> None:
    seen: list[MainWindow] = []

    async def scenario() -> None:
        async with world(tmp_path) as w:
            bob = w.peers[BOB]

            async def on_ready(window: MainWindow) -> None:
                seen.append(window)
                assert window.session.state == SIGNED_IN
                await wait_until(lambda: bob.engine.contact(ALICE).status is Status.ONLINE)
                window.close()

            code = await run_app(w.address, auto_sign_in=(ALICE, PASSWORD), on_ready=on_ready,
                                 settings=settings, credentials=MemoryCredentials(),
                                 engine_factory=fast_engine)
            assert code == 0
            await wait_until(lambda: bob.engine.contact(ALICE).status is Status.OFFLINE)

    qloop.run(scenario())
    assert seen and not seen[0].isVisible()


def _unnamed_widgets(root: QWidget) -> list[str]:
    """Focusable widgets without an accessible name (labels name themselves by their text)."""
    missing = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root) or (isinstance(widget, QLabel) and widget.text()):
            continue
        focusable = widget.focusPolicy() != Qt.FocusPolicy.NoFocus
        if focusable and not widget.accessibleName() and widget.metaObject().className() not in (
                "QMenuBar", "QScrollBar", "QSplitterHandle", "QAbstractScrollArea", "QWidget"):
            missing.append(f"{widget.metaObject().className()} {widget.objectName()!r}")
    return missing


def test_every_focusable_widget_has_an_accessible_name(gui_app: Any, qloop: Any, settings: Any,
                                                        tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            from msnqt.gui.main import build_main_window

            window = build_main_window(w.address, settings=settings, credentials=MemoryCredentials(),
                                       engine_factory=fast_engine)
            window.show()
            assert _unnamed_widgets(window) == []
            window.open_logon()
            await wait_until(lambda: window.logon_dialog is not None and window.logon_dialog.isVisible())
            assert window.logon_dialog is not None
            assert _unnamed_widgets(window.logon_dialog) == []
            window.logon_dialog.reject()
            assert await window.session.sign_in(ALICE, PASSWORD)
            assert _unnamed_widgets(window) == []
            assert visible_contact_names(window, 0) == ["Bob", "Carol"]
            conv_window = window.session.open_conversation(BOB)
            await wait_until(lambda: conv_window.conversation is not None)
            # Bob has joined before Alice signs out: a sign-out while his ANS is on its way would end the
            # session under him (911, "could not answer ... invitation"), a race this test is not about
            await w.peers[BOB].wait_for("ConversationStarted")
            assert _unnamed_widgets(conv_window) == []
            window.open_send_dialog()
            assert window.send_dialog is not None
            assert _unnamed_widgets(window.send_dialog) == []
            window.send_dialog.reject()
            await window.session.shutdown()

    qloop.run(scenario())
    assert QApplication.instance() is not None


def test_the_app_names_its_desktop_entry_and_every_window_has_the_app_icon(
        gui_app: Any, qloop: Any, settings: Any) -> None:
    """Wayland ties windows to msnqt.desktop by the desktop file name; each window shows the buddy icon,
    its own or its owner's (the app-wide icon is cleared here so a window without one would be caught)."""
    from PySide6.QtGui import QGuiApplication, QIcon

    from msnqt.gui.app.credentials import MemoryCredentials
    from msnqt.gui.main import build_main_window, identify_application

    identify_application(gui_app)
    assert QGuiApplication.desktopFileName() == "msnqt"
    assert not gui_app.windowIcon().isNull()
    saved = gui_app.windowIcon()
    gui_app.setWindowIcon(QIcon())

    async def scenario() -> None:
        window = build_main_window("127.0.0.1:1", settings=settings, credentials=MemoryCredentials())
        window.show()
        window.open_logon()
        await wait_until(lambda: window.logon_dialog is not None and window.logon_dialog.isVisible())
        window.logon_dialog.reject()
        window.contact_ui.open_options()
        window.open_send_dialog()
        window.session.open_conversation("bob@hotmail.com")
        shown = [w for w in gui_app.topLevelWidgets() if w.isVisible()]
        assert len(shown) >= 4
        assert [w.windowTitle() for w in shown if w.windowIcon().isNull()] == []

    try:
        qloop.run(scenario())
    finally:
        gui_app.setWindowIcon(saved)


def test_closing_a_half_built_conversation_window_is_harmless(gui_app: Any) -> None:
    """Qt can close a window whose Python attributes are already gone (the end of the app, a test's
    teardown); closing must still work and say nothing (pytest-qt fails the test on an exception)."""
    from msnqt.gui.conversation.window import ConversationWindow

    window = ConversationWindow(my_name=lambda: "Me", name_of=lambda h: h, invite_candidates=lambda: [],
                                first_handle="bob@hotmail.com")
    closed: list[object] = []
    window.closed.connect(closed.append)
    window.show()
    del window._typing
    assert window.close()
    assert not window.isVisible() and closed == [window]


def test_closing_a_half_gone_main_window_is_harmless(gui_app: Any, settings: Any) -> None:
    from msnqt.gui.main import build_main_window

    window = build_main_window("127.0.0.1:1", settings=settings, credentials=MemoryCredentials())
    window.show()
    del window.extras
    assert window.close() and not window.isVisible()
