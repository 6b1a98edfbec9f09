"""Entry points: the only module that wires the layers together.

Each entry imports its layer lazily so ``msnqt-server`` never loads Qt and ``msnqt-cli`` never loads the
server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from msnqt.server import AccountError


def _wants_version(argv: list[str]) -> bool:
    """True when ``--version`` comes before a ``--`` terminator, as argparse would read it.

    Handled here, before the lazy import, so every executable (frozen ones included) answers without loading
    Qt or the server, and the version always has one source: the package metadata from pyproject.
    """
    options = argv[: argv.index("--")] if "--" in argv else argv
    return "--version" in options


def _start(program: str, argv: list[str]) -> list[str]:
    """What every program does first: fix the environment it inherited, open its log file (``--debug``:
    everything, also on stderr), and return ``argv`` without ``--debug`` (accepted anywhere)."""
    end = argv.index("--") if "--" in argv else len(argv)
    debug = "--debug" in argv[:end]
    restore_library_path()
    from msnqt.logfile import start_logging

    # The server writes its own stderr log lines; --debug only lowers the level there.
    start_logging(program, debug=debug, echo=False if program == "msnqt-server" else None)
    return [a for a in argv[:end] if a != "--debug"] + argv[end:]


def restore_library_path(environ: Any = None, *, frozen: bool | None = None) -> None:
    """Give child processes the library path the user had, not the frozen bundle's.

    PyInstaller's bootloader points LD_LIBRARY_PATH at the bundle's ``_internal`` so the app finds its own
    libraries (the dynamic loader has read it by the time Python runs). Every program the app starts
    (xdg-open and gio for a link, the sound player) would inherit it and load the bundle's libraries
    instead of its own: gio then dies with a symbol lookup error on Debian 13. PyInstaller keeps the
    user's value in LD_LIBRARY_PATH_ORIG (absent when there was none)."""
    environ = os.environ if environ is None else environ
    frozen = getattr(sys, "frozen", False) if frozen is None else frozen
    if not frozen or not sys.platform.startswith("linux"):
        return
    original = environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is None:
        environ.pop("LD_LIBRARY_PATH", None)
    else:
        environ["LD_LIBRARY_PATH"] = original


def _print_version(program: str) -> int:
    from msnqt import __version__

    print(f"{program} {__version__}")
    return 0


DEMO_OPTIONS = ("--demo", "--screenshot", "--quit-after")


def _wants_demo(argv: list[str]) -> bool:
    """Any demo-only option selects the demo parser, which then says plainly that ``--demo`` is needed."""
    options = argv[: argv.index("--")] if "--" in argv else argv
    return any(o.split("=", 1)[0] in DEMO_OPTIONS for o in options)


def gui_main(argv: list[str] | None = None) -> int:
    """``msnqt``: the desktop app (``--demo`` starts the bundled server in-process)."""
    args = sys.argv[1:] if argv is None else argv
    if _wants_version(args):
        return _print_version("msnqt")
    args = _start("msnqt", args)
    if _wants_demo(args):
        return demo_main(args)
    return desktop_main(args)


def desktop_main(argv: list[str]) -> int:
    """``msnqt [--server HOST:PORT] [--data-dir DIR]``: the GUI, able to run the built-in server.

    The built-in server starts only when a sign-in needs it (Options > Connection chose it), so switching
    the option takes effect at the next sign-in; its accounts live in ``DIR`` (default: the user's data
    folder) and survive restarts. ``--server`` picks a server explicitly and turns the built-in one off.
    """
    from msnqt.gui.app.settings import AppSettings
    from msnqt.gui.main import builtin_server_dir, parse_args, run_gui

    args = parse_args(argv)
    settings = AppSettings()
    if args.server:
        settings.use_local_server = False
    server = BuiltInServer(args.data_dir or builtin_server_dir())

    @asynccontextmanager
    async def stop_server_at_exit() -> AsyncIterator[str]:
        try:
            yield args.server or settings.server
        finally:
            await server.close()

    return run_gui(args.server or settings.server, settings=settings, backend=stop_server_at_exit,
                   local_server=server.address, create_account=server.create_account, single_instance=True)


class BuiltInServer:
    """The bundled MSNP2 server run inside the desktop app on 127.0.0.1 (free ports), started on first use.

    The GUI gets two plain callables (``address`` and ``create_account``) and never sees the server itself.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._server: Any = None
        self._starting: asyncio.Lock | None = None

    @property
    def running(self) -> bool:
        return self._server is not None

    async def address(self) -> str:
        """Start the server if needed; its dispatch "host:port". Errors say what went wrong in a sentence."""
        from msnqt.server import MsnServer, ServerConfig

        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            if self._server is None:
                try:
                    self.data_dir.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise RuntimeError(f"cannot use the folder {self.data_dir} ({exc.strerror})") from None
                self._server = await MsnServer.start(ServerConfig(
                    data_dir=self.data_dir, host="127.0.0.1", ds_port=0, ns_port=0, sb_port=0))
        host, port = self._server.ds_address
        return f"{host}:{port}"

    def create_account(self, handle: str, friendly: str, password: str) -> None:
        """A new account on the running server; ``ValueError`` with a readable reason otherwise."""
        from msnqt.server import AccountError

        if self._server is None:
            raise ValueError("The built-in server is not running.")
        if not password:
            raise ValueError("Type a password for the new account.")
        try:
            self._server.add_account(handle.strip(), password, friendly.strip() or handle.strip())
        except AccountError as exc:
            raise ValueError(_account_problem(handle, exc)) from None

    async def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            await server.close()


def _account_problem(handle: str, error: AccountError) -> str:
    """The server's AccountError reasons, in the words of the Create-account form."""
    if error.reason == "exists":
        return f"There is already an account {handle} on this computer. Sign in with it, or choose " \
               "another address."
    if error.reason == "bad_handle":
        return f"{handle or 'That'} is not an e-mail address. Type one like name@example.com."
    if error.reason == "bad_name":
        return "That name is too long. Choose a shorter name."
    return f"The account could not be created: {error}"


def server_main(argv: list[str] | None = None) -> int:
    """``msnqt-server``: the headless MSNP2 server and its account tool."""
    args = sys.argv[1:] if argv is None else argv
    if _wants_version(args):
        return _print_version("msnqt-server")
    args = _start("msnqt-server", args)
    from msnqt.server.cli import main

    return main(args)


def cli_main(argv: list[str] | None = None) -> int:
    """``msnqt-cli``: the scriptable command-line client."""
    args = sys.argv[1:] if argv is None else argv
    if _wants_version(args):
        return _print_version("msnqt-cli")
    args = _start("msnqt-cli", args)
    from msnqt.client.cli import main

    return main(args)


# --- demo mode: the GUI signed in to the bundled server and its bots, all in this process ------------------

DEMO_OPENING_LINE = "Hi!"


def _demo_parser() -> argparse.ArgumentParser:
    parser = _OneLineErrorParser(prog="msnqt", description="MSN Messenger Service (1999) replica, demo mode")
    parser.add_argument("--demo", action="store_true", required=True,
                        help="start the bundled server and demo contacts in-process and sign in to them")
    parser.add_argument("--screenshot", metavar="PATH", type=Path,
                        help="once signed in with a conversation open, save both windows to PATH (PNG), exit")
    parser.add_argument("--quit-after", metavar="SECONDS", type=_positive_seconds,
                        help="exit after at most SECONDS (default with --screenshot: 30)")
    parser.add_argument("--debug", action="store_true", help="log everything to stderr and the log file")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    return parser


class _OneLineErrorParser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line on stderr, exit 2 (no usage dump)
        self.exit(2, f"msnqt: {message}\n")


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 86400:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}")
    return seconds


def demo_main(argv: list[str], timings: Any = None) -> int:
    """``msnqt --demo [--screenshot PATH] [--quit-after SECONDS]``; ``timings`` (a DemoTimings) is for tests.

    Settings and passwords live in a throw-away directory and in memory: trying the demo never touches the
    user's own configuration or keyring.
    """
    args = _demo_parser().parse_args(argv)
    import tempfile

    from PySide6.QtCore import QSettings

    from msnqt.gui.app.credentials import MemoryCredentials
    from msnqt.gui.app.settings import AppSettings
    from msnqt.gui.main import run_gui

    run = _DemoRun(timings, screenshot=args.screenshot,
                   quit_after=args.quit_after or (30.0 if args.screenshot else None))
    try:
        with tempfile.TemporaryDirectory(prefix="msnqt-demo-settings-") as settings_dir:
            ini = str(Path(settings_dir) / "msnqt.ini")
            settings = AppSettings(QSettings(ini, QSettings.Format.IniFormat))
            run_gui("", backend=run.backend, on_ready=run.on_ready, settings=settings,
                    credentials=MemoryCredentials(), auto_sign_in=None)
    except Exception as exc:  # the CLI boundary: one readable line, never a traceback
        print(f"msnqt: the demo could not run: {exc}", file=sys.stderr)
        return 1
    if run.failure is not None:
        print(f"msnqt: {run.failure}", file=sys.stderr)
        return 1
    return 0


class _DemoFailed(Exception):
    pass


class _DemoRun:
    """One demo session: the backend for the GUI's loop, and what happens once the main window is up."""

    def __init__(self, timings: Any, *, screenshot: Path | None, quit_after: float | None) -> None:
        self.timings = timings
        self.screenshot = screenshot
        self.quit_after = quit_after
        self.failure: str | None = None
        self._started = time.monotonic()

    def _seconds_left(self) -> float | None:
        """``--quit-after`` counts from the start of the command, server start-up and seeding included."""
        if self.quit_after is None:
            return None
        return max(0.1, self.quit_after - (time.monotonic() - self._started))

    @asynccontextmanager
    async def backend(self) -> AsyncIterator[str]:
        from msnqt.demo import demo_world

        async with demo_world(self.timings) as world:
            yield world.address

    async def on_ready(self, window: Any) -> None:
        _close_windows_on_termination()
        if self.screenshot is None:
            await self._sign_in(window, stay_on_failure=True)
            left = self._seconds_left()
            if left is not None:
                asyncio.get_running_loop().call_later(left, _close_all_windows)
            return
        try:
            await asyncio.wait_for(self._take_screenshot(window, self.screenshot), self._seconds_left())
        except TimeoutError:
            self.failure = f"the demo did not reach a conversation within {self.quit_after:g} seconds"
        except _DemoFailed as exc:
            self.failure = str(exc)
        _close_all_windows()

    async def _sign_in(self, window: Any, *, stay_on_failure: bool = False) -> None:
        """Through the GUI's own sign-in path: DS, then NS, MD5, SYN, exactly as a user's click does."""
        from msnqt.demo import DEMO_PASSWORD, USER

        # "Remembered" (in memory only), so signing in again after a sign-out needs no password from the user.
        if await window.session.sign_in(USER.handle, DEMO_PASSWORD, remember=True):
            return
        failure = f"could not sign in to the demo server: {window.error_text or 'no reason given'}"
        if not stay_on_failure:
            raise _DemoFailed(failure)
        self.failure = failure  # the window shows it now; the exit code and stderr say it at the end

    async def _take_screenshot(self, window: Any, path: Path) -> None:
        from msnqt.demo.cast import ANSWERER
        from msnqt.gui.desktop.window_picture import place_side_by_side, side_by_side_image

        await self._sign_in(window)
        conversation = _conversation_with(window, ANSWERER.handle)
        await _until(lambda: conversation.conversation is not None
                     and ANSWERER.handle in conversation.conversation.participants)
        header = f"{ANSWERER.friendly} says:"
        replies = conversation.history_text().count(header)
        conversation.send_text(DEMO_OPENING_LINE)
        await _until(lambda: conversation.history_text().count(header) > replies)
        place_side_by_side(window, conversation)
        await asyncio.sleep(0.1)  # one more turn of the loop so the moved windows are laid out and painted
        image = side_by_side_image(window, conversation)
        # The stubs say bytes for the format; PySide6 itself accepts only str there.
        if not image.save(str(path), "PNG"):  # type: ignore[call-overload]
            raise _DemoFailed(f"could not write the screenshot to {path}")
        print(f"screenshot saved to {path}", flush=True)


async def _until(predicate: Callable[[], bool]) -> None:
    """Wait on the loop for something the GUI will show; the caller bounds the wait."""
    while not predicate():
        await asyncio.sleep(0.02)


def _conversation_with(window: Any, handle: str) -> Any:
    """A conversation window already showing ``handle`` (e.g. the host bot's invitation), else a new one."""
    for candidate in list(window.session.windows.values()):
        if candidate.isVisible() and handle in candidate.handles:
            return candidate
    return window.session.open_conversation(handle)


def _close_windows_on_termination() -> None:
    """Ctrl+C or SIGTERM end the demo the way closing its window does: sign out, stop the bots and the server,
    delete the throw-away data. (Qt's loop would otherwise ignore Ctrl+C, and SIGTERM would leak the data.)"""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # Windows, non-main thread
            loop.add_signal_handler(signum, _close_all_windows)


def _close_all_windows() -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.closeAllWindows()


if __name__ == "__main__":
    sys.exit(gui_main())
