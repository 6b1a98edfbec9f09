"""``msnqt-cli``: sign in from a script, print contacts, send one message, or listen.

    msnqt-cli --server HOST:PORT --user EMAIL status
    msnqt-cli --server HOST:PORT --user EMAIL send TO TEXT
    msnqt-cli --server HOST:PORT --user EMAIL listen [--seconds N] [--retries N]

The password is read from the first line of stdin, or with ``--keyring`` from the OS keyring (service
"msnqt"); never from the command line, where other users could read it in the process list.

Output, one line each, flushed at once: ``status`` prints ``EMAIL<TAB>STATUS<TAB>FRIENDLY NAME`` per
contact; ``listen`` prints ``FROM<TAB>TEXT`` per message and ``* EMAIL<TAB>STATUS`` per presence change
(starting with the contacts already online when it signs in). A lost connection is re-made up to
``--retries`` times; when that fails, ``listen`` ends with exit status 1 and one line on stderr.
STATUS is the MSNP2 code (NLN BSY IDL BRB AWY PHN LUN, FLN = offline). ``status`` signs in as Appear
Offline (HDN) so that checking the list does not announce you to your contacts.

In every field (names and message text alike) a backslash is written ``\\\\``, a line break ``\\n``, a
tab ``\\t`` and any other control or bidi character ``\\xHH``/``\\uHHHH`` (``terminal.py``): one message
is always one line, and no name can forge a line, shift a column or send the terminal a control sequence.

Exit status: 0 on success, 1 on a failure (one line on stderr, e.g. wrong password, message not
delivered), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from typing import NoReturn, TextIO

from msnqt.protocol.codes import Status
from msnqt.protocol.names import is_valid_handle

from . import events as ev
from .errors import MessengerError, Undelivered
from .login import parse_server_address
from .messenger import Messenger
from .terminal import terminal_text

PROG = "msnqt-cli"
KEYRING_SERVICE = "msnqt"


class UsageError(Exception):
    """Bad command line: reported in one line, exit status 2."""


class CliFailure(Exception):
    """A failure that is already phrased for the user: one line, exit status 1."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Scriptable MSN Messenger (MSNP2) client. "
                    "The password is read from stdin, or from the OS keyring with --keyring.",
        epilog="output (tab-separated, one line each):\n"
               "  status   EMAIL STATUS FRIENDLY-NAME\n"
               "           (STATUS: NLN BSY IDL BRB AWY PHN LUN, FLN = offline)\n"
               "  listen   FROM TEXT  per message\n"
               "           * EMAIL STATUS  per presence change\n"
               "  (in every field \\ is written \\\\, a line break \\n, a tab \\t and\n"
               "   other control characters \\xHH or \\uHHHH)\n"
               "exit status: 0 ok, 1 failure (one line on stderr), 2 bad usage")
    parser.add_argument("--server", required=True, metavar="HOST:PORT",
                        help="dispatch server (or a notification server that answers directly)")
    parser.add_argument("--user", required=True, metavar="EMAIL", help="your sign-in name")
    parser.add_argument("--keyring", action="store_true",
                        help=f'take the password from the OS keyring (service "{KEYRING_SERVICE}")')
    parser.add_argument("--timeout", type=float, default=15.0, metavar="SECONDS",
                        help="how long to wait for each server reply (default 15)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     parser_class=_Parser)
    commands.add_parser("status", help="print each contact: EMAIL<TAB>STATUS<TAB>FRIENDLY NAME")
    send = commands.add_parser("send", help="send one message; exit 1 if it was not delivered")
    send.add_argument("to", metavar="TO")
    send.add_argument("text", metavar="TEXT")
    listen = commands.add_parser("listen", help="print messages and presence changes as they come")
    listen.add_argument("--seconds", type=float, default=None, metavar="N",
                        help="stop after N seconds (default: until interrupted)")
    listen.add_argument("--retries", type=int, default=5, metavar="N",
                        help="reconnect at most N times after a lost connection (2, 4, 8, ... s apart), "
                             "then fail with exit status 1 (default 5)")
    return parser


def main(argv: list[str] | None = None, *, stdin: TextIO | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
        _check_usage(args)
        password = _password(args, stdin or sys.stdin)
        return asyncio.run(_run(args, password, out))
    except UsageError as exc:
        _say(err, f"{PROG}: {exc} (see {PROG} --help)")
        return 2
    except CliFailure as exc:
        _say(err, f"{PROG}: {exc}")
        return 1
    except MessengerError as exc:
        _say(err, f"{PROG}: {exc.user_message}")
        return 1
    except KeyboardInterrupt:
        return 130


def _check_usage(args: argparse.Namespace) -> None:
    try:
        parse_server_address(args.server)
    except MessengerError as exc:
        raise UsageError(str(exc)) from None
    if not is_valid_handle(args.user):
        raise UsageError(f"not an e-mail address: {args.user!r}")
    if args.command == "send" and not is_valid_handle(args.to):
        raise UsageError(f"not an e-mail address: {args.to!r}")
    if args.timeout <= 0 or (args.command == "listen" and args.seconds is not None and args.seconds < 0):
        raise UsageError("times must be positive")
    if args.command == "listen" and args.retries < 0:
        raise UsageError("--retries must be 0 or more")


def _password(args: argparse.Namespace, stdin: TextIO) -> str:
    if args.keyring:
        try:
            import keyring

            password = keyring.get_password(KEYRING_SERVICE, args.user)
        except Exception as exc:  # keyring backends raise many kinds of errors
            raise CliFailure(f"the OS keyring is not available ({type(exc).__name__})") from None
        if not password:
            raise CliFailure(f"no password for {args.user} in the OS keyring")
        return str(password)
    if _is_terminal(stdin):  # typed by a person: do not echo it
        import getpass

        try:
            password = getpass.getpass(f"Password for {args.user}: ")
        except EOFError:
            password = ""
    else:
        password = stdin.readline().rstrip("\r\n")
    if not password:
        raise CliFailure("no password: write it as the first line on standard input, or use --keyring")
    return password


async def _run(args: argparse.Namespace, password: str, out: TextIO) -> int:
    status = Status.HIDDEN if args.command == "status" else Status.ONLINE
    retries = args.retries if args.command == "listen" else 0
    messenger = Messenger(args.server, request_timeout=args.timeout, auto_reconnect=retries > 0,
                          max_reconnect_attempts=retries)
    listener = _Listener(messenger, out) if args.command == "listen" else None
    await messenger.sign_in(args.user, password, status=status)
    try:
        if args.command == "status":
            for contact in messenger.contacts():
                _say(out, contact.handle, contact.status.value, contact.friendly)
            return 0
        if args.command == "send":
            return await _send(messenger, args.to, args.text)
        assert listener is not None
        return await listener.run(args.seconds)
    finally:
        await messenger.sign_out()


async def _send(messenger: Messenger, to: str, text: str) -> int:
    try:
        conversation = await messenger.start_conversation(to)
    except MessengerError as exc:
        raise CliFailure(f"could not reach {to}: {exc.user_message}") from None
    try:
        await conversation.send_text(text)
    except Undelivered as exc:
        raise CliFailure(f"message to {to} was not delivered ({exc.reason})") from None
    return 0


class _Listener:
    """Prints messages and presence changes. Subscribed *before* sign-in, so the contacts already
    online at sign-in are printed too (as changes from offline) and no change can slip through."""

    def __init__(self, messenger: Messenger, out: TextIO) -> None:
        self._messenger = messenger
        self._out = out
        self._stop = asyncio.Event()
        self._failure: list[str] = []
        self._last_status: dict[str, Status] = {}
        self._unsubscribe = messenger.subscribe(self._on_event)

    def _on_event(self, event: ev.Event) -> None:
        match event:
            case ev.MessageReceived(sender=sender, text=text):
                _say(self._out, sender, text)
            case ev.ContactChanged(contact=contact):
                key = contact.handle.lower()
                if self._last_status.get(key, Status.OFFLINE) != contact.status:
                    self._last_status[key] = contact.status
                    if self._messenger.signed_in or contact.status is not Status.OFFLINE:
                        # (not the "everyone offline" of a lost connection that is being re-made)
                        _say(self._out, f"* {contact.handle}", contact.status.value)
            case ev.SignedOut(reason=reason) if reason != "user":
                self._failure.append("signed out: " + {
                    "elsewhere": "you signed in at another location",
                    "shutdown": "the server is shutting down"}.get(reason, "the connection was lost"))
                self._stop.set()
            case _:
                pass

    async def run(self, seconds: float | None) -> int:
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGINT, self._stop.set)
            loop.add_signal_handler(signal.SIGTERM, self._stop.set)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), seconds)
        finally:
            self._unsubscribe()
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signal.SIGINT)
                loop.remove_signal_handler(signal.SIGTERM)
        if self._failure:
            raise CliFailure(self._failure[0])
        return 0


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _say(stream: TextIO, *fields: str) -> None:
    """Write one line: the fields, each made terminal-safe, separated by tabs. Every output goes here."""
    line = "\t".join(terminal_text(field) for field in fields)
    try:
        stream.write(line + "\n")
        stream.flush()
    except (BrokenPipeError, ValueError):
        pass
