"""Starting the desktop app: ``main(argv)`` for the ``msnqt`` command and ``run_gui`` for the demo.

This is the one place that creates the qasync loop. The app ends when its last window closes: the main
coroutine then signs out cleanly and returns (``setQuitOnLastWindowClosed(False)``, toolchain-notes §3).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QApplication

from msnqt.gui.app.credentials import CredentialStore, KeyringCredentials
from msnqt.gui.app.engine import Engine, EngineFactory
from msnqt.gui.app.look import apply_classic_look
from msnqt.gui.app.resources import icon
from msnqt.gui.app.settings import AppSettings
from msnqt.gui.app.single_instance import SingleInstance
from msnqt.gui.conversation.window import TYPING_CLEAR_MS
from msnqt.gui.mainwindow.window import MainWindow
from msnqt.gui.session.state import CreateAccount, GuiSession, LocalServer

log = logging.getLogger("msnqt.gui")

OnReady = Callable[[MainWindow], Awaitable[None] | None]
Backend = Callable[[], AbstractAsyncContextManager[str]]
"""Something to run on the app's loop around the whole session, yielding the "host:port" to use (demo
mode's in-process server); the GUI never learns what it is."""


def default_engine_factory(server: str) -> Engine:
    """The real engine; mypy checks here that it has everything :class:`msnqt.gui.app.engine.Engine` lists."""
    from msnqt.client import Messenger

    return Messenger(server)


def keep_server_quirks(settings: AppSettings) -> None:
    """What the engines of this process learn about servers (no PNG, no directory) is loaded from and
    stored to ``settings``, so a server that drops the connection on PNG costs one extra sign-in once."""
    from msnqt.client.quirks import SHARED_QUIRKS

    SHARED_QUIRKS.load(settings.server_quirks)

    def store() -> None:
        settings.server_quirks = SHARED_QUIRKS.export()

    SHARED_QUIRKS.on_change = store


def build_main_window(server: str, *, settings: AppSettings | None = None,
                      credentials: CredentialStore | None = None,
                      engine_factory: EngineFactory | None = None, idle_ms: int | None = None,
                      typing_clear_ms: int = TYPING_CLEAR_MS, local_server: LocalServer | None = None,
                      create_account: CreateAccount | None = None) -> MainWindow:
    """The session and its main window (not shown). Needs a running qasync loop for anything async."""
    settings = settings or AppSettings()
    keep_server_quirks(settings)
    session = GuiSession(server=server, engine_factory=engine_factory or default_engine_factory,
                         settings=settings, credentials=credentials or KeyringCredentials(),
                         idle_ms=idle_ms, typing_clear_ms=typing_clear_ms, local_server=local_server,
                         create_account=create_account)
    return MainWindow(session)


async def run_app(server: str, *, auto_sign_in: tuple[str, str] | None = None,
                  on_ready: OnReady | None = None,
                  settings: AppSettings | None = None, credentials: CredentialStore | None = None,
                  engine_factory: EngineFactory | None = None, local_server: LocalServer | None = None,
                  create_account: CreateAccount | None = None,
                  raise_requests: SingleInstance | None = None) -> int:
    """The main coroutine: show the window, optionally sign in, and wait for the last window to close
    (or SIGINT/SIGTERM). ``raise_requests`` brings the window to the front when a second launch asks."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window = build_main_window(server, settings=settings, credentials=credentials,
                               engine_factory=engine_factory, local_server=local_server,
                               create_account=create_account)
    closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def _last_window_closed() -> None:
        if not closed.done():
            closed.set_result(None)

    app.lastWindowClosed.connect(_last_window_closed)

    def _terminated(signum: signal.Signals) -> None:
        """Ctrl+C in a terminal, SIGTERM from a desktop logout or ``kill``: end as Exit does (the window's
        place remembered, signed out, settings written), never half-way."""
        log.info("%s: signing out and ending", signum.name)
        window.session.settings.set_geometry("main", window.saveGeometry())
        _last_window_closed()

    loop = asyncio.get_running_loop()
    handled = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, _terminated, signum)
            handled.append(signum)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
            pass
    if raise_requests is not None:
        raise_requests.on_raise = lambda: bring_to_front(window)
    window.show()
    log.info("main window shown")
    if auto_sign_in is not None:
        await window.session.sign_in(*auto_sign_in)
    if on_ready is not None:
        result = on_ready(window)
        if inspect.isawaitable(result):
            await result
    try:
        await closed
        await window.session.shutdown()
        window.session.settings.sync()
        log.info("signed out; settings saved")
    finally:
        for signum in handled:
            loop.remove_signal_handler(signum)
    return 0


def bring_to_front(window: MainWindow) -> None:
    """What a second launch asks for: the main window shown (even from the tray), raised and focused."""
    window.showNormal()
    window.raise_()
    window.activateWindow()


DESKTOP_FILE_NAME = "msnqt"
"""The basename of ``msnqt.desktop``: Wayland compositors and docks match windows to it (app_id)."""


def identify_application(app: QApplication) -> None:
    """Names, desktop entry and icon, before any window exists (Wayland reads the app_id at map time)."""
    app.setApplicationName("msnqt")
    app.setOrganizationName("msnqt")
    app.setDesktopFileName(DESKTOP_FILE_NAME)
    app.setWindowIcon(icon("app"))  # every window without its own icon (dialogs, message boxes) uses it


def run_gui(server: str, *, auto_sign_in: tuple[str, str] | None = None, on_ready: OnReady | None = None,
            settings: AppSettings | None = None, credentials: CredentialStore | None = None,
            engine_factory: EngineFactory | None = None, argv: list[str] | None = None,
            backend: Backend | None = None, local_server: LocalServer | None = None,
            create_account: CreateAccount | None = None, single_instance: bool = False) -> int:
    """Create the QApplication and the qasync loop, run the app against ``server`` ("host:port"), return
    the exit code. ``auto_sign_in=(email, password)`` signs in straight away (the demo does this);
    ``on_ready(main_window)`` runs once the window is up (and signed in, if asked); ``backend``, if given,
    is entered on the loop first and its "host:port" replaces ``server``. ``local_server()`` (start the
    built-in server, return its "host:port") and ``create_account(handle, friendly, password)`` let the
    Connection option "built-in local server" work; the caller (``msnqt.app``) owns that server.
    ``single_instance``: if msnqt already runs for this user, bring its window to the front and return 0."""
    import qasync

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "msnqt", *(argv or [])])
    assert isinstance(app, QApplication)
    identify_application(app)
    guard = SingleInstance() if single_instance else None
    if guard is not None and not guard.acquire():
        print("msnqt is already running: its window was brought to the front.", file=sys.stderr)
        log.info("already running: asked the running instance to show its window")
        return 0
    app.setQuitOnLastWindowClosed(False)
    apply_classic_look(app)

    async def session(address: str) -> int:
        return await run_app(address, auto_sign_in=auto_sign_in, on_ready=on_ready, settings=settings,
                             credentials=credentials, engine_factory=engine_factory,
                             local_server=local_server, create_account=create_account,
                             raise_requests=guard)

    async def session_with_backend(backend: Backend) -> int:
        async with backend() as address:
            return await session(address)

    try:
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
            return runner.run(session(server) if backend is None else session_with_backend(backend))
    finally:
        if guard is not None:
            guard.release()


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line on stderr, exit 2 (no usage dump)
        self.exit(2, f"msnqt: {message}\n")


def parse_server(text: str) -> str:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return f"{host}:{int(port)}"


def parse_args(argv: list[str]) -> argparse.Namespace:
    """``--server HOST:PORT`` and ``--data-dir DIR``; a bad value is one line on stderr and exit 2."""
    parser = _ArgumentParser(prog="msnqt", description="MSN Messenger Service (1999) replica",
                             epilog="msnqt --demo [--screenshot PATH] [--quit-after SECONDS] tries the app "
                                    "against a throw-away local server with demo contacts (no network).")
    parser.add_argument("--server", type=parse_server, metavar="HOST:PORT",
                        help="the MSNP2 dispatch server to sign in to (default: the last one used, or the "
                             "built-in server if Tools > Options > Connection says so)")
    parser.add_argument("--data-dir", type=Path, metavar="DIR",
                        help="where the built-in server keeps its accounts (default: the app's data folder)")
    parser.add_argument("--debug", action="store_true",
                        help="log everything, the protocol trace included (passwords redacted), to stderr "
                             "and the log file (~/.local/state/msnqt/msnqt.log)")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    return parser.parse_args(argv)


def builtin_server_dir() -> Path:
    """``<data folder>/msnqt/server`` (``~/.local/share/msnqt/server``): the built-in server's accounts
    outlive the program. Qt's AppDataLocation would double the name (organisation and application are both
    "msnqt"); a folder left there by an earlier version is moved here, once."""
    base = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
                or Path.home() / ".local" / "share")
    folder = base / "msnqt" / "server"
    doubled = base / "msnqt" / "msnqt" / "server"
    if doubled.is_dir() and not folder.exists():
        try:
            doubled.rename(folder)
            log.info("moved the built-in server's accounts from %s to %s", doubled, folder)
            with contextlib.suppress(OSError):
                doubled.parent.rmdir()  # only if now empty
        except OSError as exc:
            log.warning("could not move %s to %s (%s); using the old folder", doubled, folder, exc.strerror)
            return doubled
    return folder


def main(argv: list[str]) -> int:
    """The GUI alone (no built-in server); ``msnqt.app.gui_main`` adds the server hooks."""
    args = parse_args(argv)
    settings = AppSettings()
    return run_gui(args.server or settings.server, settings=settings)
