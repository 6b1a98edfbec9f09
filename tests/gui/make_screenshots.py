"""Render the reference screenshots in docs/screenshots/ from the real app signed in to the in-process
server: ``python -m tests.gui.make_screenshots [OUTDIR]`` (offscreen; no display needed).

It lives beside the tests, not in msnqt/gui, because it starts the server, which the GUI layer must not
import.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

import qasync
from PySide6.QtCore import QCoreApplication, QEvent, QSettings
from PySide6.QtWidgets import QApplication, QWidget

from msnqt.gui.app.credentials import MemoryCredentials
from msnqt.gui.app.look import apply_classic_look
from msnqt.gui.app.settings import AppSettings
from msnqt.gui.main import build_main_window
from msnqt.gui.mainwindow.window import visible_contact_names
from msnqt.protocol.codes import Status
from tests.gui.live import PASSWORD, fast_engine, world
from tests.gui.screenshots_builtin import render_builtin_screens
from tests.gui.screenshots_contacts import render_contact_screens
from tests.gui.screenshots_desktop import render_desktop_screens
from tests.support.qt import wait_until

ALICE, BOB = "alice@hotmail.com", "bob@hotmail.com"


def save(widget: QWidget, path: Path) -> None:
    # Lay out what changed since the last turn of the loop (a status button whose text just grew), as the
    # screen would before anyone saw it; grab() alone would draw the old sizes with elided text.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    widget.grab().save(str(path))
    print(path)


async def render(out: Path, work: Path) -> None:
    settings = AppSettings(QSettings(str(work / "msnqt.ini"), QSettings.Format.IniFormat))
    async with world(work / "server") as w:
        window = build_main_window(w.address, settings=settings, credentials=MemoryCredentials(),
                                   engine_factory=fast_engine, idle_ms=0)
        window.resize(260, 440)
        window.show()
        save(window, out / "signed-out.png")

        window.open_logon()
        await wait_until(lambda: window.logon_dialog is not None and window.logon_dialog.isVisible())
        dialog = window.logon_dialog
        assert dialog is not None
        dialog.account_edit.setText(ALICE)
        dialog.password_edit.setText(PASSWORD)
        save(dialog, out / "logon-dialog.png")
        dialog.reject()

        assert await window.session.sign_in(ALICE, PASSWORD)
        await w.peers[BOB].engine.set_status(Status.BUSY)
        await w.peers["carol@hotmail.com"].engine.set_status(Status.OUT_TO_LUNCH)
        await wait_until(lambda: window.session.model.section_count(0) == 2)
        await wait_until(lambda: visible_contact_names(window, 0) == ["Bob (Busy)", "Carol (Out to Lunch)"])
        save(window, out / "main-window.png")

        conv_window = window.session.open_conversation(BOB)
        await wait_until(lambda: "Bob has joined" in conv_window.history_text())
        conv_window.send_text("Hi Bob! Are you coming to the launch party on Thursday?")
        bob = w.peers[BOB]
        received = await bob.wait_for("MessageReceived")
        await received.conversation.send_text("Sure, I'll be there.\nCan I bring a friend?")
        await wait_until(lambda: "Can I bring a friend?" in conv_window.history_text())
        conv_window.input.setPlainText("Of course")
        received.conversation.notify_typing()
        await wait_until(lambda: "is typing" in conv_window.status_text)
        conv_window.resize(440, 380)
        save(conv_window, out / "conversation.png")
        await render_contact_screens(window, w, out, save)
        await render_desktop_screens(window, w, out, save)
        await window.session.shutdown()
        window.close()
    await render_builtin_screens(work, out, save)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path("docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(["make_screenshots"])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    apply_classic_look(app)
    with tempfile.TemporaryDirectory() as work, \
            asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(render(out, Path(work)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
